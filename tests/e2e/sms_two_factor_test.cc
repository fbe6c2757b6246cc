// SMS codes as a second factor (ACC-4), end to end against a real server
// on the test clock: its SMS sender writes into a directory outside the
// data directory, which stands in for the phone. Enrolment and
// confirmation, the SMS step of sign-in with its send limits, turning 2FA
// off with an SMS code; and the provider sender against a real HTTP
// receiver on loopback.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "harness.h"
#include "media_support.h"
#include "webhook_receiver.h"

namespace lethe::e2e {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kPhone = "+447700900123";

std::string MakeTempDir(const std::string& tag) {
  std::string tmpl = "/tmp/lethe-" + tag + "-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  return made ? std::string(made) : "";
}

class SmsTwoFactorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    phone_dir_ = MakeTempDir("phone");
    server_ = StartTestClockServer({"--sms-outbox", phone_dir_});
  }
  static void TearDownTestSuite() {
    server_.reset();
    fs::remove_all(phone_dir_);
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }

  // The one text that reached the phone since the last call: its code.
  std::string TakeCode() {
    std::vector<fs::path> texts;
    for (const auto& e : fs::directory_iterator(phone_dir_)) texts.push_back(e.path());
    EXPECT_EQ(texts.size(), 1u) << "one text on the phone";
    if (texts.size() != 1) return "";
    json::object text = json::parse(ReadFileBytes(texts[0].string())).as_object();
    fs::remove(texts[0]);
    EXPECT_EQ(text.at("to").as_string(), kPhone);
    std::string body(text.at("body").as_string());
    size_t at = body.find_first_of("0123456789");
    return at == std::string::npos ? "" : body.substr(at, 6);
  }
  size_t TextsOnPhone() {
    return static_cast<size_t>(std::distance(fs::directory_iterator(phone_dir_), {}));
  }
  static std::string Wrong(const std::string& code) {
    return code == "000000" ? "111111" : "000000";
  }

  Response SignIn(const std::string& email) {
    return client_.Post("/v1/sessions",
                        json::value(json::object{{"email", email}, {"password", kPassword}}));
  }
  Response SendCode(const std::string& challenge) {
    return client_.Post("/v1/sessions/2fa/sms",
                        json::value(json::object{{"challenge", challenge}}));
  }
  Response SecondStep(const std::string& challenge, const std::string& code) {
    return client_.Post("/v1/sessions/2fa",
                        json::value(json::object{{"challenge", challenge}, {"code", code}}));
  }

  // Signs up and turns SMS codes on; returns the recovery codes.
  json::array SignUpWithSms(const std::string& email) {
    session_ = SignUp(client_, email);
    Response enrol = client_.Post("/v1/me/2fa/sms", json::value(json::object{{"phone", kPhone}}),
                                  Auth(session_));
    EXPECT_EQ(enrol.status, 201) << enrol.Describe();
    Response on = client_.Post("/v1/me/2fa/sms/confirm",
                               json::value(json::object{{"code", TakeCode()}}), Auth(session_));
    EXPECT_EQ(on.status, 200) << on.Describe();
    return on.status == 200 ? Arr(on.Json(), "recovery_codes") : json::array{};
  }

  static inline std::string phone_dir_;
  static inline std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  std::string session_;
};

