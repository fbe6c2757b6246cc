#include "media/poster.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "media/av_input.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}
#include <webp/encode.h>

namespace lethe {
namespace {

struct SwsFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};

Status TooLarge(int w, int h) {
  return Status::Unprocessable("processing-limit", "the picture is " + std::to_string(w) + "x" +
                                                       std::to_string(h) + ", past the limit");
}

bool Oversized(int w, int h) {
  return w <= 0 || h <= 0 || static_cast<int64_t>(w) * h > kMaxDecodePixels;
}

Result<std::string> EncodeWebp(const AVFrame& frame, int max_width) {
  if (Oversized(frame.width, frame.height)) return TooLarge(frame.width, frame.height);
  int out_w = std::min(frame.width, max_width);
  int out_h = static_cast<int>(static_cast<int64_t>(frame.height) * out_w / frame.width);
  if (out_h < 1) out_h = 1;
  std::unique_ptr<SwsContext, SwsFree> sws(
      sws_getContext(frame.width, frame.height, static_cast<AVPixelFormat>(frame.format), out_w,
                     out_h, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!sws) return Status::Unprocessable("media-undecodable", "unsupported pixel format");
  const int stride = out_w * 3;
  std::vector<uint8_t> rgb(static_cast<size_t>(stride) * out_h);
  uint8_t* dst[4] = {rgb.data(), nullptr, nullptr, nullptr};
  int dst_stride[4] = {stride, 0, 0, 0};
  sws_scale(sws.get(), frame.data, frame.linesize, 0, frame.height, dst, dst_stride);
  uint8_t* webp = nullptr;
  size_t n = WebPEncodeRGB(rgb.data(), out_w, out_h, stride, 80.0f, &webp);
  if (n == 0 || webp == nullptr) return Status::Internal("the WebP encoder failed");
  std::string out(reinterpret_cast<const char*>(webp), n);
  WebPFree(webp);
  return out;
}

}  // namespace

Result<std::string> MakePoster(std::span<const uint8_t> media, int max_width) {
  AvInput input;
  LETHE_RETURN_IF_ERROR(input.Open(media));
  AVFormatContext* fmt = input.format();
  const AVCodec* codec = nullptr;
  int index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (index < 0 || codec == nullptr) {
    return Status::Unprocessable("media-undecodable", "the media has no picture");
  }
  AVStream* stream = fmt->streams[index];
  if (Oversized(stream->codecpar->width, stream->codecpar->height)) {
    return TooLarge(stream->codecpar->width, stream->codecpar->height);
  }
  AvCodecContextPtr dec(avcodec_alloc_context3(codec));
  if (!dec) return Status::Internal("out of memory");
  int err = avcodec_parameters_to_context(dec.get(), stream->codecpar);
  if (err < 0) return AvError("decoder parameters", err);
  dec->thread_count = 1;  // the worker's CPU limit is per process
  err = avcodec_open2(dec.get(), codec, nullptr);
  if (err < 0) return AvError("cannot open the decoder", err);

  // 10 % into the video, by the demuxer's duration; a still image is
  // one frame, at 0.
  int64_t target = AV_NOPTS_VALUE;
  const int64_t duration_ms = input.DurationMs();
  if (duration_ms > 0 && fmt->nb_streams > 0 && stream->nb_frames != 1) {
    target = av_rescale_q(duration_ms / 10, AVRational{1, 1000}, stream->time_base);
    if (stream->start_time != AV_NOPTS_VALUE) target += stream->start_time;
    // A failed seek leaves the demuxer at the start: decode from there.
    (void)av_seek_frame(fmt, index, target, AVSEEK_FLAG_BACKWARD);
  }
  AvPacketPtr packet(av_packet_alloc());
  AvFramePtr frame(av_frame_alloc());
  AvFramePtr best(av_frame_alloc());
  if (!packet || !frame || !best) return Status::Internal("out of memory");
  bool have = false;
  auto drain = [&]() -> Result<bool> {  // true once the target frame is in `best`
    for (;;) {
      int r = avcodec_receive_frame(dec.get(), frame.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return false;
      if (r < 0) return AvError("cannot decode a frame", r);
      if (Oversized(frame->width, frame->height)) return TooLarge(frame->width, frame->height);
      av_frame_unref(best.get());
      av_frame_move_ref(best.get(), frame.get());
      have = true;
      int64_t ts = best->best_effort_timestamp;
      if (target == AV_NOPTS_VALUE || ts == AV_NOPTS_VALUE || ts >= target) return true;
    }
  };
  bool done = false;
  while (!done) {
    int r = av_read_frame(fmt, packet.get());
    if (r < 0) break;  // the end (or a truncated file): use what was decoded
    if (packet->stream_index == index) {
      r = avcodec_send_packet(dec.get(), packet.get());
      // A damaged packet is skipped, as players do.
      if (r >= 0 || r == AVERROR(EAGAIN)) {
        Result<bool> got = drain();
        if (!got.ok() && !have) {
          av_packet_unref(packet.get());
          return got.status();
        }
        done = got.ok() && *got;
      }
    }
    av_packet_unref(packet.get());
  }
  if (!done) {
    (void)avcodec_send_packet(dec.get(), nullptr);  // flush
    Result<bool> got = drain();
    if (!got.ok() && !have) return got.status();
  }
  if (!have) return Status::Unprocessable("media-undecodable", "no frame could be decoded");
  return EncodeWebp(*best, max_width);
}

}  // namespace lethe
