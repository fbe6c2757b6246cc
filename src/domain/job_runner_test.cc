#include "domain/job_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace lethe {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr int64_t kDayMs = 24 * 3600 * 1000;

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout = 5s) {
  auto deadline = Steady::now() + timeout;
  while (!pred()) {
    if (Steady::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Collects what the runner logs, instead of stderr.
struct LogLines {
  std::mutex mu;
  std::vector<std::string> lines;
  JobRunner::Options Options(std::chrono::milliseconds first, std::chrono::milliseconds max) {
    JobRunner::Options o;
    o.first_backoff = first;
    o.max_backoff = max;
    o.log = [this](const std::string& line) {
      std::lock_guard lock(mu);
      lines.push_back(line);
    };
    return o;
  }
  bool Contains(const std::string& text) {
    std::lock_guard lock(mu);
    for (const auto& l : lines) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

TEST(JobRunnerTest, APeriodicTaskRunsEveryPeriod) {
  SystemClock clock;
  JobRunner runner(clock, 2);
  std::atomic<int> runs{0};
  auto flush_task = [&] {
    ++runs;
    return Status::Ok();
  };
  ASSERT_TRUE(runner.Every("flush", 20ms, flush_task).ok());
  EXPECT_EQ(runs.load(), 0);  // nothing before Start()
  ASSERT_TRUE(runner.Start().ok());
  std::this_thread::sleep_for(400ms);
  ASSERT_TRUE(runner.Stop(5s).ok());
  // 400 ms / 20 ms: about 20 runs; a loaded machine gets fewer, never more.
  EXPECT_GE(runs.load(), 5);
  EXPECT_LE(runs.load(), 22);
  std::printf("[ figures ] 20 ms task over 400 ms: %d runs\n", runs.load());
}

TEST(JobRunnerTest, AFailingTaskBacksOffExponentiallyAndIsLoggedByName) {
  SystemClock clock;
  LogLines log;
  JobRunner runner(clock, 2, log.Options(10ms, 160ms));
  std::mutex mu;
  std::vector<Steady::time_point> starts;
  auto flaky_relay_task = [&] {
    std::lock_guard lock(mu);
    starts.push_back(Steady::now());
    return Status::Unavailable("relay down");
  };
  ASSERT_TRUE(runner.Every("flaky-relay", 1ms, flaky_relay_task).ok());
  ASSERT_TRUE(runner.Start().ok());
  std::this_thread::sleep_for(700ms);
  ASSERT_TRUE(runner.Stop(5s).ok());
  // Without backoff, a 1 ms task runs ~700 times in 700 ms. With 10, 20,
  // 40, 80, 160, 160... ms between attempts it starts at 0, 10, 30, 70, 150,
  // 310, 470, 630 ms: 8 runs.
  std::lock_guard lock(mu);
  std::printf("[ figures ] always-failing 1 ms task over 700 ms: %zu runs\n", starts.size());
  ASSERT_GE(starts.size(), 5u);
  EXPECT_LE(starts.size(), 10u);
  auto gap = [&](size_t i) { return starts[i + 1] - starts[i]; };
  EXPECT_GE(gap(0), 9ms);
  EXPECT_GE(gap(2), 39ms);
  EXPECT_GE(gap(3), gap(1));
  EXPECT_LE(gap(starts.size() - 2), 400ms);  // capped at 160 ms, plus scheduling slack
  auto stats = runner.Stats("flaky-relay");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->runs, starts.size());
  EXPECT_EQ(stats->consecutive_failures, starts.size());
  EXPECT_EQ(stats->last_status.code(), Status::Code::kUnavailable);
  EXPECT_TRUE(log.Contains("job flaky-relay failed (1 in a row), retrying in 10 ms"));
  EXPECT_TRUE(log.Contains("job flaky-relay failed (5 in a row), retrying in 160 ms"));
}

TEST(JobRunnerTest, ATaskThatRecoversReturnsToItsPeriod) {
  SystemClock clock;
  LogLines log;
  JobRunner runner(clock, 1, log.Options(5ms, 20ms));
  std::atomic<int> runs{0};
  auto sweeper_task = [&]() -> Status {
    int n = ++runs;
    if (n == 2) throw std::runtime_error("disk on fire");
    return n <= 3 ? Status::Internal("not yet") : Status::Ok();
  };
  ASSERT_TRUE(runner.Every("sweeper", 10ms, sweeper_task).ok());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.load() >= 10; }));
  ASSERT_TRUE(runner.Stop(5s).ok());
  auto stats = runner.Stats("sweeper");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->failures, 3u);  // the exception counted as one
  EXPECT_EQ(stats->consecutive_failures, 0u);
  EXPECT_TRUE(stats->last_status.ok());
  EXPECT_TRUE(
      log.Contains("job sweeper failed (2 in a row), retrying in 10 ms: internal: the "
                   "task threw: disk on fire"));
  EXPECT_TRUE(log.Contains("job sweeper recovered after 3 failed run(s)"));
}

