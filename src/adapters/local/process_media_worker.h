// ProcessMediaWorker: a MediaWorker that runs `EXE worker TASK KIND` (the
// lethe binary itself, media/worker_main.h) as a child process per job,
// with RLIMIT_CPU and RLIMIT_AS (the latter not in sanitizer builds, whose
// shadow memory needs terabytes of address space) and a wall-clock limit.
// The plaintext goes to the child's stdin through a socket pair, the
// artifact comes back on its stdout: no plaintext temp file.
#pragma once

#include <string>

#include "ports/media_worker.h"

namespace lethe {

class ProcessMediaWorker final : public MediaWorker {
 public:
  // `exe`: the binary to run (the lethe binary). With "", Run refuses
  // every job: FailedPrecondition("media-worker-missing").
  explicit ProcessMediaWorker(std::string exe, MediaWorkerLimits limits = {});

  Result<std::string> Run(const std::string& task, const std::string& kind,
                          const Source& source) override;

 private:
  std::string exe_;
  MediaWorkerLimits limits_;
};

}  // namespace lethe
