// TwoFactor: a customer's second factor at sign-in (ACC-4). Two kinds:
// a TOTP authenticator (RFC 6238, crypto/totp.h), and one-time codes sent
// by SMS to a phone number (through the SmsSender port). Either is
// enrolled, then confirmed by a first valid code, which turns 2FA on and
// hands out ten single-use recovery codes when the customer holds none.
// With 2FA on, a right password yields only a short-lived SignInChallenge;
// the challenge plus a TOTP, SMS or recovery code yields the session (the
// HTTP layer then asks Customers::CompleteSignIn).
//
// Secrets at rest: the TOTP seed and the phone number are sealed
// (AES-256-GCM) under the customer's own key in the KeyRing, bound to the
// customer's id; recovery codes and challenge tokens are kept as SHA-256
// digests, SMS codes as HMAC-SHA256 under the customer's key (six digits
// under a plain hash would fall to a million guesses). Codes are compared
// in constant time. A TOTP code is accepted for one step either side of
// now, and never twice: the last accepted time step is stored, and a code
// of that step or an earlier one is refused. An SMS code lives 5 minutes,
// is used once, and dies after 5 wrong tries; sends are rate-limited per
// purpose (one per 30 s, five per hour: five per challenge). Five wrong
// codes burn a challenge. Every change (enrolment, confirmation,
// disabling, a recovery code used) is audited and mailed to the customer
// (ACC-11); neither mail nor audit names the number or a code.
//
// SMS sends block on the provider: the methods that send run on the
// caller's thread (a handler on the blocking pool), after the code's
// digest is committed; the code itself is never stored.
//
// Problem types: code-invalid, code-used (a replayed TOTP code),
// code-expired (an SMS code past its life or its tries), challenge-invalid,
// challenge-expired, challenge-used (all 422); 2fa-already-on,
// 2fa-not-pending, 2fa-not-enabled, sms-not-enabled (412); invalid-phone
// (400); sms-rate-limited (429, Retry-After); sms-unavailable (503) and
// sms-refused (422) when the sender fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/key_ring.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"
#include "ports/sms_sender.h"

namespace lethe {

inline constexpr int64_t kChallengeLifetimeMs = 5 * 60 * 1000;
inline constexpr int64_t kChallengeMaxFailures = 5;
inline constexpr int kRecoveryCodeCount = 10;
inline constexpr int64_t kSmsCodeLifetimeMs = 5 * 60 * 1000;
inline constexpr int64_t kSmsCodeMaxFailures = 5;
inline constexpr int64_t kSmsResendGapMs = 30 * 1000;
inline constexpr int64_t kSmsMaxSends = 5;  // per purpose and window
inline constexpr int64_t kSmsSendWindowMs = 60 * 60 * 1000;

struct TotpEnrolment {
  std::string secret;  // base32, for typing into an app; shown once
  std::string uri;     // otpauth://totp/Lethe:<email>?secret=...&issuer=Lethe
};

// The first step of a two-step sign-in, as handed to the customer.
struct SignInChallenge {
  std::string token;  // "chl_...", shown once, stored as a digest
  int64_t expires_ms = 0;
  std::vector<std::string> methods;  // "totp", "sms", "recovery"
};

class TwoFactor {
 public:
  TwoFactor(MetadataStore& store, KeyRing& keys, AuditLog& audit, Outbox& outbox, SmsSender& sms,
            const Clock& clock, Random& random)
      : store_(store),
        keys_(keys),
        audit_(audit),
        outbox_(outbox),
        sms_(sms),
        clock_(clock),
        random_(random) {}

  // Starts (or restarts) a TOTP enrolment with a fresh seed, pending until
  // confirmed. Returns the secret and its otpauth:// URI;
  // FailedPrecondition("2fa-already-on") when 2FA is on already.
  Result<TotpEnrolment> EnrolTotp(const CustomerRecord& me, const RequestOrigin& origin);

  // Confirms the pending enrolment with a current code, turning 2FA on.
  // Returns ten new recovery codes, shown this once, or none when the
  // customer holds unused ones already (from an SMS factor);
  // FailedPrecondition("2fa-not-pending") with no enrolment pending,
  // ("2fa-already-on") when confirmed already; Unprocessable
  // ("code-invalid") for a wrong code.
  Result<std::vector<std::string>> ConfirmTotp(const CustomerRecord& me, const std::string& code,
                                               const RequestOrigin& origin);

  // Starts (or restarts, with another number) an SMS enrolment of
  // `phone` and sends it a code. Returns when the code expires;
  // InvalidArgument("invalid-phone") unless E.164; FailedPrecondition
  // ("2fa-already-on") when SMS is on already; TooManyRequests
  // ("sms-rate-limited") past the send limits (nothing changes then);
  // the sender's error as Unavailable("sms-unavailable") or Unprocessable
  // ("sms-refused") after the enrolment was stored.
  Result<int64_t> EnrolSms(const CustomerRecord& me, const std::string& phone,
                           const RequestOrigin& origin);

