// Passkeys against a software authenticator (testing/soft_authenticator.h):
// real ES256 keys and signatures, checked by libfido2 through the domain,
// on a real SQLite store. Every refusal is an answer a real browser or an
// attacker could send.
#include "domain/passkeys.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/mail/file_mailer.h"
#include "common/encoding.h"
#include "crypto/webauthn.h"
#include "domain/job_queue.h"
#include "domain/outbox.h"
#include "testing/domain_fixture.h"
#include "testing/soft_authenticator.h"

namespace lethe {
namespace {

class PasskeysTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    auto files = FileMailer::Open(dir_.File("mail"), clock_);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    mailer_ = std::move(*files);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, *mailer_, clock_, random_,
                                       "noreply@lethe.test");
    passkeys_ = std::make_unique<Passkeys>(*metadata_, *audit_, *outbox_, clock_, random_);
  }

  // The mails delivered so far, each as its .eml text.
  std::vector<std::string> Mails() {
    EXPECT_TRUE(jobs_->RunDue().ok());
    std::vector<std::string> out;
    if (!std::filesystem::exists(dir_.File("mail"))) return out;
    for (const auto& f : std::filesystem::directory_iterator(dir_.File("mail"))) {
      if (f.path().extension() != ".eml") continue;
      std::ifstream in(f.path());
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(text.str());
    }
    return out;
  }

  // A registration answer to `options` signed by `auth`.
  Registration Answer(const CreationOptions& o, SoftAuthenticator& auth,
                      const std::string& fmt = "none", const std::string& origin = kOrigin) {
    Registration r;
    r.name = "Laptop";
    r.credential_id = Base64UrlEncode(auth.credential_id());
    r.client_data = SoftAuthenticator::ClientData("webauthn.create", o.challenge, origin);
    r.attestation = auth.Attest(o.rp_id, r.client_data, fmt);
    return r;
  }

  Result<PasskeyRecord> Register(SoftAuthenticator& auth, const std::string& fmt = "none") {
    auto o = passkeys_->BeginRegistration(owner_, rp_);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return passkeys_->FinishRegistration(owner_, rp_, Answer(*o, auth, fmt), origin_);
  }

  Assertion Assert(const RequestOptions& o, SoftAuthenticator& auth,
                   const std::string& origin = kOrigin, const std::string& rp_id = "") {
    Assertion a;
    a.credential_id = Base64UrlEncode(auth.credential_id());
    a.client_data = SoftAuthenticator::ClientData("webauthn.get", o.challenge, origin);
    auto s = auth.Sign(rp_id.empty() ? o.rp_id : rp_id, a.client_data);
    a.authenticator_data = s.authenticator_data;
    a.signature = s.signature;
    a.user_handle.assign(owner_.id.begin(), owner_.id.end());
    return a;
  }

  RequestOptions SignInOptions() {
    auto o = passkeys_->BeginSignIn("customer", rp_);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return *o;
  }

  std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
  template <typename T>
  std::string Reason(const Result<T>& r) {
    return r.ok() ? "ok" : r.status().reason();
  }

  static constexpr const char* kOrigin = "https://lethe.example";
  RelyingParty rp_{kOrigin, "lethe.example"};
  PasskeyOwner owner_ = PasskeyOwner::Customer("cus_ada", "ada@x.io", "Ada");
  std::unique_ptr<FileMailer> mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Passkeys> passkeys_;
};

TEST_F(PasskeysTest, RegistersAndSignsInWithNoneAndPackedAttestation_ACC4) {
  for (const char* fmt : {"none", "packed"}) {
    SoftAuthenticator auth;
    auto p = Register(auth, fmt);
    ASSERT_TRUE(p.ok()) << fmt << ": " << p.status().ToString();
    EXPECT_EQ(p->cose_alg, kCoseEs256);
    EXPECT_EQ(p->credential_id, Base64UrlEncode(auth.credential_id()));
    EXPECT_EQ(p->owner_id, "cus_ada");
    auto in = passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), origin_);
    ASSERT_TRUE(in.ok()) << fmt << ": " << in.status().ToString();
    EXPECT_EQ(in->id, p->id);
    EXPECT_EQ(in->sign_count, 1);
    EXPECT_EQ(in->last_used_ms, clock_.NowMillis());
  }
  auto list = passkeys_->List(owner_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  auto events = metadata_->ListAuditEvents("", 0, 100);
  ASSERT_TRUE(events.ok());
  int registered = 0, signed_in = 0;
  for (const AuditEvent& e : *events) {
    registered += e.action == "passkey.register";
    signed_in += e.action == "passkey.sign-in";
  }
  EXPECT_EQ(registered, 2);
  EXPECT_EQ(signed_in, 2);
}

