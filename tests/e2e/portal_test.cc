// The portal's server side (issue 15), end to end against a real server:
// - its files at / from --portal: pages answered with index.html, hashed
//   assets cached for a year, content types, ETags and 304s, the CSP and
//   the other security headers, and no way out of the portal directory
//   (raw request targets, so no client normalises them first);
// - browser sessions: the cookie's flags, CSRF refusals on every unsafe
//   method without the session's token or from another origin, the login
//   CSRF check, the two-step sign-in, sign-out, and that the Bearer API
//   is unchanged;
// - the customer's upload-token routes the portal uses;
// - the data plane for the customer's own accounts (Lethe-Account), which
//   the media library, erasure and usage pages use.
// The browser's side of it is tests/browser/portal.mjs.
#include <filesystem>
#include <fstream>

#include "crypto/totp.h"
#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kIndex =
    "<!doctype html><html lang=\"en\"><title>Lethe</title>"
    "<script type=\"module\" src=\"/assets/index-AbC123.js\"></script></html>";
constexpr const char* kSecret = "NOT-FOR-THE-WEB-3f9a";

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// A built portal in `root`/portal, a secret beside it, and a link to the
// secret planted inside it.
std::string MakePortal(const std::string& root) {
  const std::string dir = root + "/portal";
  Write(dir + "/index.html", kIndex);
  Write(dir + "/assets/index-AbC123.js", "import './chunk-Q1.js';");
  Write(dir + "/assets/index-Zz9.css", "body{color:#111}");
  Write(dir + "/assets/logo-K7.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  Write(root + "/secret.txt", kSecret);
  fs::create_symlink(root + "/secret.txt", dir + "/assets/leak.txt");
  return dir;
}

class PortalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("lethe-portal-" + Unique("t"));
    portal_ = MakePortal(root_.string());
    server_ = StartTestClockServer({"--portal", portal_});
  }
  static void TearDownTestSuite() {
    server_.reset();
    fs::remove_all(root_);
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
    origin_ = server_->base_url();
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  // One raw request; returns the status line's code and the whole answer.
  std::pair<int, std::string> Raw(const std::string& target) {
    std::string answer = RawExchange(server_->port(), "GET " + target +
                                                          " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                          "Connection: close\r\n\r\n");
    int status = answer.size() > 12 ? std::atoi(answer.substr(9, 3).c_str()) : 0;
    return {status, answer};
  }

  static inline fs::path root_;
  static inline std::string portal_;
  static inline std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  std::string origin_;
};

void ExpectSecurityHeaders(const Response& r) {
  const std::string csp = r.Header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("referrer-policy"), "same-origin");
  EXPECT_EQ(r.Header("x-frame-options"), "DENY");
}

TEST_F(PortalTest, PagesAreIndexHtmlRevalidatedEveryTime) {
  for (const char* page :
       {"/", "/signin", "/signup", "/security", "/accounts/acc_123", "/accounts/acc_123/media",
        "/accounts/acc_123/requests/prq_1", "/staff", "/staff/grants", "/privacy/acc_123"}) {
    Response r = client_.Get(page);
    ASSERT_EQ(r.status, 200) << page << r.Describe();
    EXPECT_EQ(r.body, kIndex) << page;
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.Header("cache-control"), "no-cache");
    EXPECT_FALSE(r.Header("etag").empty());
    ExpectSecurityHeaders(r);
  }
  Response head = client_.Request("HEAD", "/signin");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.Header("content-length"), std::to_string(std::string(kIndex).size()));
}

