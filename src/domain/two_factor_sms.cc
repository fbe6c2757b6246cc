// TwoFactor, continued: SMS codes as a second factor (ACC-4). The phone
// number is sealed under the customer's key; a code is drawn, its keyed
// digest committed, and only then is the code sent, from the caller's
// thread (the blocking pool), never stored.
#include <algorithm>

#include "common/encoding.h"
#include "common/time_format.h"
#include "crypto/aead.h"
#include "crypto/keyed_digest.h"
#include "crypto/secret_hash.h"
#include "domain/two_factor.h"

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Binds a sealed number to its customer: copied to another row, it does
// not open.
std::string PhoneContext(const std::string& customer_id) { return "sms/" + customer_id; }

std::string SmsDigest(const Key& key, const std::string& scope, const std::string& code) {
  return KeyedDigest(key, scope + "\n" + code);
}

// Six uniform decimal digits: 32-bit draws below the largest multiple of
// 10^6, so no value is likelier than another.
std::string SixDigits(Random& random) {
  constexpr uint32_t kMillion = 1'000'000;
  constexpr uint32_t kLimit = 4294u * kMillion;
  uint32_t v = 0;
  do {
    std::array<uint8_t, 4> raw;
    random.Fill(raw);
    v = (uint32_t{raw[0]} << 24) | (uint32_t{raw[1]} << 16) | (uint32_t{raw[2]} << 8) | raw[3];
  } while (v >= kLimit);
  std::string code = std::to_string(v % kMillion);
  return std::string(6 - code.size(), '0') + code;
}

int64_t CeilSeconds(int64_t ms) { return std::max<int64_t>(1, (ms + 999) / 1000); }

Status NotFoundAsInvalid(const Status& st) {
  if (st.code() == Status::Code::kNotFound) {
    return Status::Unprocessable("code-invalid", "the code is not valid");
  }
  return st;
}

}  // namespace

std::string SmsEnrolScope(const std::string& customer_id) { return "enrol/" + customer_id; }
std::string SmsDisableScope(const std::string& customer_id) { return "disable/" + customer_id; }
std::string SmsSignInScope(const std::string& challenge_digest) {
  return "sign-in/" + challenge_digest;
}

Result<std::string> TwoFactor::SealPhone(const Key& key, const std::string& customer_id,
                                         const std::string& phone) {
  std::vector<uint8_t> sealed(kNonceBytes + phone.size() + kTagBytes);
  std::span<uint8_t> out(sealed);
  random_.Fill(out.first<kNonceBytes>());
  LETHE_RETURN_IF_ERROR(Seal(key, std::span<const uint8_t, kNonceBytes>(out.first<kNonceBytes>()),
                             Bytes(PhoneContext(customer_id)), Bytes(phone),
                             out.subspan(kNonceBytes)));
  return Base64UrlEncode(sealed);
}

Result<std::string> TwoFactor::OpenPhone(const Key& key, const SmsFactorRecord& factor) {
  auto sealed = Base64UrlDecode(factor.sealed_phone);
  if (!sealed || sealed->size() < kNonceBytes + kTagBytes) {
    return Status::DataLoss("the sealed phone number is malformed");
  }
  std::span<const uint8_t> all(*sealed);
  std::vector<uint8_t> phone(all.size() - kNonceBytes - kTagBytes);
  LETHE_RETURN_IF_ERROR(Open(key, all.first<kNonceBytes>(), Bytes(PhoneContext(factor.customer_id)),
                             all.subspan(kNonceBytes), phone));
  return std::string(phone.begin(), phone.end());
}

