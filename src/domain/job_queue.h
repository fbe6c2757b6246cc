// JobQueue: durable background jobs. A job is a row in the metadata store,
// enqueued inside the transaction of the change that needs it, so it exists
// exactly when that change commits (the outbox pattern). Workers claim due
// jobs by taking a lease in the name of their instance; a worker that dies
// (SIGKILL, power loss) leaves its lease to run out, or to be taken back by
// the next server on its data directory (ResumeAbandoned), and the job is
// claimed again. Handlers must
// therefore be idempotent: a job runs at least once, and once more for
// every crash in the middle of it.
//
// A handler returns OK (done), a retryable error (Unavailable, Internal,
// DeadlineExceeded, InsufficientStorage: tried again after an exponential
// backoff) or any other error (failed for good, kept for staff to see).
// Attempts are counted when a job is claimed, so a job that crashes the
// process each time still stops after max_attempts.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

struct JobQueueOptions {
  std::chrono::milliseconds lease{std::chrono::minutes(5)};
  int max_attempts = 10;
  int batch = 16;  // jobs claimed per RunDue
  std::chrono::milliseconds first_backoff{std::chrono::seconds(2)};
  std::chrono::milliseconds max_backoff{std::chrono::hours(1)};
  // The instance whose leases these are (InstanceId); "" in tests that
  // run one queue alone.
  std::string instance;
};

class JobQueue {
 public:
  using Handler = std::function<Status(const JobRecord& job)>;

  JobQueue(MetadataStore& store, const Clock& clock, Random& random, JobQueueOptions options = {});

  // Registers the handler for `kind`. Call before the first RunDue.
  void Handle(const std::string& kind, Handler handler);

  // Called after a transaction that enqueued a job commits, so a runner can
  // pick it up at once instead of at its next poll.
  void OnEnqueued(std::function<void()> wake) { wake_ = std::move(wake); }

  // Adds a job to `tx`, due `delay` from now. Returns its id.
  Result<std::string> Enqueue(MetadataTx& tx, const std::string& kind, const std::string& payload,
                              std::chrono::milliseconds delay = {});

  // At start: the jobs a crashed predecessor had claimed become claimable
  // now rather than when their leases run out. With `sole_worker` (the
  // store is this process's alone), every lease is a predecessor's; else
  // only those taken in this queue's instance's name are, and a peer's are
  // left to run out. Returns how many.
  Result<int64_t> ResumeAbandoned(bool sole_worker);

  // Claims the jobs due now and runs them, one after another. Returns how
  // many it ran (whatever their outcome), or the store's error.
  Result<int> RunDue();

  // The delay before attempt `attempts + 1`, after `attempts` failures.
  std::chrono::milliseconds Backoff(int attempts) const;

 private:
  Status Finish(JobRecord job, const Status& outcome);

  MetadataStore& store_;
  const Clock& clock_;
  Random& random_;
  JobQueueOptions options_;
  std::function<void()> wake_;
  std::mutex mu_;  // one RunDue at a time in this process
  std::map<std::string, Handler> handlers_;
};

}  // namespace lethe
