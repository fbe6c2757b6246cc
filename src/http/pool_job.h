// Running calls off the network threads, for the HTTP server (Asio only).
//
// OnPool: the coroutine hops to a pool, makes one call and hops back to its
// own executor: handlers, upload starts and finishes, the first piece of a
// download.
//
// PoolJob: one call run on a pool while the coroutine goes on with other
// work on its own thread (reading the next piece of an upload, sending the
// previous piece of a download), collected later with Wait(), which resumes
// the coroutine on its own executor. The job's function owns what it uses
// (shared pointers to the sink or source and to its buffer), so a
// coroutine that ends while a job is still running leaves nothing
// dangling: the function's captures are released on the pool thread once
// it returns. Not thread-safe apart from the pool side of a running job.
//
// GCC 12 destroys a lambda (or any aggregate) passed as a temporary to a
// coroutine twice: hand OnPool a named function object, std::move'd.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace lethe {

template <typename T>  // Status or Result<...>: anything with ok()
class PoolJob {
 public:
  // `home`: the executor of the coroutine that starts and waits for jobs.
  explicit PoolJob(const boost::asio::any_io_executor& home)
      : state_(std::make_shared<State>(home)) {}
  // A job still running finishes on its own; its on_failure is dropped, so
  // it never calls into a coroutine that has ended.
  ~PoolJob() { state_->on_failure = nullptr; }
  PoolJob(const PoolJob&) = delete;
  PoolJob& operator=(const PoolJob&) = delete;

  // True from Start() until Wait() has taken the result.
  bool started() const { return started_; }
  // True once a started job's result is in (Wait() will not suspend).
  bool ready() const { return started_ && state_->phase.load(std::memory_order_acquire) == kDone; }

  // Called on the home executor as soon as a job fails, even while nobody
  // waits for it (e.g. to cancel a socket read when a write failed).
  void OnFailure(std::function<void()> fn) { state_->on_failure = std::move(fn); }

  // Runs `fn()` on `pool`. Must not be started again before Wait().
  template <typename F>
  void Start(boost::asio::thread_pool& pool, F fn) {
    std::shared_ptr<State> s = state_;
    started_ = true;
    s->value.reset();
    s->error = nullptr;
    s->phase.store(kRunning, std::memory_order_relaxed);
    boost::asio::post(pool, [s, fn = std::move(fn)]() mutable {
      try {
        s->value.emplace(fn());
      } catch (...) {
        s->error = std::current_exception();
      }
      bool failed = s->error || !s->value->ok();
      // The home thread is woken only when it waits, or must hear of a
      // failure: a job done ahead of time costs it nothing.
      if (s->phase.exchange(kDone, std::memory_order_acq_rel) == kWaiting || failed) {
        boost::asio::post(s->signal.get_executor(), [s, failed] {
          if (failed && s->on_failure) s->on_failure();
          s->signal.cancel();
        });
      }
    });
  }

  // The result of the started job; rethrows what its function threw.
  boost::asio::awaitable<T> Wait() {
    std::shared_ptr<State> s = state_;
    int running = kRunning;
    if (s->phase.compare_exchange_strong(running, kWaiting, std::memory_order_acq_rel)) {
      // A stale wake-up (a failure's, say) may end a wait early: check again.
      while (s->phase.load(std::memory_order_acquire) != kDone) {
        s->signal.expires_at(boost::asio::steady_timer::time_point::max());
        co_await s->signal.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      }
    }
    started_ = false;
    if (s->error) std::rethrow_exception(std::exchange(s->error, nullptr));
    T value = std::move(*s->value);
    s->value.reset();
    co_return value;
  }

 private:
  static constexpr int kRunning = 0, kWaiting = 1, kDone = 2;
  struct State {
    explicit State(const boost::asio::any_io_executor& home) : signal(home) {}
    boost::asio::steady_timer signal;  // a wait on it is cancelled to wake the home side
    std::atomic<int> phase{kDone};
    std::optional<T> value;            // written on the pool before phase becomes kDone
    std::exception_ptr error;          // likewise
    std::function<void()> on_failure;  // home side only
  };
  std::shared_ptr<State> state_;
  bool started_ = false;
};

// Runs `fn()` on `pool` and resumes the calling coroutine on its own
// executor with the result (or rethrows what `fn` threw). Cheaper than a
// PoolJob: the coroutine itself hops to the pool and back, two posts and no
// timer; nothing else may touch the coroutine's objects meanwhile.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> OnPool(boost::asio::thread_pool& pool, F fn) {
  namespace net = boost::asio;
  net::any_io_executor home = co_await net::this_coro::executor;
  // The completion must be bound to the pool: a plain post(pool, token) runs
  // only an empty step there and resumes the coroutine on its own executor.
  co_await net::post(net::bind_executor(pool.get_executor(), net::use_awaitable));
  std::optional<std::invoke_result_t<F&>> result;
  std::exception_ptr error;
  try {
    result.emplace(fn());
  } catch (...) {
    error = std::current_exception();
  }
  co_await net::post(net::bind_executor(home, net::use_awaitable));
  if (error) std::rethrow_exception(error);
  co_return std::move(*result);
}

}  // namespace lethe