Result<std::string> TwoFactor::NewSmsCode(MetadataTx& tx, const Key& key, const std::string& scope,
                                          const std::string& customer_id) {
  const int64_t now = clock_.NowMillis();
  SmsCodeRecord row{scope, customer_id, "", 0, 0, now, 0, 0};
  auto existing = tx.FindSmsCode(scope);
  if (existing.ok()) {
    row = *existing;
    if (now - row.window_start_ms >= kSmsSendWindowMs) {
      row.window_start_ms = now;
      row.sends = 0;
    }
    if (now - row.sent_ms < kSmsResendGapMs) {
      return Status::TooManyRequests("sms-rate-limited", "a code was sent just now; wait for it",
                                     CeilSeconds(row.sent_ms + kSmsResendGapMs - now));
    }
    if (row.sends >= kSmsMaxSends) {
      return Status::TooManyRequests("sms-rate-limited", "too many codes were sent; wait",
                                     CeilSeconds(row.window_start_ms + kSmsSendWindowMs - now));
    }
  } else if (existing.status().code() != Status::Code::kNotFound) {
    return existing.status();
  }
  std::string code = SixDigits(random_);
  row.customer_id = customer_id;
  row.code_digest = SmsDigest(key, scope, code);
  row.sent_ms = now;
  row.expires_ms = now + kSmsCodeLifetimeMs;
  row.sends += 1;
  row.failures = 0;
  LETHE_RETURN_IF_ERROR(tx.PutSmsCode(row));
  return code;
}

Status TwoFactor::UseSmsCode(MetadataTx& tx, const Key& key, const std::string& scope,
                             const std::string& code) {
  LETHE_ASSIGN_OR_RETURN(SmsCodeRecord row, tx.FindSmsCode(scope));
  if (clock_.NowMillis() >= row.expires_ms || row.failures >= kSmsCodeMaxFailures) {
    return Status::Unprocessable("code-expired",
                                 "the SMS code expired or was tried too often; ask for a new one");
  }
  if (!ConstantTimeEquals(row.code_digest, SmsDigest(key, scope, code))) {
    row.failures += 1;
    LETHE_RETURN_IF_ERROR(tx.PutSmsCode(row));
    return Status::Unprocessable("code-invalid", "the code is not valid");
  }
  return tx.DeleteSmsCode(scope);  // used once
}

Status TwoFactor::Deliver(const std::string& phone, const std::string& code) {
  SmsMessage message{
      RandomId(random_, "sms_"), phone,
      "Your Lethe code is " + code + ". It expires in 5 minutes. Never share it with anyone."};
  Status st = sms_.Send(message);
  std::fill(message.body.begin(), message.body.end(), '\0');
  if (st.ok()) return st;
  if (st.code() == Status::Code::kUnavailable) {
    return Status(Status::Code::kUnavailable, "sms-unavailable",
                  "the SMS could not be sent now; try again");
  }
  return Status::Unprocessable("sms-refused", "the SMS provider refused the message");
}

Result<int64_t> TwoFactor::EnrolSms(const CustomerRecord& me, const std::string& phone,
                                    const RequestOrigin& origin) {
  if (!IsE164(phone)) {
    return Status::InvalidArgument("invalid-phone",
                                   "phone must be an E.164 number, like +14155550123");
  }
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(me.id));
  KeyWiper wipe(key);
  LETHE_ASSIGN_OR_RETURN(std::string sealed, SealPhone(key, me.id, phone));
  std::string code;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto factor = tx.FindSmsFactor(me.id);
    if (factor.ok() && factor->confirmed_ms) {
      return Status::FailedPrecondition("2fa-already-on", "SMS codes are on already");
    }
    if (!factor.ok() && factor.status().code() != Status::Code::kNotFound) return factor.status();
    LETHE_ASSIGN_OR_RETURN(code, NewSmsCode(tx, key, SmsEnrolScope(me.id), me.id));
    LETHE_RETURN_IF_ERROR(
        tx.PutSmsFactor(SmsFactorRecord{me.id, sealed, clock_.NowMillis(), std::nullopt}));
    return Tell(tx, me, "2fa.sms.enrol", "An SMS enrolment was started", origin);
  }));
  const int64_t expires = clock_.NowMillis() + kSmsCodeLifetimeMs;
  Status sent = Deliver(phone, code);
  std::fill(code.begin(), code.end(), '\0');
  LETHE_RETURN_IF_ERROR(sent);
  return expires;
}

