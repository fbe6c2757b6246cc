#include "media/av_input.h"

#include <algorithm>
#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

namespace lethe {

Status AvError(const std::string& what, int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof(buf));
  return Status::Unprocessable("media-undecodable", what + ": " + buf);
}

AvInput::~AvInput() {
  if (format_ != nullptr) avformat_close_input(&format_);
  if (io_ != nullptr) {
    av_freep(&io_->buffer);
    avio_context_free(&io_);
  }
}

int AvInput::ReadPacket(void* opaque, uint8_t* buf, int size) {
  auto* self = static_cast<AvInput*>(opaque);
  int64_t left = static_cast<int64_t>(self->bytes_.size()) - self->pos_;
  if (left <= 0) return AVERROR_EOF;
  int n = static_cast<int>(std::min<int64_t>(left, size));
  std::memcpy(buf, self->bytes_.data() + self->pos_, static_cast<size_t>(n));
  self->pos_ += n;
  return n;
}

int64_t AvInput::Seek(void* opaque, int64_t offset, int whence) {
  auto* self = static_cast<AvInput*>(opaque);
  const int64_t size = static_cast<int64_t>(self->bytes_.size());
  if (whence & AVSEEK_SIZE) return size;
  int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = self->pos_;
      break;
    case SEEK_END:
      base = size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  int64_t to = base + offset;
  if (to < 0 || to > size) return AVERROR(EINVAL);
  self->pos_ = to;
  return to;
}

Status AvInput::Open(std::span<const uint8_t> bytes) {
  bytes_ = bytes;
  pos_ = 0;
  constexpr int kBuffer = 64 * 1024;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBuffer));
  if (buffer == nullptr) return Status::Internal("out of memory");
  io_ = avio_alloc_context(buffer, kBuffer, 0, this, &AvInput::ReadPacket, nullptr, &AvInput::Seek);
  if (io_ == nullptr) {
    av_free(buffer);
    return Status::Internal("out of memory");
  }
  format_ = avformat_alloc_context();
  if (format_ == nullptr) return Status::Internal("out of memory");
  format_->pb = io_;
  format_->flags |= AVFMT_FLAG_CUSTOM_IO;
  int err = avformat_open_input(&format_, nullptr, nullptr, nullptr);
  if (err < 0) {
    format_ = nullptr;  // freed by avformat_open_input on failure
    return AvError("no demuxer accepts the media", err);
  }
  err = avformat_find_stream_info(format_, nullptr);
  if (err < 0) return AvError("the media's streams cannot be read", err);
  return Status::Ok();
}

int64_t AvInput::DurationMs() const {
  if (format_ == nullptr) return 0;
  if (format_->duration > 0) return format_->duration / (AV_TIME_BASE / 1000);
  int64_t best = 0;
  for (unsigned i = 0; i < format_->nb_streams; ++i) {
    const AVStream* s = format_->streams[i];
    if (s->duration > 0) {
      best = std::max(best, av_rescale_q(s->duration, s->time_base, AVRational{1, 1000}));
    }
  }
  return best;
}

void AvCodecContextFree::operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
void AvFrameFree::operator()(AVFrame* f) const { av_frame_free(&f); }
void AvPacketFree::operator()(AVPacket* p) const { av_packet_free(&p); }

}  // namespace lethe
