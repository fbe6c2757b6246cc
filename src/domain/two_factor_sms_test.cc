// SMS as a second factor (ACC-4), on real SQLite files, with the file SMS
// sender's directory as the phone and a manual clock.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/mail/file_mailer.h"
#include "adapters/sms/file_sms_sender.h"
#include "common/encoding.h"
#include "crypto/secret_hash.h"
#include "crypto/totp.h"
#include "domain/two_factor.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPhone = "+14155550123";

class TwoFactorSmsTest : public DomainFixture {
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

  // The one text that reached the phone since the last call: its code.
  std::string TakeCode() {
    std::vector<fs::path> texts;
    for (const auto& e : fs::directory_iterator(dir_.File("phone"))) texts.push_back(e.path());
    EXPECT_EQ(texts.size(), 1u) << "one text on the phone";
    if (texts.size() != 1) return "";
    std::ifstream in(texts[0]);
    std::stringstream bytes;
    bytes << in.rdbuf();
    fs::remove(texts[0]);
    auto text = boost::json::parse(bytes.str()).as_object();
    EXPECT_EQ(text.at("to").as_string(), kPhone);
    std::string body(text.at("body").as_string());
    size_t at = body.find_first_of("0123456789");
    return at == std::string::npos ? "" : body.substr(at, 6);
  }
  size_t TextsOnPhone() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_.File("phone"))) ++n;
    return n;
  }

  std::vector<std::string> TurnOn() {
    auto sent = two_factor_->EnrolSms(me_, kPhone, origin_);
    EXPECT_TRUE(sent.ok()) << sent.status().ToString();
    auto codes = two_factor_->ConfirmSms(me_, TakeCode(), origin_);
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
};

TEST_F(TwoFactorSmsTest, EnrolmentSealsTheNumberAndAWrongCodeChangesNothing_ACC4) {
  EXPECT_EQ(two_factor_->EnrolSms(me_, "0041 79 123", origin_).status().reason(), "invalid-phone");
  EXPECT_EQ(two_factor_->EnrolSms(me_, "+0123456789", origin_).status().reason(), "invalid-phone");
  EXPECT_EQ(metadata_->FindSmsFactor(me_.id).status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(two_factor_->EnrolSms(me_, kPhone, origin_).ok());
  auto stored = metadata_->FindSmsFactor(me_.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->sealed_phone.find("4155550123"), std::string::npos) << "sealed, not clear";
  EXPECT_FALSE(stored->confirmed_ms.has_value());
  const std::string code = TakeCode();
  ASSERT_EQ(code.size(), 6u);
  auto row = metadata_->FindSmsCode(SmsEnrolScope(me_.id));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->code_digest.find(code), std::string::npos) << "kept only as a digest";
  EXPECT_NE(row->code_digest, TokenDigest(SmsEnrolScope(me_.id) + "\n" + code));

  const std::string wrong = code == "000000" ? "111111" : "000000";
  EXPECT_EQ(two_factor_->ConfirmSms(me_, wrong, origin_).status().reason(), "code-invalid");
  EXPECT_FALSE(metadata_->FindSmsFactor(me_.id)->confirmed_ms.has_value());
  auto plain = customers_->SignIn("ada@x.io", "correct horse battery", origin_);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->session.has_value()) << "pending: the password alone signs in";

  auto codes = two_factor_->ConfirmSms(me_, code, origin_);
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  EXPECT_EQ(codes->size(), 10u) << "the first factor hands out recovery codes";
  EXPECT_EQ(two_factor_->ConfirmSms(me_, code, origin_).status().reason(), "2fa-already-on");
  EXPECT_EQ(two_factor_->EnrolSms(me_, kPhone, origin_).status().reason(), "2fa-already-on");
}

