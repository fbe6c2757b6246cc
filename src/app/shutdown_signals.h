// ShutdownSignals: SIGTERM and SIGINT, for the process that runs a server.
// Construct it before any other thread starts: it blocks both signals in
// the calling thread, and every thread started later inherits that mask, so
// the signals reach only its own watcher thread (sigtimedwait), which calls
// `on_signal` once per signal. No handler runs in an arbitrary thread, and
// nothing else in the process needs to know about signals.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace lethe {

class ShutdownSignals {
 public:
  explicit ShutdownSignals(std::function<void(int signal)> on_signal);
  // Stops watching (within 100 ms) and restores the caller's signal mask.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

 private:
  sigset_t previous_;
  std::atomic<bool> stop_{false};
  std::thread watcher_;
};

}  // namespace lethe