TEST_F(PasskeysTest, AnEdDsaPasskeyRegistersAndSignsIn) {
  for (const char* fmt : {"none", "packed"}) {
    SoftAuthenticator key(kCoseEdDsa);
    auto p = Register(key, fmt);
    ASSERT_TRUE(p.ok()) << fmt << ": " << p.status().ToString();
    EXPECT_EQ(p->cose_alg, kCoseEdDsa);
    auto in = passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), key), origin_);
    ASSERT_TRUE(in.ok()) << fmt << ": " << in.status().ToString();
    Assertion bad = Assert(SignInOptions(), key);
    bad.signature[3] ^= 1;
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, bad, origin_)), "passkey-invalid");
  }
}

TEST_F(PasskeysTest, AReplayedRegistrationIsRefused_ACC4) {
  SoftAuthenticator auth;
  auto o = passkeys_->BeginRegistration(owner_, rp_);
  ASSERT_TRUE(o.ok());
  Registration r = Answer(*o, auth);
  ASSERT_TRUE(passkeys_->FinishRegistration(owner_, rp_, r, origin_).ok());
  EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, r, origin_)),
            "passkey-challenge-used");
  // The same credential again, through a fresh ceremony: one owner per id.
  EXPECT_EQ(Reason(Register(auth)), "passkey-taken");
}

TEST_F(PasskeysTest, RegistrationChecksOriginRpIdFlagsSignatureAndOwner) {
  SoftAuthenticator auth;
  {  // Another page's origin.
    auto o = passkeys_->BeginRegistration(owner_, rp_);
    Registration r = Answer(*o, auth, "none", "https://evil.example");
    EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, r, origin_)), "passkey-origin");
  }
  {  // A credential made for another RP ID.
    auto o = passkeys_->BeginRegistration(owner_, rp_);
    CreationOptions other = *o;
    other.rp_id = "evil.example";
    for (const char* fmt : {"none", "packed"}) {
      auto o2 = passkeys_->BeginRegistration(owner_, rp_);
      other.challenge = o2->challenge;
      Registration r = Answer(other, auth, fmt);
      EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, r, origin_)), "passkey-invalid")
          << fmt;
    }
  }
  {  // No user verification.
    auto o = passkeys_->BeginRegistration(owner_, rp_);
    Registration r = Answer(*o, auth);
    r.attestation = auth.Attest(rp_.rp_id, r.client_data, "none",
                                SoftAuthenticator::kUserPresent | SoftAuthenticator::kAttested);
    EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, r, origin_)), "passkey-invalid");
  }
  {  // A packed statement signed over other client data.
    auto o = passkeys_->BeginRegistration(owner_, rp_);
    Registration r = Answer(*o, auth, "packed");
    r.client_data.insert(r.client_data.end() - 1, ' ');  // same fields, other bytes
    EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, r, origin_)), "passkey-invalid");
  }
  {  // Another owner's ceremony.
    auto o = passkeys_->BeginRegistration(owner_, rp_);
    PasskeyOwner mallory = PasskeyOwner::Customer("cus_mallory", "m@x.io", "M");
    EXPECT_EQ(Reason(passkeys_->FinishRegistration(mallory, rp_, Answer(*o, auth), origin_)),
              "passkey-challenge-invalid");
  }
  {  // A sign-in challenge does not register.
    RequestOptions s = SignInOptions();
    CreationOptions o;
    o.challenge = s.challenge;
    o.rp_id = rp_.rp_id;
    EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, Answer(o, auth), origin_)),
              "passkey-challenge-invalid");
  }
  {  // An id that is not the attested credential's.
    auto o = passkeys_->BeginRegistration(owner_, rp_);
    Registration r = Answer(*o, auth);
    r.credential_id = "AAAA";
    EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, r, origin_)), "passkey-invalid");
  }
  auto list = passkeys_->List(owner_);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(PasskeysTest, AChallengeExpires) {
  SoftAuthenticator auth;
  auto o = passkeys_->BeginRegistration(owner_, rp_);
  clock_.Advance(kPasskeyChallengeLifetimeMs);
  EXPECT_EQ(Reason(passkeys_->FinishRegistration(owner_, rp_, Answer(*o, auth), origin_)),
            "passkey-challenge-expired");
}

