// MediaWorker: runs one piece of heavy media decoding (a poster frame, a
// transcription) away from the server, on plaintext the caller streams in,
// within a CPU-time and memory limit, and returns its output. The
// plaintext goes through a pipe and never touches the disk.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "common/status.h"

namespace lethe {

struct MediaWorkerLimits {
  int cpu_seconds = 120;                    // CPU time, then the worker is killed
  uint64_t memory_bytes = 1024ull << 20;    // address space (not under ASan)
  int wall_seconds = 600;                   // real time, then it is killed
  uint64_t max_input_bytes = 512ull << 20;  // a larger media is not processed
  uint64_t max_output_bytes = 16ull << 20;
};

class MediaWorker {
 public:
  // Fills the front of its argument with the next plaintext bytes; returns
  // the count, 0 at the end.
  using Source = std::function<Result<size_t>(std::span<uint8_t>)>;

  virtual ~MediaWorker() = default;

  // Runs `task` ("poster" or "transcript") on the bytes of `source`, a
  // media of `kind` (video, audio, image). Returns the worker's output on
  // success; Unprocessable("media-undecodable") when the worker could not
  // decode the media, Unprocessable("processing-limit") when it hit the
  // CPU, memory, time or size limit (neither is worth retrying);
  // FailedPrecondition("media-worker-missing") when none is configured;
  // Internal when the worker could not be started; the source's error.
  virtual Result<std::string> Run(const std::string& task, const std::string& kind,
                                  const Source& source) = 0;
};

}  // namespace lethe
