// Glue between a ByteSource and libavformat: a read-only, seekable
// AVIOContext over the source, and owners that free FFmpeg objects. Shared
// by the probe and the scrubber; not a public contract beyond src/media.
#pragma once

#include <chrono>
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

}  // namespace lethe::av
