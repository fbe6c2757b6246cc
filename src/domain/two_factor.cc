#include "domain/two_factor.h"

#include <array>
#include <cctype>

#include "common/encoding.h"
#include "common/time_format.h"
#include "crypto/aead.h"
#include "crypto/secret_hash.h"
#include "crypto/totp.h"

namespace lethe {
namespace {

constexpr size_t kRecoveryGroups = 4;
constexpr size_t kRecoveryGroupChars = 4;  // 16 characters of 5 bits: 80 bits

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Binds a sealed seed to its customer: a seed copied to another row does
// not open.
std::string SeedContext(const std::string& customer_id) { return "totp/" + customer_id; }

// The label of an otpauth:// URI, percent-encoded but for what an email
// address commonly holds.
std::string UriEscape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

std::string NewRecoveryCode(Random& random) {
  std::array<uint8_t, kRecoveryGroups * kRecoveryGroupChars> raw;
  random.Fill(raw);
  std::string code;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i > 0 && i % kRecoveryGroupChars == 0) code.push_back('-');
    code.push_back(kRandomIdAlphabet[raw[i] % kRandomIdAlphabet.size()]);  // 256 % 32 == 0
  }
  return code;
}

bool IsTotpShaped(const std::string& code) {
  if (code.size() != static_cast<size_t>(kTotpDigits)) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status CodeInvalid() { return Status::Unprocessable("code-invalid", "the code is not valid"); }

Status NotEnabled() {
  return Status::FailedPrecondition("2fa-not-enabled", "two-factor authentication is off");
}

}  // namespace

std::string RecoveryCodeDigest(const std::string& customer_id, const std::string& code) {
  std::string normal;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    normal.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return TokenDigest("recovery/" + customer_id + "/" + normal);
}

Result<std::vector<uint8_t>> TwoFactor::OpenSeed(const Key& key, const TotpFactorRecord& factor) {
  auto sealed = Base64UrlDecode(factor.sealed_seed);
  if (!sealed || sealed->size() < kNonceBytes + kTagBytes) {
    return Status::DataLoss("the sealed TOTP seed is malformed");
  }
  std::span<const uint8_t> all(*sealed);
  std::vector<uint8_t> seed(all.size() - kNonceBytes - kTagBytes);
  LETHE_RETURN_IF_ERROR(Open(key, all.first<kNonceBytes>(), Bytes(SeedContext(factor.customer_id)),
                             all.subspan(kNonceBytes), seed));
  return seed;
}

Result<bool> TwoFactor::IsOn(MetadataTx& tx, const std::string& customer_id) {
  auto totp = tx.FindTotpFactor(customer_id);
  if (totp.ok() && totp->confirmed_ms) return true;
  if (!totp.ok() && totp.status().code() != Status::Code::kNotFound) return totp.status();
  auto sms = tx.FindSmsFactor(customer_id);
  if (sms.ok()) return sms->confirmed_ms.has_value();
  if (sms.status().code() != Status::Code::kNotFound) return sms.status();
  return false;
}

Result<std::string> TwoFactor::UseCode(MetadataTx& tx, const Key& key,
                                       const std::string& customer_id, const std::string& sms_scope,
                                       const std::string& code) {
  if (IsTotpShaped(code)) {
    auto factor = tx.FindTotpFactor(customer_id);
    if (!factor.ok() && factor.status().code() != Status::Code::kNotFound) return factor.status();
    if (factor.ok() && factor->confirmed_ms) {
      LETHE_ASSIGN_OR_RETURN(std::vector<uint8_t> seed, OpenSeed(key, *factor));
      auto step = TotpMatch(seed, code, TotpStep(clock_.NowMillis()));
      std::fill(seed.begin(), seed.end(), 0);
      if (step) {
        if (*step <= factor->last_step) {
          return Status::Unprocessable("code-used",
                                       "that code was used already; wait for the next");
        }
        factor->last_step = *step;
        LETHE_RETURN_IF_ERROR(tx.PutTotpFactor(*factor));
        return std::string("totp");
      }
    }
    Status sms = UseSmsCode(tx, key, sms_scope, code);
    if (sms.code() == Status::Code::kNotFound) return CodeInvalid();
    LETHE_RETURN_IF_ERROR(sms);
    return std::string("sms");
  }
  const std::string digest = RecoveryCodeDigest(customer_id, code);
  LETHE_ASSIGN_OR_RETURN(auto codes, tx.ListRecoveryCodes(customer_id));
  // Every unused code is compared, in constant time, whatever matched.
  bool found = false;
  for (const RecoveryCodeRecord& r : codes) {
    bool same = ConstantTimeEquals(r.code_digest, digest);
    found = found || (same && !r.used_ms);
  }
  if (!found) return CodeInvalid();
  LETHE_RETURN_IF_ERROR(tx.MarkRecoveryCodeUsed(customer_id, digest, clock_.NowMillis()));
  return std::string("recovery");
}

