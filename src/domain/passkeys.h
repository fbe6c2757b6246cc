// Passkeys (issue 15): WebAuthn Level 2 credentials with which customers
// and staff members sign in instead of a password and a code. A passkey
// is itself two factors: the authenticator holds the private key
// (possession) and unlocks it only after verifying the person (PIN or
// biometrics, the UV flag, which Lethe requires). So a passkey sign-in
// satisfies two-factor authentication (ACC-4): it opens a session at once,
// with no second step.
//
// Two ceremonies, each in two calls:
// - Registration (a signed-in owner): BeginRegistration hands out the
//   options for navigator.credentials.create; FinishRegistration checks
//   the browser's answer and stores the credential.
// - Sign-in (nobody yet): BeginSignIn hands out the options for
//   navigator.credentials.get (discoverable credentials: no
//   allowCredentials); FinishSignIn checks the assertion and returns the
//   passkey, whose owner the caller then opens a session for
//   (Customers::CompleteSignIn, Staff::CompleteSignIn).
//
// A challenge is 32 random bytes, kept only as its SHA-256 digest with
// its purpose and owner; it lives kPasskeyChallengeLifetimeMs and is used
// up by the first answer that names it, right or wrong (a replay gets
// passkey-challenge-used). The answer's clientDataJSON must carry the
// ceremony's type, that challenge, the relying party's origin and no
// crossOrigin; the authenticator data the SHA-256 of the RP ID and the
// user-present and user-verified flags; the signature must verify
// (libfido2, crypto/webauthn.h). An authenticator that keeps a sign count
// (non-zero) must show a larger one each time, else the sign-in is
// refused as a possible clone (passkey-counter). A credential id is
// registered once, across all owners.
//
// Every registration, removal and sign-in is audited ("passkey.register",
// "passkey.remove", "passkey.sign-in") with the owner as the actor. A
// customer is told of a passkey added or removed by a security notice
// through the outbox, in the same transaction (as two-factor changes are);
// staff members have no address on record, so theirs is the audit alone.
//
// Failed sign-ins (every 422 of FinishSignIn) count in the SignInLimiter
// the password sign-ins use, under the same keys: the credential's owner
// when it names one of the ceremony's kind (a customer's email, a staff
// member's "staff:" id) and the IP address; while either is blocked a
// sign-in is refused before any check (429 too-many-attempts).
//
// Problem types: passkey-challenge-invalid, passkey-challenge-expired,
// passkey-challenge-used, passkey-origin, passkey-invalid,
// passkey-unknown, passkey-counter (all 422); passkey-taken (409);
// invalid-field (400) for a bad name; not-found (404) for removing a
// passkey the owner does not have; too many passkeys (422
// passkey-limit).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "domain/sign_in_limiter.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

inline constexpr int64_t kPasskeyChallengeLifetimeMs = 5 * 60 * 1000;
inline constexpr size_t kMaxPasskeysPerOwner = 20;
inline constexpr size_t kMaxPasskeyNameBytes = 64;

// Whose passkeys: kind "customer" or "staff", with the id and the names an
// authenticator shows (user.name, user.displayName).
struct PasskeyOwner {
  std::string kind;
  std::string id;
  std::string user_name;
  std::string display_name;
  static PasskeyOwner Customer(std::string id, std::string email, std::string name) {
    return {"customer", std::move(id), std::move(email), std::move(name)};
  }
  static PasskeyOwner Staff(std::string id, std::string name) {
    std::string user = id;
    return {"staff", std::move(id), std::move(user), std::move(name)};
  }
};

// The relying party a ceremony runs for: this server's origin
// ("http://localhost:8080") and its RP ID (the origin's host).
struct RelyingParty {
  std::string origin;
  std::string rp_id;
};

// What navigator.credentials.create needs (base64url where WebAuthn has
// bytes).
struct CreationOptions {
  std::string challenge;
  std::string rp_id;
  std::string user_id;  // base64url of the user handle: the owner's id
  std::string user_name;
  std::string display_name;
  std::vector<std::string> exclude_credentials;  // the owner's credential ids
  int64_t expires_ms = 0;
};

// What navigator.credentials.get needs.
struct RequestOptions {
  std::string challenge;
  std::string rp_id;
  int64_t expires_ms = 0;
};

