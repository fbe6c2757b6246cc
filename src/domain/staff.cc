#include "domain/staff.h"

#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/totp.h"
#include "domain/validation.h"

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Binds a sealed seed to its member: a seed copied to another row does
// not open.
std::string SeedContext(const std::string& staff_id) { return "staff-totp/" + staff_id; }

// The limiter's "email" key for a staff member: apart from every address.
std::string LimiterKey(const std::string& staff_id) { return "staff:" + staff_id; }

Status Wrong() { return Status::Unauthenticated("staff id, password or code is wrong"); }

}  // namespace

std::string_view StaffRoleName(StaffRole role) {
  switch (role) {
    case StaffRole::kSupport:
      return "support";
    case StaffRole::kSecurity:
      return "security";
    case StaffRole::kLegal:
      return "legal";
    case StaffRole::kAdmin:
      return "admin";
  }
  return "support";
}

std::optional<StaffRole> ParseStaffRole(std::string_view name) {
  for (StaffRole r :
       {StaffRole::kSupport, StaffRole::kSecurity, StaffRole::kLegal, StaffRole::kAdmin}) {
    if (StaffRoleName(r) == name) return r;
  }
  return std::nullopt;
}

const std::string& Staff::DecoyHash() {
  std::call_once(decoy_once_, [this] {
    auto hash = HashPassword(RandomToken(random_, "decoy_"), cost_);
    decoy_hash_ = hash.ok() ? *hash : std::string();
  });
  return decoy_hash_;
}

Result<NewStaff> Staff::Add(const std::string& name, StaffRole role, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(CheckText("name", name, 200));
  NewStaff out;
  out.password = RandomToken(random_, "", 18);  // 144 bits, 24 characters
  LETHE_ASSIGN_OR_RETURN(std::string hash, HashPassword(out.password, cost_));
  out.staff.id = RandomId(random_, "stf_");
  out.staff.name = name;
  out.staff.role = std::string(StaffRoleName(role));
  out.staff.created_ms = clock_.NowMillis();
  out.staff.password_hash = std::move(hash);

  std::vector<uint8_t> seed(kTotpSeedBytes);
  random_.Fill(seed);
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.StaffKey(out.staff.id));
  KeyWiper wipe(key);
  std::vector<uint8_t> sealed(kNonceBytes + seed.size() + kTagBytes);
  std::span<uint8_t> all(sealed);
  random_.Fill(all.first<kNonceBytes>());
  LETHE_RETURN_IF_ERROR(Seal(key, std::span<const uint8_t, kNonceBytes>(all.first<kNonceBytes>()),
                             Bytes(SeedContext(out.staff.id)), seed, all.subspan(kNonceBytes)));
  out.staff.totp_seed = Base64UrlEncode(sealed);
  out.totp_secret = Base32Encode(seed);
  std::fill(seed.begin(), seed.end(), 0);
  out.totp_uri = "otpauth://totp/Lethe%20staff:" + out.staff.id + "?secret=" + out.totp_secret +
                 "&issuer=Lethe";

  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertStaff(out.staff));
    return audit_.Record(tx, Actor::System(kCreator), "staff.create", out.staff.id, "", origin);
  }));
  return out;
}

Result<std::vector<uint8_t>> Staff::OpenSeed(const StaffRecord& s) {
  auto sealed = Base64UrlDecode(s.totp_seed);
  if (!sealed || sealed->size() < kNonceBytes + kTagBytes) {
    return Status::DataLoss("the sealed TOTP seed of " + s.id + " is malformed");
  }
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.StaffKey(s.id));
  KeyWiper wipe(key);
  std::span<const uint8_t> all(*sealed);
  std::vector<uint8_t> seed(all.size() - kNonceBytes - kTagBytes);
  LETHE_RETURN_IF_ERROR(Open(key, all.first<kNonceBytes>(), Bytes(SeedContext(s.id)),
                             all.subspan(kNonceBytes), seed));
  return seed;
}

Status Staff::Refuse(const std::string& staff_id, const RequestOrigin& origin, Status answer) {
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    return StatusOf(limiter_.RecordFailure(tx, LimiterKey(staff_id), origin.ip));
  }));
  return answer;
}

