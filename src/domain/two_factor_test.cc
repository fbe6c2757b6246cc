#include "domain/two_factor.h"

#include <gtest/gtest.h>

#include "adapters/mail/file_mailer.h"
#include "adapters/sms/file_sms_sender.h"
#include "crypto/totp.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class TwoFactorTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    auto files = FileMailer::Open(dir_.File("mail"), clock_);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    mailer_ = std::move(*files);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, *mailer_, clock_, random_,
                                       "noreply@lethe.test");
    auto phone = FileSmsSender::Open(dir_.File("phone"));
    ASSERT_TRUE(phone.ok()) << phone.status().ToString();
    sms_ = std::move(*phone);
    two_factor_ =
        std::make_unique<TwoFactor>(*metadata_, *ring_, *audit_, *outbox_, *sms_, clock_, random_);
    customers_->SetTwoFactor(two_factor_.get());
    auto signup = customers_->SignUp(
        SignupForm{"Ada", "ada@x.io", "correct horse battery", "US", "1990-01-01"}, origin_);
    ASSERT_TRUE(signup.ok()) << signup.status().ToString();
    me_ = signup->customer;
  }

  std::string CodeAt(int64_t step_offset = 0) {
    return *TotpCode(seed_, TotpStep(clock_.NowMillis()) + step_offset);
  }

  // Enrols and confirms; returns the recovery codes.
  std::vector<std::string> TurnOn() {
    auto e = two_factor_->EnrolTotp(me_, origin_);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    seed_ = *Base32Decode(e->secret);
    auto codes = two_factor_->ConfirmTotp(me_, CodeAt(), origin_);
    EXPECT_TRUE(codes.ok()) << codes.status().ToString();
    return codes.ok() ? *codes : std::vector<std::string>{};
  }

  std::string Challenge() {
    auto r = customers_->SignIn("ada@x.io", "correct horse battery", origin_);
    EXPECT_TRUE(r.ok() && r->challenge) << "a challenge, not a session";
    return r.ok() && r->challenge ? r->challenge->token : "";
  }

  std::unique_ptr<FileMailer> mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<FileSmsSender> sms_;
  std::unique_ptr<TwoFactor> two_factor_;
  CustomerRecord me_;
  std::vector<uint8_t> seed_;
};

TEST_F(TwoFactorTest, EnrolmentIsPendingUntilAValidCode_ACC4) {
  auto e = two_factor_->EnrolTotp(me_, origin_);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->uri, "otpauth://totp/Lethe:ada@x.io?secret=" + e->secret + "&issuer=Lethe");
  seed_ = *Base32Decode(e->secret);
  EXPECT_EQ(seed_.size(), kTotpSeedBytes);
  // The seed rests sealed, not in the clear nor as base32.
  auto stored = metadata_->FindTotpFactor(me_.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->sealed_seed.find(e->secret), std::string::npos);
  EXPECT_FALSE(stored->confirmed_ms.has_value());
  // Pending: the password alone still signs in.
  auto plain = customers_->SignIn("ada@x.io", "correct horse battery", origin_);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->session.has_value());

  EXPECT_EQ(two_factor_->ConfirmTotp(me_, CodeAt(3), origin_).status().reason(), "code-invalid");
  auto codes = two_factor_->ConfirmTotp(me_, CodeAt(), origin_);
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  EXPECT_EQ(codes->size(), 10u);
  EXPECT_EQ(two_factor_->EnrolTotp(me_, origin_).status().reason(), "2fa-already-on");
  auto stored_codes = metadata_->ListRecoveryCodes(me_.id);
  ASSERT_TRUE(stored_codes.ok());
  EXPECT_EQ(stored_codes->size(), 10u);
  for (const auto& c : *codes) {
    for (const auto& r : *stored_codes) {
      EXPECT_EQ(r.code_digest.find(c), std::string::npos) << "stored only as a digest";
    }
  }
}

TEST_F(TwoFactorTest, SignInNeedsTheSecondStepAndACodeWorksOnce_ACC4) {
  TurnOn();
  std::string token = Challenge();
  // The confirming code's step is used up: the same code is a replay.
  EXPECT_EQ(two_factor_->Redeem(token, CodeAt(), origin_).status().reason(), "code-used");
  clock_.Advance(kTotpStepSeconds * 1000);
  auto who = two_factor_->Redeem(token, CodeAt(), origin_);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(*who, me_.id);
  EXPECT_EQ(two_factor_->Redeem(token, CodeAt(), origin_).status().reason(), "challenge-used");
  EXPECT_TRUE(customers_->CompleteSignIn(*who, origin_).ok());

  // One step either side is accepted, two is not.
  clock_.Advance(5 * kTotpStepSeconds * 1000);
  std::string second = Challenge();
  EXPECT_EQ(two_factor_->Redeem(second, CodeAt(-2), origin_).status().reason(), "code-invalid");
  EXPECT_TRUE(two_factor_->Redeem(second, CodeAt(-1), origin_).ok());
}

TEST_F(TwoFactorTest, ChallengesExpireAndBurnAfterFiveWrongCodes_ACC4) {
  TurnOn();
  clock_.Advance(kTotpStepSeconds * 1000);
  std::string token = Challenge();
  clock_.Advance(kChallengeLifetimeMs);
  EXPECT_EQ(two_factor_->Redeem(token, CodeAt(), origin_).status().reason(), "challenge-expired");
  EXPECT_EQ(two_factor_->Redeem("chl_unknown", CodeAt(), origin_).status().reason(),
            "challenge-invalid");

  std::string burning = Challenge();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(two_factor_->Redeem(burning, "000000", origin_).status().reason(), "code-invalid");
  }
  EXPECT_EQ(two_factor_->Redeem(burning, CodeAt(), origin_).status().reason(), "challenge-used");
}

TEST_F(TwoFactorTest, RecoveryCodesWorkOnceAndDisablingNeedsACode_ACC4) {
  std::vector<std::string> codes = TurnOn();
  ASSERT_EQ(codes.size(), 10u);
  std::string token = Challenge();
  EXPECT_TRUE(two_factor_->Redeem(token, codes[0], origin_).ok());
  EXPECT_EQ(two_factor_->Redeem(Challenge(), codes[0], origin_).status().reason(), "code-invalid");

  EXPECT_EQ(two_factor_->Disable(me_, "not-a-code", origin_).reason(), "code-invalid");
  EXPECT_TRUE(metadata_->FindTotpFactor(me_.id).ok()) << "a refused disable changes nothing";
  ASSERT_TRUE(two_factor_->Disable(me_, codes[1], origin_).ok());
  EXPECT_EQ(metadata_->FindTotpFactor(me_.id).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(metadata_->ListRecoveryCodes(me_.id)->empty());
  EXPECT_EQ(two_factor_->Disable(me_, codes[2], origin_).reason(), "2fa-not-enabled");
  auto plain = customers_->SignIn("ada@x.io", "correct horse battery", origin_);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->session.has_value()) << "with 2FA off the password signs in again";
  // Every change was audited.
  auto events = metadata_->ListAuditEvents("", 0, 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> actions;
  for (const auto& e : *events) {
    if (e.action.rfind("2fa.", 0) == 0) actions.push_back(e.action);
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"2fa.totp.enrol", "2fa.totp.confirm", "2fa.recovery.use",
                                      "2fa.recovery.use", "2fa.disable"}));
}

}  // namespace
}  // namespace lethe
