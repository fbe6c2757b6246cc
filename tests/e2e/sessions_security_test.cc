// SEC-2 and ACC-11 end to end, on real server processes: the customer's
// sessions (list, revoke one, sign out everywhere), idle and absolute
// expiry on a moved clock, a password change that ends the other
// sessions, the sign-in limiter's 429 with Retry-After (the same for an
// unknown email), and the security notices mailed through the outbox.
#include <memory>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

Response SignIn(HttpClient& client, const std::string& email, const std::string& password,
                Headers headers = {}) {
  headers["Authorization"] = "";
  return client.Post("/v1/sessions",
                     json::value(json::object{{"email", email}, {"password", password}}), headers);
}

std::string TokenOf(const Response& r) {
  EXPECT_EQ(r.status, 201) << r.Describe();
  return r.status == 201 ? Str(r.Json(), "token") : "";
}

std::vector<std::string> Mails(const ServerProcess& server, const std::string& needle) {
  return FilesContaining(server.data_dir() + "/outbox-mail", needle);
}

const Headers kFirefoxDe = {{"User-Agent", kFirefoxLinuxUA}, {"Accept-Language", "de-DE"}};
const Headers kChromeDe = {{"User-Agent", kChromeWindowsUA}, {"Accept-Language", "de-DE"}};
const Headers kChromeFr = {{"User-Agent", kChromeWindowsUA}, {"Accept-Language", "fr-FR"}};

TEST(SessionsSecurity, ListRevokeAndSignOutEverywhere_SEC2) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  const std::string email = Unique("sessions") + "@example.com";
  const std::string first = SignUp(client, email);
  ASSERT_FALSE(first.empty());
  const std::string second = TokenOf(SignIn(client, email, kPassword, kFirefoxDe));

  Response list = client.Get("/v1/sessions", BearerAuth(second));
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_EQ(list.body.find(first), std::string::npos) << "a token in the listing";
  EXPECT_EQ(list.body.find(second), std::string::npos) << "a token in the listing";
  json::array sessions = Arr(list.Json(), "sessions");
  ASSERT_EQ(sessions.size(), 2u) << list.body;
  EXPECT_EQ(Keys(sessions[0]), SortedKeys({"id", "created_at", "last_used_at", "expires_at", "ip",
                                           "browser", "country", "current"}));
  EXPECT_FALSE(Field(sessions[0], "current")->as_bool());
  EXPECT_TRUE(Field(sessions[1], "current")->as_bool()) << list.body;
  EXPECT_EQ(Str(sessions[1], "ip"), "127.0.0.1");
  EXPECT_EQ(Str(sessions[1], "browser"), "Firefox");
  EXPECT_EQ(Str(sessions[1], "country"), "DE");
  EXPECT_TRUE(ParseRfc3339(Str(sessions[1], "last_used_at")).has_value());
  const std::string first_id = Str(sessions[0], "id");
  ASSERT_EQ(first_id.rfind("sid_", 0), 0u) << first_id;

  // Another customer's session is not found, and survives.
  const std::string stranger = SignUp(client, Unique("stranger") + "@example.com");
  LETHE_EXPECT_PROBLEM(client.Delete("/v1/sessions/" + first_id, BearerAuth(stranger)), 404,
                       "not-found");
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(first)).status, 200);
  LETHE_EXPECT_PROBLEM(client.Delete("/v1/sessions/sid_nosuchsession00000", BearerAuth(second)),
                       404, "not-found");

  Response revoked = client.Delete("/v1/sessions/" + first_id, BearerAuth(second));
  EXPECT_EQ(revoked.status, 204) << revoked.Describe();
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(first)), 401, "unauthenticated");
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(second)).status, 200);
  EXPECT_EQ(Arr(client.Get("/v1/sessions", BearerAuth(second)).Json(), "sessions").size(), 1u);

  // Sign out everywhere: every session, the caller's own included.
  const std::string third = TokenOf(SignIn(client, email, kPassword, kFirefoxDe));
  Response everywhere = client.Delete("/v1/sessions", BearerAuth(second));
  ASSERT_EQ(everywhere.status, 200) << everywhere.Describe();
  EXPECT_EQ(Field(everywhere.Json(), "sessions_ended")->to_number<int64_t>(), 2);
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(second)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(third)), 401, "unauthenticated");
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(stranger)).status, 200) << "only that customer's";
  LETHE_EXPECT_PROBLEM(client.Get("/v1/sessions"), 401, "unauthenticated");
}

