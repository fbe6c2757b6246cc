#include "app/shutdown_signals.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace lethe {
namespace {

// The signal goes to the watcher, wherever it is sent from, and a thread
// started after the watcher never runs a default action (which would end
// the test process).
TEST(ShutdownSignalsTest, SigtermReachesTheWatcherOnly) {
  std::atomic<int> seen{0};
  {
    ShutdownSignals signals([&](int sig) {
      EXPECT_EQ(sig, SIGTERM);
      ++seen;
    });
    std::thread worker([] { ::kill(::getpid(), SIGTERM); });
    worker.join();
    for (int i = 0; i < 100 && seen == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_EQ(seen.load(), 1);
}

}  // namespace
}  // namespace lethe
