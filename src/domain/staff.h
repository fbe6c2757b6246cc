// Staff: the operator's own people, a principal apart from customers and
// account credentials (USE-6, USE-4, SEC-2). A staff member has an `stf_`
// id, a name and one role, and signs in with a password and a TOTP code,
// both mandatory. The password is generated at creation, shown once and
// kept as its argon2id hash; the TOTP seed is sealed (AES-256-GCM) under
// the member's own key in the KeyRing, bound to the member's id.
//
// Sign-in yields a staff session: a bearer token shown once, stored as
// its SHA-256 digest, that works for kStaffSessionLifetimeMs at most
// (absolute: using it does not extend it) or until sign-out. A TOTP code
// is accepted for one step either side of now and never twice (the last
// accepted step is stored). Failures are counted by the SignInLimiter
// under the member's id and the caller's IP address, as customers' are.
// Staff sessions open staff routes only; the Gate refuses them
// everywhere else, and customer credentials on staff routes.
//
// Staff are created by `lethe staff add` on a stopped server (the data
// directory lock keeps the running server out); every creation is audited
// with the actor "lethe:staff-cli", every sign-in and sign-out with the
// member's id.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/secret_hash.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/key_ring.h"
#include "domain/request_origin.h"
#include "domain/sign_in_limiter.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

enum class StaffRole { kSupport, kSecurity, kLegal, kAdmin };

// "support", "security", "legal", "admin".
std::string_view StaffRoleName(StaffRole role);
// The role named `name`; nullopt for any other text.
std::optional<StaffRole> ParseStaffRole(std::string_view name);

// A set of roles: what a staff route admits.
class StaffRoles {
 public:
  StaffRoles() = default;  // none
  StaffRoles(std::initializer_list<StaffRole> roles) {
    for (StaffRole r : roles) bits_ |= Bit(r);
  }
  bool Has(StaffRole role) const { return (bits_ & Bit(role)) != 0; }
  bool empty() const { return bits_ == 0; }

 private:
  static uint32_t Bit(StaffRole r) { return 1u << static_cast<int>(r); }
  uint32_t bits_ = 0;
};

// An authenticated staff member: the typed principal staff routes get.
struct StaffPrincipal {
  std::string id;  // stf_..., the actor of their audit events
  std::string name;
  StaffRole role = StaffRole::kSupport;
  Actor actor() const { return Actor::Staff(id); }
};

// A new member's credentials, shown this once.
struct NewStaff {
  StaffRecord staff;
  std::string password;
  std::string totp_secret;  // base32, for typing into an authenticator app
  std::string totp_uri;     // otpauth://totp/Lethe%20staff:<id>?secret=...&issuer=Lethe
};

struct StaffSession {
  std::string token;  // "sts_...", shown once, stored as a digest
  int64_t expires_ms = 0;
};

inline constexpr int64_t kStaffSessionLifetimeMs = 12LL * 3600 * 1000;

class Staff {
 public:
  // The actor of "staff.create" events: the operator at the command line.
  static constexpr const char* kCreator = "lethe:staff-cli";

  Staff(MetadataStore& store, AuditLog& audit, KeyRing& keys, const Clock& clock, Random& random,
        PasswordCost cost = PasswordCost::Interactive(), SignInLimits limits = {})
      : store_(store),
        audit_(audit),
        keys_(keys),
        clock_(clock),
        random_(random),
        cost_(cost),
        limiter_(store, clock, limits) {}

  // Creates a staff member with a fresh password and TOTP seed, audited
  // as "staff.create" by kCreator. Returns the record and the credentials;
  // InvalidArgument("invalid-field") for a bad name; the key ring's or
  // store's error otherwise.
  Result<NewStaff> Add(const std::string& name, StaffRole role, const RequestOrigin& origin);

  // Signs `staff_id` in with `password` and a current TOTP `code`, audited
  // as "staff.session.create". Returns the session;
  // TooManyRequests("too-many-attempts") while the limiter blocks the id or
  // the IP address; Unauthenticated for an unknown or disabled member, a
  // wrong password or a wrong code (one answer for all, counted by the
  // limiter); Unprocessable("code-used") for a code of a step already used
  // (counted too).
  Result<StaffSession> SignIn(const std::string& staff_id, const std::string& password,
                              const std::string& code, const RequestOrigin& origin);

  // Opens a session for `staff_id`, who signed in another way (a passkey:
  // domain/passkeys.h), audited as "staff.session.create". Returns the
  // session; Unauthenticated for an unknown or disabled member.
  Result<StaffSession> CompleteSignIn(const std::string& staff_id, const RequestOrigin& origin);

  // The staff member whose session token is `token`. Unauthenticated when
  // it is unknown, expired or signed out, or the member is disabled;
  // Internal on a storage failure.
  Result<StaffPrincipal> Authenticate(const std::string& token);

  // Ends the session `token` of `who`, audited as "staff.session.revoke".
  // Returns OK; Unauthenticated when it is not a live session of theirs.
  Status SignOut(const StaffPrincipal& who, const std::string& token, const RequestOrigin& origin);

 private:
  Result<std::vector<uint8_t>> OpenSeed(const StaffRecord& s);
  const std::string& DecoyHash();
  // Opens a session for `staff_id` in `tx`, audited.
  Result<StaffSession> OpenSession(MetadataTx& tx, const std::string& staff_id,
                                   const RequestOrigin& origin);
  // Counts a failed sign-in and returns `answer`.
  Status Refuse(const std::string& staff_id, const RequestOrigin& origin, Status answer);

  MetadataStore& store_;
  AuditLog& audit_;
  KeyRing& keys_;
  const Clock& clock_;
  Random& random_;
  PasswordCost cost_;
  SignInLimiter limiter_;
  std::once_flag decoy_once_;
  std::string decoy_hash_;
};

}  // namespace lethe
