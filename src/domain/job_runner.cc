#include "domain/job_runner.h"

#include <algorithm>
#include <exception>
#include <iostream>
#include <utility>

namespace lethe {
namespace {

JobRunner::Options WithDefaultLog(JobRunner::Options options) {
  if (!options.log) options.log = [](const std::string& line) { std::cerr << line << "\n"; };
  return options;
}

Status RunGuarded(const JobRunner::Task& task) {
  // An exception must not take a worker thread (and the process) down: it
  // is one more failed run.
  try {
    return task();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("the task threw: ") + e.what());
  } catch (...) {
    return Status::Internal("the task threw");
  }
}

}  // namespace

JobRunner::JobRunner(const Clock& clock, int threads, Options options)
    : clock_(clock), threads_(std::max(1, threads)), options_(WithDefaultLog(std::move(options))) {}

JobRunner::JobRunner(const Clock& clock, int threads) : JobRunner(clock, threads, Options()) {}

JobRunner::~JobRunner() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    workers.swap(workers_);
  }
  wake_.notify_all();
  for (auto& t : workers) t.join();
}

Status JobRunner::Every(const std::string& name, std::chrono::milliseconds period, Task task) {
  if (name.empty() || period.count() <= 0 || !task) {
    return Status::InvalidArgument("bad-job", "a job needs a name, a positive period and a task");
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::FailedPrecondition("jobs-stopped", "the job runner is stopped");
    Job job;
    job.period = period;
    job.task = std::move(task);
    job.due_ms = clock_.NowMillis();
    if (!jobs_.emplace(name, std::move(job)).second) {
      return Status::AlreadyExists("job-exists", "a job named " + name + " exists");
    }
  }
  wake_.notify_one();
  return Status::Ok();
}

Status JobRunner::Wake(const std::string& name) {
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end()) return Status::NotFound("no job named " + name);
    Job& job = it->second;
    if (job.running) {
      job.woken = true;
    } else if (job.stats.consecutive_failures == 0) {
      job.due_ms = std::min(job.due_ms, clock_.NowMillis());
    }
  }
  wake_.notify_one();
  return Status::Ok();
}

void JobRunner::Nudge() { wake_.notify_all(); }

Status JobRunner::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) {
    return Status::FailedPrecondition("jobs-started", "the job runner was already started");
  }
  started_ = true;
  live_workers_ = threads_;
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  return Status::Ok();
}

Status JobRunner::Stop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  stopping_ = true;
  wake_.notify_all();
  if (!finished_.wait_for(lock, timeout, [this] { return live_workers_ == 0; })) {
    return {Status::Code::kDeadlineExceeded, "jobs-still-running",
            "a background job is still running"};
  }
  std::vector<std::thread> workers;
  workers.swap(workers_);
  lock.unlock();
  for (auto& t : workers) t.join();  // they have left WorkerLoop already
  return Status::Ok();
}

Result<JobRunner::TaskStats> JobRunner::Stats(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(name);
  if (it == jobs_.end()) return Status::NotFound("no job named " + name);
  return it->second.stats;
}

std::map<std::string, JobRunner::Job>::iterator JobRunner::PickDue(
    int64_t now, std::chrono::milliseconds& wait) {
  auto best = jobs_.end();
  int64_t soonest = kClockPoll.count();
  for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
    const Job& job = it->second;
    if (job.running) continue;
    if (job.due_ms <= now) {
      if (best == jobs_.end() || job.due_ms < best->second.due_ms) best = it;
    } else {
      soonest = std::min(soonest, job.due_ms - now);
    }
  }
  // Never sleep past kClockPoll: the clock may jump (a test's ManualClock,
  // an NTP step) and the jump must be seen promptly.
  wait = std::chrono::milliseconds(std::max<int64_t>(1, soonest));
  return best;
}

std::chrono::milliseconds JobRunner::BackoffFor(uint64_t consecutive_failures) const {
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (uint64_t i = 1; i < consecutive_failures && backoff < options_.max_backoff; ++i) {
    backoff *= 2;
  }
  return std::min(backoff, options_.max_backoff);
}

std::string JobRunner::Finish(const std::string& name, Job& job, const Status& status) {
  job.running = false;
  ++job.stats.runs;
  job.stats.last_status = status;
  int64_t now = clock_.NowMillis();
  std::string line;
  if (status.ok()) {
    if (job.stats.consecutive_failures > 0) {
      line = "lethe: job " + name + " recovered after " +
             std::to_string(job.stats.consecutive_failures) + " failed run(s)";
    }
    job.stats.consecutive_failures = 0;
    job.due_ms = job.woken ? now : now + job.period.count();
  } else {
    ++job.stats.failures;
    ++job.stats.consecutive_failures;
    std::chrono::milliseconds backoff = BackoffFor(job.stats.consecutive_failures);
    job.due_ms = now + backoff.count();
    line = "lethe: job " + name + " failed (" + std::to_string(job.stats.consecutive_failures) +
           " in a row), retrying in " + std::to_string(backoff.count()) +
           " ms: " + status.ToString();
  }
  job.woken = false;
  return line;
}

void JobRunner::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::chrono::milliseconds wait;
    auto it = PickDue(clock_.NowMillis(), wait);
    if (it == jobs_.end()) {
      wake_.wait_for(lock, wait);
      continue;
    }
    Job& job = it->second;  // map nodes are never erased: stays valid unlocked
    job.running = true;
    job.woken = false;
    lock.unlock();
    Status status = RunGuarded(job.task);
    lock.lock();
    std::string line = Finish(it->first, job, status);
    if (!line.empty()) {
      lock.unlock();
      options_.log(line);
      lock.lock();
    }
  }
  --live_workers_;
  finished_.notify_all();
}

}  // namespace lethe