Result<std::vector<std::string>> TwoFactor::IssueRecoveryCodes(MetadataTx& tx,
                                                               const std::string& customer_id) {
  LETHE_ASSIGN_OR_RETURN(auto held, tx.ListRecoveryCodes(customer_id));
  for (const RecoveryCodeRecord& r : held) {
    if (!r.used_ms) return std::vector<std::string>{};
  }
  std::vector<std::string> codes;
  std::vector<RecoveryCodeRecord> stored;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    codes.push_back(NewRecoveryCode(random_));
    stored.push_back(
        RecoveryCodeRecord{customer_id, RecoveryCodeDigest(customer_id, codes.back()), {}});
  }
  LETHE_RETURN_IF_ERROR(tx.ReplaceRecoveryCodes(customer_id, stored));
  return codes;
}

Status TwoFactor::Tell(MetadataTx& tx, const CustomerRecord& c, const std::string& action,
                       const std::string& what, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(audit_.Record(tx, Actor::Customer(c.id), action, c.id, "", origin));
  std::string text = "Hello " + c.name + ",\n\n" + what + " on your Lethe login, at " +
                     FormatRfc3339(clock_.NowMillis()) + " from the address " +
                     (origin.ip.empty() ? "unknown" : origin.ip) +
                     ".\n\nIf this was not you, change your password and contact us at once.\n";
  return StatusOf(outbox_.Send(tx, c.email, "Lethe security notice: " + what, text));
}

Result<TotpEnrolment> TwoFactor::EnrolTotp(const CustomerRecord& me, const RequestOrigin& origin) {
  auto existing = store_.FindTotpFactor(me.id);
  if (existing.ok() && existing->confirmed_ms) {
    return Status::FailedPrecondition("2fa-already-on", "two-factor authentication is on already");
  }
  if (!existing.ok() && existing.status().code() != Status::Code::kNotFound) {
    return existing.status();
  }
  std::vector<uint8_t> seed(kTotpSeedBytes);
  random_.Fill(seed);
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(me.id));
  KeyWiper wipe(key);
  std::vector<uint8_t> sealed(kNonceBytes + seed.size() + kTagBytes);
  std::span<uint8_t> out(sealed);
  random_.Fill(out.first<kNonceBytes>());
  LETHE_RETURN_IF_ERROR(Seal(key, std::span<const uint8_t, kNonceBytes>(out.first<kNonceBytes>()),
                             Bytes(SeedContext(me.id)), seed, out.subspan(kNonceBytes)));
  TotpFactorRecord factor{me.id, Base64UrlEncode(sealed), clock_.NowMillis(), std::nullopt, -1};
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto now_there = tx.FindTotpFactor(me.id);
    if (now_there.ok() && now_there->confirmed_ms) {
      return Status::FailedPrecondition("2fa-already-on", "two-factor authentication is on");
    }
    LETHE_RETURN_IF_ERROR(tx.PutTotpFactor(factor));
    return Tell(tx, me, "2fa.totp.enrol", "An authenticator app enrolment was started", origin);
  }));
  TotpEnrolment e;
  e.secret = Base32Encode(seed);
  e.uri = "otpauth://totp/Lethe:" + UriEscape(me.email) + "?secret=" + e.secret + "&issuer=Lethe";
  std::fill(seed.begin(), seed.end(), 0);
  return e;
}

Result<std::vector<std::string>> TwoFactor::ConfirmTotp(const CustomerRecord& me,
                                                        const std::string& code,
                                                        const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(me.id));
  KeyWiper wipe(key);
  std::vector<std::string> codes;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto factor = tx.FindTotpFactor(me.id);
    if (!factor.ok() && factor.status().code() == Status::Code::kNotFound) {
      return Status::FailedPrecondition("2fa-not-pending", "start an enrolment first");
    }
    LETHE_RETURN_IF_ERROR(StatusOf(factor));
    if (factor->confirmed_ms) {
      return Status::FailedPrecondition("2fa-already-on", "two-factor authentication is on");
    }
    LETHE_ASSIGN_OR_RETURN(std::vector<uint8_t> seed, OpenSeed(key, *factor));
    auto step = TotpMatch(seed, code, TotpStep(clock_.NowMillis()));
    std::fill(seed.begin(), seed.end(), 0);
    if (!step) return CodeInvalid();
    factor->confirmed_ms = clock_.NowMillis();
    factor->last_step = *step;  // the confirming code is used up too
    LETHE_RETURN_IF_ERROR(tx.PutTotpFactor(*factor));
    LETHE_ASSIGN_OR_RETURN(codes, IssueRecoveryCodes(tx, me.id));
    return Tell(tx, me, "2fa.totp.confirm", "Two-factor authentication was turned on", origin);
  }));
  return codes;
}

