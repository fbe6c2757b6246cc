#include "app/shutdown_signals.h"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace lethe {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

ShutdownSignals::ShutdownSignals(std::function<void(int signal)> on_signal) {
  sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, &previous_);
  watcher_ = std::thread([this, set, on_signal = std::move(on_signal)] {
    // A short timeout, so the destructor can end the wait without a signal.
    timespec tick{0, 100'000'000};
    while (!stop_) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig > 0) on_signal(sig);
    }
  });
}

ShutdownSignals::~ShutdownSignals() {
  stop_ = true;
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace lethe
