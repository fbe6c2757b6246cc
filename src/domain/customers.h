// Customers: the people and companies with a Lethe login (ACC-1, ACC-3,
// ACC-9, SEC-2, SEC-4). Sign-up, sign-in, sign-out and self-service
// correction of their own data. Lethe is the controller for this data.
//
// Passwords are stored only as argon2id hashes; session tokens only as
// SHA-256 digests. A failed sign-in says nothing about which part was wrong.
// Sessions end at an absolute expiry and after an idle time (SEC-2);
// failed sign-ins are slowed down by the SignInLimiter, and the security
// events of ACC-11 are told to the customer through SecurityNotices.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "crypto/secret_hash.h"
#include "domain/audit_log.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "domain/security_notices.h"
#include "domain/sign_in_limiter.h"
#include "domain/two_factor.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 1024;
inline constexpr int64_t kSessionLifetimeMs = 30LL * 24 * 3600 * 1000;
inline constexpr int64_t kSessionIdleMs = 7LL * 24 * 3600 * 1000;
// A session's last use is written at most this often: not once a request.
inline constexpr int64_t kSessionTouchEveryMs = 60'000;

struct SignupForm {
  std::string name;
  std::string email;
  std::string password;
  std::string country;
  std::string birth_date;
  std::optional<std::string> company;
  std::optional<std::string> job_title;
  std::optional<std::string> use_case;
  std::optional<std::string> phone;
};

// Fields a customer may correct; absent ones stay as they are.
struct ProfilePatch {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> company;
  std::optional<std::string> job_title;
  std::optional<std::string> use_case;
  std::optional<std::string> phone;
};

struct IssuedSession {
  std::string token;  // shown to the customer once, stored only as a digest
  int64_t expires_ms = 0;
};

// What a right password yields: a session, or, with two-factor
// authentication on (ACC-4), a challenge that a second factor redeems.
struct SignInResult {
  std::optional<IssuedSession> session;
  std::optional<SignInChallenge> challenge;
};

struct SignupResult {
  CustomerRecord customer;
  IssuedSession session;
};

// Knobs; production takes the session limits from `lethe serve` flags.
struct CustomerOptions {
  PasswordCost password_cost = PasswordCost::Interactive();
  int64_t session_lifetime_ms = kSessionLifetimeMs;  // absolute, from sign-in
  int64_t session_idle_ms = kSessionIdleMs;          // since last use
  SignInLimits sign_in_limits;
};

class Customers {
 public:
  // `outbox` carries the security notices (ACC-11); null sends none.
  Customers(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random,
            CustomerOptions options = {}, Outbox* outbox = nullptr)
      : store_(store),
        audit_(audit),
        clock_(clock),
        random_(random),
        options_(options),
        limiter_(store, clock, options.sign_in_limits),
        notices_(audit, clock, outbox) {}

  // Creates a customer and a first session. Returns InvalidArgument
  // ("invalid-field") for malformed fields, Unprocessable("weak-password")
  // or ("age-gate"), AlreadyExists("email-taken").
  Result<SignupResult> SignUp(const SignupForm& form, const RequestOrigin& origin);

  // Checks email and password and opens a session, recording a login event;
  // with 2FA on (SetTwoFactor), opens a sign-in challenge instead. Returns
  // Unauthenticated, the same for an unknown email and a wrong password,
  // and TooManyRequests("too-many-attempts") while the email or the IP
  // address is blocked after failures (whether the email exists or not).
  Result<SignInResult> SignIn(const std::string& email, const std::string& password,
                              const RequestOrigin& origin);

  // The end of a two-step sign-in: opens a session for a customer whose
  // challenge TwoFactor::Redeem accepted, recording a login event.
  // Returns Unauthenticated when the customer is closed or gone.
  Result<IssuedSession> CompleteSignIn(const std::string& customer_id, const RequestOrigin& origin);

  // Sign-in asks `two_factor` whether a second factor is due. Call before
  // serving; without it, a password alone signs in.
  void SetTwoFactor(TwoFactor* two_factor) { two_factor_ = two_factor; }

  // Ends the session with this token. Returns Unauthenticated if it is unknown.
  Status SignOut(const std::string& token, const RequestOrigin& origin);

  // The customer a live session token belongs to; Unauthenticated once it
  // is unknown, past its absolute expiry or idle for too long. Records the
  // use (at most once per kSessionTouchEveryMs). Sets `*session_id`, when
  // given, to the session's id (sid_...).
  Result<CustomerRecord> Authenticate(const std::string& token, std::string* session_id = nullptr);

  // Changes the password of the customer signed in with `token`, which
  // stays signed in; every other session ends. Returns how many ended;
  // PermissionDenied("wrong-password") if `current` is wrong (counted by
  // the sign-in limiter: TooManyRequests while blocked),
  // Unprocessable("weak-password") for a bad new one.
  Result<int64_t> ChangePassword(const std::string& token, const std::string& current,
                                 const std::string& fresh, const RequestOrigin& origin);

  // True when `s` is neither past its absolute expiry nor idle too long at `now_ms`.
  bool IsLive(const SessionRecord& s, int64_t now_ms) const;

  // Applies `patch` to the customer's own data (ACC-9).
  Result<CustomerRecord> UpdateProfile(const std::string& customer_id, const ProfilePatch& patch,
                                       const RequestOrigin& origin);

 private:
  Result<IssuedSession> OpenSession(MetadataTx& tx, const std::string& customer_id,
                                    const RequestOrigin& origin);
  // Opens a session with its login event, security notice and audit entry, in `tx`.
  Result<IssuedSession> StartSession(MetadataTx& tx, const CustomerRecord& customer,
                                     const RequestOrigin& origin);
  // Counts a failed sign-in as `email` (a customer's, when `customer` is
  // set, is told of a burst) and returns the refusal, or the store's error.
  Status RefuseSignIn(const std::string& email, const CustomerRecord* customer,
                      const RequestOrigin& origin);
  // A hash to verify against when the email is unknown, so both failures
  // cost the same time.
  const std::string& DecoyHash();

  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  CustomerOptions options_;
  TwoFactor* two_factor_ = nullptr;
  SignInLimiter limiter_;
  SecurityNotices notices_;
  std::once_flag decoy_once_;
  std::string decoy_hash_;
};

}  // namespace lethe