  // Confirms the pending SMS enrolment with the code sent, turning 2FA
  // on. Returns ten new recovery codes, or none when the customer holds
  // unused ones already; FailedPrecondition("2fa-not-pending") /
  // ("2fa-already-on"); Unprocessable("code-invalid") for a wrong code
  // (counted), ("code-expired") past its life or its tries.
  Result<std::vector<std::string>> ConfirmSms(const CustomerRecord& me, const std::string& code,
                                              const RequestOrigin& origin);

  // Sends a code to the confirmed phone, for Disable. Returns when it
  // expires; FailedPrecondition("sms-not-enabled"); as EnrolSms for the
  // limits and the sender.
  Result<int64_t> SendDisableCode(const CustomerRecord& me, const RequestOrigin& origin);

  // Turns 2FA off (every factor and the recovery codes), given a current
  // TOTP code, the SMS code SendDisableCode sent, or an unused recovery
  // code (which is then used up). Returns OK; FailedPrecondition
  // ("2fa-not-enabled") when it is off; Unprocessable("code-invalid"),
  // ("code-used") or ("code-expired") for a code that does not open it.
  Status Disable(const CustomerRecord& me, const std::string& code, const RequestOrigin& origin);

  // For sign-in, in its transaction: when the customer has 2FA on, opens
  // and returns a challenge; nullopt when 2FA is off. Returns the store's
  // error otherwise.
  Result<std::optional<SignInChallenge>> ChallengeIfEnrolled(MetadataTx& tx,
                                                             const std::string& customer_id);

  // The second step of sign-in: `code` (TOTP or recovery) against the
  // challenge `token`. Returns the customer id, the challenge used up;
  // Unprocessable("challenge-invalid") for an unknown token,
  // ("challenge-expired") past its 5 minutes, ("challenge-used") when used
  // or burned, ("code-invalid") / ("code-used") for a code that does not
  // open it, counted: the fifth burns the challenge.
  Result<std::string> Redeem(const std::string& token, const std::string& code,
                             const RequestOrigin& origin);

  // Sends an SMS code for the challenge `token`, which Redeem then takes.
  // Returns when the code expires; the challenge errors of Redeem;
  // FailedPrecondition("sms-not-enabled") when the customer has no
  // confirmed phone; as EnrolSms for the limits and the sender.
  Result<int64_t> SendSignInCode(const std::string& token, const RequestOrigin& origin);

 private:
  Result<std::vector<uint8_t>> OpenSeed(const Key& key, const TotpFactorRecord& factor);
  // Whether the customer has a confirmed factor of either kind.
  Result<bool> IsOn(MetadataTx& tx, const std::string& customer_id);
  // Checks `code` against the customer's confirmed TOTP factor, the SMS
  // code sent under `sms_scope` and the recovery codes, and uses it up in
  // `tx`: the TOTP step is remembered, an SMS code deleted, a recovery
  // code marked used. Returns "totp", "sms" or "recovery";
  // Unprocessable("code-invalid") / ("code-used") / ("code-expired"), after
  // counting a wrong SMS code in `tx` (callers commit it).
  Result<std::string> UseCode(MetadataTx& tx, const Key& key, const std::string& customer_id,
                              const std::string& sms_scope, const std::string& code);
  // Ten fresh recovery codes for `customer_id` in `tx`, or none when it
  // holds an unused one.
  Result<std::vector<std::string>> IssueRecoveryCodes(MetadataTx& tx,
                                                      const std::string& customer_id);

  // SMS (two_factor_sms.cc). A new code under `scope` in `tx`, within the
  // send limits: returns the code, for sending once `tx` commits.
  Result<std::string> NewSmsCode(MetadataTx& tx, const Key& key, const std::string& scope,
                                 const std::string& customer_id);
  // Checks `code` against the SMS code of `scope` (NotFound when none was
  // sent); uses it up, or counts a wrong try, in `tx`.
  Status UseSmsCode(MetadataTx& tx, const Key& key, const std::string& scope,
                    const std::string& code);
  Result<std::string> SealPhone(const Key& key, const std::string& customer_id,
                                const std::string& phone);
  Result<std::string> OpenPhone(const Key& key, const SmsFactorRecord& factor);
  // Sends `code` to `phone`; the sender's error as sms-unavailable or
  // sms-refused.
  Status Deliver(const std::string& phone, const std::string& code);
  // Audits `action` by the customer and mails them `what` as a security
  // event (ACC-11), in `tx`.
  Status Tell(MetadataTx& tx, const CustomerRecord& c, const std::string& action,
              const std::string& what, const RequestOrigin& origin);

  MetadataStore& store_;
  KeyRing& keys_;
  AuditLog& audit_;
  Outbox& outbox_;
  SmsSender& sms_;
  const Clock& clock_;
  Random& random_;
};

// The digest a recovery code is stored as: of its normalized form (lower
// case, no dashes or spaces), bound to the customer.
std::string RecoveryCodeDigest(const std::string& customer_id, const std::string& code);

// The scopes SMS codes are kept under (SmsCodeRecord::scope).
std::string SmsEnrolScope(const std::string& customer_id);
std::string SmsDisableScope(const std::string& customer_id);
std::string SmsSignInScope(const std::string& challenge_digest);

}  // namespace lethe
