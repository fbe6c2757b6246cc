#include "domain/passkeys.h"

#include "common/encoding.h"
#include "common/time_format.h"
#include "crypto/secret_hash.h"
#include "crypto/webauthn.h"
#include "domain/actor.h"
#include "domain/validation.h"

namespace lethe {
namespace {

constexpr size_t kChallengeBytes = 32;
constexpr const char* kRegister = "register";
constexpr const char* kSignIn = "sign-in";
constexpr const char* kCustomerKind = "customer";
constexpr const char* kStaffKind = "staff";

Actor OwnerActor(const std::string& kind, const std::string& id) {
  return kind == "staff" ? Actor::Staff(id) : Actor::Customer(id);
}

Status ChallengeInvalid() {
  return Status::Unprocessable("passkey-challenge-invalid",
                               "the answer names no challenge of this ceremony");
}

Status Unknown() {
  return Status::Unprocessable("passkey-unknown", "that passkey is not registered here");
}

}  // namespace

Result<std::string> Passkeys::NewChallenge(MetadataTx& tx, const std::string& purpose,
                                           const std::string& owner_kind,
                                           const std::string& owner_id, int64_t* expires_ms) {
  const int64_t now = clock_.NowMillis();
  // Expired challenges are of no use: each new ceremony sweeps them.
  LETHE_RETURN_IF_ERROR(StatusOf(tx.DeletePasskeyChallengesBefore(now)));
  std::vector<uint8_t> raw(kChallengeBytes);
  random_.Fill(raw);
  std::string challenge = Base64UrlEncode(raw);
  *expires_ms = now + kPasskeyChallengeLifetimeMs;
  LETHE_RETURN_IF_ERROR(tx.InsertPasskeyChallenge(PasskeyChallengeRecord{
      TokenDigest(challenge), purpose, owner_kind, owner_id, now, *expires_ms, std::nullopt}));
  return challenge;
}

Status Passkeys::SpendChallenge(const std::vector<uint8_t>& client_data, const std::string& type,
                                const std::string& purpose, const std::string& owner_kind,
                                const std::string& owner_id, const RelyingParty& rp) {
  LETHE_ASSIGN_OR_RETURN(ClientData cd, ParseClientData(client_data));
  const std::string digest = TokenDigest(cd.challenge);
  const int64_t now = clock_.NowMillis();
  std::optional<PasskeyChallengeRecord> found;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto c = tx.FindPasskeyChallenge(digest);
    if (!c.ok()) {
      return c.status().code() == Status::Code::kNotFound ? ChallengeInvalid() : c.status();
    }
    // The lookup is by digest; the comparison stays constant-time anyway.
    if (!ConstantTimeEquals(c->challenge_digest, digest) || c->purpose != purpose ||
        c->owner_kind != owner_kind || c->owner_id != owner_id) {
      return ChallengeInvalid();
    }
    found = *c;
    if (c->used_ms) return Status::Ok();
    return tx.UsePasskeyChallenge(digest, now);
  }));
  if (found->used_ms) {
    return Status::Unprocessable("passkey-challenge-used", "that challenge was answered already");
  }
  if (found->expires_ms <= now) {
    return Status::Unprocessable("passkey-challenge-expired", "the challenge has expired");
  }
  if (cd.type != type)
    return Status::Unprocessable("passkey-invalid", "clientData has another type");
  if (cd.cross_origin || cd.origin != rp.origin) {
    return Status::Unprocessable("passkey-origin", "the answer comes from another origin");
  }
  return Status::Ok();
}

Result<CreationOptions> Passkeys::BeginRegistration(const PasskeyOwner& owner,
                                                    const RelyingParty& rp) {
  CreationOptions o;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(auto held, tx.ListPasskeys(owner.kind, owner.id));
    if (held.size() >= kMaxPasskeysPerOwner) {
      return Status::Unprocessable("passkey-limit", "remove a passkey before adding another");
    }
    for (const PasskeyRecord& p : held) o.exclude_credentials.push_back(p.credential_id);
    LETHE_ASSIGN_OR_RETURN(o.challenge,
                           NewChallenge(tx, kRegister, owner.kind, owner.id, &o.expires_ms));
    return Status::Ok();
  }));
  o.rp_id = rp.rp_id;
  o.user_id = Base64UrlEncode(owner.id);
  o.user_name = owner.user_name;
  o.display_name = owner.display_name;
  return o;
}

Result<PasskeyRecord> Passkeys::FinishRegistration(const PasskeyOwner& owner,
                                                   const RelyingParty& rp, const Registration& reg,
                                                   const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(CheckText("name", reg.name, kMaxPasskeyNameBytes));
  LETHE_RETURN_IF_ERROR(
      SpendChallenge(reg.client_data, "webauthn.create", kRegister, owner.kind, owner.id, rp));
  LETHE_ASSIGN_OR_RETURN(AttestedCredential cred,
                         VerifyAttestation(reg.attestation, reg.client_data, rp.rp_id));
  const std::string credential_id = Base64UrlEncode(cred.credential_id);
  if (!ConstantTimeEquals(credential_id, reg.credential_id)) {
    return Status::Unprocessable("passkey-invalid", "the id is not the attested credential's");
  }
  PasskeyRecord p;
  p.id = RandomId(random_, "pky_");
  p.owner_kind = owner.kind;
  p.owner_id = owner.id;
  p.credential_id = credential_id;
  p.cose_alg = cred.cose_alg;
  p.public_key = Base64UrlEncode(cred.public_key);
  p.sign_count = cred.sign_count;
  p.name = reg.name;
  p.created_ms = clock_.NowMillis();
  Status st = store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertPasskey(p));
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, OwnerActor(owner.kind, owner.id), "passkey.register", p.id, "", origin));
    return Tell(tx, owner, "A passkey (\"" + p.name + "\") was added", origin);
  });
  if (st.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("passkey-taken", "that passkey is registered already");
  }
  LETHE_RETURN_IF_ERROR(st);
  return p;
}

