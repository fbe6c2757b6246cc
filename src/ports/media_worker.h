// MediaWorker: runs one piece of heavy media decoding (a poster frame, a
// transcription, a transcode to the web rendition) away from the server,
// on plaintext the caller streams in, within a CPU-time and memory limit,
// and streams its output back. The plaintext goes through a pipe and never
// touches the disk.
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
  // The web rendition re-encodes the whole media, so it has limits of its
  // own: more CPU and real time, a larger output (its size cap), and the
  // memory above plus that cap (it is muxed in memory for faststart).
  int transcode_cpu_seconds = 1800;
  int transcode_wall_seconds = 3600;
  uint64_t max_rendition_bytes = 512ull << 20;
};

class MediaWorker {
 public:
  // Fills the front of its argument with the next plaintext bytes; returns
  // the count, 0 at the end.
  using Source = std::function<Result<size_t>(std::span<uint8_t>)>;
  // Takes the next bytes of output as they come; its error stops the worker.
  using Sink = std::function<Status(std::span<const uint8_t>)>;
  // Told now and then how much of the work is done, 0 to 1.
  using Progress = std::function<void(double)>;

  virtual ~MediaWorker() = default;

  // Runs `task` ("poster", "transcript" or "web") on the bytes of `source`,
  // a media of `kind` (video, audio, image), handing its output to `sink`
  // and its progress to `progress` (may be null). Returns OK when the
  // worker finished; the output is whole only then. Unprocessable
  // ("media-undecodable") when the worker could not decode the media,
  // Unprocessable("processing-limit") when it hit the CPU, memory, time or
  // size limit (neither is worth retrying); FailedPrecondition
  // ("media-worker-missing") when none is configured; Internal when the
  // worker could not be started; the source's or the sink's error.
  virtual Status Stream(const std::string& task, const std::string& kind, const Source& source,
                        const Sink& sink, const Progress& progress) = 0;

  // Stream() into a string: the output on success, or Stream's error.
  Result<std::string> Run(const std::string& task, const std::string& kind, const Source& source) {
    std::string out;
    Status st = Stream(
        task, kind, source,
        [&out](std::span<const uint8_t> b) {
          out.append(reinterpret_cast<const char*>(b.data()), b.size());
          return Status::Ok();
        },
        nullptr);
    if (!st.ok()) return st;
    return out;
  }
};

}  // namespace lethe
