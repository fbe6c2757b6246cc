// Two-factor authentication for customers (ACC-4), end to end against a
// real server on the test clock: enrolment and confirmation, the two-step
// sign-in, replayed codes, expired and burned challenges, recovery codes,
// turning 2FA off, the security mail (ACC-11), and that no seed or
// recovery code reaches the logs or the data directory in the clear.
#include <chrono>
#include <memory>

#include "crypto/totp.h"
#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

class TwoFactorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = StartTestClockServer(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }

  // The server's time: the system clock plus the test clock's offset.
  int64_t ServerNowMs() {
    Response r = client_.Post("/_test/clock", json::value(json::object{{"advance_seconds", 0}}));
    EXPECT_EQ(r.status, 200) << r.Describe();
    int64_t offset_s = r.Json().as_object().at("offset_seconds").to_number<int64_t>();
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now).count() + offset_s * 1000;
  }
  std::string Code(int64_t step_offset = 0) {
    auto code = TotpCode(seed_, TotpStep(ServerNowMs()) + step_offset);
    EXPECT_TRUE(code.ok());
    return code.ok() ? *code : "";
  }
  // Moves past the step of the last accepted code, so the next is fresh.
  void NextStep() { ASSERT_TRUE(AdvanceClock(*server_, kTotpStepSeconds)); }

  Response SignIn(const std::string& email) {
    return client_.Post("/v1/sessions",
                        json::value(json::object{{"email", email}, {"password", kPassword}}));
  }
  Response SecondStep(const std::string& challenge, const std::string& code) {
    return client_.Post("/v1/sessions/2fa",
                        json::value(json::object{{"challenge", challenge}, {"code", code}}));
  }
  std::string Challenge(const std::string& email) {
    Response r = SignIn(email);
    EXPECT_EQ(r.status, 202) << r.Describe();
    return r.status == 202 ? Str(r.Json(), "challenge") : "";
  }

  // Signs a customer up and turns 2FA on; returns the recovery codes.
  std::vector<std::string> SignUpWithTwoFactor(const std::string& email) {
    session_ = SignUp(client_, email);
    Response enrol = client_.Post("/v1/me/2fa/totp", "", Auth(session_));
    EXPECT_EQ(enrol.status, 201) << enrol.Describe();
    if (enrol.status != 201) return {};
    secret_ = Str(enrol.Json(), "secret");
    seed_ = Base32Decode(secret_).value_or(std::vector<uint8_t>{});
    uri_ = Str(enrol.Json(), "uri");
    svg_ = Str(enrol.Json(), "qr_svg");
    Response confirm = client_.Post("/v1/me/2fa/totp/confirm",
                                    json::value(json::object{{"code", Code()}}), Auth(session_));
    EXPECT_EQ(confirm.status, 200) << confirm.Describe();
    std::vector<std::string> codes;
    if (confirm.status == 200) {
      for (const auto& c : Arr(confirm.Json(), "recovery_codes")) {
        codes.push_back(std::string(c.as_string()));
      }
    }
    all_secrets_.push_back(secret_);
    for (const auto& c : codes) all_secrets_.push_back(c);
    return codes;
  }

  // Every seed and recovery code handed out so far is greppable nowhere:
  // not in the server's log, not in any file of its data directory (the
  // raw seed bytes neither).
  void ExpectSecretsNowhere() {
    ASSERT_FALSE(all_secrets_.empty());
    const std::string log = server_->ReadStderr() + ReadFileBytes(server_->stdout_path());
    for (const std::string& secret : all_secrets_) {
      EXPECT_EQ(log.find(secret), std::string::npos) << "in the server's log: " << secret;
      EXPECT_TRUE(FilesContaining(server_->data_dir(), secret).empty()) << secret;
      auto raw = Base32Decode(secret);
      if (secret.size() == 32 && raw) {  // a seed
        EXPECT_TRUE(
            FilesContaining(server_->data_dir(), std::string(raw->begin(), raw->end())).empty())
            << secret;
      }
    }
  }

  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::vector<std::string> all_secrets_;
  HttpClient client_;
  std::string session_, secret_, uri_, svg_;
  std::vector<uint8_t> seed_;
};