TEST_F(PortalTest, AssetsAreImmutableWithTheirContentTypes) {
  struct Case {
    const char* path;
    const char* type;
  };
  for (const Case& c : {Case{"/assets/index-AbC123.js", "text/javascript; charset=utf-8"},
                        Case{"/assets/index-Zz9.css", "text/css; charset=utf-8"},
                        Case{"/assets/logo-K7.svg", "image/svg+xml"}}) {
    Response r = client_.Get(c.path);
    ASSERT_EQ(r.status, 200) << c.path << r.Describe();
    EXPECT_EQ(r.Header("content-type"), c.type) << c.path;
    EXPECT_EQ(r.Header("cache-control"), "public, max-age=31536000, immutable") << c.path;
    ExpectSecurityHeaders(r);
    const std::string etag = r.Header("etag");
    Response again = client_.Get(c.path, {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304) << c.path;
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.Header("etag"), etag);
    EXPECT_EQ(client_.Get(c.path, {{"If-None-Match", "\"stale\""}}).status, 200);
  }
  // Names that are not exactly a file of the site, and the root's
  // index.html by another path, are problems, not files.
  for (const char* path : {"/assets/index-abc123.js", "/assets/missing.js", "/index.html",
                           "/assets/index-AbC123.js/x", "/favicon.ico"}) {
    Response r = client_.Get(path);
    LETHE_EXPECT_PROBLEM(r, 404, "not-found");
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << path;
  }
  LETHE_EXPECT_PROBLEM(client_.Post("/assets/index-AbC123.js", "x"), 405, "");
}

TEST_F(PortalTest, NoTargetReachesAFileOutsideThePortal) {
  const std::string secret = "secret.txt";
  const std::vector<std::string> targets = {"/assets/..%2f" + secret,
                                            "/assets/..%2F..%2F" + secret,
                                            "/assets/%2e%2e/%2e%2e/" + secret,
                                            "/assets/%2e%2e%2f%2e%2e%2f" + secret,
                                            "/assets/../../" + secret,
                                            "/assets/..%5c..%5c" + secret,
                                            "/assets/%252e%252e%252f" + secret,
                                            "/assets/.%2e/.%2e/" + secret,
                                            "/assets/leak.txt",
                                            "/assets/%2fetc%2fpasswd",
                                            "/%2e%2e/" + secret,
                                            "/assets/..",
                                            "/assets/.",
                                            "/assets/%00",
                                            "/assets/index-AbC123.js%00.txt",
                                            "//assets/index-AbC123.js",
                                            "/assets//etc/passwd",
                                            "/assets/%2e%2e%2f%2e%2e%2fsecret.txt%00.js"};
  int tried = 0;
  for (const std::string& target : targets) {
    ++tried;
    auto [status, answer] = Raw(target);
    EXPECT_TRUE(status == 404 || status == 400) << target << "\n" << answer.substr(0, 300);
    EXPECT_EQ(answer.find(kSecret), std::string::npos) << target;
    EXPECT_EQ(answer.find("root:"), std::string::npos) << target;
  }
  // A page path answers index.html whatever its {id} holds: never a file.
  auto [status, answer] = Raw("/accounts/..%2f..%2fsecret.txt");
  EXPECT_EQ(status, 200);
  EXPECT_NE(answer.find(kIndex), std::string::npos);
  EXPECT_EQ(answer.find(kSecret), std::string::npos);
  std::cout << "[figures] traversal targets refused: " << tried << "\n";
}

TEST_F(PortalTest, WithoutAPortalItsPathsSayWhy) {
  ServerProcess bare({"--portal", ""});
  ASSERT_TRUE(bare.ok());
  HttpClient client(bare.base_url());
  for (const char* path : {"/", "/signin", "/assets/index-AbC123.js"}) {
    LETHE_EXPECT_PROBLEM(client.Get(path), 404, "portal-not-built");
  }
  EXPECT_EQ(client.Get("/healthz").status, 200) << "the API is there";
}

TEST_F(PortalTest, ABadPortalDirectoryStopsTheServer) {
  const std::string empty = (root_ / "empty").string();
  fs::create_directories(empty);
  CommandResult r = RunCommand({LETHE_BINARY, "serve", "--listen", "127.0.0.1:0", "--data",
                                (root_ / "bad-data").string(), "--portal", empty},
                               std::chrono::seconds(30));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad-portal"), std::string::npos) << r.output;
}

// ---------------------------------------------------------------------------
// Browser sessions.

struct Portal {
  std::string cookie;      // "__Host-lethe_session=ses_..."
  std::string set_cookie;  // as the server sent it
  std::string csrf;
  json::value body;
};

