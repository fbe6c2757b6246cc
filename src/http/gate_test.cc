// Routes declare their auth and the Gate applies it: a real HttpServer on
// loopback in front of the real domain (SQLite files in a temp dir). A
// data-plane route records usage for every outcome once its caller is
// known, without a line of metering in the handler, and a request whose
// credential does not check out never reaches the handler.
#include "http/gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "common/encoding.h"
#include "crypto/totp.h"
#include "domain/access_grants.h"
#include "http/browser_session.h"
#include "http/loopback_client.h"
#include "http/server.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class GateTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    usage_ = std::make_unique<UsageLedger>(*metadata_, clock_, random_);
    links_ = std::make_unique<MediaLinks>(master_, clock_);
    staff_ = std::make_unique<Staff>(*metadata_, *audit_, *ring_, clock_, random_,
                                     PasswordCost::Minimum());
    grants_ = std::make_unique<AccessGrants>(*metadata_, *audit_, clock_, random_);
    gate_ = std::make_unique<Gate>(*customers_, *accounts_, *usage_, *links_, staff_.get(), nullptr,
                                   grants_.get());
    router_ = std::make_unique<Router>(gate_.get());
    SignupForm form{"Ada", "ada@example.com", "correct horse battery", "US", "1990-01-01"};
    auto signup = customers_->SignUp(form, origin_);
    ASSERT_TRUE(signup.ok()) << signup.status().ToString();
    customer_id_ = signup->customer.id;
    session_ = signup->session.token;
    auto account = accounts_->Create(customer_id_, "app", "us", origin_);
    ASSERT_TRUE(account.ok()) << account.status().ToString();
    account_id_ = account->account.id;
    token_ = account->api_token;
  }
  void Start() {
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    server_ = std::make_unique<HttpServer>(*router_, metrics_, random_, network_threads_, options);
    auto bound = server_->Listen();
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    port_ = static_cast<uint16_t>(std::stoi(bound->substr(bound->rfind(':') + 1)));
    runner_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (runner_.joinable()) runner_.join();
  }
  std::vector<UsageEvent> Usage() {
    UsageQuery q;
    q.account_id = account_id_;
    auto page = usage_->List(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->events : std::vector<UsageEvent>{};
  }
  std::string Bearer(const std::string& token) { return "Authorization: Bearer " + token; }
  // A staff member of `role`, signed in: their principal and session token.
  std::pair<StaffPrincipal, std::string> SignedInStaff(const std::string& name, StaffRole role) {
    auto added = staff_->Add(name, role, origin_);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    if (!added.ok()) return {};
    auto seed = Base32Decode(added->totp_secret);
    auto code = TotpCode(*seed, TotpStep(clock_.NowMillis()));
    auto session = staff_->SignIn(added->staff.id, added->password, *code, origin_);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    return {StaffPrincipal{added->staff.id, name, role}, session.ok() ? session->token : ""};
  }

  std::unique_ptr<UsageLedger> usage_;
  std::unique_ptr<MediaLinks> links_;
  std::unique_ptr<Staff> staff_;
  std::unique_ptr<AccessGrants> grants_;
  std::unique_ptr<Gate> gate_;
  std::unique_ptr<Router> router_;
  Metrics metrics_;
  NetworkThreads network_threads_;
  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
  std::string customer_id_, session_, account_id_, token_;
};

// Refuses every upload once it has seen its first bytes.
class RefusingSink final : public UploadSink {
 public:
  Status Write(std::span<const uint8_t>) override {
    return Status::UnsupportedMedia("unsupported-media-type", "not media");
  }
  Result<HttpResponse> Finish() override { return HttpResponse::Empty(201); }
};

