// AvInput: an FFmpeg demuxer over media bytes held in memory (read from a
// pipe by a worker process), seekable, so that MP4 files with their index
// at the end open as well as streamable ones. Used only inside the media
// worker (worker_main.h), never in the server process.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

struct AVCodecContext;
struct AVFormatContext;
struct AVFrame;
struct AVIOContext;
struct AVPacket;

namespace lethe {

// Refused before decoding: a frame larger than this many pixels (a
// decompression bomb disguised as an image).
inline constexpr int64_t kMaxDecodePixels = 64ll * 1024 * 1024;

class AvInput {
 public:
  AvInput() = default;
  ~AvInput();
  AvInput(const AvInput&) = delete;
  AvInput& operator=(const AvInput&) = delete;

  // Opens `bytes` (which must outlive this) and reads the stream info.
  // Unprocessable("media-undecodable") when no demuxer accepts them.
  Status Open(std::span<const uint8_t> bytes);

  AVFormatContext* format() const { return format_; }
  // The duration in milliseconds the demuxer reports, or 0 if unknown.
  int64_t DurationMs() const;

 private:
  static int ReadPacket(void* opaque, uint8_t* buf, int size);
  static int64_t Seek(void* opaque, int64_t offset, int whence);

  std::span<const uint8_t> bytes_;
  int64_t pos_ = 0;
  AVIOContext* io_ = nullptr;
  AVFormatContext* format_ = nullptr;
};

// Owners of the decoding objects poster and transcript code share.
struct AvCodecContextFree {
  void operator()(AVCodecContext* c) const;
};
struct AvFrameFree {
  void operator()(AVFrame* f) const;
};
struct AvPacketFree {
  void operator()(AVPacket* p) const;
};
using AvCodecContextPtr = std::unique_ptr<AVCodecContext, AvCodecContextFree>;
using AvFramePtr = std::unique_ptr<AVFrame, AvFrameFree>;
using AvPacketPtr = std::unique_ptr<AVPacket, AvPacketFree>;

// An Unprocessable("media-undecodable") status naming `what` and the
// FFmpeg error `err`.
Status AvError(const std::string& what, int err);

}  // namespace lethe