TEST_F(PasskeysTest, SignInRefusesReplaysAndForgeries_ACC4) {
  SoftAuthenticator auth;
  ASSERT_TRUE(Register(auth).ok());

  RequestOptions o = SignInOptions();
  Assertion good = Assert(o, auth);
  ASSERT_TRUE(passkeys_->FinishSignIn("customer", rp_, good, origin_).ok());
  // The same answer again: its challenge is spent.
  EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, good, origin_)),
            "passkey-challenge-used");

  // Wrong origin in the client data.
  EXPECT_EQ(Reason(passkeys_->FinishSignIn(
                "customer", rp_, Assert(SignInOptions(), auth, "https://evil.example"), origin_)),
            "passkey-origin");
  // Signed for another RP ID.
  EXPECT_EQ(Reason(passkeys_->FinishSignIn(
                "customer", rp_, Assert(SignInOptions(), auth, kOrigin, "evil.example"), origin_)),
            "passkey-invalid");
  {  // A bad signature: one bit flipped.
    Assertion a = Assert(SignInOptions(), auth);
    a.signature[a.signature.size() / 2] ^= 1;
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, a, origin_)), "passkey-invalid");
  }
  {  // Tampered client data: same challenge and origin, other bytes.
    Assertion a = Assert(SignInOptions(), auth);
    a.client_data.insert(a.client_data.end() - 1, ' ');
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, a, origin_)), "passkey-invalid");
  }
  {  // Tampered authenticator data (the counter raised by hand).
    Assertion a = Assert(SignInOptions(), auth);
    a.authenticator_data.back() += 5;
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, a, origin_)), "passkey-invalid");
  }
  {  // No user verification.
    RequestOptions s = SignInOptions();
    Assertion a = Assert(s, auth);
    auto signed_ = auth.Sign(rp_.rp_id, a.client_data, SoftAuthenticator::kUserPresent);
    a.authenticator_data = signed_.authenticator_data;
    a.signature = signed_.signature;
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, a, origin_)), "passkey-invalid");
  }
  {  // A registration challenge does not sign in.
    auto reg = passkeys_->BeginRegistration(owner_, rp_);
    RequestOptions s{reg->challenge, rp_.rp_id, 0};
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, Assert(s, auth), origin_)),
              "passkey-challenge-invalid");
  }
  // An unknown credential.
  SoftAuthenticator stranger;
  EXPECT_EQ(
      Reason(passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), stranger), origin_)),
      "passkey-unknown");
  // A customer's passkey does not open a staff sign-in.
  auto staff = passkeys_->BeginSignIn("staff", rp_);
  EXPECT_EQ(Reason(passkeys_->FinishSignIn("staff", rp_, Assert(*staff, auth), origin_)),
            "passkey-unknown");
  {  // A user handle that is not the owner's.
    Assertion a = Assert(SignInOptions(), auth);
    a.user_handle = {'c', 'u', 's', '_', 'x'};
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, a, origin_)), "passkey-unknown");
  }
}

TEST_F(PasskeysTest, ASignCountThatGoesBackIsRefused_ACC4) {
  SoftAuthenticator auth;
  ASSERT_TRUE(Register(auth).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), origin_).ok());
  }
  auth.counter = 1;  // a copy of the key, made after the first sign-in
  EXPECT_EQ(
      Reason(passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), origin_)),
      "passkey-counter");
  auth.counter = 2;  // equal to the stored 3 once raised: still not larger
  EXPECT_EQ(
      Reason(passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), origin_)),
      "passkey-counter");
  auth.counter = 3;
  EXPECT_TRUE(
      passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), origin_).ok());
}

TEST_F(PasskeysTest, AnAuthenticatorWithoutACounterSignsInAgain) {
  SoftAuthenticator auth;
  auth.counts = false;
  ASSERT_TRUE(Register(auth).ok());
  for (int i = 0; i < 2; ++i) {
    auto in = passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), origin_);
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    EXPECT_EQ(in->sign_count, 0);
  }
}

TEST_F(PasskeysTest, RemoveIsScopedToTheOwner) {
  SoftAuthenticator auth;
  auto p = Register(auth);
  ASSERT_TRUE(p.ok());
  PasskeyOwner other = PasskeyOwner::Customer("cus_other", "o@x.io", "O");
  EXPECT_EQ(passkeys_->Remove(other, p->id, origin_).code(), Status::Code::kNotFound);
  ASSERT_TRUE(passkeys_->Remove(owner_, p->id, origin_).ok());
  EXPECT_EQ(
      Reason(passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), origin_)),
      "passkey-unknown");
}