TEST_F(GateTest, DataPlaneRoutesRecordUsageForEveryOutcomeAndOnlyForKnownCallers) {
  std::atomic<int> handled{0}, uploads{0};
  // The handlers say nothing about usage: the declaration does it all.
  router_->Add("GET", "/v1/thing", Auth::kDataPlane, 1024,
               [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
                 ++handled;
                 if (req.Query("fail")) return Status::InvalidArgument("bad-request", "refused");
                 return HttpResponse::Json(
                     200, boost::json::object{{"account", c.principal().account.id},
                                              {"credential", c.principal().credential_id}});
               });
  router_->AddUpload("POST", "/v1/things", Auth::kDataPlane, 1 << 20,
                     [&](HttpRequest&, const Caller&) -> Result<std::unique_ptr<UploadSink>> {
                       ++uploads;
                       return std::unique_ptr<UploadSink>(new RefusingSink);
                     });
  Start();
  auto key = accounts_->CreateKey(customer_id_, account_id_, origin_);
  ASSERT_TRUE(key.ok());
  std::string basic = "Authorization: Basic " + Base64Encode(key->key.id + ":" + key->secret);

  LoopbackResponse ok = LoopbackRequest(port_, "GET", "/v1/thing?end_user=alice", {Bearer(token_)});
  EXPECT_EQ(ok.status, 200) << ok.raw;
  EXPECT_NE(ok.body.find(account_id_), std::string::npos) << ok.body;
  LoopbackResponse refused =
      LoopbackRequest(port_, "GET", "/v1/thing?fail=1", {basic, "Lethe-End-User: bob"});
  EXPECT_EQ(refused.status, 400) << refused.raw;
  // A named end user that is not short UTF-8: refused before the handler,
  // still recorded (the caller is known), without the end user.
  LoopbackResponse bad_end_user = LoopbackRequest(
      port_, "GET", "/v1/thing?end_user=" + std::string(300, 'e'), {Bearer(token_)});
  EXPECT_EQ(bad_end_user.status, 400);
  EXPECT_NE(bad_end_user.body.find("invalid-field"), std::string::npos) << bad_end_user.body;
  LoopbackResponse upload =
      LoopbackRequest(port_, "POST", "/v1/things", {Bearer(token_)}, std::string(5000, 'x'));
  EXPECT_EQ(upload.status, 415) << upload.raw;

  // Unknown callers: 401, never the handler, nothing recorded.
  for (const std::vector<std::string>& auth :
       {std::vector<std::string>{Bearer("not-a-token")}, std::vector<std::string>{},
        std::vector<std::string>{"Authorization: Basic !!!"},
        std::vector<std::string>{"Authorization: Basic " +
                                 Base64Encode(key->key.id + ":wrong-secret")},
        std::vector<std::string>{Bearer(session_)}}) {
    LoopbackResponse r = LoopbackRequest(port_, "GET", "/v1/thing?end_user=mallory", auth);
    EXPECT_EQ(r.status, 401) << (auth.empty() ? "no credentials" : auth[0]);
    EXPECT_NE(r.body.find("unauthenticated"), std::string::npos) << r.body;
  }
  EXPECT_EQ(LoopbackRequest(port_, "POST", "/v1/things", {Bearer("nope")}, "x").status, 401);

  EXPECT_EQ(handled.load(), 2) << "only admitted requests with a good end user reach it";
  EXPECT_EQ(uploads.load(), 1);
  std::vector<UsageEvent> events = Usage();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].status, 200);
  EXPECT_EQ(events[0].end_user, "alice");
  EXPECT_EQ(events[0].method, "GET");
  EXPECT_EQ(events[0].route, "/v1/thing");
  EXPECT_EQ(events[0].credential_id, account_id_);
  EXPECT_EQ(events[1].status, 400);
  EXPECT_EQ(events[1].end_user, "bob");
  EXPECT_EQ(events[1].credential_id, key->key.id);
  EXPECT_EQ(events[2].status, 400);
  EXPECT_EQ(events[2].end_user, "");
  EXPECT_EQ(events[3].status, 415);
  EXPECT_EQ(events[3].method, "POST");
  EXPECT_EQ(events[3].route, "/v1/things");
  for (const UsageEvent& e : events) EXPECT_NE(e.end_user, "mallory");
}

