// Sessions and the customer's own record: sign-in, sign-out, /v1/me, and the
// login event that sign-in records (ACC-3).
#include <memory>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

class SessionTest : public SharedServerTest<SessionTest> {
 protected:
  Response SignIn(const std::string& email, const std::string& password,
                  const Headers& headers = {}) {
    return client_.Post("/v1/sessions",
                        json::value(json::object{{"email", email}, {"password", password}}),
                        headers);
  }
  Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }
};

TEST_F(SessionTest, SignInReturnsAWorkingToken) {
  std::string email = Unique("signin") + "@example.com";
  std::string first = SignUp(client_, email);
  ASSERT_FALSE(first.empty());
  Response r = SignIn(email, kPassword);
  ASSERT_EQ(r.status, 201) << r.Describe();
  json::value s = r.Json();
  std::string token = Str(s, "token");
  EXPECT_GE(token.size(), 16u);
  EXPECT_NE(token, first) << "each sign-in gets a fresh token";
  auto expires = ParseRfc3339(Str(s, "expires_at"));
  ASSERT_TRUE(expires.has_value()) << r.body;
  auto expected = std::chrono::system_clock::now() + std::chrono::hours(24 * 30);
  EXPECT_LT(std::chrono::abs(*expires - expected), std::chrono::minutes(5)) << r.body;

  Response me = client_.Get("/v1/me", Auth(token));
  ASSERT_EQ(me.status, 200) << me.Describe();
  EXPECT_EQ(Str(me.Json(), "email"), email);
  // The email is matched case-insensitively at sign-in too.
  std::string upper_email = "S" + email.substr(1);  // "Signin-..."
  Response upper = SignIn(upper_email, kPassword);
  EXPECT_EQ(upper.status, 201) << "sign-in with " << upper_email << ": " << upper.Describe();
}

TEST_F(SessionTest, WrongPasswordAndUnknownEmailLookTheSame) {
  std::string email = Unique("probe") + "@example.com";
  ASSERT_FALSE(SignUp(client_, email).empty());
  Response wrong = SignIn(email, "not the right password");
  Response unknown = SignIn(Unique("nobody") + "@example.com", "not the right password");
  LETHE_EXPECT_PROBLEM(wrong, 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(unknown, 401, "unauthenticated");
  json::value a = wrong.Json(), b = unknown.Json();
  ASSERT_TRUE(a.is_object() && b.is_object());
  a.as_object().erase("instance");
  b.as_object().erase("instance");
  EXPECT_EQ(json::serialize(a), json::serialize(b))
      << "a wrong password must not be distinguishable from an unknown email";
  EXPECT_EQ(wrong.Header("content-type"), unknown.Header("content-type"));
  EXPECT_EQ(wrong.Header("www-authenticate"), unknown.Header("www-authenticate"));
}

TEST_F(SessionTest, SignInFieldsAreChecked) {
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/sessions", json::value(json::object{{"email", "a@b.c"}})),
                       400, "invalid-field");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/sessions",
                   json::value(json::object{{"email", "a@b.c"}, {"password", 123456789012}})),
      400, "invalid-field");
}

TEST_F(SessionTest, SignOutRevokesOnlyThatSession_SEC2) {
  std::string email = Unique("signout") + "@example.com";
  std::string keep = SignUp(client_, email);
  Response r = SignIn(email, kPassword);
  ASSERT_EQ(r.status, 201) << r.Describe();
  std::string token = Str(r.Json(), "token");
  ASSERT_EQ(client_.Get("/v1/me", Auth(token)).status, 200);

  Response out = client_.Delete("/v1/sessions/current", Auth(token));
  EXPECT_EQ(out.status, 204) << out.Describe();
  EXPECT_TRUE(out.body.empty()) << out.body;

  LETHE_EXPECT_PROBLEM(client_.Get("/v1/me", Auth(token)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/sessions/current", Auth(token)), 401, "unauthenticated");
  Response other = client_.Get("/v1/me", Auth(keep));
  EXPECT_EQ(other.status, 200) << "the other session is untouched: " << other.Describe();
}

TEST_F(SessionTest, MeNeedsASession) {
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/me"), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/me", Auth("sess_not_a_real_token_000000000000")), 401,
                       "unauthenticated");
}