Status TwoFactor::Disable(const CustomerRecord& me, const std::string& code,
                          const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(me.id));
  KeyWiper wipe(key);
  Status refusal = Status::Ok();  // a wrong SMS code, counted in a committed transaction
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    refusal = Status::Ok();
    LETHE_ASSIGN_OR_RETURN(bool on, IsOn(tx, me.id));
    if (!on) return NotEnabled();
    auto used = UseCode(tx, key, me.id, SmsDisableScope(me.id), code);
    if (!used.ok()) {
      if (used.status().code() != Status::Code::kUnprocessable) return used.status();
      refusal = used.status();
      return Status::Ok();
    }
    if (*used == "recovery") {
      LETHE_RETURN_IF_ERROR(Tell(tx, me, "2fa.recovery.use", "A recovery code was used", origin));
    }
    LETHE_RETURN_IF_ERROR(tx.DeleteTwoFactor(me.id));
    LETHE_RETURN_IF_ERROR(tx.DeleteSmsFactor(me.id));
    return Tell(tx, me, "2fa.disable", "Two-factor authentication was turned off", origin);
  }));
  return refusal;
}

Result<std::optional<SignInChallenge>> TwoFactor::ChallengeIfEnrolled(
    MetadataTx& tx, const std::string& customer_id) {
  SignInChallenge challenge;
  auto totp = tx.FindTotpFactor(customer_id);
  if (!totp.ok() && totp.status().code() != Status::Code::kNotFound) return totp.status();
  if (totp.ok() && totp->confirmed_ms) challenge.methods.push_back("totp");
  auto sms = tx.FindSmsFactor(customer_id);
  if (!sms.ok() && sms.status().code() != Status::Code::kNotFound) return sms.status();
  if (sms.ok() && sms->confirmed_ms) challenge.methods.push_back("sms");
  // Pending enrolments do not count: 2FA is not on yet.
  if (challenge.methods.empty()) return std::optional<SignInChallenge>();
  challenge.methods.push_back("recovery");
  challenge.token = RandomToken(random_, "chl_");
  const int64_t now = clock_.NowMillis();
  challenge.expires_ms = now + kChallengeLifetimeMs;
  LETHE_RETURN_IF_ERROR(tx.InsertSignInChallenge(SignInChallengeRecord{
      TokenDigest(challenge.token), customer_id, now, challenge.expires_ms, 0, std::nullopt}));
  return std::optional<SignInChallenge>(std::move(challenge));
}

Result<std::string> TwoFactor::Redeem(const std::string& token, const std::string& code,
                                      const RequestOrigin& origin) {
  const Status kUnknown =
      Status::Unprocessable("challenge-invalid", "the sign-in challenge is unknown");
  const std::string digest = TokenDigest(token);
  auto first = store_.FindSignInChallenge(digest);
  if (!first.ok()) {
    return first.status().code() == Status::Code::kNotFound ? kUnknown : first.status();
  }
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(first->customer_id));
  KeyWiper wipe(key);
  Status refusal = Status::Ok();  // a wrong code, counted in a committed transaction
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    refusal = Status::Ok();
    auto challenge = tx.FindSignInChallenge(digest);
    if (!challenge.ok()) {
      return challenge.status().code() == Status::Code::kNotFound ? kUnknown : challenge.status();
    }
    const int64_t now = clock_.NowMillis();
    if (challenge->used_ms || challenge->failures >= kChallengeMaxFailures) {
      return Status::Unprocessable("challenge-used",
                                   "the sign-in challenge was used; sign in again");
    }
    if (now >= challenge->expires_ms) {
      return Status::Unprocessable("challenge-expired",
                                   "the sign-in challenge expired; sign in again");
    }
    LETHE_ASSIGN_OR_RETURN(bool on, IsOn(tx, challenge->customer_id));
    if (!on) return kUnknown;
    const std::string sms_scope = SmsSignInScope(digest);
    auto used = UseCode(tx, key, challenge->customer_id, sms_scope, code);
    if (!used.ok()) {
      if (used.status().code() != Status::Code::kUnprocessable) return used.status();
      refusal = used.status();
      challenge->failures += 1;
      if (challenge->failures >= kChallengeMaxFailures) challenge->used_ms = now;
      return tx.UpdateSignInChallenge(*challenge);
    }
    challenge->used_ms = now;
    LETHE_RETURN_IF_ERROR(tx.UpdateSignInChallenge(*challenge));
    LETHE_RETURN_IF_ERROR(tx.DeleteSmsCode(sms_scope));  // whatever opened it
    if (*used == "recovery") {
      LETHE_ASSIGN_OR_RETURN(CustomerRecord c, tx.FindCustomer(challenge->customer_id));
      return Tell(tx, c, "2fa.recovery.use", "A recovery code was used to sign in", origin);
    }
    return Status::Ok();
  }));
  LETHE_RETURN_IF_ERROR(refusal);
  return first->customer_id;
}

}  // namespace lethe
