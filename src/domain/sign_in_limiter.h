// SignInLimiter: failed sign-ins slow down, per email address and per IP
// address, with exponential backoff (SEC-2).
//
// Each key (an email address, lower-cased, or an IP address; stored only
// as a SHA-256 digest) counts its failures. The first `free_failures` cost
// nothing; the one that reaches it blocks the key for `base_delay_ms`, and
// every further failure doubles the block, up to `max_delay_ms`. A key
// with no failure for `forget_after_ms` starts again from zero; a correct
// password clears its email's count (not its IP's: one valid account must
// not reset an address that is guessing at others).
//
// The limiter never looks at whether an email address belongs to anyone:
// an unknown address is counted, blocked and answered exactly as a known
// one. Its state lives in the metadata store, so several servers on one
// PostgreSQL database share it, and time comes from the injected Clock.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

struct SignInLimits {
  int64_t email_free_failures = 5;
  // Higher: many people may share one address (an office, a carrier NAT).
  int64_t ip_free_failures = 20;
  int64_t base_delay_ms = 30'000;
  int64_t max_delay_ms = 15 * 60'000;
  int64_t forget_after_ms = 24 * 3600'000LL;
};

class SignInLimiter {
 public:
  SignInLimiter(MetadataStore& store, const Clock& clock, SignInLimits limits = {})
      : store_(store), clock_(clock), limits_(limits) {}

  // OK when a sign-in as `email` from `ip` may be tried now. Otherwise
  // TooManyRequests("too-many-attempts") with the seconds until both keys
  // are free again (rounded up); the store's error if it cannot be read.
  Status Check(const std::string& email, const std::string& ip);

  // Counts one failed sign-in as `email` from `ip` in `tx`. Returns the
  // email's failures since it was last forgotten or cleared (the caller
  // tells the customer of a burst), or the store's error.
  Result<int64_t> RecordFailure(MetadataTx& tx, const std::string& email, const std::string& ip);

  // Clears the email's count after a correct password, in `tx`.
  Status RecordSuccess(MetadataTx& tx, const std::string& email);

  const SignInLimits& limits() const { return limits_; }

  // The keys under which the store keeps `email` and `ip` (digests).
  static std::string EmailKey(const std::string& email);
  static std::string IpKey(const std::string& ip);

 private:
  Status Bump(MetadataTx& tx, const std::string& key, int64_t free_failures, int64_t now,
              int64_t* failures);

  MetadataStore& store_;
  const Clock& clock_;
  SignInLimits limits_;
  // When stale rows were last swept: at most once an hour, per process.
  std::atomic<int64_t> last_prune_ms_{0};
};

}  // namespace lethe
