// ProcessMediaWorker: a MediaWorker that runs `EXE worker TASK KIND` (the
// lethe binary itself, media/worker_main.h) as a child process per job,
// with RLIMIT_CPU and RLIMIT_AS (the latter not in sanitizer builds, whose
// shadow memory needs terabytes of address space) and a wall-clock limit.
// The plaintext goes to the child's stdin through a socket pair, the
// artifact comes back on its stdout: no plaintext temp file. Lines
// "progress F" on the child's stderr are its progress (F in 0..1); the rest
// of stderr is the reason it gives when it fails. The "web" task runs with
// the transcode limits (MediaWorkerLimits), every other with the general.
#pragma once

#include <string>

#include "ports/media_worker.h"

namespace lethe {

class ProcessMediaWorker final : public MediaWorker {
 public:
  // `exe`: the binary to run (the lethe binary). With "", Run refuses
  // every job: FailedPrecondition("media-worker-missing").
  explicit ProcessMediaWorker(std::string exe, MediaWorkerLimits limits = {});

  Status Stream(const std::string& task, const std::string& kind, const Source& source,
                const Sink& sink, const Progress& progress) override;

 private:
  std::string exe_;
  MediaWorkerLimits limits_;
};

}  // namespace lethe
