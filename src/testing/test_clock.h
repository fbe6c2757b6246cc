// The test clock of `lethe_testing` (`lethe` built with LETHE_TEST_SEAMS and
// started with --test-clock): the system clock plus an offset that e2e
// tests move forward over HTTP, so "31 days later" needs no sleeping. Only
// that binary links this file; the production `lethe` has neither the clock,
// the flag nor the route.
#pragma once

#include <atomic>
#include <cstdint>

#include "ports/clock.h"

namespace lethe {

class Router;

// System time plus an offset that only grows. Thread-safe.
class OffsetClock final : public Clock {
 public:
  int64_t NowMillis() const override { return system_.NowMillis() + offset_.load(); }
  // Moves the clock forward by `millis` (>= 0).
  void Advance(int64_t millis) { offset_ += millis; }
  int64_t offset_millis() const { return offset_.load(); }

 private:
  SystemClock system_;
  std::atomic<int64_t> offset_{0};
};

// The largest single step: a century, so an offset cannot overflow.
inline constexpr int64_t kMaxClockAdvanceSeconds = 100LL * 366 * 86400;

// Registers POST /_test/clock, no authentication. Body {"advance_seconds": N}
// with 0 <= N <= kMaxClockAdvanceSeconds moves `clock` forward; the answer
// is 200 {"now": RFC 3339, "offset_seconds": total offset}. A bad body is
// 400 invalid-json / invalid-field / unknown-field.
void AddTestClockRoutes(Router& router, OffsetClock& clock);

}  // namespace lethe