TEST_F(GateTest, SessionRoutesAdmitOnlyASignedInCustomerAndRecordNoUsage) {
  std::atomic<int> handled{0};
  router_->Add("GET", "/v1/me", Auth::kSession, 1024,
               [&](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
                 ++handled;
                 return HttpResponse::Json(200, boost::json::object{{"id", c.customer().id}});
               });
  Start();
  LoopbackResponse me = LoopbackRequest(port_, "GET", "/v1/me", {Bearer(session_)});
  EXPECT_EQ(me.status, 200);
  EXPECT_NE(me.body.find(customer_id_), std::string::npos) << me.body;
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/me", {Bearer(token_)}).status, 401)
      << "an account token is no session";
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/me").status, 401);
  EXPECT_EQ(handled.load(), 1);
  EXPECT_TRUE(Usage().empty());
}

TEST_F(GateTest, SignedLinkRoutesTakeALinkForTheirOwnIdOrDataPlaneCredentials) {
  std::atomic<int> handled{0};
  router_->Add("GET", "/v1/media/{id}/content", Auth::kSignedLink, 0,
               [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
                 ++handled;
                 req.end_user = "owner-of-" + req.Param("id");
                 return HttpResponse::Json(
                     200, boost::json::object{{"credential", c.principal().credential_id}});
               });
  Start();
  auto url = [&](const MediaLink& l, const std::string& media_id) {
    return "/v1/media/" + media_id + "/content?account=" + l.account_id +
           "&expires=" + std::to_string(l.expires_ms) + "&sig=" + l.signature;
  };
  MediaLink link = links_->Issue(account_id_, "med_one", 60'000);
  LoopbackResponse by_link = LoopbackRequest(port_, "GET", url(link, "med_one") + "&end_user=x");
  EXPECT_EQ(by_link.status, 200) << by_link.raw;
  EXPECT_NE(by_link.body.find("\"credential\":\"link\""), std::string::npos) << by_link.body;
  // The link grants its own media only, unaltered and unexpired.
  EXPECT_EQ(LoopbackRequest(port_, "GET", url(link, "med_two")).status, 401);
  MediaLink forged = link;
  forged.expires_ms += 1000;
  EXPECT_EQ(LoopbackRequest(port_, "GET", url(forged, "med_one")).status, 401);
  clock_.Advance(61'000);
  EXPECT_EQ(LoopbackRequest(port_, "GET", url(link, "med_one")).status, 401);
  // Without a link: the data plane's credentials.
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/media/med_one/content").status, 401);
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/media/med_one/content", {Bearer(token_)}).status,
            200);
  EXPECT_EQ(handled.load(), 2);
  std::vector<UsageEvent> events = Usage();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].credential_id, "link");
  EXPECT_EQ(events[0].end_user, "owner-of-med_one") << "a link names no end user of its own";
  EXPECT_EQ(events[1].credential_id, account_id_);
}