TEST_F(SmsTwoFactorTest, EnrolConfirmAndSignInWithAnSmsCode_ACC4) {
  const std::string email = Unique("sms") + "@example.com";
  session_ = SignUp(client_, email);
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/me/2fa/sms", json::value(json::object{{"phone", "07700 900123"}}),
                   Auth(session_)),
      400, "invalid-phone");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/me/2fa/sms/confirm",
                                    json::value(json::object{{"code", "123456"}}), Auth(session_)),
                       412, "2fa-not-pending");
  EXPECT_EQ(TextsOnPhone(), 0u) << "bad input sends nothing";
  Response enrol =
      client_.Post("/v1/me/2fa/sms", json::value(json::object{{"phone", kPhone}}), Auth(session_));
  ASSERT_EQ(enrol.status, 201) << enrol.Describe();
  EXPECT_EQ(Str(enrol.Json(), "status"), "pending");
  EXPECT_TRUE(ParseRfc3339(Str(enrol.Json(), "code_expires_at")).has_value());
  const std::string code = TakeCode();
  ASSERT_EQ(code.size(), 6u);
  EXPECT_EQ(SignIn(email).status, 201) << "pending: the password alone signs in";
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/me/2fa/sms/confirm", json::value(json::object{{"code", Wrong(code)}}),
                   Auth(session_)),
      422, "code-invalid");
  Response on = client_.Post("/v1/me/2fa/sms/confirm", json::value(json::object{{"code", code}}),
                             Auth(session_));
  ASSERT_EQ(on.status, 200) << on.Describe();
  EXPECT_EQ(Arr(on.Json(), "recovery_codes").size(), 10u);
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/me/2fa/sms", json::value(json::object{{"phone", kPhone}}), Auth(session_)),
      412, "2fa-already-on");

  Response first = SignIn(email);
  ASSERT_EQ(first.status, 202) << first.Describe();
  EXPECT_EQ(json::serialize(first.Json().as_object().at("methods")), R"(["sms","recovery"])");
  const std::string challenge = Str(first.Json(), "challenge");
  LETHE_EXPECT_PROBLEM(SendCode("chl_nosuchchallenge"), 422, "challenge-invalid");
  Response sent = SendCode(challenge);
  ASSERT_EQ(sent.status, 202) << sent.Describe();
  Response again = SendCode(challenge);
  LETHE_EXPECT_PROBLEM(again, 429, "sms-rate-limited");
  EXPECT_FALSE(again.Header("Retry-After").empty());
  const std::string sms = TakeCode();
  EXPECT_EQ(TextsOnPhone(), 0u) << "the refused send sent nothing";
  LETHE_EXPECT_PROBLEM(SecondStep(challenge, Wrong(sms)), 422, "code-invalid");
  Response done = SecondStep(challenge, sms);
  ASSERT_EQ(done.status, 201) << done.Describe();
  EXPECT_EQ(client_.Get("/v1/me", Auth(Str(done.Json(), "token"))).status, 200);
  LETHE_EXPECT_PROBLEM(SecondStep(challenge, sms), 422, "challenge-used");
  LETHE_EXPECT_PROBLEM(SendCode(challenge), 422, "challenge-used");

  // The customer was told, without the number (ACC-11).
  std::vector<std::string> mails;
  WaitFor([&] {
    return !(mails = FilesContaining(server_->data_dir() + "/outbox-mail",
                                     "SMS codes were turned on as a second factor"))
                .empty();
  });
  EXPECT_EQ(mails.size(), 1u);
  EXPECT_TRUE(FilesContaining(server_->data_dir() + "/outbox-mail", "7700900123").empty());
}

TEST_F(SmsTwoFactorTest, AChallengeGetsFiveTextsThirtySecondsApart_ACC4) {
  const std::string email = Unique("sms-limit") + "@example.com";
  ASSERT_EQ(SignUpWithSms(email).size(), 10u);
  Response first = SignIn(email);
  ASSERT_EQ(first.status, 202);
  const std::string challenge = Str(first.Json(), "challenge");
  std::string last;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(SendCode(challenge).status, 202) << i;
    last = TakeCode();
    ASSERT_TRUE(AdvanceClock(*server_, 30));
  }
  LETHE_EXPECT_PROBLEM(SendCode(challenge), 429, "sms-rate-limited");
  EXPECT_EQ(TextsOnPhone(), 0u);
  EXPECT_EQ(SecondStep(challenge, last).status, 201) << "the last code sent still opens it";
}