TEST_F(SessionTest, GetAndPatchMe) {
  std::string email = Unique("me") + "@example.com";
  SignUpResult s = SignUpFull(client_, email, kPassword, "FR", "1970-07-14");
  ASSERT_FALSE(s.token.empty());
  Response me = client_.Get("/v1/me", Auth(s.token));
  ASSERT_EQ(me.status, 200) << me.Describe();
  json::value v = me.Json();
  EXPECT_EQ(Str(v, "id"), s.customer_id);
  EXPECT_EQ(Str(v, "email"), email);
  EXPECT_EQ(Str(v, "country"), "FR");
  EXPECT_EQ(Str(v, "birth_date"), "1970-07-14");
  EXPECT_EQ(v.as_object().if_contains("password"), nullptr);

  Response p = client_.Patch("/v1/me",
                             json::object{{"name", "Renamed Person"},
                                          {"company", "New Co"},
                                          {"job_title", "CTO"},
                                          {"use_case", "podcasts"},
                                          {"phone", "+33 1 23 45 67 89"}},
                             Auth(s.token));
  ASSERT_EQ(p.status, 200) << p.Describe();
  for (const json::value& c : {p.Json(), client_.Get("/v1/me", Auth(s.token)).Json()}) {
    EXPECT_EQ(Str(c, "name"), "Renamed Person");
    EXPECT_EQ(Str(c, "company"), "New Co");
    EXPECT_EQ(Str(c, "job_title"), "CTO");
    EXPECT_EQ(Str(c, "use_case"), "podcasts");
    EXPECT_EQ(Str(c, "phone"), "+33 1 23 45 67 89");
    EXPECT_EQ(Str(c, "email"), email) << "untouched fields stay";
    EXPECT_EQ(Str(c, "country"), "FR");
  }

  // Fields PATCH /v1/me does not take.
  for (const char* field : {"country", "birth_date", "password", "id"}) {
    Response bad = client_.Patch("/v1/me", json::object{{field, "x"}}, Auth(s.token));
    LETHE_EXPECT_PROBLEM(bad, 400, "unknown-field") << " PATCH /v1/me with " << field;
  }
  LETHE_EXPECT_PROBLEM(client_.Patch("/v1/me", json::object{{"name", 42}}, Auth(s.token)), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(client_.Patch("/v1/me", json::object{{"name", "x"}}), 401,
                       "unauthenticated");
}

TEST_F(SessionTest, EmailChange) {
  std::string taken = Unique("Taken") + "@example.com";
  ASSERT_FALSE(SignUp(client_, taken).empty());
  std::string email = Unique("mover") + "@example.com";
  std::string token = SignUp(client_, email);
  ASSERT_FALSE(token.empty());

  Response clash = client_.Patch("/v1/me", json::object{{"email", Lower(taken)}}, Auth(token));
  LETHE_EXPECT_PROBLEM(clash, 409, "email-taken");

  std::string fresh = Unique("moved") + "@example.com";
  Response moved = client_.Patch("/v1/me", json::object{{"email", fresh}}, Auth(token));
  ASSERT_EQ(moved.status, 200) << moved.Describe();
  EXPECT_EQ(Str(moved.Json(), "email"), fresh);
  EXPECT_EQ(SignIn(fresh, kPassword).status, 201);
  LETHE_EXPECT_PROBLEM(SignIn(email, kPassword), 401, "unauthenticated");
}

// ACC-3: a portal sign-in records IP, browser and version, language and the
// derived country. No endpoint exposes login events yet, so read the table.
TEST(LoginEvents, SignInRecordsOrigin_ACC3) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  std::string email = Unique("origin") + "@example.com";
  SignUpResult s = SignUpFull(client, email);
  ASSERT_FALSE(s.token.empty());
  Response r = client.Post(
      "/v1/sessions", json::value(json::object{{"email", email}, {"password", kPassword}}),
      {{"User-Agent", kChromeWindowsUA}, {"Accept-Language", "de-DE,de;q=0.9"}});
  ASSERT_EQ(r.status, 201) << r.Describe();

  QueryResult q = Sql(server.db_path(),
                      "SELECT ip, browser, browser_version, language, country, customer_id "
                      "FROM login_events");
  ASSERT_TRUE(q.ok) << q.error;
  const Row* found = nullptr;
  std::string all;
  for (const Row& row : q.rows) {
    for (const auto& cell : row) all += cell.value_or("NULL") + " | ";
    all += "\n";
    if (row[1].value_or("") == "Chrome") found = &row;
  }
  ASSERT_NE(found, nullptr) << "no login event with browser Chrome; rows:\n" << all;
  const Row& row = *found;
  EXPECT_EQ(row[0].value_or("NULL"), "127.0.0.1");
  EXPECT_EQ(row[2].value_or("NULL").rfind("120", 0), 0u)
      << "browser_version " << row[2].value_or("NULL");
  EXPECT_EQ(row[3].value_or("NULL"), "de-DE");
  EXPECT_EQ(row[4].value_or("NULL"), "DE") << "country derived from the language region";
  EXPECT_EQ(row[5].value_or("NULL"), s.customer_id);
}

}  // namespace
}  // namespace lethe::e2e