// USE-6: staff routes admit staff tokens of their roles only; staff tokens
// open no customer or data-plane route, and customer credentials open no
// staff route.
TEST_F(GateTest, StaffRoutesAdmitOnlyTheirRolesAndStaffTokensOpenNothingElse) {
  std::atomic<int> staff_handled{0}, other_handled{0};
  router_->AddStaff(
      "GET", "/v1/staff/thing", {StaffRole::kLegal, StaffRole::kAdmin},
      StaffAccess::CustomerData(AccountFrom::QueryParam("account"), GrantScope::kAccount), 1024,
      [&](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
        ++staff_handled;
        return HttpResponse::Json(200, boost::json::object{{"id", c.staff().id}});
      });
  router_->Add("GET", "/v1/thing", Auth::kDataPlane, 1024,
               [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                 ++other_handled;
                 return HttpResponse::Empty(204);
               });
  router_->Add("GET", "/v1/me", Auth::kSession, 1024,
               [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                 ++other_handled;
                 return HttpResponse::Empty(204);
               });
  Start();
  auto [legal, legal_token] = SignedInStaff("Lee", StaffRole::kLegal);
  auto [support, support_token] = SignedInStaff("Sam", StaffRole::kSupport);
  ASSERT_FALSE(HasFailure());
  const std::string thing = "/v1/staff/thing?account=" + account_id_;
  GrantForm form{account_id_, "debugging", "TCK-1", {"account"}, 1};
  ASSERT_TRUE(grants_->Create(legal, form, origin_).ok());
  ASSERT_TRUE(grants_->Create(support, form, origin_).ok());

  LoopbackResponse ok = LoopbackRequest(port_, "GET", thing, {Bearer(legal_token)});
  EXPECT_EQ(ok.status, 200) << ok.raw;
  EXPECT_NE(ok.body.find(legal.id), std::string::npos) << ok.body;
  LoopbackResponse wrong_role = LoopbackRequest(port_, "GET", thing, {Bearer(support_token)});
  EXPECT_EQ(wrong_role.status, 403) << wrong_role.raw;
  EXPECT_NE(wrong_role.body.find("forbidden"), std::string::npos) << wrong_role.body;
  for (const std::string& other : {session_, token_, std::string("sts_forged"), std::string()}) {
    std::vector<std::string> auth;
    if (!other.empty()) auth.push_back(Bearer(other));
    EXPECT_EQ(LoopbackRequest(port_, "GET", thing, auth).status, 401) << other;
  }
  auto key = accounts_->CreateKey(customer_id_, account_id_, origin_);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(
      LoopbackRequest(port_, "GET", thing,
                      {"Authorization: Basic " + Base64Encode(key->key.id + ":" + key->secret)})
          .status,
      401);
  for (const char* path : {"/v1/thing", "/v1/me"}) {
    EXPECT_EQ(LoopbackRequest(port_, "GET", path, {Bearer(legal_token)}).status, 401) << path;
  }
  EXPECT_EQ(staff_handled.load(), 1);
  EXPECT_EQ(other_handled.load(), 0);
  EXPECT_TRUE(Usage().empty()) << "staff calls are not an account's usage";
}

// USE-4: a grant-checked staff route runs its handler only under an active
// grant of the caller on the account the request names, with the scope
// the route declares; without one it is 403 no-access-grant even for an
// admin, the handler never runs, and every request served is logged.
TEST_F(GateTest, StaffRoutesRunOnlyUnderAGrantAndEveryUseIsLogged_USE4) {
  std::atomic<int> handled{0};
  router_->AddStaff("POST", "/v1/staff/accounts/{id}/poke", {StaffRole::kAdmin},
                    StaffAccess::CustomerData(AccountFrom::PathParam("id"), GrantScope::kMedia),
                    1024, [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                      ++handled;
                      return HttpResponse::Empty(204);
                    });
  router_->AddStaff(
      "POST", "/v1/staff/pokes", {StaffRole::kAdmin},
      StaffAccess::CustomerData(AccountFrom::BodyField("account"), GrantScope::kMedia), 1024,
      [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
        ++handled;
        return HttpResponse::Empty(204);
      });
  Start();
  auto signed_in = SignedInStaff("Ada", StaffRole::kAdmin);
  const StaffPrincipal admin = signed_in.first;
  const std::string token = signed_in.second;
  ASSERT_FALSE(token.empty());
  const std::string poke = "/v1/staff/accounts/" + account_id_ + "/poke";
  const std::string body = "{\"account\":\"" + account_id_ + "\"}";
  // The clock moves a millisecond per request, so the log's order is theirs.
  auto post = [&](const std::string& path, const std::string& b = "") {
    clock_.Advance(1);
    return LoopbackRequest(port_, "POST", path, {Bearer(token), "Content-Type: application/json"},
                           b);
  };
  auto log = [&] { return *metadata_->ListAccessLog(account_id_, std::nullopt, 100); };

  LoopbackResponse none = post(poke);
  EXPECT_EQ(none.status, 403) << none.raw;
  EXPECT_NE(none.body.find("no-access-grant"), std::string::npos) << none.body;
  EXPECT_EQ(post("/v1/staff/pokes", body).status, 403);
  // A grant of another scope opens nothing here.
  ASSERT_TRUE(
      grants_->Create(admin, {account_id_, "debugging", "T-1", {"account"}, 2}, origin_).ok());
  EXPECT_EQ(post(poke).status, 403);
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(log().size(), 1u) << "only the grant's creation";

  auto media = grants_->Create(admin, {account_id_, "abuse_review", "T-2", {"media"}, 1}, origin_);
  ASSERT_TRUE(media.ok());
  EXPECT_EQ(post(poke).status, 204);
  EXPECT_EQ(post("/v1/staff/pokes", body).status, 204);
  EXPECT_EQ(post("/v1/staff/pokes", "{}").status, 400) << "no account named";
  EXPECT_EQ(handled.load(), 2);
  std::vector<AccessLogEntry> entries = log();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].kind, "request");
  EXPECT_EQ(entries[0].grant_id, media->id);
  EXPECT_EQ(entries[0].purpose, "abuse_review");
  EXPECT_EQ(entries[0].ticket, "T-2");
  EXPECT_EQ(entries[0].route, "/v1/staff/pokes");
  EXPECT_EQ(entries[1].path, poke);
  EXPECT_EQ(entries[1].method, "POST");
  EXPECT_EQ(entries[1].staff_id, admin.id);

  // Expired: refused again.
  clock_.Advance(3600 * 1000);
  EXPECT_EQ(post(poke).status, 403);
  // Revoked: refused.
  auto again = grants_->Create(admin, {account_id_, "abuse_review", "T-3", {"media"}, 5}, origin_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(post(poke).status, 204);
  ASSERT_TRUE(grants_->Revoke(admin, again->id, origin_).ok());
  EXPECT_EQ(post(poke).status, 403);
  EXPECT_EQ(handled.load(), 3);
}