Result<std::vector<PasskeyRecord>> Passkeys::List(const PasskeyOwner& owner) {
  return store_.ListPasskeys(owner.kind, owner.id);
}

Status Passkeys::Remove(const PasskeyOwner& owner, const std::string& id,
                        const RequestOrigin& origin) {
  // Its name, for the notice (the owner knows it by that, not by its id).
  std::string name = id;
  LETHE_ASSIGN_OR_RETURN(auto held, store_.ListPasskeys(owner.kind, owner.id));
  for (const PasskeyRecord& p : held) {
    if (p.id == id) name = "\"" + p.name + "\"";
  }
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.DeletePasskey(owner.kind, owner.id, id));
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, OwnerActor(owner.kind, owner.id), "passkey.remove", id, "", origin));
    return Tell(tx, owner, "A passkey (" + name + ") was removed", origin);
  });
}

Result<RequestOptions> Passkeys::BeginSignIn(const std::string& owner_kind,
                                             const RelyingParty& rp) {
  RequestOptions o;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(o.challenge, NewChallenge(tx, kSignIn, owner_kind, "", &o.expires_ms));
    return Status::Ok();
  }));
  o.rp_id = rp.rp_id;
  return o;
}

Status Passkeys::Tell(MetadataTx& tx, const PasskeyOwner& owner, const std::string& what,
                      const RequestOrigin& origin) {
  if (owner.kind != kCustomerKind) return Status::Ok();
  std::string text = "Hello " + owner.display_name + ",\n\n" + what + " on your Lethe login, at " +
                     FormatRfc3339(clock_.NowMillis()) + " from the address " +
                     (origin.ip.empty() ? "unknown" : origin.ip) +
                     ".\n\nIf this was not you, remove it, change your password and contact us "
                     "at once.\n";
  return StatusOf(outbox_.Send(tx, owner.user_name, "Lethe security notice: " + what, text));
}

std::string Passkeys::LimiterKey(const std::string& owner_kind, const Assertion& a) {
  auto found = store_.FindPasskeyByCredential(a.credential_id);
  if (!found.ok() || found->owner_kind != owner_kind) return "";
  if (owner_kind == kStaffKind) return "staff:" + found->owner_id;  // as Staff's own key
  auto customer = store_.FindCustomer(found->owner_id);
  return customer.ok() ? customer->email : "";
}

Result<PasskeyRecord> Passkeys::FinishSignIn(const std::string& owner_kind, const RelyingParty& rp,
                                             const Assertion& a, const RequestOrigin& origin) {
  const std::string key = LimiterKey(owner_kind, a);
  LETHE_RETURN_IF_ERROR(limiter_.Check(key, origin.ip));
  auto done = CheckSignIn(owner_kind, rp, a, origin);
  if (!done.ok() && done.status().code() == Status::Code::kUnprocessable) {
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      return StatusOf(limiter_.RecordFailure(tx, key, origin.ip));
    }));
  }
  return done;
}

Result<PasskeyRecord> Passkeys::CheckSignIn(const std::string& owner_kind, const RelyingParty& rp,
                                            const Assertion& a, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(SpendChallenge(a.client_data, "webauthn.get", kSignIn, owner_kind, "", rp));
  auto found = store_.FindPasskeyByCredential(a.credential_id);
  if (!found.ok()) {
    return found.status().code() == Status::Code::kNotFound ? Unknown() : found.status();
  }
  if (found->owner_kind != owner_kind) return Unknown();
  if (!a.user_handle.empty() &&
      !ConstantTimeEquals(std::string(a.user_handle.begin(), a.user_handle.end()),
                          found->owner_id)) {
    return Unknown();
  }
  auto key = Base64UrlDecode(found->public_key);
  if (!key) return Status::DataLoss("a stored passkey's key is malformed");
  LETHE_ASSIGN_OR_RETURN(uint32_t count,
                         VerifyAssertion(found->cose_alg, *key, a.authenticator_data, a.client_data,
                                         a.signature, rp.rp_id));
  PasskeyRecord used;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    // Read again: two sign-ins with one passkey race here.
    auto now_there = tx.FindPasskeyByCredential(a.credential_id);
    if (!now_there.ok()) {
      return now_there.status().code() == Status::Code::kNotFound ? Unknown() : now_there.status();
    }
    used = *now_there;
    // A counter that stays 0 is an authenticator that keeps none (most
    // synced passkeys); one that does must go up, or the key was copied.
    if ((count != 0 || used.sign_count != 0) && count <= used.sign_count) {
      return Status::Unprocessable("passkey-counter",
                                   "the passkey's sign count went back: it may have been copied");
    }
    used.sign_count = count;
    used.last_used_ms = clock_.NowMillis();
    LETHE_RETURN_IF_ERROR(tx.RecordPasskeyUse(used.credential_id, count, *used.last_used_ms));
    return audit_.Record(tx, OwnerActor(used.owner_kind, used.owner_id), "passkey.sign-in", used.id,
                         "", origin);
  }));
  return used;
}

}  // namespace lethe