// A PublicKeyCredential from navigator.credentials.create, its bytes
// decoded from base64url by the caller.
struct Registration {
  std::string name;                  // the owner's label for the passkey
  std::string credential_id;         // base64url (the credential's id)
  std::vector<uint8_t> client_data;  // clientDataJSON
  std::vector<uint8_t> attestation;  // attestationObject
};

// A PublicKeyCredential from navigator.credentials.get.
struct Assertion {
  std::string credential_id;  // base64url
  std::vector<uint8_t> client_data;
  std::vector<uint8_t> authenticator_data;
  std::vector<uint8_t> signature;
  std::vector<uint8_t> user_handle;  // may be empty
};

class Passkeys {
 public:
  // `limits` should be the password sign-in's (they share the counts).
  Passkeys(MetadataStore& store, AuditLog& audit, Outbox& outbox, const Clock& clock,
           Random& random, SignInLimits limits = {})
      : store_(store),
        audit_(audit),
        outbox_(outbox),
        clock_(clock),
        random_(random),
        limiter_(store, clock, limits) {}

  // Opens a registration ceremony for `owner`. Returns the options;
  // Unprocessable("passkey-limit") when the owner has kMaxPasskeysPerOwner;
  // the store's error otherwise.
  Result<CreationOptions> BeginRegistration(const PasskeyOwner& owner, const RelyingParty& rp);

  // Checks `reg` against a registration ceremony of `owner` and stores the
  // passkey. Returns it; InvalidArgument("invalid-field") for an empty or
  // long name; the challenge, origin and passkey-invalid errors above;
  // AlreadyExists("passkey-taken") for a credential id already registered.
  Result<PasskeyRecord> FinishRegistration(const PasskeyOwner& owner, const RelyingParty& rp,
                                           const Registration& reg, const RequestOrigin& origin);

  // The owner's passkeys, oldest first.
  Result<std::vector<PasskeyRecord>> List(const PasskeyOwner& owner);

  // Removes the owner's passkey `id`. NotFound unless they have it.
  Status Remove(const PasskeyOwner& owner, const std::string& id, const RequestOrigin& origin);

  // Opens a sign-in ceremony for an owner of kind `owner_kind` ("customer"
  // or "staff"). Returns the options.
  Result<RequestOptions> BeginSignIn(const std::string& owner_kind, const RelyingParty& rp);

  // Checks `a` against a sign-in ceremony of `owner_kind` and records the
  // use (sign count, time). Returns the passkey (its owner_id is who signed
  // in); the challenge, origin and passkey-invalid errors above;
  // Unprocessable("passkey-unknown") for a credential not registered to an
  // owner of that kind, or a user handle not its owner's;
  // ("passkey-counter") for a sign count that did not increase;
  // TooManyRequests("too-many-attempts") while the limiter blocks the
  // owner or the IP address.
  Result<PasskeyRecord> FinishSignIn(const std::string& owner_kind, const RelyingParty& rp,
                                     const Assertion& a, const RequestOrigin& origin);

 private:
  // FinishSignIn's checks, before the limiter's bookkeeping.
  Result<PasskeyRecord> CheckSignIn(const std::string& owner_kind, const RelyingParty& rp,
                                    const Assertion& a, const RequestOrigin& origin);
  // The limiter's key for the owner `a` names, if one of `owner_kind`;
  // "" when none (or it cannot be read: the IP is counted still).
  std::string LimiterKey(const std::string& owner_kind, const Assertion& a);
  // Mails a customer owner a security notice of `what`, in `tx`.
  Status Tell(MetadataTx& tx, const PasskeyOwner& owner, const std::string& what,
              const RequestOrigin& origin);

  // A fresh challenge for `purpose`, stored (as its digest) in `tx`.
  Result<std::string> NewChallenge(MetadataTx& tx, const std::string& purpose,
                                   const std::string& owner_kind, const std::string& owner_id,
                                   int64_t* expires_ms);
  // Checks the client data of an answer (type, origin) and uses up the
  // challenge it names, which must be of `purpose` and of `owner_kind` /
  // `owner_id` ("" for a sign-in). Commits the use on its own, so that an
  // answer that fails later still spends it.
  Status SpendChallenge(const std::vector<uint8_t>& client_data, const std::string& type,
                        const std::string& purpose, const std::string& owner_kind,
                        const std::string& owner_id, const RelyingParty& rp);

  MetadataStore& store_;
  AuditLog& audit_;
  Outbox& outbox_;
  const Clock& clock_;
  Random& random_;
  SignInLimiter limiter_;
};

}  // namespace lethe
