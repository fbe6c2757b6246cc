#include "media/av_io.h"

#include <algorithm>
#include <mutex>

namespace lethe::av {
namespace {

constexpr int kIoBuffer = 64 * 1024;

struct Reader {
  ByteSource* source;
  Status* error;
  uint64_t pos = 0;
};

int ReadPacket(void* opaque, uint8_t* buf, int size) {
  auto* r = static_cast<Reader*>(opaque);
  auto n = r->source->ReadAt(r->pos, std::span<uint8_t>(buf, static_cast<size_t>(size)));
  if (!n.ok()) {
    if (r->error->ok()) *r->error = n.status();
    return AVERROR(EIO);
  }
  if (*n == 0) return AVERROR_EOF;
  r->pos += *n;
  return static_cast<int>(*n);
}

int64_t Seek(void* opaque, int64_t offset, int whence) {
  auto* r = static_cast<Reader*>(opaque);
  return SeekWithin(&r->pos, r->source->size(), offset, whence);
}

int Interrupt(void* opaque) {
  auto* d = static_cast<Deadline*>(opaque);
  if (std::chrono::steady_clock::now() < d->at) return 0;
  d->hit = true;
  return 1;
}

}  // namespace

void IoDeleter::operator()(AVIOContext* io) const {
  delete static_cast<Reader*>(io->opaque);
  av_freep(&io->buffer);
  avio_context_free(&io);
}

IoPtr ReaderOver(ByteSource& source, Status* error) {
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
  if (buffer == nullptr) return nullptr;
  auto* reader = new Reader{&source, error};
  AVIOContext* io = avio_alloc_context(buffer, kIoBuffer, 0, reader, &ReadPacket, nullptr, &Seek);
  if (io == nullptr) {
    delete reader;
    av_free(buffer);
    return nullptr;
  }
  return IoPtr(io);
}

void InputDeleter::operator()(AVFormatContext* fmt) const { avformat_close_input(&fmt); }

Result<InputPtr> OpenInput(AVIOContext* io, int64_t probe_bytes, int64_t analyze_us,
                           Deadline* deadline) {
  static std::once_flag quiet;
  // Every refused upload would print FFmpeg's complaints otherwise; the
  // Status carries what the client needs.
  std::call_once(quiet, [] { av_log_set_level(AV_LOG_FATAL); });
  AVFormatContext* fmt = avformat_alloc_context();
  if (fmt == nullptr) return Status::Internal("out of memory opening media");
  fmt->pb = io;
  fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  fmt->probesize = probe_bytes;
  fmt->format_probesize = static_cast<int>(std::min<int64_t>(probe_bytes, 1 << 20));
  fmt->max_analyze_duration = analyze_us;
  fmt->max_streams = 64;
  fmt->interrupt_callback = {&Interrupt, deadline};
  // Only demuxers for media we store; never "concat", "hls" or other
  // formats that open further URLs.
  fmt->protocol_whitelist = av_strdup("none");
  int rc = avformat_open_input(&fmt, nullptr, nullptr, nullptr);
  if (rc < 0) {  // fmt is freed by avformat_open_input on failure
    if (deadline->hit) {
      return Status::UnsupportedMedia("media-probe-limit",
                                      "the media could not be read within the time limit");
    }
    return Status::UnsupportedMedia("undecodable-media",
                                    "the media could not be demuxed: " + ErrorText(rc));
  }
  return InputPtr(fmt);
}

int64_t SeekWithin(uint64_t* pos, uint64_t size, int64_t offset, int whence) {
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return static_cast<int64_t>(size);
    case SEEK_SET:
      break;
    case SEEK_CUR:
      offset += static_cast<int64_t>(*pos);
      break;
    case SEEK_END:
      offset += static_cast<int64_t>(size);
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (offset < 0) return AVERROR(EINVAL);
  *pos = static_cast<uint64_t>(offset);
  return offset;
}

void MuxerDeleter::operator()(AVFormatContext* fmt) const {
  if (fmt->pb != nullptr) {
    av_freep(&fmt->pb->buffer);
    avio_context_free(&fmt->pb);
  }
  avformat_free_context(fmt);
}

std::string ErrorText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

}  // namespace lethe::av

namespace lethe {

Result<std::vector<uint8_t>> ReadAllBytes(ByteSource& source, uint64_t max_bytes) {
  if (source.size() > max_bytes) {
    return Status::TooLarge("media exceeds " + std::to_string(max_bytes) + " bytes");
  }
  std::vector<uint8_t> out(source.size());
  uint64_t at = 0;
  while (at < out.size()) {
    LETHE_ASSIGN_OR_RETURN(size_t n, source.ReadAt(at, std::span<uint8_t>(out).subspan(at)));
    if (n == 0) return Status::DataLoss("the media ended early");
    at += n;
  }
  return out;
}

}  // namespace lethe