TEST_F(TwoFactorTest, EnrolConfirmAndSignInInTwoSteps_ACC4) {
  const std::string email = Unique("totp") + "@example.com";
  session_ = SignUp(client_, email);
  ASSERT_FALSE(session_.empty());
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/me/2fa/totp/confirm",
                                    json::value(json::object{{"code", "123456"}}), Auth(session_)),
                       412, "2fa-not-pending");
  Response enrol = client_.Post("/v1/me/2fa/totp", "", Auth(session_));
  ASSERT_EQ(enrol.status, 201) << enrol.Describe();
  secret_ = Str(enrol.Json(), "secret");
  seed_ = *Base32Decode(secret_);
  all_secrets_.push_back(secret_);
  EXPECT_EQ(Str(enrol.Json(), "uri"),
            "otpauth://totp/Lethe:" + email + "?secret=" + secret_ + "&issuer=Lethe");
  EXPECT_EQ(Str(enrol.Json(), "qr_svg").rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  // Pending: the password alone still signs in.
  EXPECT_EQ(SignIn(email).status, 201);

  LETHE_EXPECT_PROBLEM(client_.Post("/v1/me/2fa/totp/confirm",
                                    json::value(json::object{{"code", Code(3)}}), Auth(session_)),
                       422, "code-invalid");
  const std::string confirming = Code();
  Response confirm = client_.Post("/v1/me/2fa/totp/confirm",
                                  json::value(json::object{{"code", confirming}}), Auth(session_));
  ASSERT_EQ(confirm.status, 200) << confirm.Describe();
  auto codes = Arr(confirm.Json(), "recovery_codes");
  EXPECT_EQ(codes.size(), 10u);
  for (const auto& c : codes) all_secrets_.push_back(std::string(c.as_string()));

  Response first = SignIn(email);
  ASSERT_EQ(first.status, 202) << first.Describe();
  EXPECT_EQ(json::serialize(first.Json().as_object().at("methods")), R"(["totp","recovery"])");
  EXPECT_FALSE(first.Json().as_object().contains("token")) << "no session before the code";
  const std::string challenge = Str(first.Json(), "challenge");
  // The code that confirmed the enrolment is used up: a replay.
  LETHE_EXPECT_PROBLEM(SecondStep(challenge, confirming), 422, "code-used");
  NextStep();
  const std::string code = Code();
  Response done = SecondStep(challenge, code);
  ASSERT_EQ(done.status, 201) << done.Describe();
  Response me = client_.Get("/v1/me", Auth(Str(done.Json(), "token")));
  EXPECT_EQ(me.status, 200) << me.Describe();
  LETHE_EXPECT_PROBLEM(SecondStep(challenge, code), 422, "challenge-used");
  // The same code on a fresh challenge is still a replay.
  LETHE_EXPECT_PROBLEM(SecondStep(Challenge(email), code), 422, "code-used");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/me/2fa/totp", "", Auth(session_)), 412, "2fa-already-on");

  // The customer is told by mail (ACC-11); delivery runs in the background.
  std::vector<std::string> mails;
  WaitFor([&] {
    return !(mails = FilesContaining(server_->data_dir() + "/outbox-mail",
                                     "Two-factor authentication was turned on"))
                .empty();
  });
  EXPECT_EQ(mails.size(), 1u);
  ExpectSecretsNowhere();
}

TEST_F(TwoFactorTest, ExpiredUnknownAndBurnedChallengesAreRefused_ACC4) {
  const std::string email = Unique("totp-exp") + "@example.com";
  ASSERT_EQ(SignUpWithTwoFactor(email).size(), 10u);
  NextStep();
  const std::string stale = Challenge(email);
  ASSERT_TRUE(AdvanceClock(*server_, 5 * 60 + 1));
  LETHE_EXPECT_PROBLEM(SecondStep(stale, Code()), 422, "challenge-expired");
  LETHE_EXPECT_PROBLEM(SecondStep("chl_nosuchchallenge", Code()), 422, "challenge-invalid");
  LETHE_EXPECT_PROBLEM(SecondStep(Challenge(email), Code(-2)), 422, "code-invalid");

  const std::string burning = Challenge(email);
  for (int i = 0; i < 5; ++i) {
    LETHE_EXPECT_PROBLEM(SecondStep(burning, "000000"), 422, "code-invalid");
  }
  LETHE_EXPECT_PROBLEM(SecondStep(burning, Code()), 422, "challenge-used");
  // A new challenge with the right code still works.
  EXPECT_EQ(SecondStep(Challenge(email), Code()).status, 201);
}

TEST_F(TwoFactorTest, RecoveryCodesWorkOnceAndTurningOffNeedsACode_ACC4) {
  const std::string email = Unique("totp-rec") + "@example.com";
  std::vector<std::string> codes = SignUpWithTwoFactor(email);
  ASSERT_EQ(codes.size(), 10u);
  Response rescued = SecondStep(Challenge(email), codes[0]);
  ASSERT_EQ(rescued.status, 201) << rescued.Describe();
  LETHE_EXPECT_PROBLEM(SecondStep(Challenge(email), codes[0]), 422, "code-invalid");

  LETHE_EXPECT_PROBLEM(client_.Request("DELETE", "/v1/me/2fa", "{}", Auth(session_)), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(
      client_.Request("DELETE", "/v1/me/2fa", R"({"code":"999999"})", Auth(session_)), 422,
      "code-invalid");
  EXPECT_EQ(SignIn(email).status, 202) << "a refused disable leaves 2FA on";
  NextStep();
  Response off = client_.Request("DELETE", "/v1/me/2fa",
                                 json::serialize(json::object{{"code", Code()}}), Auth(session_));
  ASSERT_EQ(off.status, 204) << off.Describe();
  EXPECT_EQ(SignIn(email).status, 201) << "with 2FA off the password signs in";
  LETHE_EXPECT_PROBLEM(
      client_.Request("DELETE", "/v1/me/2fa", json::serialize(json::object{{"code", codes[1]}}),
                      Auth(session_)),
      412, "2fa-not-enabled");

  std::vector<std::string> mails;
  WaitFor([&] {
    return !(mails = FilesContaining(server_->data_dir() + "/outbox-mail",
                                     "Two-factor authentication was turned off"))
                .empty();
  });
  EXPECT_EQ(mails.size(), 1u);
  ExpectSecretsNowhere();
}

}  // namespace
}  // namespace lethe::e2e