class PortalSessionTest : public PortalTest {
 protected:
  Headers Same(Headers extra = {}) {
    extra["Origin"] = origin_;
    return extra;
  }
  Headers WithCookie(const Portal& p, Headers extra = {}) {
    extra["Cookie"] = p.cookie;
    return extra;
  }
  Headers Csrf(const Portal& p, Headers extra = {}) {
    extra["Origin"] = origin_;
    extra["Cookie"] = p.cookie;
    extra["X-CSRF-Token"] = p.csrf;
    return extra;
  }
  static Portal FromSignIn(const Response& r) {
    Portal p;
    p.set_cookie = r.Header("set-cookie");
    p.cookie = p.set_cookie.substr(0, p.set_cookie.find(';'));
    if (r.status == 201) {
      p.body = r.Json();
      p.csrf = Str(p.body, "csrf_token");
    }
    return p;
  }
  Portal SignUpPortal(const std::string& email) {
    json::object form{{"name", "Ada Portal"},
                      {"email", email},
                      {"password", kPassword},
                      {"country", "GB"},
                      {"birth_date", "1990-12-10"}};
    Response r = client_.Post("/v1/portal/signup", json::value(form), Same());
    EXPECT_EQ(r.status, 201) << r.Describe();
    return FromSignIn(r);
  }
  Portal SignInPortal(const std::string& email) {
    Response r =
        client_.Post("/v1/portal/sessions",
                     json::value(json::object{{"email", email}, {"password", kPassword}}), Same());
    EXPECT_EQ(r.status, 201) << r.Describe();
    return FromSignIn(r);
  }
  size_t AccountCount(const Portal& p) {
    Response r = client_.Get("/v1/accounts", WithCookie(p));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.status == 200 ? Arr(r.Json(), "accounts").size() : 0;
  }
};

TEST_F(PortalSessionTest, SignUpSetsAStrictCookieAndShowsNoToken) {
  Portal p = SignUpPortal(Unique("cookie") + "@example.com");
  EXPECT_EQ(p.cookie.rfind("__Host-lethe_session=ses_", 0), 0u) << p.set_cookie;
  for (const char* flag :
       {"; Path=/", "; HttpOnly", "; Secure", "; SameSite=Strict", "; Max-Age="}) {
    EXPECT_NE(p.set_cookie.find(flag), std::string::npos) << flag << " in " << p.set_cookie;
  }
  EXPECT_EQ(p.set_cookie.find("Domain"), std::string::npos) << "host-only (__Host-)";
  const std::string body = json::serialize(p.body);
  EXPECT_EQ(body.find("ses_"), std::string::npos) << "the session token stays in the cookie";
  EXPECT_EQ(p.csrf.size(), 64u);
  EXPECT_EQ(Str(p.body.at("customer"), "country"), "GB");
  // The session is an ordinary session: the cookie opens the console.
  Response me = client_.Get("/v1/me", WithCookie(p));
  ASSERT_EQ(me.status, 200) << me.Describe();
  Response session = client_.Get("/v1/portal/session", WithCookie(p));
  ASSERT_EQ(session.status, 200) << session.Describe();
  EXPECT_EQ(Str(session.Json(), "csrf_token"), p.csrf);
  EXPECT_EQ(session.Header("cache-control"), "no-store");
  Response listed = client_.Get("/v1/sessions", WithCookie(p));
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(Arr(listed.Json(), "sessions").size(), 1u);
  EXPECT_TRUE(Arr(listed.Json(), "sessions")[0].as_object().at("current").as_bool());
}

TEST_F(PortalSessionTest, TheAgeGateHoldsForThePortalToo) {
  json::object form{{"name", "Kid"},
                    {"email", Unique("kid") + "@example.com"},
                    {"password", kPassword},
                    {"country", "DE"},
                    {"birth_date", DateYearsAgo(14)}};
  Response r = client_.Post("/v1/portal/signup", json::value(form), Same());
  LETHE_EXPECT_PROBLEM(r, 422, "age-gate");
  EXPECT_TRUE(r.Header("set-cookie").empty());
}

