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

template <typename T>
class PoolJob {
 public:
  // `home`: the executor of the coroutine that starts and waits for jobs.
  explicit PoolJob(const boost::asio::any_io_executor& home)
      : state_(std::make_shared<State>(home)) {}
  // A job still running finishes on its own; its on_ready is dropped, so it
  // never calls into a coroutine that has ended.
  ~PoolJob() { state_->on_ready = nullptr; }
  PoolJob(const PoolJob&) = delete;
  PoolJob& operator=(const PoolJob&) = delete;

  // True from Start() until Wait() has taken the result.
  bool started() const { return state_->started; }
  // True once a started job's result is in (Wait() will not suspend).
  bool ready() const { return state_->started && state_->done; }

  // Called on the home executor as soon as the job's result is in, before
  // Wait() takes it (e.g. to cancel a socket read when a write failed).
  void OnReady(std::function<void(const T&)> fn) { state_->on_ready = std::move(fn); }

  // Runs `fn()` on `pool`. Must not be started again before Wait().
  template <typename F>
  void Start(boost::asio::thread_pool& pool, F fn) {
    std::shared_ptr<State> s = state_;
    s->started = true;
    s->done = false;
    s->value.reset();
    s->error = nullptr;
    s->signal.expires_at(boost::asio::steady_timer::time_point::max());
    boost::asio::post(pool, [s, fn = std::move(fn)]() mutable {
      try {
        s->value.emplace(fn());
      } catch (...) {
        s->error = std::current_exception();
      }
      // The post orders the writes above before the reads on the home side.
      boost::asio::post(s->signal.get_executor(), [s] {
        s->done = true;
        if (s->on_ready && s->value) s->on_ready(*s->value);
        s->signal.cancel();
      });
    });
  }

  // The result of the started job; rethrows what its function threw.
  boost::asio::awaitable<T> Wait() {
    std::shared_ptr<State> s = state_;
    while (!s->done)
      co_await s->signal.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    s->started = false;
    if (s->error) std::rethrow_exception(std::exchange(s->error, nullptr));
    T value = std::move(*s->value);
    s->value.reset();
    co_return value;
  }

 private:
  struct State {
    explicit State(const boost::asio::any_io_executor& home) : signal(home) {}
    boost::asio::steady_timer signal;  // cancelled when the result is in
    bool started = false;
    bool done = false;
    std::optional<T> value;
    std::exception_ptr error;
    std::function<void(const T&)> on_ready;
  };
  std::shared_ptr<State> state_;
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
