// RenditionEncoder: the encoding half of a web rendition (web_rendition.h).
// Decoded video frames are scaled to H.264 (libx264, yuv420p, square
// pixels), decoded audio is resampled to AAC, and both are muxed into a
// RenditionMp4 (web_rendition_mp4.h). web_rendition.cc demuxes and decodes
// the input and feeds it the frames. Internal to src/media.
#pragma once

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "media/av_input.h"
#include "media/web_rendition.h"
#include "media/web_rendition_mp4.h"

extern "C" {
#include <libavutil/channel_layout.h>
}

struct AVAudioFifo;
struct AVStream;
struct SwrContext;
struct SwsContext;

namespace lethe {

// OK for a picture of `w` x `h` that may be decoded; processing-limit for
// one without a size or past kMaxDecodePixels.
Status CheckPictureSize(int w, int h);

class RenditionEncoder {
 public:
  // Encodes as `options` say into `mp4` (which must outlive it). The input
  // starts at `origin_us` (AV_TIME_BASE units), which becomes time 0.
  RenditionEncoder(const WebRenditionOptions& options, RenditionMp4& mp4, int64_t origin_us)
      : o_(options), mp4_(mp4), origin_us_(origin_us) {}
  ~RenditionEncoder();
  RenditionEncoder(const RenditionEncoder&) = delete;
  RenditionEncoder& operator=(const RenditionEncoder&) = delete;

  // Adds an H.264 stream for the video stream `in` of `input`: at its
  // display aspect, at most max_width wide, even sizes, a key frame each
  // 2 s, its rotation kept as a display matrix. Internal when libx264 is
  // missing; the encoder's error when it does not open.
  Status OpenVideo(AVFormatContext* input, AVStream* in);
  // Adds an AAC stream for the audio stream `in`: its sample rate when
  // the encoder takes it (else 48 kHz), at most two channels. Internal
  // when the encoder is missing.
  Status OpenAudio(AVStream* in);

  // Encodes one decoded video frame. A frame no later than the last is
  // dropped (x264 wants order); processing-limit for a picture past the
  // limit; media-undecodable for a pixel format that does not scale.
  Status EncodeVideo(const AVFrame& f);
  // Encodes one decoded audio frame, resampled; the first one's time says
  // where the audio starts. media-undecodable when it does not resample.
  Status EncodeAudio(const AVFrame& f);

  // Flush each encoder (audio: what the resampler holds first) into the
  // MP4, after the last frame of its stream.
  Status FinishVideo() { return Finish(video_); }
  Status FinishAudio();

 private:
  // One output stream and the encoder that feeds it.
  struct Lane {
    AVStream* in = nullptr;
    AVStream* out = nullptr;
    AvCodecContextPtr enc;
    int64_t frames = 0;    // received
    int64_t next_pts = 0;  // audio: in samples; video: the least pts the next frame may have
  };
  struct SwsFree {
    void operator()(SwsContext* s) const;
  };
  struct SwrFree {
    void operator()(SwrContext* s) const;
  };
  struct FifoFree {
    void operator()(AVAudioFifo* f) const;
  };

  // Timestamps from the start of the file, in the input stream's time base.
  int64_t FromOrigin(const Lane& l, int64_t ts) const;
  // Resampled `in` (null: what the resampler holds) into the FIFO, and
  // every whole AAC frame (every frame, when `last`) to the encoder.
  Status Resample(uint8_t* const* in, int samples, bool last);
  Status Finish(Lane& l);
  // Muxes every packet the lane's encoder has ready.
  Status Drain(Lane& l);

  const WebRenditionOptions& o_;
  RenditionMp4& mp4_;
  int64_t origin_us_;
  Lane video_, audio_;
  std::unique_ptr<SwsContext, SwsFree> sws_;
  AvFramePtr scaled_;
  std::unique_ptr<SwrContext, SwrFree> swr_;
  int swr_format_ = -1;
  int swr_rate_ = 0;
  AVChannelLayout swr_layout_{};
  std::unique_ptr<AVAudioFifo, FifoFree> fifo_;
};

}  // namespace lethe
