// The test clock (issue 7): `lethe_testing serve --test-clock` lets a test
// move the server's time forward (POST /_test/clock) instead of sleeping,
// and the production `lethe` cannot be made to: it refuses the flag and has
// no such route.
#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

constexpr int64_t kDay = 86400;

TEST(TestClockTest, ProductionBinaryRefusesTheFlag) {
  CommandResult bare =
      RunCommand({LETHE_BINARY, "serve", "--test-clock"}, std::chrono::seconds(20));
  EXPECT_EQ(bare.exit_code, 2) << bare.output;
  EXPECT_NE(bare.output.find("bad option --test-clock"), std::string::npos) << bare.output;
  EXPECT_EQ(bare.output.find("listening"), std::string::npos) << bare.output;
  ScratchDir scratch;
  CommandResult full = RunCommand({LETHE_BINARY, "serve", "--listen", "127.0.0.1:0", "--data",
                                   scratch / "data", "--test-clock"},
                                  std::chrono::seconds(20));
  EXPECT_EQ(full.exit_code, 2) << full.output;
  EXPECT_NE(full.output.find("bad option --test-clock"), std::string::npos) << full.output;
}

TEST(TestClockTest, RouteExistsOnlyWithTheFlagOnTheTestingBinary) {
  const json::value advance = json::object{{"advance_seconds", 60}};
  ServerProcess production;
  ASSERT_TRUE(production.ok());
  HttpClient prod(production.base_url());
  LETHE_EXPECT_PROBLEM(prod.Post("/_test/clock", advance), 404, "not-found");

  ServerProcess testing_without_flag({}, ServerBinary::kTesting);
  ASSERT_TRUE(testing_without_flag.ok());
  HttpClient plain(testing_without_flag.base_url());
  LETHE_EXPECT_PROBLEM(plain.Post("/_test/clock", advance), 404, "not-found");

  auto with_flag = StartTestClockServer();
  ASSERT_TRUE(with_flag->ok());
  HttpClient moved(with_flag->base_url());
  Response r = moved.Post("/_test/clock", advance);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r.Json(), "offset_seconds")->to_number<int64_t>(), 60);
  auto now = ParseRfc3339(Str(r.Json(), "now"));
  ASSERT_TRUE(now);
  auto ahead =
      std::chrono::duration_cast<std::chrono::seconds>(*now - std::chrono::system_clock::now());
  EXPECT_NEAR(static_cast<double>(ahead.count()), 60.0, 10.0);
  // Only forward, and only a number.
  LETHE_EXPECT_PROBLEM(moved.Post("/_test/clock", json::object{{"advance_seconds", -1}}), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(moved.Post("/_test/clock", json::object{{"advance_seconds", "1d"}}), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(moved.Post("/_test/clock", json::object{{"rewind", 5}}), 400,
                       "unknown-field");
}

// 31 days later: a session (30 days) and a day-long signed link have
// expired; what has no lifetime (the account's API token, the media) has not.
TEST(TestClockTest, ThirtyOneDaysLaterSessionsAndLinksHaveExpired) {
  // An idle limit as long as the session's life: this test leaves the
  // session unused for 29 days (sessions_security_test.cc tests the idle end).
  auto server = StartTestClockServer({"--session-idle-minutes", std::to_string(30 * 24 * 60)});
  ASSERT_TRUE(server->ok());
  HttpClient client(server->base_url());
  const std::string email = Unique("clock") + "@example.com";
  Tenant t;
  t.session = SignUp(client, email);
  ASSERT_FALSE(t.session.empty());
  t.account = CreateAccount(client, t.session, "clock app");
  ASSERT_FALSE(t.token().empty());
  Response up = UploadBytes(client, t.token(), SamplePng(), "image/png");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string id = Str(up.Json(), "id");
  Response link = client.Post("/v1/media/" + id + "/links", json::object{{"expires_in", kDay}},
                              BearerAuth(t.token()));
  ASSERT_EQ(link.status, 201) << link.Describe();
  const std::string url = Str(link.Json(), "url");
  HttpClient anon(server->base_url());
  ASSERT_EQ(anon.Get(url).status, 200);
  ASSERT_EQ(client.Get("/v1/me", BearerAuth(t.session)).status, 200);

  ASSERT_TRUE(AdvanceClock(*server, 29 * kDay));
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(t.session)).status, 200) << "a 30-day session";
  LETHE_EXPECT_PROBLEM(anon.Get(url), 401, "unauthenticated");

  ASSERT_TRUE(AdvanceClock(*server, 2 * kDay));
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(t.session)), 401, "unauthenticated");
  Response content = client.Get("/v1/media/" + id + "/content", BearerAuth(t.token()));
  EXPECT_EQ(content.status, 200) << content.Describe();
  EXPECT_TRUE(content.body == SamplePng());

  // Signing in again gives a session that runs from the server's new "now".
  Response again =
      client.Post("/v1/sessions", json::object{{"email", email}, {"password", kPassword}},
                  {{"Authorization", ""}});
  ASSERT_EQ(again.status, 201) << again.Describe();
  auto expires = ParseRfc3339(Str(again.Json(), "expires_at"));
  ASSERT_TRUE(expires);
  auto left =
      std::chrono::duration_cast<std::chrono::seconds>(*expires - std::chrono::system_clock::now());
  EXPECT_NEAR(static_cast<double>(left.count()), (30.0 + 31.0) * kDay, 300.0)
      << "30 days from a clock 31 days ahead";
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(Str(again.Json(), "token"))).status, 200);
}

}  // namespace
}  // namespace lethe::e2e