TEST_F(PortalSessionTest, EveryUnsafeMethodByCookieNeedsTheTokenAndTheOrigin) {
  Portal p = SignUpPortal(Unique("csrf") + "@example.com");
  Portal other = SignUpPortal(Unique("csrf-other") + "@example.com");
  const json::value account = json::object{{"name", "web"}, {"region", "eu"}};
  const std::string foreign = "http://127.0.0.1:1";  // same site, another origin
  struct Attempt {
    const char* what;
    Headers headers;
  };
  std::vector<Attempt> forged = {
      {"cookie alone", WithCookie(p)},
      {"cookie and Origin, no token", WithCookie(p, Same())},
      {"token without Origin", WithCookie(p, {{"X-CSRF-Token", p.csrf}})},
      {"token from another origin", WithCookie(p, {{"X-CSRF-Token", p.csrf}, {"Origin", foreign}})},
      {"another session's token", WithCookie(p, Same({{"X-CSRF-Token", other.csrf}}))},
      {"a token's prefix", WithCookie(p, Same({{"X-CSRF-Token", p.csrf.substr(0, 32)}}))},
      {"Origin null", WithCookie(p, {{"X-CSRF-Token", p.csrf}, {"Origin", "null"}})},
  };
  for (const Attempt& a : forged) {
    Response r = client_.Post("/v1/accounts", account, a.headers);
    LETHE_EXPECT_PROBLEM(r, 403, "csrf-refused");
    EXPECT_NE(r.Json().as_object().at("detail").as_string().size(), 0u) << a.what;
  }
  EXPECT_EQ(AccountCount(p), 0u) << "no forged request did anything";
  // PATCH, DELETE and the 2FA and password routes are held the same way.
  Response created = client_.Post("/v1/accounts", account, Csrf(p));
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string id = Str(created.Json(), "id");
  LETHE_EXPECT_PROBLEM(
      client_.Patch("/v1/accounts/" + id, json::object{{"name", "x"}}, WithCookie(p, Same())), 403,
      "csrf-refused");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/accounts/" + id + "/keys", "", WithCookie(p, Same())), 403,
                       "csrf-refused");
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/sessions", WithCookie(p, Same())), 403, "csrf-refused");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/me/2fa/totp", "", WithCookie(p, Same())), 403,
                       "csrf-refused");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/consents", json::object{{"purpose", "marketing"}, {"decision", "opt_out"}},
                   WithCookie(p, Same())),
      403, "csrf-refused");
  Response patched =
      client_.Patch("/v1/accounts/" + id,
                    json::object{{"allowed_origins", json::array{"https://app.example"}}}, Csrf(p));
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  EXPECT_EQ(json::serialize(patched.Json().at("allowed_origins")), R"(["https://app.example"])");
  EXPECT_EQ(client_
                .Post("/v1/consents",
                      json::object{{"purpose", "marketing"}, {"decision", "opt_out"}}, Csrf(p))
                .status,
            201);
  // Reads need no token: the cookie is enough (and no page elsewhere can
  // read the answer: these routes send no CORS headers).
  Response keys = client_.Get("/v1/accounts/" + id + "/keys", WithCookie(p, {{"Origin", foreign}}));
  EXPECT_EQ(keys.status, 200);
  EXPECT_TRUE(keys.Header("access-control-allow-origin").empty());
}

