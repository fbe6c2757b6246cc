// The staff console's cookie session (issue 15, SEC-2), end to end with a
// real server: staff sign in from a page of this origin and get their own
// __Host- cookie (HttpOnly, Secure, SameSite=Strict), which opens staff
// routes only, and only with the CSRF token and this origin's Origin on
// unsafe methods; an Authorization header always wins over the cookie; the
// customer's cookie opens no staff route and the staff cookie no customer
// route; signing out ends the session.
#include <gtest/gtest.h>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

class StaffSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartTestClockServer();
    ASSERT_TRUE(server_->ok());
    ASSERT_EQ(server_->Stop(), 0);
    member_ = AddStaff(server_->data_dir(), "support");
    ASSERT_FALSE(HasFailure());
    ASSERT_TRUE(server_->RestartWith({"--test-clock"}, ServerBinary::kTesting));
    client_.set_base_url(server_->base_url());
    origin_ = server_->base_url();
    tenant_ = NewTenant(client_, "staff-cookie");
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }
  json::object Credentials(int64_t step_offset = 0) {
    return {{"staff_id", member_.id},
            {"password", member_.password},
            {"code", StaffCode(*server_, member_, step_offset)}};
  }
  // Signs in through the console route; sets cookie_ and csrf_.
  void SignIn() {
    Response r = client_.Post("/v1/staff/portal/sessions", json::value(Credentials()),
                              {{"Origin", origin_}});
    ASSERT_EQ(r.status, 201) << r.Describe();
    set_cookie_ = r.Header("set-cookie");
    cookie_ = set_cookie_.substr(0, set_cookie_.find(';'));
    csrf_ = Str(r.Json(), "csrf_token");
    EXPECT_EQ(Str(r.Json().at("staff"), "id"), member_.id);
    EXPECT_EQ(Str(r.Json().at("staff"), "role"), "support");
    EXPECT_EQ(r.Json().as_object().count("token"), 0u) << "the token stays in the cookie";
  }
  Headers Cookie(Headers extra = {}) {
    extra["Cookie"] = cookie_;
    return extra;
  }
  Headers Csrf(Headers extra = {}) {
    extra["Cookie"] = cookie_;
    extra["Origin"] = origin_;
    extra["X-CSRF-Token"] = csrf_;
    return extra;
  }
  json::object GrantBody() {
    return {{"account_id", tenant_.account.id},
            {"purpose", "debugging"},
            {"ticket", "SUP-1"},
            {"scope", {"account"}},
            {"expires_in_hours", 2}};
  }
  size_t Grants() {
    Response r = client_.Get("/v1/staff/grants", Cookie());
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.status == 200 ? Arr(r.Json(), "grants").size() : 0;
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  std::string origin_;
  StaffMember member_;
  Tenant tenant_;
  std::string set_cookie_, cookie_, csrf_;
};

TEST_F(StaffSessionTest, SignInFromThisOriginSetsTheStaffsOwnStrictCookie) {
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/portal/sessions", json::value(Credentials())), 403,
                       "csrf-refused");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/portal/sessions", json::value(Credentials(1)),
                                    {{"Origin", "http://evil.example"}}),
                       403, "csrf-refused");
  SignIn();
  EXPECT_EQ(cookie_.rfind("__Host-lethe_staff=sts_", 0), 0u) << set_cookie_;
  for (const char* attr : {"; Path=/", "; HttpOnly", "; Secure", "; SameSite=Strict", "Max-Age="}) {
    EXPECT_NE(set_cookie_.find(attr), std::string::npos) << attr << " in " << set_cookie_;
  }
  Response session = client_.Get("/v1/staff/portal/session", Cookie());
  ASSERT_EQ(session.status, 200) << session.Describe();
  EXPECT_EQ(Str(session.Json(), "csrf_token"), csrf_);
  EXPECT_EQ(Str(session.Json().at("staff"), "id"), member_.id);
}

TEST_F(StaffSessionTest, EveryUnsafeMethodByCookieNeedsTheTokenAndTheOrigin) {
  SignIn();
  EXPECT_EQ(Grants(), 0u) << "a safe method needs the cookie only";
  const std::vector<std::pair<std::string, Headers>> forged = {
      {"cookie alone", Cookie()},
      {"cookie and Origin, no token", Cookie({{"Origin", origin_}})},
      {"token without Origin", Cookie({{"X-CSRF-Token", csrf_}})},
      {"token from another origin",
       Cookie({{"X-CSRF-Token", csrf_}, {"Origin", "http://evil.example"}})},
      {"a wrong token", Cookie({{"Origin", origin_}, {"X-CSRF-Token", csrf_ + "x"}})},
  };
  for (const auto& [what, headers] : forged) {
    LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/grants", json::value(GrantBody()), headers), 403,
                         "csrf-refused")
        << what;
  }
  EXPECT_EQ(Grants(), 0u) << "no forged request made a grant";
  Response made = client_.Post("/v1/staff/grants", json::value(GrantBody()), Csrf());
  ASSERT_EQ(made.status, 201) << made.Describe();
  EXPECT_EQ(Grants(), 1u);
  Response revoked = client_.Delete("/v1/staff/grants/" + Str(made.Json(), "id"), Csrf());
  EXPECT_EQ(revoked.status, 200) << revoked.Describe();
}

TEST_F(StaffSessionTest, TheCookieOpensStaffRoutesOnlyAndAnAuthorizationHeaderWins) {
  SignIn();
  // The staff cookie is no customer session, nor a customer's cookie a staff one.
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/me", Cookie()), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/accounts", Cookie()), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/staff/grants", {{"Cookie", "__Host-lethe_session=" + tenant_.session}}), 401,
      "unauthenticated");
  // Nor the staff token under the customer's cookie name.
  const std::string token = cookie_.substr(cookie_.find('=') + 1);
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/staff/grants", {{"Cookie", "__Host-lethe_session=" + token}}), 401,
      "unauthenticated");
  // With an Authorization header the cookie is not looked at.
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/staff/grants", Cookie({{"Authorization", "Bearer nope"}})),
                       401, "unauthenticated");
  // The Bearer API is unchanged: no CSRF token needed.
  Response bearer = client_.Get("/v1/staff/grants", BearerAuth(token));
  EXPECT_EQ(bearer.status, 200) << bearer.Describe();
}

TEST_F(StaffSessionTest, SigningOutEndsTheSessionAndClearsTheCookie) {
  SignIn();
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/staff/sessions", Cookie()), 403, "csrf-refused");
  Response out = client_.Delete("/v1/staff/sessions", Csrf());
  ASSERT_EQ(out.status, 204) << out.Describe();
  std::string cleared = out.Header("set-cookie");
  EXPECT_EQ(cleared.rfind("__Host-lethe_staff=;", 0), 0u) << cleared;
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/staff/grants", Cookie()), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/staff/portal/session", Cookie()), 401, "unauthenticated");
}

}  // namespace
}  // namespace lethe::e2e