Result<StaffSession> Staff::SignIn(const std::string& staff_id, const std::string& password,
                                   const std::string& code, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(limiter_.Check(LimiterKey(staff_id), origin.ip));
  auto found = store_.FindStaff(staff_id);
  if (!found.ok() && found.status().code() != Status::Code::kNotFound) return found.status();
  // An unknown or disabled member costs what a real check costs.
  if (!found.ok() || found->disabled_ms || found->password_hash.empty()) {
    (void)VerifyPassword(DecoyHash(), password);
    return Refuse(staff_id, origin, Wrong());
  }
  if (!VerifyPassword(found->password_hash, password)) return Refuse(staff_id, origin, Wrong());
  std::vector<uint8_t> seed;
  LETHE_ASSIGN_OR_RETURN(seed, OpenSeed(*found));
  std::optional<int64_t> step = TotpMatch(seed, code, TotpStep(clock_.NowMillis()));
  std::fill(seed.begin(), seed.end(), 0);
  if (!step) return Refuse(staff_id, origin, Wrong());

  StaffSession session;
  Status done = store_.Transact([&](MetadataTx& tx) -> Status {
    // Read again in the transaction: two sign-ins with one code race here.
    LETHE_ASSIGN_OR_RETURN(StaffRecord now_there, tx.FindStaff(staff_id));
    if (*step <= now_there.totp_last_step) {
      return Status::Unprocessable("code-used", "that code was used already; wait for the next");
    }
    LETHE_RETURN_IF_ERROR(tx.SetStaffTotpStep(staff_id, *step));
    LETHE_RETURN_IF_ERROR(limiter_.RecordSuccess(tx, LimiterKey(staff_id)));
    LETHE_ASSIGN_OR_RETURN(session, OpenSession(tx, staff_id, origin));
    return Status::Ok();
  });
  if (done.reason() == "code-used") return Refuse(staff_id, origin, done);
  LETHE_RETURN_IF_ERROR(done);
  return session;
}

Result<StaffSession> Staff::OpenSession(MetadataTx& tx, const std::string& staff_id,
                                        const RequestOrigin& origin) {
  StaffSession session;
  session.token = RandomToken(random_, "sts_");
  const int64_t now = clock_.NowMillis();
  session.expires_ms = now + kStaffSessionLifetimeMs;
  LETHE_RETURN_IF_ERROR(tx.InsertStaffSession(
      StaffSessionRecord{TokenDigest(session.token), staff_id, now, session.expires_ms, {}}));
  LETHE_RETURN_IF_ERROR(
      audit_.Record(tx, Actor::Staff(staff_id), "staff.session.create", staff_id, "", origin));
  return session;
}

Result<StaffSession> Staff::CompleteSignIn(const std::string& staff_id,
                                           const RequestOrigin& origin) {
  StaffSession session;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto found = tx.FindStaff(staff_id);
    if (!found.ok() || found->disabled_ms) {
      return Status::Unauthenticated("the staff member is unknown or disabled");
    }
    LETHE_ASSIGN_OR_RETURN(session, OpenSession(tx, staff_id, origin));
    return Status::Ok();
  }));
  return session;
}

Result<StaffPrincipal> Staff::Authenticate(const std::string& token) {
  const Status refused = Status::Unauthenticated("staff session is unknown, expired or ended");
  const std::string digest = TokenDigest(token);
  auto session = store_.FindStaffSession(digest);
  if (!session.ok()) {
    if (session.status().code() == Status::Code::kNotFound) return refused;
    return session.status();
  }
  // The lookup is by digest; the comparison stays constant-time anyway.
  if (!ConstantTimeEquals(session->token_digest, digest) || session->revoked_ms ||
      session->expires_ms <= clock_.NowMillis()) {
    return refused;
  }
  auto found = store_.FindStaff(session->staff_id);
  if (!found.ok()) {
    if (found.status().code() == Status::Code::kNotFound) return refused;
    return found.status();
  }
  if (found->disabled_ms) return refused;
  std::optional<StaffRole> role = ParseStaffRole(found->role);
  if (!role) return Status::Internal("staff " + found->id + " has an unknown role");
  return StaffPrincipal{found->id, found->name, *role};
}

Status Staff::SignOut(const StaffPrincipal& who, const std::string& token,
                      const RequestOrigin& origin) {
  const std::string digest = TokenDigest(token);
  return store_.Transact([&](MetadataTx& tx) -> Status {
    auto session = tx.FindStaffSession(digest);
    if (!session.ok() || session->staff_id != who.id || session->revoked_ms) {
      return Status::Unauthenticated("not a live staff session");
    }
    LETHE_RETURN_IF_ERROR(tx.RevokeStaffSession(digest, clock_.NowMillis()));
    return audit_.Record(tx, who.actor(), "staff.session.revoke", who.id, "", origin);
  });
}

}  // namespace lethe
