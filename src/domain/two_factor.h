// TwoFactor: a customer's second factor at sign-in (ACC-4). A TOTP
// authenticator (RFC 6238, crypto/totp.h) is enrolled, then confirmed by
// a first valid code, which turns 2FA on and hands out ten single-use
// recovery codes. With 2FA on, a right password yields only a short-lived
// SignInChallenge; the challenge plus a TOTP or recovery code yields the
// session (the HTTP layer then asks Customers::CompleteSignIn).
//
// Secrets at rest: the TOTP seed is sealed (AES-256-GCM) under the
// customer's own key in the KeyRing, bound to the customer's id; recovery
// codes and challenge tokens are kept as SHA-256 digests. Codes are
// compared in constant time. A TOTP code is accepted for one step either
// side of now, and never twice: the last accepted time step is stored, and
// a code of that step or an earlier one is refused. Five wrong codes burn
// a challenge. Every change (enrolment, confirmation, disabling, a
// recovery code used) is audited and mailed to the customer (ACC-11).
//
// Problem types: code-invalid, code-used (a replayed TOTP code),
// challenge-invalid, challenge-expired, challenge-used (all 422);
// 2fa-already-on, 2fa-not-pending, 2fa-not-enabled (412).
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

namespace lethe {

inline constexpr int64_t kChallengeLifetimeMs = 5 * 60 * 1000;
inline constexpr int64_t kChallengeMaxFailures = 5;
inline constexpr int kRecoveryCodeCount = 10;

struct TotpEnrolment {
  std::string secret;  // base32, for typing into an app; shown once
  std::string uri;     // otpauth://totp/Lethe:<email>?secret=...&issuer=Lethe
};

// The first step of a two-step sign-in, as handed to the customer.
struct SignInChallenge {
  std::string token;  // "chl_...", shown once, stored as a digest
  int64_t expires_ms = 0;
  std::vector<std::string> methods;  // "totp", "recovery"
};

class TwoFactor {
 public:
  TwoFactor(MetadataStore& store, KeyRing& keys, AuditLog& audit, Outbox& outbox,
            const Clock& clock, Random& random)
      : store_(store),
        keys_(keys),
        audit_(audit),
        outbox_(outbox),
        clock_(clock),
        random_(random) {}

  // Starts (or restarts) a TOTP enrolment with a fresh seed, pending until
  // confirmed. Returns the secret and its otpauth:// URI;
  // FailedPrecondition("2fa-already-on") when 2FA is on already.
  Result<TotpEnrolment> EnrolTotp(const CustomerRecord& me, const RequestOrigin& origin);

  // Confirms the pending enrolment with a current code, turning 2FA on.
  // Returns the ten recovery codes, shown this once;
  // FailedPrecondition("2fa-not-pending") with no enrolment pending,
  // ("2fa-already-on") when confirmed already; Unprocessable
  // ("code-invalid") for a wrong code.
  Result<std::vector<std::string>> ConfirmTotp(const CustomerRecord& me, const std::string& code,
                                               const RequestOrigin& origin);

  // Turns 2FA off, given a current TOTP code or an unused recovery code
  // (which is then used up). Returns OK; FailedPrecondition
  // ("2fa-not-enabled") when it is off; Unprocessable("code-invalid") or
  // ("code-used") for a code that does not open it.
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

 private:
  Result<std::vector<uint8_t>> OpenSeed(const Key& key, const TotpFactorRecord& factor);
  // Checks `code` against a confirmed factor and uses it up in `tx`: the
  // TOTP step is remembered, a recovery code marked used. Returns "totp"
  // or "recovery"; Unprocessable("code-invalid") / ("code-used").
  Result<std::string> UseCode(MetadataTx& tx, TotpFactorRecord factor,
                              const std::vector<uint8_t>& seed, const std::string& code);
  // Audits `action` by the customer and mails them `what` as a security
  // event (ACC-11), in `tx`.
  Status Tell(MetadataTx& tx, const CustomerRecord& c, const std::string& action,
              const std::string& what, const RequestOrigin& origin);

  MetadataStore& store_;
  KeyRing& keys_;
  AuditLog& audit_;
  Outbox& outbox_;
  const Clock& clock_;
  Random& random_;
};

// The digest a recovery code is stored as: of its normalized form (lower
// case, no dashes or spaces), bound to the customer.
std::string RecoveryCodeDigest(const std::string& customer_id, const std::string& code);

}  // namespace lethe