TEST(SessionsSecurity, IdleAndAbsoluteExpiryOnAMovedClock_SEC2) {
  auto server = StartTestClockServer({"--session-idle-minutes", "60", "--session-max-days", "1"});
  ASSERT_TRUE(server->ok());
  HttpClient client(server->base_url());
  const std::string email = Unique("expiry") + "@example.com";
  const std::string idle = SignUp(client, email);
  ASSERT_FALSE(idle.empty());
  ASSERT_TRUE(AdvanceClock(*server, 59 * 60));
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(idle)).status, 200) << "59 minutes idle";
  ASSERT_TRUE(AdvanceClock(*server, 59 * 60));
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(idle)).status, 200) << "the use restarted the hour";
  ASSERT_TRUE(AdvanceClock(*server, 61 * 60));
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(idle)), 401, "unauthenticated");

  // Used every 50 minutes, a session still ends a day after sign-in.
  const std::string busy = TokenOf(SignIn(client, email, kPassword));
  for (int i = 0; i < 28; ++i) {  // 23 h 20 min
    ASSERT_TRUE(AdvanceClock(*server, 50 * 60));
    ASSERT_EQ(client.Get("/v1/me", BearerAuth(busy)).status, 200) << "after " << (i + 1) * 50;
  }
  ASSERT_TRUE(AdvanceClock(*server, 50 * 60));
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(busy)), 401, "unauthenticated");
}

TEST(SessionsSecurity, PasswordChangeNeedsTheCurrentOneAndEndsOtherSessions_SEC2) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  const std::string email = Unique("passwd") + "@example.com";
  const std::string mine = SignUp(client, email);
  const std::string other = TokenOf(SignIn(client, email, kPassword));
  const std::string fresh = "a brand new passphrase";

  LETHE_EXPECT_PROBLEM(client.Post("/v1/me/password",
                                   json::value(json::object{{"current_password", "wrong password!"},
                                                            {"new_password", fresh}}),
                                   BearerAuth(mine)),
                       403, "wrong-password");
  LETHE_EXPECT_PROBLEM(client.Post("/v1/me/password",
                                   json::value(json::object{{"current_password", kPassword},
                                                            {"new_password", "short"}}),
                                   BearerAuth(mine)),
                       422, "weak-password");
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(other)).status, 200) << "refusals change nothing";

  Response changed = client.Post(
      "/v1/me/password",
      json::value(json::object{{"current_password", kPassword}, {"new_password", fresh}}),
      BearerAuth(mine));
  ASSERT_EQ(changed.status, 200) << changed.Describe();
  EXPECT_EQ(Field(changed.Json(), "sessions_ended")->to_number<int64_t>(), 1);
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(mine)).status, 200) << "the changing session stays";
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(other)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(SignIn(client, email, kPassword), 401, "unauthenticated");
  EXPECT_EQ(SignIn(client, email, fresh).status, 201);
  ASSERT_TRUE(WaitFor([&] { return !Mails(server, "password of your Lethe login").empty(); },
                      std::chrono::seconds(30)));
  std::string mail = ReadFileBytes(Mails(server, "password of your Lethe login")[0]);
  EXPECT_NE(mail.find("To: " + email), std::string::npos) << mail;
  EXPECT_EQ(mail.find(fresh), std::string::npos) << "the password was mailed";
}