TEST_F(TwoFactorSmsTest, SignInTakesAnSmsCodeOnceAndSendsAreLimited_ACC4) {
  ASSERT_EQ(TurnOn().size(), 10u);
  clock_.Advance(kSmsResendGapMs);
  std::string token = Challenge();
  ASSERT_TRUE(two_factor_->SendSignInCode(token, origin_).ok());
  const std::string code = TakeCode();
  // A second send within 30 s is refused, with the wait.
  auto again = two_factor_->SendSignInCode(token, origin_);
  EXPECT_EQ(again.status().code(), Status::Code::kTooManyRequests);
  EXPECT_EQ(again.status().reason(), "sms-rate-limited");
  EXPECT_GT(again.status().retry_after_s(), 0);
  EXPECT_EQ(TextsOnPhone(), 0u);
  auto who = two_factor_->Redeem(token, code, origin_);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(*who, me_.id);
  EXPECT_EQ(two_factor_->Redeem(Challenge(), code, origin_).status().reason(), "code-invalid")
      << "an SMS code opens its own challenge only, once";

  // Five sends per challenge, 30 s apart.
  std::string busy = Challenge();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(two_factor_->SendSignInCode(busy, origin_).ok()) << i;
    TakeCode();
    clock_.Advance(kSmsResendGapMs);
  }
  EXPECT_EQ(two_factor_->SendSignInCode(busy, origin_).status().reason(), "sms-rate-limited");
  EXPECT_EQ(TextsOnPhone(), 0u);
}

TEST_F(TwoFactorSmsTest, AnSmsCodeExpiresAndDiesAfterFiveWrongTries_ACC4) {
  TurnOn();
  clock_.Advance(kSmsResendGapMs);
  std::string token = Challenge();
  ASSERT_TRUE(two_factor_->SendSignInCode(token, origin_).ok());
  std::string code = TakeCode();
  clock_.Advance(kSmsCodeLifetimeMs);
  EXPECT_EQ(two_factor_->Redeem(token, code, origin_).status().reason(), "challenge-expired");

  // Enrolment of a second customer: wrong tries burn the code.
  auto other = customers_->SignUp(
      SignupForm{"Bo", "bo@x.io", "correct horse battery", "US", "1990-01-01"}, origin_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(two_factor_->EnrolSms(other->customer, kPhone, origin_).ok());
  code = TakeCode();
  const std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(two_factor_->ConfirmSms(other->customer, wrong, origin_).status().reason(),
              "code-invalid");
  }
  EXPECT_EQ(two_factor_->ConfirmSms(other->customer, code, origin_).status().reason(),
            "code-expired");
  clock_.Advance(kSmsResendGapMs);
  ASSERT_TRUE(two_factor_->EnrolSms(other->customer, kPhone, origin_).ok());
  code = TakeCode();
  clock_.Advance(kSmsCodeLifetimeMs);
  EXPECT_EQ(two_factor_->ConfirmSms(other->customer, code, origin_).status().reason(),
            "code-expired");
}

TEST_F(TwoFactorSmsTest, TurningOffTakesAnSmsCodeAndRemovesTheNumber_ACC4) {
  std::vector<std::string> recovery = TurnOn();
  ASSERT_EQ(recovery.size(), 10u);
  EXPECT_EQ(two_factor_->Disable(me_, "123456", origin_).reason(), "code-invalid")
      << "no code was sent for this";
  clock_.Advance(kSmsResendGapMs);
  ASSERT_TRUE(two_factor_->SendDisableCode(me_, origin_).ok());
  const std::string code = TakeCode();
  ASSERT_TRUE(two_factor_->Disable(me_, code, origin_).ok());
  EXPECT_EQ(metadata_->FindSmsFactor(me_.id).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(metadata_->FindSmsCode(SmsDisableScope(me_.id)).status().code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(metadata_->ListRecoveryCodes(me_.id)->empty());
  EXPECT_EQ(two_factor_->SendDisableCode(me_, origin_).status().reason(), "sms-not-enabled");
  auto plain = customers_->SignIn("ada@x.io", "correct horse battery", origin_);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->session.has_value());
}

TEST_F(TwoFactorSmsTest, TotpAndSmsTogetherShareOneSetOfRecoveryCodes_ACC4) {
  ASSERT_EQ(TurnOn().size(), 10u);
  auto e = two_factor_->EnrolTotp(me_, origin_);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto seed = *Base32Decode(e->secret);
  auto codes =
      two_factor_->ConfirmTotp(me_, *TotpCode(seed, TotpStep(clock_.NowMillis())), origin_);
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  EXPECT_TRUE(codes->empty()) << "the codes handed out with SMS stay valid";
  auto r = customers_->SignIn("ada@x.io", "correct horse battery", origin_);
  ASSERT_TRUE(r.ok() && r->challenge);
  EXPECT_EQ(r->challenge->methods, (std::vector<std::string>{"totp", "sms", "recovery"}));
}

}  // namespace
}  // namespace lethe
