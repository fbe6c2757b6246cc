// JobRunner: the server's background work, with a lifecycle. Named
// periodic tasks (the usage ledger's flush, the retention sweeper, the
// purge worker, outbox delivery) run on a small pool of worker threads.
//
// Scheduling reads the injected Clock, so "31 days later" in a test is one
// ManualClock::Advance: idle workers re-read the clock at least every
// kClockPoll of real time, and Nudge() makes them look at once.
//
// Rules:
//  - A task never overlaps itself; different tasks run in parallel, up to
//    the thread count.
//  - A task first runs as soon as the runner is started (so a daily sweep
//    still happens when the server restarts more often than daily), then
//    `period` after each successful run ends.
//  - A failed run (non-OK Status, or an exception) is retried after a
//    backoff that doubles from Options::first_backoff up to
//    Options::max_backoff, and is logged with the task's name and the
//    Status. Tasks must keep personal data out of their Statuses.
//  - Stop() lets runs in progress finish and starts no new ones.
//
// Durable work (rows in the metadata store that survive a crash) fits as a
// periodic task that claims the due rows and works through them; Wake()
// after inserting a row makes it run without waiting for its period.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "ports/clock.h"

namespace lethe {

class JobRunner {
 public:
  using Task = std::function<Status()>;
  using Log = std::function<void(const std::string& line)>;

  static constexpr std::chrono::milliseconds kClockPoll{50};

  struct Options {
    std::chrono::milliseconds first_backoff{1000};
    std::chrono::milliseconds max_backoff{5 * 60 * 1000};
    Log log;  // default: one line on stderr
  };

  // What a task has done so far, for tests and metrics.
  struct TaskStats {
    uint64_t runs = 0;
    uint64_t failures = 0;
    uint64_t consecutive_failures = 0;
    Status last_status;
  };

  // `threads` workers (at least one) once started. `clock` must outlive
  // the runner.
  JobRunner(const Clock& clock, int threads, Options options);
  JobRunner(const Clock& clock, int threads);
  // Stops (waiting for runs in progress however long they take) and joins.
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Registers `task` to run every `period` (> 0). Allowed before and after
  // Start(). Returns AlreadyExists for a name in use, InvalidArgument for
  // an empty name or a period <= 0, FailedPrecondition after Stop().
  Status Every(const std::string& name, std::chrono::milliseconds period, Task task);

  // Makes `name` due now. If it is running, it runs once more right after;
  // if it is backing off after a failure, the backoff stands (a wake per
  // queued item must not hammer a failing relay). NotFound for an unknown
  // name.
  Status Wake(const std::string& name);

  // Tells idle workers that the clock may have moved.
  void Nudge();

  // Starts the workers. FailedPrecondition if already started or stopped.
  Status Start();

  // Starts no new runs and waits up to `timeout` for runs in progress.
  // Returns OK once every worker has finished, DeadlineExceeded if some run
  // is still going at the timeout (the destructor will wait for it). Safe
  // to call more than once, and before Start().
  Status Stop(std::chrono::milliseconds timeout);

  // NotFound for an unknown name.
  Result<TaskStats> Stats(const std::string& name) const;

 private:
  struct Job {
    std::chrono::milliseconds period;
    Task task;
    int64_t due_ms = 0;  // on clock_
    bool running = false;
    bool woken = false;  // Wake() while running: run again after
    TaskStats stats;
  };

  void WorkerLoop();
  // The due job with the earliest due time that is not running, or
  // jobs_.end(); sets `wait` to how long to sleep when there is none.
  std::map<std::string, Job>::iterator PickDue(int64_t now, std::chrono::milliseconds& wait);
  // Records a finished run and schedules the next; returns a line to log,
  // or "".
  std::string Finish(const std::string& name, Job& job, const Status& status);
  std::chrono::milliseconds BackoffFor(uint64_t consecutive_failures) const;

  const Clock& clock_;
  const int threads_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;      // workers: something may be due
  std::condition_variable finished_;  // Stop(): a worker left
  std::map<std::string, Job> jobs_;   // node-based: Job& stays valid
  bool started_ = false;
  bool stopping_ = false;
  int live_workers_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace lethe