TEST_F(SmsTwoFactorTest, TurningOffTakesAFreshSmsCode_ACC4) {
  const std::string email = Unique("sms-off") + "@example.com";
  json::array recovery = SignUpWithSms(email);
  ASSERT_EQ(recovery.size(), 10u);
  LETHE_EXPECT_PROBLEM(
      client_.Request("DELETE", "/v1/me/2fa", R"({"code":"123456"})", Auth(session_)), 422,
      "code-invalid");
  ASSERT_TRUE(AdvanceClock(*server_, 30));
  Response sent = client_.Post("/v1/me/2fa/sms/code", "", Auth(session_));
  ASSERT_EQ(sent.status, 202) << sent.Describe();
  const std::string code = TakeCode();
  EXPECT_EQ(SignIn(email).status, 202) << "a refused disable leaves 2FA on";
  Response off = client_.Request("DELETE", "/v1/me/2fa",
                                 json::serialize(json::object{{"code", code}}), Auth(session_));
  ASSERT_EQ(off.status, 204) << off.Describe();
  EXPECT_EQ(SignIn(email).status, 201) << "with 2FA off the password signs in";
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/me/2fa/sms/code", "", Auth(session_)), 412,
                       "sms-not-enabled");
  LETHE_EXPECT_PROBLEM(
      client_.Request("DELETE", "/v1/me/2fa",
                      json::serialize(json::object{{"code", recovery[0].as_string()}}),
                      Auth(session_)),
      412, "2fa-not-enabled");
}

// The provider sender, configured as an operator would: a URL and a token
// file; the provider is a real HTTP receiver on loopback.
TEST(SmsProviderTest, TheProviderGetsJsonWithTheBearerTokenAndErrorsAreProblems_ACC4) {
  WebhookReceiver provider({200, 503, 400});
  const std::string dir = MakeTempDir("sms-token");
  const std::string token_file = dir + "/token";
  {
    std::ofstream out(token_file);
    out << "provider-secret-7f3a\n";
  }
  ServerProcess server({"--sms-url", provider.url("/v1/messages"), "--sms-token-file", token_file});
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  const std::string email = Unique("sms-http") + "@example.com";
  const std::string session = SignUp(client, email);
  const Headers auth = {{"Authorization", BearerHeader(session)}};
  Response enrol =
      client.Post("/v1/me/2fa/sms", json::value(json::object{{"phone", kPhone}}), auth);
  ASSERT_EQ(enrol.status, 201) << enrol.Describe();
  auto got = provider.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].path, "/v1/messages");
  EXPECT_EQ(got[0].headers["authorization"], "Bearer provider-secret-7f3a");
  EXPECT_EQ(got[0].headers["content-type"], "application/json");
  json::object text = json::parse(got[0].body).as_object();
  EXPECT_EQ(text.at("to").as_string(), kPhone);
  EXPECT_NE(std::string(text.at("body").as_string()).find("Your Lethe code is "),
            std::string::npos);
  EXPECT_EQ(text.size(), 2u);

  // Then the provider answers 503 (retry later) and 400 (refused), each
  // to a send of another purpose, so no 30 s gap stands in between.
  const std::string code = std::string(text.at("body").as_string()).substr(19, 6);
  Response on =
      client.Post("/v1/me/2fa/sms/confirm", json::value(json::object{{"code", code}}), auth);
  ASSERT_EQ(on.status, 200) << on.Describe();
  Response challenge = client.Post(
      "/v1/sessions", json::value(json::object{{"email", email}, {"password", kPassword}}));
  ASSERT_EQ(challenge.status, 202) << challenge.Describe();
  LETHE_EXPECT_PROBLEM(client.Post("/v1/me/2fa/sms/code", "", auth), 503, "sms-unavailable");
  Response refused =
      client.Post("/v1/sessions/2fa/sms",
                  json::value(json::object{{"challenge", Str(challenge.Json(), "challenge")}}));
  LETHE_EXPECT_PROBLEM(refused, 422, "sms-refused");
  EXPECT_EQ(provider.count(), 3u);
  const std::string log = server.ReadStderr() + ReadFileBytes(server.stdout_path());
  EXPECT_EQ(log.find("provider-secret-7f3a"), std::string::npos) << "the token is never logged";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lethe::e2e