TEST_F(PortalSessionTest, TheBearerApiIsUnchanged) {
  HttpClient api(server_->base_url());
  const std::string token = SignUp(api, Unique("bearer") + "@example.com");
  // No CSRF token, no Origin: a Bearer request is no browser's.
  Response created =
      api.Post("/v1/accounts", json::value(json::object{{"name", "b"}, {"region", "us"}}),
               {{"Authorization", BearerHeader(token)}});
  EXPECT_EQ(created.status, 201) << created.Describe();
  // With a Bearer token, a cookie is ignored, CSRF checks included.
  Portal p = SignUpPortal(Unique("both") + "@example.com");
  Response mine = api.Get("/v1/me", {{"Authorization", BearerHeader(token)}, {"Cookie", p.cookie}});
  ASSERT_EQ(mine.status, 200);
  EXPECT_NE(Str(mine.Json(), "id"), Str(p.body.at("customer"), "id"));
  EXPECT_EQ(api.Post("/v1/accounts", json::value(json::object{{"name", "c"}, {"region", "us"}}),
                     {{"Authorization", BearerHeader(token)}, {"Cookie", p.cookie}})
                .status,
            201);
  // Any other Authorization header keeps the cookie out too.
  LETHE_EXPECT_PROBLEM(api.Get("/v1/me", {{"Authorization", "Basic eDp5"}, {"Cookie", p.cookie}}),
                       401, "");
  // The portal's sign-in hands out no Bearer token, and /v1/sessions no cookie.
  Response bearer = api.Post(
      "/v1/sessions", json::value(json::object{{"email", Str(p.body.at("customer"), "email")},
                                               {"password", kPassword}}));
  ASSERT_EQ(bearer.status, 201);
  EXPECT_TRUE(bearer.Header("set-cookie").empty());
}

TEST_F(PortalSessionTest, SignInNeedsThePortalsOwnOrigin) {
  const std::string email = Unique("login-csrf") + "@example.com";
  SignUpPortal(email);
  const json::value creds = json::object{{"email", email}, {"password", kPassword}};
  for (const Headers& h : {Headers{}, Headers{{"Origin", "http://127.0.0.1:1"}},
                           Headers{{"Origin", "https://evil.example"}}}) {
    Response r = client_.Post("/v1/portal/sessions", creds, h);
    LETHE_EXPECT_PROBLEM(r, 403, "csrf-refused");
    EXPECT_TRUE(r.Header("set-cookie").empty());
    LETHE_EXPECT_PROBLEM(client_.Post("/v1/portal/signup", creds, h), 403, "csrf-refused");
  }
  Portal p = SignInPortal(email);
  EXPECT_EQ(client_.Get("/v1/me", WithCookie(p)).status, 200);
}

TEST_F(PortalSessionTest, SignOutEndsTheSessionAndClearsTheCookie) {
  const std::string email = Unique("signout") + "@example.com";
  Portal p = SignUpPortal(email);
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/portal/session", WithCookie(p, Same())), 403,
                       "csrf-refused");
  EXPECT_EQ(client_.Get("/v1/me", WithCookie(p)).status, 200) << "the forged sign-out did nothing";
  Response out = client_.Delete("/v1/portal/session", Csrf(p));
  ASSERT_EQ(out.status, 204) << out.Describe();
  EXPECT_EQ(out.Header("set-cookie"),
            "__Host-lethe_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/me", WithCookie(p)), 401, "");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/portal/session", WithCookie(p)), 401, "");
}

TEST_F(PortalSessionTest, TwoFactorSignInSetsTheCookieOnlyAfterTheCode) {
  const std::string email = Unique("portal-2fa") + "@example.com";
  Portal p = SignUpPortal(email);
  Response enrol = client_.Post("/v1/me/2fa/totp", "", Csrf(p));
  ASSERT_EQ(enrol.status, 201) << enrol.Describe();
  std::vector<uint8_t> seed = *Base32Decode(Str(enrol.Json(), "secret"));
  auto code = [&] { return *TotpCode(seed, TotpStep(ServerNowMs(*server_))); };
  ASSERT_EQ(client_.Post("/v1/me/2fa/totp/confirm", json::object{{"code", code()}}, Csrf(p)).status,
            200);
  ASSERT_TRUE(AdvanceClock(*server_, kTotpStepSeconds));  // a fresh code for the sign-in

  Response first =
      client_.Post("/v1/portal/sessions",
                   json::value(json::object{{"email", email}, {"password", kPassword}}), Same());
  ASSERT_EQ(first.status, 202) << first.Describe();
  EXPECT_TRUE(first.Header("set-cookie").empty()) << "no session before the second factor";
  const std::string challenge = Str(first.Json(), "challenge");
  const json::value step = json::object{{"challenge", challenge}, {"code", code()}};
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/portal/sessions/2fa", step), 403, "csrf-refused");
  Response second = client_.Post("/v1/portal/sessions/2fa", step, Same());
  ASSERT_EQ(second.status, 201) << second.Describe();
  Portal signed_in = FromSignIn(second);
  EXPECT_NE(signed_in.set_cookie.find("HttpOnly; Secure; SameSite=Strict"), std::string::npos);
  EXPECT_EQ(client_.Get("/v1/me", WithCookie(signed_in)).status, 200);
}