Result<std::vector<std::string>> TwoFactor::ConfirmSms(const CustomerRecord& me,
                                                       const std::string& code,
                                                       const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(me.id));
  KeyWiper wipe(key);
  std::vector<std::string> codes;
  Status refusal = Status::Ok();  // a wrong code, counted in a committed transaction
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    refusal = Status::Ok();
    codes.clear();
    auto factor = tx.FindSmsFactor(me.id);
    if (!factor.ok() && factor.status().code() == Status::Code::kNotFound) {
      return Status::FailedPrecondition("2fa-not-pending", "start an SMS enrolment first");
    }
    LETHE_RETURN_IF_ERROR(StatusOf(factor));
    if (factor->confirmed_ms) {
      return Status::FailedPrecondition("2fa-already-on", "SMS codes are on already");
    }
    Status used = NotFoundAsInvalid(UseSmsCode(tx, key, SmsEnrolScope(me.id), code));
    if (used.code() == Status::Code::kUnprocessable) {
      refusal = used;
      return Status::Ok();
    }
    LETHE_RETURN_IF_ERROR(used);
    factor->confirmed_ms = clock_.NowMillis();
    LETHE_RETURN_IF_ERROR(tx.PutSmsFactor(*factor));
    LETHE_ASSIGN_OR_RETURN(codes, IssueRecoveryCodes(tx, me.id));
    return Tell(tx, me, "2fa.sms.confirm", "SMS codes were turned on as a second factor", origin);
  }));
  LETHE_RETURN_IF_ERROR(refusal);
  return codes;
}

Result<int64_t> TwoFactor::SendDisableCode(const CustomerRecord& me, const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(me.id));
  KeyWiper wipe(key);
  std::string phone, code;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto factor = tx.FindSmsFactor(me.id);
    if (!factor.ok() && factor.status().code() != Status::Code::kNotFound) return factor.status();
    if (!factor.ok() || !factor->confirmed_ms) {
      return Status::FailedPrecondition("sms-not-enabled", "SMS codes are not on");
    }
    LETHE_ASSIGN_OR_RETURN(phone, OpenPhone(key, *factor));
    LETHE_ASSIGN_OR_RETURN(code, NewSmsCode(tx, key, SmsDisableScope(me.id), me.id));
    return Status::Ok();
  }));
  const int64_t expires = clock_.NowMillis() + kSmsCodeLifetimeMs;
  Status sent = Deliver(phone, code);
  std::fill(code.begin(), code.end(), '\0');
  LETHE_RETURN_IF_ERROR(sent);
  return expires;
}

Result<int64_t> TwoFactor::SendSignInCode(const std::string& token, const RequestOrigin& origin) {
  const Status kUnknown =
      Status::Unprocessable("challenge-invalid", "the sign-in challenge is unknown");
  const std::string digest = TokenDigest(token);
  auto first = store_.FindSignInChallenge(digest);
  if (!first.ok()) {
    return first.status().code() == Status::Code::kNotFound ? kUnknown : first.status();
  }
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.CustomerKey(first->customer_id));
  KeyWiper wipe(key);
  std::string phone, code;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(SignInChallengeRecord challenge, tx.FindSignInChallenge(digest));
    if (challenge.used_ms || challenge.failures >= kChallengeMaxFailures) {
      return Status::Unprocessable("challenge-used",
                                   "the sign-in challenge was used; sign in again");
    }
    if (clock_.NowMillis() >= challenge.expires_ms) {
      return Status::Unprocessable("challenge-expired",
                                   "the sign-in challenge expired; sign in again");
    }
    auto factor = tx.FindSmsFactor(challenge.customer_id);
    if (!factor.ok() && factor.status().code() != Status::Code::kNotFound) return factor.status();
    if (!factor.ok() || !factor->confirmed_ms) {
      return Status::FailedPrecondition("sms-not-enabled", "SMS codes are not on");
    }
    LETHE_ASSIGN_OR_RETURN(phone, OpenPhone(key, *factor));
    LETHE_ASSIGN_OR_RETURN(code,
                           NewSmsCode(tx, key, SmsSignInScope(digest), challenge.customer_id));
    return Status::Ok();
  }));
  const int64_t expires = clock_.NowMillis() + kSmsCodeLifetimeMs;
  Status sent = Deliver(phone, code);
  std::fill(code.begin(), code.end(), '\0');
  LETHE_RETURN_IF_ERROR(sent);
  return expires;
}

}  // namespace lethe
