#include "domain/job_queue.h"

#include <algorithm>
#include <iostream>

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

bool Retryable(const Status& st) {
  switch (st.code()) {
    case Status::Code::kUnavailable:
    case Status::Code::kInternal:
    case Status::Code::kDeadlineExceeded:
    case Status::Code::kInsufficientStorage:
      return true;
    default:
      return false;
  }
}

}  // namespace

JobQueue::JobQueue(MetadataStore& store, const Clock& clock, Random& random,
                   JobQueueOptions options)
    : store_(store), clock_(clock), random_(random), options_(options) {}

void JobQueue::Handle(const std::string& kind, Handler handler) {
  std::lock_guard lock(mu_);
  handlers_[kind] = std::move(handler);
}

Result<std::string> JobQueue::Enqueue(MetadataTx& tx, const std::string& kind,
                                      const std::string& payload, std::chrono::milliseconds delay) {
  JobRecord job;
  job.id = RandomId(random_, "job_");
  job.kind = kind;
  job.payload = payload;
  job.state = "pending";
  job.created_ms = clock_.NowMillis();
  job.run_after_ms = job.created_ms + delay.count();
  LETHE_RETURN_IF_ERROR(tx.InsertJob(job));
  if (wake_) tx.AfterCommit(wake_);
  return job.id;
}

std::chrono::milliseconds JobQueue::Backoff(int attempts) const {
  auto delay = options_.first_backoff;
  for (int i = 1; i < attempts && delay < options_.max_backoff; ++i) delay *= 2;
  return std::min(delay, options_.max_backoff);
}

Result<int64_t> JobQueue::ResumeAbandoned(bool sole_worker) {
  // Without an instance name a shared store's leases cannot be told apart.
  if (!sole_worker && options_.instance.empty()) return 0;
  int64_t freed = 0;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(freed, tx.ReleaseJobLeases(sole_worker ? "" : options_.instance));
    return Status::Ok();
  }));
  return freed;
}

Result<int> JobQueue::RunDue() {
  std::lock_guard lock(mu_);
  int64_t now = clock_.NowMillis();
  std::vector<JobRecord> claimed;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(claimed, tx.ClaimJobs(now, now + options_.lease.count(), options_.batch,
                                                 options_.instance));
    return Status::Ok();
  }));
  for (JobRecord& job : claimed) {
    Status outcome;
    auto handler = handlers_.find(job.kind);
    if (job.attempts > options_.max_attempts) {
      outcome = Status::FailedPrecondition(
          "gave-up", "gave up after " + std::to_string(options_.max_attempts) + " attempts");
    } else if (handler == handlers_.end()) {
      outcome = Status::FailedPrecondition("no-handler", "no handler for " + job.kind);
    } else {
      try {
        outcome = handler->second(job);
      } catch (const std::exception& e) {
        outcome = Status::Internal(std::string("handler threw: ") + e.what());
      }
    }
    Status st = Finish(job, outcome);
    // The lease runs out and the job is claimed again: nothing is lost.
    if (!st.ok()) std::cerr << "lethe: job " << job.id << " not updated: " << st.ToString() << "\n";
  }
  return static_cast<int>(claimed.size());
}

Status JobQueue::Finish(JobRecord job, const Status& outcome) {
  job.lease_until_ms.reset();
  job.lease_owner.clear();
  if (outcome.ok()) {
    job.state = "done";
    job.last_error.clear();
  } else if (Retryable(outcome) && job.attempts < options_.max_attempts) {
    job.state = "pending";
    job.last_error = outcome.ToString();
    job.run_after_ms = clock_.NowMillis() + Backoff(job.attempts).count();
  } else {
    job.state = "failed";
    job.last_error = outcome.ToString();
  }
  if (!outcome.ok()) {
    // By id and kind only: payloads and messages stay out of the log.
    std::cerr << "lethe: job " << job.id << " (" << job.kind << ") attempt " << job.attempts
              << " failed, now " << job.state << "\n";
  }
  return store_.Transact([&](MetadataTx& tx) { return tx.UpdateJob(job); });
}

}  // namespace lethe