TEST(JobRunnerTest, StopWaitsForTheRunInProgressAndNothingRunsAfter) {
  SystemClock clock;
  JobRunner runner(clock, 2);
  std::atomic<int> runs{0};
  std::atomic<bool> inside{false}, finished{false};
  auto purge_task = [&] {
    ++runs;
    inside = true;
    std::this_thread::sleep_for(300ms);
    finished = true;
    return Status::Ok();
  };
  ASSERT_TRUE(runner.Every("purge", 1ms, purge_task).ok());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return inside.load(); }));
  auto start = Steady::now();
  ASSERT_TRUE(runner.Stop(5s).ok());
  EXPECT_TRUE(finished.load());  // Stop returned only after the run ended
  EXPECT_GE(Steady::now() - start, 100ms);
  int after_stop = runs.load();
  EXPECT_EQ(after_stop, 1);
  EXPECT_TRUE(runner.Wake("purge").ok());
  runner.Nudge();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(runs.load(), after_stop);
  EXPECT_EQ(runner.Every("late", 1ms, [] { return Status::Ok(); }).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(runner.Start().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(runner.Stop(5s).ok());  // twice is fine
}

TEST(JobRunnerTest, StopGivesUpAtItsTimeoutAndCanBeCalledAgain) {
  SystemClock clock;
  JobRunner runner(clock, 1);
  std::atomic<bool> inside{false}, release{false};
  auto slow_task = [&] {
    inside = true;
    WaitFor([&] { return release.load(); });
    return Status::Ok();
  };
  ASSERT_TRUE(runner.Every("slow", 1h, slow_task).ok());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return inside.load(); }));
  auto start = Steady::now();
  EXPECT_EQ(runner.Stop(50ms).code(), Status::Code::kDeadlineExceeded);
  EXPECT_LT(Steady::now() - start, 2s);
  release = true;
  EXPECT_TRUE(runner.Stop(5s).ok());
}

TEST(JobRunnerTest, AManualClockMovedOn31DaysRunsADailyTaskOnce) {
  ManualClock clock(1796083200000);
  JobRunner runner(clock, 2);
  std::atomic<int> runs{0};
  auto retention_task = [&] {
    ++runs;
    return Status::Ok();
  };
  ASSERT_TRUE(runner.Every("retention", std::chrono::milliseconds(kDayMs), retention_task).ok());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 1; }));  // the first run, at start
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(runs.load(), 1);  // real time passing does not matter

  clock.Advance(31 * kDayMs);  // no Nudge: the workers poll the clock
  auto moved = Steady::now();
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 2; }, 2s));
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - moved);
  std::printf("[ figures ] daily task ran %lld ms (real) after a 31-day clock jump\n",
              static_cast<long long>(latency.count()));
  EXPECT_LT(latency, 1s);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(runs.load(), 2);  // one catch-up run, not 31

  clock.Advance(kDayMs);
  runner.Nudge();
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 3; }, 2s));
  EXPECT_TRUE(runner.Stop(5s).ok());
}

TEST(JobRunnerTest, ATaskNeverOverlapsItselfWhileOthersRunInParallel) {
  SystemClock clock;
  JobRunner runner(clock, 3);
  std::atomic<int> inside_a{0}, max_inside_a{0}, runs_a{0};
  auto outbox_task = [&] {
    int now = ++inside_a;
    int seen = max_inside_a.load();
    while (now > seen && !max_inside_a.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(2ms);
    --inside_a;
    ++runs_a;
    return Status::Ok();
  };
  ASSERT_TRUE(runner.Every("outbox", 1ms, outbox_task).ok());
  // b and c each wait for the other to be running: only true parallelism
  // lets both succeed.
  std::atomic<int> inside_bc{0};
  std::atomic<bool> met{false};
  auto meet = [&] {
    ++inside_bc;
    bool both = WaitFor([&] { return inside_bc.load() >= 2 || met.load(); }, 2s);
    if (both) met = true;
    return both ? Status::Ok() : Status::Unavailable("alone");
  };
  ASSERT_TRUE(runner.Every("b", 1h, meet).ok());
  ASSERT_TRUE(runner.Every("c", 1h, meet).ok());
  ASSERT_TRUE(runner.Start().ok());
  auto end = Steady::now() + 300ms;
  while (Steady::now() < end) {
    ASSERT_TRUE(runner.Wake("outbox").ok());  // wakes while it runs
    std::this_thread::yield();
  }
  ASSERT_TRUE(runner.Stop(5s).ok());
  EXPECT_EQ(max_inside_a.load(), 1);
  EXPECT_GT(runs_a.load(), 10);
  EXPECT_TRUE(met.load());
}

TEST(JobRunnerTest, WakeRunsATaskSoonButDoesNotCutABackoffShort) {
  SystemClock clock;
  LogLines log;
  JobRunner runner(clock, 1, log.Options(1h, 1h));
  std::atomic<int> runs{0};
  std::atomic<bool> fail{false};
  auto deliver_task = [&] {
    ++runs;
    return fail ? Status::Unavailable("down") : Status::Ok();
  };
  ASSERT_TRUE(runner.Every("deliver", 1h, deliver_task).ok());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 1; }));
  auto woke = Steady::now();
  ASSERT_TRUE(runner.Wake("deliver").ok());
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 2; }, 2s));
  EXPECT_LT(Steady::now() - woke, 500ms);

  fail = true;
  ASSERT_TRUE(runner.Wake("deliver").ok());
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 3; }, 2s));  // fails: 1 h backoff
  ASSERT_TRUE(runner.Wake("deliver").ok());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(runs.load(), 3);
  EXPECT_TRUE(runner.Stop(5s).ok());
}

TEST(JobRunnerTest, RegistrationErrors) {
  ManualClock clock(0);
  JobRunner runner(clock, 1);
  auto ok = [] { return Status::Ok(); };
  EXPECT_TRUE(runner.Every("a", 1s, ok).ok());
  EXPECT_EQ(runner.Every("a", 1s, ok).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(runner.Every("", 1s, ok).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(runner.Every("b", 0ms, ok).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(runner.Every("c", 1s, nullptr).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(runner.Wake("nope").code(), Status::Code::kNotFound);
  EXPECT_EQ(runner.Stats("nope").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(runner.Start().ok());
  EXPECT_EQ(runner.Start().code(), Status::Code::kFailedPrecondition);
  // The destructor stops and joins.
}

}  // namespace
}  // namespace lethe