TEST_F(PortalSessionTest, UploadTokensOfTheCustomersOwnAccounts) {
  Portal p = SignUpPortal(Unique("tokens") + "@example.com");
  Portal other = SignUpPortal(Unique("tokens-other") + "@example.com");
  Response account =
      client_.Post("/v1/accounts", json::object{{"name", "t"}, {"region", "us"}}, Csrf(p));
  ASSERT_EQ(account.status, 201);
  const std::string id = Str(account.Json(), "id");
  const std::string base = "/v1/accounts/" + id + "/upload-tokens";
  const json::value spec =
      json::object{{"end_user", "eu_1"}, {"kinds", json::array{"video"}}, {"uses", 3}};
  LETHE_EXPECT_PROBLEM(client_.Post(base, spec, WithCookie(p, Same())), 403, "csrf-refused");
  LETHE_EXPECT_PROBLEM(client_.Post(base, spec, Csrf(other)), 404, "not-found");
  LETHE_EXPECT_PROBLEM(client_.Get(base, WithCookie(other)), 404, "not-found");
  Response issued = client_.Post(base, spec, Csrf(p));
  ASSERT_EQ(issued.status, 201) << issued.Describe();
  EXPECT_EQ(Str(issued.Json(), "token").rfind("lut_", 0), 0u);
  EXPECT_EQ(issued.Header("cache-control"), "no-store");
  const std::string token_id = Str(issued.Json(), "id");

  Response listed = client_.Get(base, WithCookie(p));
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  json::array tokens = Arr(listed.Json(), "upload_tokens");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(Str(tokens[0], "id"), token_id);
  EXPECT_EQ(Str(tokens[0], "end_user"), "eu_1");
  EXPECT_EQ(tokens[0].as_object().at("uses").as_int64(), 3);
  EXPECT_EQ(tokens[0].as_object().count("token"), 0u) << "the secret is shown once";
  // The token opens the upload routes of that account.
  Response probe = client_.Post("/v1/media", "",
                                {{"Authorization", BearerHeader(Str(issued.Json(), "token"))},
                                 {"Content-Type", "video/webm"}});
  EXPECT_NE(probe.status, 401) << probe.Describe();

  LETHE_EXPECT_PROBLEM(client_.Delete(base + "/" + token_id, Csrf(other)), 404, "not-found");
  EXPECT_EQ(client_.Delete(base + "/" + token_id, Csrf(p)).status, 204);
  EXPECT_TRUE(Arr(client_.Get(base, WithCookie(p)).Json(), "upload_tokens").empty());
  LETHE_EXPECT_PROBLEM(client_.Delete(base + "/" + token_id, Csrf(p)), 404, "not-found");
  // Issued and revoked by the customer, in the account's audit trail.
  Response audit = client_.Get("/v1/accounts/" + id + "/audit", WithCookie(p));
  std::string trail = audit.body;
  EXPECT_NE(trail.find("upload_token.issue"), std::string::npos);
  EXPECT_NE(trail.find("upload_token.revoke"), std::string::npos);
  EXPECT_NE(trail.find(Str(p.body.at("customer"), "id")), std::string::npos) << trail;
}

