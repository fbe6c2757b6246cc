#include "domain/sign_in_limiter.h"

#include <algorithm>
#include <cctype>

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

constexpr int64_t kPruneEveryMs = 3600'000;

int64_t DelayFor(const SignInLimits& l, int64_t failures, int64_t free_failures) {
  if (failures < free_failures) return 0;
  int64_t delay = l.base_delay_ms;
  for (int64_t i = free_failures; i < failures && delay < l.max_delay_ms; ++i) delay *= 2;
  return std::min(delay, l.max_delay_ms);
}

}  // namespace

std::string SignInLimiter::EmailKey(const std::string& email) {
  std::string lower = email;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "email:" + TokenDigest(lower);
}

std::string SignInLimiter::IpKey(const std::string& ip) { return "ip:" + TokenDigest(ip); }

// An empty `email` (a passkey sign-in whose credential names no known
// owner, domain/passkeys.h) checks and counts the IP address alone.
Status SignInLimiter::Check(const std::string& email, const std::string& ip) {
  const int64_t now = clock_.NowMillis();
  int64_t wait_ms = 0;
  for (const std::string& key : {EmailKey(email), IpKey(ip)}) {
    if (email.empty() && key != IpKey(ip)) continue;
    auto t = store_.FindSignInThrottle(key);
    if (!t.ok()) {
      if (t.status().code() == Status::Code::kNotFound) continue;
      return t.status();
    }
    wait_ms = std::max(wait_ms, t->blocked_until_ms - now);
  }
  if (wait_ms <= 0) return Status::Ok();
  int64_t seconds = (wait_ms + 999) / 1000;
  return Status::TooManyRequests(
      "too-many-attempts",
      "too many failed sign-ins; try again in " + std::to_string(seconds) + " seconds", seconds);
}

Status SignInLimiter::Bump(MetadataTx& tx, const std::string& key, int64_t free_failures,
                           int64_t now, int64_t* failures) {
  SignInThrottleRecord t{key, 0, 0, 0};
  auto found = tx.FindSignInThrottle(key);
  if (found.ok()) {
    t = *found;
  } else if (found.status().code() != Status::Code::kNotFound) {
    return found.status();
  }
  if (now - t.last_failure_ms >= limits_.forget_after_ms) t.failures = 0;
  t.failures += 1;
  t.last_failure_ms = now;
  int64_t delay = DelayFor(limits_, t.failures, free_failures);
  if (delay > 0) t.blocked_until_ms = std::max(t.blocked_until_ms, now + delay);
  if (failures) *failures = t.failures;
  return tx.PutSignInThrottle(t);
}

Result<int64_t> SignInLimiter::RecordFailure(MetadataTx& tx, const std::string& email,
                                             const std::string& ip) {
  const int64_t now = clock_.NowMillis();
  int64_t email_failures = 0;
  if (!email.empty()) {
    LETHE_RETURN_IF_ERROR(
        Bump(tx, EmailKey(email), limits_.email_free_failures, now, &email_failures));
  }
  LETHE_RETURN_IF_ERROR(Bump(tx, IpKey(ip), limits_.ip_free_failures, now, nullptr));
  // Rows nobody failed under for a day are of no use: swept now and then.
  int64_t last = last_prune_ms_.load();
  if (now - last >= kPruneEveryMs && last_prune_ms_.compare_exchange_strong(last, now)) {
    LETHE_RETURN_IF_ERROR(StatusOf(tx.DeleteSignInThrottlesBefore(now - limits_.forget_after_ms)));
  }
  return email_failures;
}

Status SignInLimiter::RecordSuccess(MetadataTx& tx, const std::string& email) {
  return tx.DeleteSignInThrottle(EmailKey(email));
}

}  // namespace lethe
