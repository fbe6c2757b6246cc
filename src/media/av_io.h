// Glue between media bytes and libavformat: a read-only, seekable
// AVIOContext over a ByteSource, a capped in-memory file for a muxer to
// write, and owners that free FFmpeg objects. Shared by the probe, the
// scrubber and the web rendition; not a public contract beyond src/media.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

extern "C" {
#include <libavformat/avformat.h>
}

#include "common/status.h"
#include "media/byte_source.h"

namespace lethe::av {

struct IoDeleter {
  void operator()(AVIOContext* io) const;
};
using IoPtr = std::unique_ptr<AVIOContext, IoDeleter>;

// A reader over `source` (which must outlive it). The source's first error
// is kept in *error, since FFmpeg only passes on a generic code.
IoPtr ReaderOver(ByteSource& source, Status* error);

// An input opened on `io` with the probe limits applied, and an interrupt
// at `deadline`. `*timed_out` is set when the deadline stopped it.
struct InputDeleter {
  void operator()(AVFormatContext* fmt) const;
};
using InputPtr = std::unique_ptr<AVFormatContext, InputDeleter>;
struct Deadline {
  std::chrono::steady_clock::time_point at;
  bool hit = false;
};
Result<InputPtr> OpenInput(AVIOContext* io, int64_t probe_bytes, int64_t analyze_us,
                           Deadline* deadline);

// FFmpeg's text for an error code.
std::string ErrorText(int code);

// A seek as lseek does it, for an AVIOContext over `size` bytes now at
// `*pos`: moves `*pos` and returns it (AVSEEK_SIZE: returns `size`);
// AVERROR(EINVAL) for a place before the start or an unknown `whence`.
int64_t SeekWithin(uint64_t* pos, uint64_t size, int64_t offset, int whence);

// The file a muxer writes, held in memory: growable, seekable (the mov
// muxer seeks back to patch box sizes) and capped, a write past `cap`
// failing and setting `over`. `Bytes` is std::vector<uint8_t> or
// std::string, whichever the caller hands on.
template <typename Bytes>
struct MemoryOutput {
  Bytes bytes;
  uint64_t pos = 0;
  uint64_t cap = 0;
  bool over = false;
};

// Frees a muxer (avformat_alloc_output_context2) and its writer.
struct MuxerDeleter {
  void operator()(AVFormatContext* fmt) const;
};
using MuxerPtr = std::unique_ptr<AVFormatContext, MuxerDeleter>;

inline constexpr int kMuxBufferBytes = 64 * 1024;

// (buf is const from FFmpeg 6 on.)
template <typename Bytes>
int WriteToMemory(void* opaque, uint8_t* buf, int size) {
  auto* o = static_cast<MemoryOutput<Bytes>*>(opaque);
  const uint64_t end = o->pos + static_cast<uint64_t>(size);
  if (end > o->cap) {
    o->over = true;
    return AVERROR(EFBIG);
  }
  if (end > o->bytes.size()) o->bytes.resize(end);
  std::memcpy(o->bytes.data() + o->pos, buf, static_cast<size_t>(size));
  o->pos = end;
  return size;
}

template <typename Bytes>
int64_t SeekInMemory(void* opaque, int64_t offset, int whence) {
  auto* o = static_cast<MemoryOutput<Bytes>*>(opaque);
  return SeekWithin(&o->pos, o->bytes.size(), offset, whence);
}

// A writer to `out` (which must outlive it) for a muxer's pb, freed with
// the muxer (MuxerDeleter); null when out of memory.
template <typename Bytes>
AVIOContext* WriterTo(MemoryOutput<Bytes>* out) {
  auto* buffer = static_cast<unsigned char*>(av_malloc(kMuxBufferBytes));
  if (buffer == nullptr) return nullptr;
  AVIOContext* io = avio_alloc_context(buffer, kMuxBufferBytes, 1, out, nullptr,
                                       &WriteToMemory<Bytes>, &SeekInMemory<Bytes>);
  if (io == nullptr) av_free(buffer);
  return io;
}

}  // namespace lethe::av