TEST(SessionsSecurity, FailedSignInsBackOffWithRetryAfterAlikeForUnknownEmails_SEC2) {
  auto server = StartTestClockServer();
  ASSERT_TRUE(server->ok());
  HttpClient client(server->base_url());
  const std::string known = Unique("known") + "@example.com";
  const std::string unknown = Unique("unknown") + "@example.com";
  ASSERT_FALSE(SignUp(client, known).empty());

  // Five failures each, answered alike; then a block, even for the right
  // password, answered alike too. (Each is checked right after its own
  // failures: the clock runs on while a password is hashed.)
  auto burst = [&](const std::string& email) {
    for (int i = 0; i < 5; ++i) {
      LETHE_EXPECT_PROBLEM(SignIn(client, email, "wrong password!"), 401, "unauthenticated");
    }
    return SignIn(client, email, kPassword);
  };
  Response a = burst(known);
  Response b = burst(unknown);
  LETHE_EXPECT_PROBLEM(a, 429, "too-many-attempts");
  LETHE_EXPECT_PROBLEM(b, 429, "too-many-attempts");
  EXPECT_EQ(a.Header("retry-after"), "30");
  EXPECT_EQ(a.Header("retry-after"), b.Header("retry-after"));
  json::value ja = a.Json(), jb = b.Json();
  ASSERT_TRUE(ja.is_object() && jb.is_object());
  ja.as_object().erase("instance");
  jb.as_object().erase("instance");
  EXPECT_EQ(json::serialize(ja), json::serialize(jb)) << "the limiter must not reveal an account";

  // After the backoff: one more failure doubles it, for both alike.
  ASSERT_TRUE(AdvanceClock(*server, 31));
  for (const std::string& email : {known, unknown}) {
    LETHE_EXPECT_PROBLEM(SignIn(client, email, "wrong password!"), 401, "unauthenticated");
    EXPECT_EQ(SignIn(client, email, kPassword).Header("retry-after"), "60") << email;
  }

  // Once it runs out the right password works, and clears the count.
  ASSERT_TRUE(AdvanceClock(*server, 61));
  const std::string token = TokenOf(SignIn(client, known, kPassword));
  EXPECT_EQ(client.Get("/v1/me", BearerAuth(token)).status, 200);
  LETHE_EXPECT_PROBLEM(SignIn(client, known, "wrong password!"), 401, "unauthenticated");
  EXPECT_EQ(SignIn(client, known, kPassword).status, 201) << "the count started again";

  // ACC-11: the burst was mailed to the customer once; nothing to anyone else.
  ASSERT_TRUE(
      WaitFor([&] { return !Mails(*server, "sign-ins to your Lethe login failed").empty(); },
              std::chrono::seconds(30)));
  EXPECT_EQ(Mails(*server, "sign-ins to your Lethe login failed").size(), 1u);
  EXPECT_TRUE(Mails(*server, unknown).empty());
}

TEST(SessionsSecurity, ManyEmailsFromOneAddressAreBlocked_SEC2) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  for (int i = 0; i < 20; ++i) {
    LETHE_EXPECT_PROBLEM(SignIn(client, Unique("guess") + "@example.com", "wrong password!"), 401,
                         "unauthenticated");
  }
  Response blocked = SignIn(client, Unique("next") + "@example.com", "wrong password!");
  LETHE_EXPECT_PROBLEM(blocked, 429, "too-many-attempts");
  EXPECT_EQ(blocked.Header("retry-after"), "30");
}

TEST(SessionsSecurity, NewDeviceAndNewCountryAreMailed_ACC11) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  const std::string email = Unique("places") + "@example.com";
  ASSERT_FALSE(SignUp(client, email).empty());
  TokenOf(SignIn(client, email, kPassword, kFirefoxDe));  // the baseline
  TokenOf(SignIn(client, email, kPassword, kFirefoxDe));
  SleepMs(600);  // the job runner polls every 250 ms
  EXPECT_TRUE(Mails(server, "was signed in to from").empty()) << "a known place is not news";

  TokenOf(SignIn(client, email, kPassword, kChromeDe));
  ASSERT_TRUE(WaitFor([&] { return Mails(server, "was signed in to from").size() == 1; },
                      std::chrono::seconds(30)));
  std::string device = ReadFileBytes(Mails(server, "was signed in to from")[0]);
  EXPECT_NE(device.find("To: " + email), std::string::npos) << device;
  EXPECT_NE(device.find("from a new device: Chrome in DE"), std::string::npos) << device;

  TokenOf(SignIn(client, email, kPassword, kChromeFr));
  ASSERT_TRUE(WaitFor([&] { return !Mails(server, "from a new country: Chrome in FR").empty(); },
                      std::chrono::seconds(30)));
  TokenOf(SignIn(client, email, kPassword, kChromeFr));
  SleepMs(600);
  EXPECT_EQ(Mails(server, "was signed in to from").size(), 2u) << "each place is told once";
}

}  // namespace
}  // namespace lethe::e2e