// The portal's media, erasure and usage pages call the data plane as the
// signed-in customer with Lethe-Account: its own accounts only, CSRF held
// on unsafe methods, no other origin let in or let read, the customer
// named in the audit chain and the portal session in the usage ledger.
TEST_F(PortalSessionTest, TheCustomerActsForItsOwnAccountWithLetheAccount) {
  Portal p = SignUpPortal(Unique("acting") + "@example.com");
  Portal other = SignUpPortal(Unique("acting-other") + "@example.com");
  Response account =
      client_.Post("/v1/accounts", json::object{{"name", "m"}, {"region", "us"}}, Csrf(p));
  ASSERT_EQ(account.status, 201) << account.Describe();
  const std::string id = Str(account.Json(), "id");
  const std::string customer = Str(p.body.at("customer"), "id");
  const std::string end_user = Unique("eu-portal");
  Headers upload = Csrf(p, {{"Lethe-Account", id}, {"Content-Type", "image/png"}});
  Response uploaded = client_.Post("/v1/media?end_user=" + end_user, SamplePng(), upload);
  ASSERT_EQ(uploaded.status, 201) << uploaded.Describe();

  Response listed = client_.Get("/v1/media", WithCookie(p, {{"Lethe-Account", id}}));
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  EXPECT_EQ(Arr(listed.Json(), "media").size(), 1u);
  EXPECT_TRUE(listed.Header("access-control-allow-origin").empty());
  // Another customer's session: as if the account did not exist.
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media", WithCookie(other, {{"Lethe-Account", id}})), 404,
                       "not-found");
  LETHE_EXPECT_PROBLEM(
      client_.Delete("/v1/end-users/" + end_user, Csrf(other, {{"Lethe-Account", id}})), 404,
      "not-found");
  // No CSRF token: 403, nothing erased.
  LETHE_EXPECT_PROBLEM(
      client_.Delete("/v1/end-users/" + end_user, WithCookie(p, Same({{"Lethe-Account", id}}))),
      403, "csrf-refused");
  // Another origin, even to read: 403, and nothing a page could read.
  Response foreign = client_.Get(
      "/v1/media", WithCookie(p, {{"Lethe-Account", id}, {"Origin", "http://127.0.0.1:1"}}));
  LETHE_EXPECT_PROBLEM(foreign, 403, "csrf-refused");
  EXPECT_TRUE(foreign.Header("access-control-allow-origin").empty());

  Response erased = client_.Delete("/v1/end-users/" + end_user, Csrf(p, {{"Lethe-Account", id}}));
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  const std::string erasure = Str(erased.Json(), "id");
  ASSERT_TRUE(WaitFor([&] {
    Response e = client_.Get("/v1/erasures/" + erasure, WithCookie(p, {{"Lethe-Account", id}}));
    return e.status == 200 && Str(e.Json(), "state") == "done";
  }));
  EXPECT_TRUE(Arr(client_.Get("/v1/media", WithCookie(p, {{"Lethe-Account", id}})).Json(), "media")
                  .empty());
  // The customer erased, in the account's audit trail.
  Response audit = client_.Get("/v1/accounts/" + id + "/audit", WithCookie(p));
  ASSERT_EQ(audit.status, 200) << audit.Describe();
  bool by_customer = false;
  for (const json::value& e : Arr(audit.Json(), "events")) {
    if (Str(e, "action") == "end_user.erase") by_customer = Str(e, "actor") == customer;
  }
  EXPECT_TRUE(by_customer) << audit.body;
  // Metered, with the portal session's id as the credential.
  Response usage;
  ASSERT_TRUE(WaitFor([&] {  // the ledger writes behind
    usage = client_.Get("/v1/usage?limit=100", WithCookie(p, {{"Lethe-Account", id}}));
    return usage.status == 200 && Arr(usage.Json(), "events").size() >= 4;
  })) << usage.Describe();
  json::array events = Arr(usage.Json(), "events");
  for (const json::value& e : events) {
    EXPECT_EQ(Str(e, "credential_id").rfind("sid_", 0), 0u) << json::serialize(e);
  }
  EXPECT_EQ(usage.body.find("ses_"), std::string::npos) << "never the session token";
  // A closed account takes nothing more, from the portal either (ACC-10).
  ASSERT_EQ(client_.Delete("/v1/accounts/" + id, Csrf(p)).status, 202);
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media", WithCookie(p, {{"Lethe-Account", id}})), 412,
                       "account-closed");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/upload-tokens", json::object{{"end_user", "late"}},
                                    Csrf(p, {{"Lethe-Account", id}})),
                       412, "account-closed");
}

}  // namespace
}  // namespace lethe::e2e
