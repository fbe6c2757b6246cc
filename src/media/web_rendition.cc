#include "media/web_rendition.h"

#include <algorithm>
#include <optional>

#include "media/av_input.h"
#include "media/web_rendition_encode.h"
#include "media/web_rendition_mp4.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace lethe {
namespace {

// One input stream and its decoder.
struct Lane {
  AVStream* in = nullptr;
  AvCodecContextPtr dec;
  int64_t frames = 0;  // decoded
};

// The decoding half of a web rendition: demuxes the input, decodes its
// first video and audio streams, and hands each frame to the
// RenditionEncoder (web_rendition_encode.h), which muxes into the
// RenditionMp4 (web_rendition_mp4.h).
class Transcoder {
 public:
  explicit Transcoder(const WebRenditionOptions& o) : o_(o), mp4_(o.max_bytes) {}

  Result<std::string> Run(std::span<const uint8_t> media) {
    LETHE_RETURN_IF_ERROR(input_.Open(media));
    AVFormatContext* fmt = input_.format();
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
      AVStream* s = fmt->streams[i];
      const AVMediaType t = s->codecpar->codec_type;
      if (t == AVMEDIA_TYPE_VIDEO && !video_.in && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
        video_.in = s;
      if (t == AVMEDIA_TYPE_AUDIO && !audio_.in) audio_.in = s;
    }
    if (!video_.in && !audio_.in) {
      return Status::Unprocessable("media-undecodable", "the media has no audio or video");
    }
    if (video_.in && video_.in->nb_frames == 1 && !audio_.in) {
      return Status::Unprocessable("media-undecodable", "a still image is not transcoded");
    }
    origin_us_ = fmt->start_time != AV_NOPTS_VALUE ? fmt->start_time : 0;
    duration_us_ = input_.DurationMs() * 1000;
    media_bytes_ = media.size();
    encoder_.emplace(o_, mp4_, origin_us_);
    LETHE_RETURN_IF_ERROR(mp4_.Open());
    if (video_.in) LETHE_RETURN_IF_ERROR(OpenVideo());
    if (audio_.in) LETHE_RETURN_IF_ERROR(OpenAudio());
    LETHE_RETURN_IF_ERROR(mp4_.Start());

    AvPacketPtr pkt(av_packet_alloc());
    if (!pkt) return Status::Internal("out of memory");
    while (av_read_frame(fmt, pkt.get()) >= 0) {  // an error is the end, as players see it
      Status st = Status::Ok();
      if (video_.in && pkt->stream_index == video_.in->index) st = Decode(video_, pkt.get());
      if (audio_.in && pkt->stream_index == audio_.in->index) st = Decode(audio_, pkt.get());
      Report(*pkt);
      av_packet_unref(pkt.get());
      LETHE_RETURN_IF_ERROR(st);
    }
    for (Lane* l : {&video_, &audio_}) {
      if (!l->in) continue;
      LETHE_RETURN_IF_ERROR(Decode(*l, nullptr));
      if (l->frames == 0) {
        return Status::Unprocessable("media-undecodable", "no frame could be decoded");
      }
      LETHE_RETURN_IF_ERROR(l == &audio_ ? encoder_->FinishAudio() : encoder_->FinishVideo());
    }
    LETHE_ASSIGN_OR_RETURN(std::string mp4, mp4_.Finish());
    if (o_.progress) o_.progress(1.0);
    return mp4;
  }

 private:
  Status OpenDecoder(Lane& l) {
    const AVCodec* codec = avcodec_find_decoder(l.in->codecpar->codec_id);
    if (codec == nullptr) return Status::Unprocessable("media-undecodable", "no decoder");
    l.dec.reset(avcodec_alloc_context3(codec));
    if (!l.dec) return Status::Internal("out of memory");
    int rc = avcodec_parameters_to_context(l.dec.get(), l.in->codecpar);
    if (rc < 0) return AvError("decoder parameters", rc);
    l.dec->thread_count = 1;  // the worker's CPU limit is per process
    l.dec->pkt_timebase = l.in->time_base;
    rc = avcodec_open2(l.dec.get(), codec, nullptr);
    if (rc < 0) return AvError("cannot open the decoder", rc);
    return Status::Ok();
  }

  Status OpenVideo() {
    const AVCodecParameters* par = video_.in->codecpar;
    LETHE_RETURN_IF_ERROR(CheckPictureSize(par->width, par->height));
    LETHE_RETURN_IF_ERROR(OpenDecoder(video_));
    return encoder_->OpenVideo(input_.format(), video_.in);
  }

  Status OpenAudio() {
    const AVCodecParameters* par = audio_.in->codecpar;
    if (par->sample_rate <= 0 || par->ch_layout.nb_channels <= 0) {
      return Status::Unprocessable("media-undecodable", "the audio has no sample rate");
    }
    LETHE_RETURN_IF_ERROR(OpenDecoder(audio_));
    return encoder_->OpenAudio(audio_.in);
  }

  // Sends `pkt` (null: the end) to the lane's decoder and encodes what
  // comes out. A damaged packet is skipped, as players do.
  Status Decode(Lane& l, const AVPacket* pkt) {
    int rc = avcodec_send_packet(l.dec.get(), pkt);
    if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) return Status::Ok();
    AvFramePtr frame(av_frame_alloc());
    if (!frame) return Status::Internal("out of memory");
    for (;;) {
      rc = avcodec_receive_frame(l.dec.get(), frame.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return Status::Ok();  // a frame that does not decode
      ++l.frames;
      Status st = &l == &video_ ? encoder_->EncodeVideo(*frame) : encoder_->EncodeAudio(*frame);
      av_frame_unref(frame.get());
      LETHE_RETURN_IF_ERROR(st);
    }
  }

  // The share of the input read, by time when the duration is known, else
  // by position; told each time it grew by 1 %.
  void Report(const AVPacket& pkt) {
    if (!o_.progress) return;
    double done = -1;
    const int64_t ts = pkt.dts != AV_NOPTS_VALUE ? pkt.dts : pkt.pts;
    if (duration_us_ > 0 && ts != AV_NOPTS_VALUE) {
      const AVRational tb = input_.format()->streams[pkt.stream_index]->time_base;
      done = static_cast<double>(av_rescale_q(ts, tb, AV_TIME_BASE_Q) - origin_us_) /
             static_cast<double>(duration_us_);
    } else if (pkt.pos >= 0 && media_bytes_ > 0) {
      done = static_cast<double>(pkt.pos) / static_cast<double>(media_bytes_);
    }
    done = std::clamp(done, 0.0, 0.999);  // 1 once the MP4 is whole
    if (done >= reported_ + 0.01) {
      reported_ = done;
      o_.progress(done);
    }
  }

  const WebRenditionOptions& o_;
  AvInput input_;
  RenditionMp4 mp4_;
  std::optional<RenditionEncoder> encoder_;  // once the input's start is known
  Lane video_, audio_;
  int64_t origin_us_ = 0;
  int64_t duration_us_ = 0;
  uint64_t media_bytes_ = 0;
  double reported_ = 0;
};

}  // namespace

Result<std::string> MakeWebRendition(std::span<const uint8_t> media,
                                     const WebRenditionOptions& options) {
  av_log_set_level(AV_LOG_FATAL);  // the reason goes in the status, not a log on stderr
  Transcoder t(options);
  return t.Run(media);
}

}  // namespace lethe