TEST_F(PasskeysTest, OptionsNameTheOwnersCredentials) {
  SoftAuthenticator auth;
  ASSERT_TRUE(Register(auth).ok());
  auto o = passkeys_->BeginRegistration(owner_, rp_);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->rp_id, "lethe.example");
  EXPECT_EQ(o->user_id, Base64UrlEncode(std::string("cus_ada")));
  ASSERT_EQ(o->exclude_credentials.size(), 1u);
  EXPECT_EQ(o->exclude_credentials[0], Base64UrlEncode(auth.credential_id()));
  EXPECT_EQ(o->expires_ms, clock_.NowMillis() + kPasskeyChallengeLifetimeMs);
  EXPECT_EQ(Base64UrlDecode(o->challenge)->size(), 32u);
}

TEST_F(PasskeysTest, AddingOrRemovingAPasskeyMailsTheCustomerANotice_ACC4) {
  SoftAuthenticator auth;
  auto p = Register(auth);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].find("To: ada@x.io"), std::string::npos) << mails[0];
  EXPECT_NE(mails[0].find("Subject: Lethe security notice: A passkey (\"Laptop\") was added"),
            std::string::npos)
      << mails[0];
  EXPECT_NE(mails[0].find("from the address 127.0.0.1"), std::string::npos) << mails[0];
  ASSERT_TRUE(passkeys_->Remove(owner_, p->id, origin_).ok());
  mails = Mails();
  ASSERT_EQ(mails.size(), 2u);
  int removed = 0;
  for (const std::string& m : mails) {
    removed += m.find("Subject: Lethe security notice: A passkey (\"Laptop\") was removed") !=
               std::string::npos;
  }
  EXPECT_EQ(removed, 1);
  // A failed removal tells nobody.
  EXPECT_FALSE(passkeys_->Remove(owner_, p->id, origin_).ok());
  EXPECT_EQ(Mails().size(), 2u);
  // Staff members have no address on record: their changes are audited only.
  PasskeyOwner staff = PasskeyOwner::Staff("stf_lee", "Lee");
  SoftAuthenticator key;
  auto o = passkeys_->BeginRegistration(staff, rp_);
  ASSERT_TRUE(o.ok());
  ASSERT_TRUE(passkeys_->FinishRegistration(staff, rp_, Answer(*o, key), origin_).ok());
  EXPECT_EQ(Mails().size(), 2u);
}

TEST_F(PasskeysTest, FailedSignInsCountInThePasswordSignInsLimiter_SEC2) {
  SignInLimits limits;
  limits.email_free_failures = 3;
  limits.ip_free_failures = 5;
  passkeys_ = std::make_unique<Passkeys>(*metadata_, *audit_, *outbox_, clock_, random_, limits);
  auto signup = customers_->SignUp(
      SignupForm{"Ada", "ada@x.io", "correct horse battery", "US", "1990-01-01"}, origin_);
  ASSERT_TRUE(signup.ok()) << signup.status().ToString();
  owner_ = PasskeyOwner::Customer(signup->customer.id, "ada@x.io", "Ada");
  SoftAuthenticator auth;
  ASSERT_TRUE(Register(auth).ok());
  for (int i = 0; i < 3; ++i) {
    Assertion bad = Assert(SignInOptions(), auth);
    bad.signature[3] ^= 1;
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, bad, origin_)), "passkey-invalid")
        << i;
  }
  // The owner is blocked: even a good assertion, even from another address.
  RequestOrigin elsewhere = origin_;
  elsewhere.ip = "198.51.100.9";
  auto good = passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), elsewhere);
  ASSERT_FALSE(good.ok());
  EXPECT_EQ(good.status().code(), Status::Code::kTooManyRequests);
  EXPECT_EQ(good.status().reason(), "too-many-attempts");
  EXPECT_GT(good.status().retry_after_s(), 0);
  // The same count as the password's: the password sign-in is held too.
  EXPECT_EQ(Reason(customers_->SignIn("ada@x.io", "correct horse battery", elsewhere)),
            "too-many-attempts");
  // The block ends; the passkey signs in again.
  clock_.Advance(limits.base_delay_ms);
  EXPECT_TRUE(
      passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), elsewhere).ok());

  // A credential of nobody counts against the address alone.
  RequestOrigin guesser = origin_;
  guesser.ip = "203.0.113.7";
  for (int i = 0; i < 5; ++i) {
    SoftAuthenticator stranger;
    EXPECT_EQ(Reason(passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), stranger),
                                             guesser)),
              "passkey-unknown")
        << i;
  }
  EXPECT_EQ(
      Reason(passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), guesser)),
      "too-many-attempts");
  // ...and not against the owner, who still signs in from elsewhere.
  EXPECT_TRUE(
      passkeys_->FinishSignIn("customer", rp_, Assert(SignInOptions(), auth), elsewhere).ok());
}

}  // namespace
}  // namespace lethe