// The portal acts on the data plane for the signed-in customer's own
// accounts (Lethe-Account): as that account, metered with the session's
// id as the credential and the customer as the actor; another customer's
// account is as absent as a missing one; the cookie keeps its CSRF checks
// and never opens the answer to another origin.
TEST_F(GateTest, ACustomerActsForItsOwnAccountsOnlyFromItsOwnOrigin) {
  std::atomic<int> handled{0};
  std::vector<Actor> actors;
  std::mutex mu;
  auto handler = [&](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
    ++handled;
    {
      std::lock_guard lock(mu);
      actors.push_back(c.actor());
    }
    return HttpResponse::Json(200, boost::json::object{{"account", c.principal().account.id}});
  };
  router_->Add("GET", "/v1/thing", Auth::kDataPlane, 1024, handler);
  router_->Add("DELETE", "/v1/thing", Auth::kDataPlane, 1024, handler);
  router_->Add("GET", "/v1/me", Auth::kSession, 1024,
               [&](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
                 return HttpResponse::Json(200, boost::json::object{{"id", c.customer().id}});
               });
  gate_->SetPublicOrigin("https://lethe.example");
  Accounts::Patch origins;
  origins.allowed_origins = std::vector<std::string>{"https://app.example"};
  ASSERT_TRUE(accounts_->Update(customer_id_, account_id_, origins, origin_).ok());
  SignupForm form{"Bob", "bob@example.com", "another horse battery", "US", "1990-01-01"};
  auto bob = customers_->SignUp(form, origin_);
  ASSERT_TRUE(bob.ok());
  auto bobs = accounts_->Create(bob->customer.id, "bobs", "us", origin_);
  ASSERT_TRUE(bobs.ok());
  Start();
  const std::string acting = "Lethe-Account: " + account_id_;
  const std::string cookie = "Cookie: " + std::string(kSessionCookie) + "=" + session_;
  const std::string csrf = "X-CSRF-Token: " + CsrfToken(session_);
  const std::string own_origin = "Origin: https://lethe.example";

  // Own account, by Bearer session and by cookie (a safe method: no CSRF).
  LoopbackResponse bearer =
      LoopbackRequest(port_, "GET", "/v1/thing?end_user=alice", {Bearer(session_), acting});
  EXPECT_EQ(bearer.status, 200) << bearer.raw;
  EXPECT_NE(bearer.body.find(account_id_), std::string::npos) << bearer.body;
  LoopbackResponse by_cookie = LoopbackRequest(port_, "GET", "/v1/thing", {cookie, acting});
  EXPECT_EQ(by_cookie.status, 200) << by_cookie.raw;
  // An unsafe method by cookie: CSRF token and this origin, else 403.
  LoopbackResponse no_csrf =
      LoopbackRequest(port_, "DELETE", "/v1/thing", {cookie, acting, own_origin});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_NE(no_csrf.body.find("csrf-refused"), std::string::npos) << no_csrf.body;
  EXPECT_EQ(LoopbackRequest(port_, "DELETE", "/v1/thing", {cookie, acting, csrf}).status, 403)
      << "no Origin";
  LoopbackResponse erase =
      LoopbackRequest(port_, "DELETE", "/v1/thing", {cookie, acting, csrf, own_origin});
  EXPECT_EQ(erase.status, 200) << erase.raw;
  EXPECT_TRUE(erase.Header("access-control-allow-origin").empty()) << erase.raw;

  // Another origin: refused even to read, even one the account allows for
  // its own credentials, and never given Access-Control-Allow-Origin.
  for (const std::string& page : {"Origin: https://evil.example", "Origin: https://app.example"}) {
    LoopbackResponse r = LoopbackRequest(port_, "GET", "/v1/thing", {cookie, acting, page});
    EXPECT_EQ(r.status, 403) << page;
    EXPECT_NE(r.body.find("csrf-refused"), std::string::npos) << r.body;
    EXPECT_TRUE(r.Header("access-control-allow-origin").empty()) << r.raw;
  }
  LoopbackResponse app =
      LoopbackRequest(port_, "GET", "/v1/thing", {Bearer(token_), "Origin: https://app.example"});
  EXPECT_EQ(app.status, 200) << "the account's own token still opens to its allowed origin";
  EXPECT_EQ(app.Header("access-control-allow-origin"), "https://app.example");
  // A browser cannot even send the header from another origin: its
  // preflight is refused.
  LoopbackResponse preflight =
      LoopbackRequest(port_, "OPTIONS", "/v1/thing",
                      {"Origin: https://evil.example", "Access-Control-Request-Method: GET",
                       "Access-Control-Request-Headers: lethe-account"});
  EXPECT_EQ(preflight.status, 403) << preflight.raw;
  EXPECT_TRUE(preflight.Header("access-control-allow-headers").find("Lethe-Account") ==
              std::string::npos);

  // Another customer's account and a missing one: the same 404.
  LoopbackResponse bobs_account = LoopbackRequest(
      port_, "GET", "/v1/thing", {Bearer(session_), "Lethe-Account: " + bobs->account.id});
  LoopbackResponse missing =
      LoopbackRequest(port_, "GET", "/v1/thing", {Bearer(session_), "Lethe-Account: acc_nope"});
  EXPECT_EQ(bobs_account.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(bobs_account.body.find("not-found"), std::string::npos) << bobs_account.body;
  EXPECT_EQ(bobs_account.body.find(bobs->account.id), std::string::npos) << bobs_account.body;
  // The header goes with a session only: beside an account credential, or
  // with none, it is refused.
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/thing", {Bearer(token_), acting}).status, 401);
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/thing", {acting}).status, 401);
  // Session routes are as before.
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/me", {Bearer(session_), acting}).status, 200);

  EXPECT_EQ(handled.load(), 4);  // bearer, cookie, erase, app
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(actors.size(), 4u);
    for (size_t i : {0, 1, 2}) EXPECT_EQ(actors[i], Actor::Customer(customer_id_)) << i;
    EXPECT_EQ(actors[3], Actor::Credential(account_id_));
  }
  // Metered: the admitted requests (and those refused after admission)
  // are the account's usage, with the session's id as the credential.
  std::vector<UsageEvent> events = Usage();
  int by_session = 0;
  for (const UsageEvent& e : events) {
    if (e.credential_id.rfind("sid_", 0) == 0) ++by_session;
    EXPECT_NE(e.credential_id, session_) << "the session token is never recorded";
  }
  // Refusals before the account is known (CSRF, another origin, 404) are
  // not: nothing of the account was touched.
  EXPECT_EQ(by_session, 3) << "bearer, cookie, erase";
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].end_user, "alice");
}

}  // namespace
}  // namespace lethe
