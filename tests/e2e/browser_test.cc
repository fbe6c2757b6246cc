// Lethe from a browser (issue 9), end to end against a real server with a
// real HTTP client: CORS (preflights and actual responses, per account
// origins, the customer plane never opened) and delegated upload tokens
// (narrow scope, single use under a real race, size and kind limits,
// revocation and expiry). A browser sends Origin; these requests do too.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

constexpr uint64_t kMaxMedia = 32 * 1024 * 1024;
const std::string kApp = "http://app.example:8080";
const std::string kOther = "https://evil.example";

class BrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--max-media-bytes", std::to_string(kMaxMedia)});
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "browser");
    ASSERT_FALSE(tenant_.token().empty());
    Response set = client_.Patch("/v1/accounts/" + tenant_.account.id,
                                 json::object{{"allowed_origins", json::array{kApp}}},
                                 BearerAuth(tenant_.session));
    ASSERT_EQ(set.status, 200) << set.Describe();
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  static std::string Mp4(size_t size, uint64_t seed = 1) {
    return PatternBytes(size, seed, FtypHeader());
  }

  // POST /v1/upload-tokens with the account token; the answer's body.
  json::value IssueToken(json::object spec) {
    Response r = client_.Post("/v1/upload-tokens", json::value(spec), BearerAuth(tenant_.token()));
    EXPECT_EQ(r.status, 201) << r.Describe();
    return r.status == 201 ? r.Json() : json::value(nullptr);
  }

  int MediaCount() { return static_cast<int>(ListAllMedia(client_, tenant_.token()).size()); }

  // A media uploaded with the account token and a signed link to it.
  std::pair<std::string, std::string> MediaWithLink(const std::string& bytes) {
    Response up = UploadBytes(client_, tenant_.token(), bytes, "video/mp4");
    EXPECT_EQ(up.status, 201) << up.Describe();
    std::string id = Str(up.Json(), "id");
    Response link = client_.Post("/v1/media/" + id + "/links", "", BearerAuth(tenant_.token()));
    EXPECT_EQ(link.status, 201) << link.Describe();
    return {id, Str(link.Json(), "url")};
  }

  static Headers Preflight(const std::string& origin, const std::string& method,
                           const std::string& headers = "") {
    Headers h{{"Origin", origin}, {"Access-Control-Request-Method", method}};
    if (!headers.empty()) h["Access-Control-Request-Headers"] = headers;
    return h;
  }

  static void ExpectNoAllowHeaders(const Response& r) {
    for (const auto& [name, value] : r.headers) {
      EXPECT_NE(name.rfind("access-control-", 0), 0u) << name << ": " << value;
    }
  }

  static std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

std::unique_ptr<ServerProcess> BrowserTest::server_;

TEST_F(BrowserTest, AllowedOriginsAreCheckedKeptCanonicalAndShown) {
  const std::string path = "/v1/accounts/" + tenant_.account.id;
  for (const char* bad : {"*", "null", "app.example", "https://app.example/path",
                          "ftp://app.example", "https://user@app.example"}) {
    LETHE_EXPECT_PROBLEM(client_.Patch(path, json::object{{"allowed_origins", json::array{bad}}},
                                       BearerAuth(tenant_.session)),
                         400, "invalid-field");
  }
  Response get = client_.Get(path, BearerAuth(tenant_.session));
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(json::serialize(get.Json().at("allowed_origins")), "[\"" + kApp + "\"]")
      << "bad input changed nothing";

  Response set = client_.Patch(
      path, json::object{{"allowed_origins", json::array{"HTTPS://Web.Example:443", kApp, kApp}}},
      BearerAuth(tenant_.session));
  ASSERT_EQ(set.status, 200) << set.Describe();
  EXPECT_EQ(json::serialize(set.Json().at("allowed_origins")),
            "[\"https://web.example\",\"" + kApp + "\"]");
  Response list = client_.Get("/v1/accounts", BearerAuth(tenant_.session));
  EXPECT_NE(list.body.find("https://web.example"), std::string::npos) << list.body;
}

TEST_F(BrowserTest, DataPlanePreflightIsGenericAndTheAccountsListIsEnforcedOnTheRequest_USE2) {
  // A preflight carries no credential: it is answered alike for any origin.
  for (const std::string& origin : {kApp, kOther}) {
    Response pre = client_.Request("OPTIONS", "/v1/media", "",
                                   Preflight(origin, "POST", "authorization, content-type"));
    ASSERT_EQ(pre.status, 204) << pre.Describe();
    EXPECT_EQ(pre.Header("Access-Control-Allow-Origin"), origin);
    EXPECT_NE(pre.Header("Access-Control-Allow-Methods").find("POST"), std::string::npos);
    EXPECT_NE(pre.Header("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
    EXPECT_NE(pre.Header("Access-Control-Allow-Headers").find("Tus-Resumable"), std::string::npos);
    EXPECT_EQ(pre.Header("Access-Control-Max-Age"), "600");
    EXPECT_NE(pre.Header("Vary").find("Origin"), std::string::npos);
  }
  // A header or method the route does not take is refused.
  Response header = client_.Request("OPTIONS", "/v1/media", "", Preflight(kApp, "POST", "X-Evil"));
  LETHE_EXPECT_PROBLEM(header, 403, "cors-refused");
  ExpectNoAllowHeaders(header);
  LETHE_EXPECT_PROBLEM(client_.Request("OPTIONS", "/v1/media", "", Preflight(kApp, "PUT")), 403,
                       "cors-refused");
  LETHE_EXPECT_PROBLEM(client_.Request("OPTIONS", "/v1/media", "", Preflight("null", "GET")), 403,
                       "origin-not-allowed");
  EXPECT_EQ(client_.Request("OPTIONS", "/v1/nothing-here", "", Preflight(kApp, "GET")).status, 404);

  // The request itself: the account's list decides.
  Headers allowed = BearerAuth(tenant_.token());
  allowed["Origin"] = kApp;
  Response ok = client_.Get("/v1/media", allowed);
  ASSERT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(ok.Header("Access-Control-Allow-Origin"), kApp);
  EXPECT_NE(ok.Header("Access-Control-Expose-Headers").find("Content-Range"), std::string::npos);
  EXPECT_NE(ok.Header("Vary").find("Origin"), std::string::npos);

  const int before = MediaCount();
  Headers refused = BearerAuth(tenant_.token());
  refused["Origin"] = kOther;
  refused["Content-Type"] = "video/mp4";
  Response up = client_.Request("POST", "/v1/media", Mp4(4096), refused,
                                RequestOptions{.no_default_content_type = true});
  LETHE_EXPECT_PROBLEM(up, 403, "origin-not-allowed");
  ExpectNoAllowHeaders(up);
  EXPECT_NE(up.Header("Vary").find("Origin"), std::string::npos);
  EXPECT_EQ(MediaCount(), before) << "a refused origin changes nothing";
  // Clients that send no Origin (curl, servers) are not concerned.
  Response plain = client_.Get("/v1/media", BearerAuth(tenant_.token()));
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Header("Access-Control-Allow-Origin"), "");
}

TEST_F(BrowserTest, SignedLinkContentIsReadableWithRangeOnlyFromTheAccountsOrigins_USE2) {
  const std::string bytes = Mp4(300'000, 7);
  auto [id, url] = MediaWithLink(bytes);
  ASSERT_FALSE(url.empty());

  // The link names its account, so its preflight follows the account's list.
  Response pre = client_.Request("OPTIONS", url, "", Preflight(kApp, "GET", "range"));
  ASSERT_EQ(pre.status, 204) << pre.Describe();
  EXPECT_EQ(pre.Header("Access-Control-Allow-Origin"), kApp);
  EXPECT_NE(pre.Header("Access-Control-Allow-Headers").find("Range"), std::string::npos);
  Response other = client_.Request("OPTIONS", url, "", Preflight(kOther, "GET", "range"));
  LETHE_EXPECT_PROBLEM(other, 403, "origin-not-allowed");
  ExpectNoAllowHeaders(other);
  std::string forged = url.substr(0, url.size() - 4) + "AAAA";
  LETHE_EXPECT_PROBLEM(client_.Request("OPTIONS", forged, "", Preflight(kApp, "GET")), 403,
                       "origin-not-allowed");

  // The actual read with a Range, as fetch() and <video crossorigin> do.
  Response part = client_.Get(url, {{"Origin", kApp}, {"Range", "bytes=1000-1999"}});
  ASSERT_EQ(part.status, 206) << part.Describe();
  EXPECT_EQ(part.body, bytes.substr(1000, 1000));
  EXPECT_EQ(part.Header("Access-Control-Allow-Origin"), kApp);
  const std::string exposed = part.Header("Access-Control-Expose-Headers");
  for (const char* h : {"Content-Range", "Content-Length", "ETag", "Accept-Ranges"}) {
    EXPECT_NE(exposed.find(h), std::string::npos) << h << " in " << exposed;
  }
  EXPECT_NE(part.Header("Vary").find("Origin"), std::string::npos);
  EXPECT_EQ(part.Header("Content-Range"), "bytes 1000-1999/300000");
  // Revalidation keeps the CORS headers.
  Response same = client_.Get(url, {{"Origin", kApp}, {"If-None-Match", part.Header("ETag")}});
  EXPECT_EQ(same.status, 304);
  EXPECT_EQ(same.Header("Access-Control-Allow-Origin"), kApp);

  Response refused = client_.Get(url, {{"Origin", kOther}, {"Range", "bytes=0-99"}});
  LETHE_EXPECT_PROBLEM(refused, 403, "origin-not-allowed");
  ExpectNoAllowHeaders(refused);
  EXPECT_EQ(refused.body.find(bytes.substr(40, 40)), std::string::npos);
  // Without Origin (a plain <video>, curl): served as before, no CORS.
  Response plain = client_.Get(url, {{"Range", "bytes=0-99"}});
  EXPECT_EQ(plain.status, 206);
  EXPECT_EQ(plain.Header("Access-Control-Allow-Origin"), "");
  EXPECT_NE(plain.Header("Vary").find("Origin"), std::string::npos);
}

TEST_F(BrowserTest, TheCustomerPlaneIsNeverOpenedToOtherOrigins) {
  const std::string account = "/v1/accounts/" + tenant_.account.id;
  for (const std::string& path : {std::string("/v1/me"), std::string("/v1/sessions"), account,
                                  account + "/keys", std::string("/v1/signup")}) {
    Response pre = client_.Request("OPTIONS", path, "", Preflight(kApp, "GET", "authorization"));
    LETHE_EXPECT_PROBLEM(pre, 405, "") << path;
    ExpectNoAllowHeaders(pre);
    EXPECT_FALSE(pre.Header("Allow").empty()) << path;
  }
  // Nor its answers, from an origin the account allows.
  Headers h = BearerAuth(tenant_.session);
  h["Origin"] = kApp;
  Response me = client_.Get("/v1/me", h);
  EXPECT_EQ(me.status, 200);
  ExpectNoAllowHeaders(me);
  Response acct = client_.Get(account, h);
  EXPECT_EQ(acct.status, 200);
  ExpectNoAllowHeaders(acct);
}

TEST_F(BrowserTest, AnUploadTokenOpensOnlyTheUploadOfItsEndUser_SEC2) {
  json::value issued = IssueToken({{"end_user", "eu_browser"},
                                   {"title", "Fixed title"},
                                   {"tags", json::array{"web"}},
                                   {"uses", 2}});
  const std::string token = Str(issued, "token");
  ASSERT_EQ(token.rfind("lut_", 0), 0u) << token;
  EXPECT_EQ(Str(issued, "id").rfind("upt_", 0), 0u);
  EXPECT_EQ(issued.at("uses").as_int64(), 2);
  EXPECT_TRUE(FilesContaining(server_->data_dir(), token).empty()) << "stored only as a digest";

  Headers h = BearerAuth(token);
  h["Origin"] = kApp;
  h["Content-Type"] = "video/mp4";
  Response up = client_.Request("POST", "/v1/media", Mp4(8192), h,
                                RequestOptions{.no_default_content_type = true});
  ASSERT_EQ(up.status, 201) << up.Describe();
  EXPECT_EQ(up.Header("Access-Control-Allow-Origin"), kApp);
  json::value media = up.Json();
  EXPECT_EQ(Str(media, "end_user"), "eu_browser");
  EXPECT_EQ(Str(media, "title"), "Fixed title");
  EXPECT_EQ(json::serialize(media.at("tags")), "[\"web\"]");
  const std::string id = Str(media, "id");

  // Everything else is 401, as for any unknown credential.
  const std::vector<std::pair<std::string, std::string>> others = {
      {"GET", "/v1/media"},
      {"GET", "/v1/media/" + id},
      {"PATCH", "/v1/media/" + id},
      {"DELETE", "/v1/media/" + id},
      {"POST", "/v1/media/" + id + "/links"},
      {"GET", "/v1/media/" + id + "/content"},
      {"GET", "/v1/account"},
      {"GET", "/v1/usage"},
      {"POST", "/v1/upload-tokens"},
      {"DELETE", "/v1/upload-tokens/" + Str(issued, "id")},
      {"GET", "/v1/me"},
      {"GET", "/v1/accounts"},
  };
  for (const auto& [method, path] : others) {
    Response r = client_.Request(method, path, method == "GET" || method == "DELETE" ? "" : "{}",
                                 BearerAuth(token));
    LETHE_EXPECT_PROBLEM(r, 401, "unauthenticated") << method << " " << path;
  }
  EXPECT_EQ(client_.Get("/v1/media/" + id, BearerAuth(tenant_.token())).status, 200)
      << "the media is still there";

  // The token names the end user and fixes the title: the upload cannot
  // change them.
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, token, Mp4(4096), "video/mp4", "end_user=someone"), 403,
                       "upload-token-scope");
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, token, Mp4(4096), "video/mp4", "title=Other"), 403,
                       "upload-token-scope");
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, token, Mp4(4096), "video/mp4", "expiration_days=9"),
                       403, "upload-token-scope");
  // Usage names the token as the credential.
  Response usage = client_.Get("/v1/usage?end_user=eu_browser", BearerAuth(tenant_.token()));
  ASSERT_EQ(usage.status, 200);
  EXPECT_NE(usage.body.find(Str(issued, "id")), std::string::npos) << usage.body;

  // Its second use, then nothing.
  EXPECT_EQ(UploadBytes(client_, token, Mp4(4096), "video/mp4").status, 201);
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, token, Mp4(4096), "video/mp4"), 401, "unauthenticated");
  EXPECT_EQ(MediaCount(), 2);
}

TEST_F(BrowserTest, TwoRacingUploadsWithASingleUseTokenStoreOne_SEC2) {
  const std::string token = Str(IssueToken({{"end_user", "eu_race"}}), "token");
  ASSERT_FALSE(token.empty());
  // Each upload sends half its body, then waits until the other has sent
  // half too: halves far larger than the socket buffers, sent after the
  // server's 100 Continue, so both were admitted before either can commit.
  constexpr uint64_t kHalf = 8 * 1024 * 1024;
  std::mutex mu;
  std::condition_variable cv;
  int halfway = 0;
  auto upload = [&](uint64_t seed) {
    auto stream = std::make_shared<PatternStream>(2 * kHalf, seed, FtypHeader());
    bool waited = false;
    StreamRequest req;
    req.method = "POST";
    req.url = server_->base_url() + "/v1/media";
    req.headers = BearerAuth(token);
    req.headers["Content-Type"] = "video/mp4";
    req.headers["Expect"] = "100-continue";
    req.content_length = static_cast<int64_t>(2 * kHalf);
    req.producer = [&, stream](char* buf, size_t cap) -> size_t {
      if (!waited && stream->produced() >= kHalf) {
        std::unique_lock lock(mu);
        ++halfway;
        cv.notify_all();
        cv.wait_for(lock, std::chrono::seconds(30), [&] { return halfway >= 2; });
        waited = true;
      }
      uint64_t limit = waited ? cap : std::min<uint64_t>(cap, kHalf - stream->produced());
      return stream->Read(buf, static_cast<size_t>(limit));
    };
    return StreamTransfer(req);
  };
  StreamResult a, b;
  std::thread ta([&] { a = upload(11); });
  std::thread tb([&] { b = upload(12); });
  ta.join();
  tb.join();
  EXPECT_EQ(halfway, 2) << "both uploads were under way at once";
  std::vector<long> statuses = {a.status, b.status};
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<long>{201, 401})) << a.Describe() << "\n" << b.Describe();
  const StreamResult& lost = a.status == 401 ? a : b;
  EXPECT_NE(lost.body.find("unauthenticated"), std::string::npos) << lost.body;
  EXPECT_EQ(MediaCount(), 1) << "the refused upload stored nothing";
  EXPECT_TRUE(WaitFor([&] { return IncomingFiles(*server_).empty(); }))
      << "no partial upload is left";
}

TEST_F(BrowserTest, SizeAndKindLimitsRefuseTheUploadAndStoreNothing) {
  json::value small = IssueToken({{"end_user", "eu"}, {"max_bytes", 10'000}});
  const std::string token = Str(small, "token");
  // Declared too large: refused before the body.
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, token, Mp4(10'001), "video/mp4"), 413,
                       "upload-token-size");
  // Chunked, so only the bytes tell.
  LETHE_EXPECT_PROBLEM(
      UploadBytes(client_, token, Mp4(50'000), "video/mp4", "", RequestOptions{.chunked = true}),
      413, "upload-token-size");
  json::value images = IssueToken({{"end_user", "eu"}, {"kinds", json::array{"image"}}});
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, Str(images, "token"), Mp4(4096), "video/mp4"), 415,
                       "upload-token-kind");
  EXPECT_EQ(MediaCount(), 0);
  EXPECT_TRUE(WaitFor([&] { return IncomingFiles(*server_).empty(); }));
  // A refused upload spends no use.
  EXPECT_EQ(UploadBytes(client_, token, Mp4(10'000), "video/mp4").status, 201);
  EXPECT_EQ(UploadBytes(client_, Str(images, "token"), SamplePng(), "image/png").status, 201);

  // Bad token requests are refused and issue nothing.
  for (const json::object& bad :
       {json::object{}, json::object{{"end_user", "eu"}, {"expires_in", 86401}},
        json::object{{"end_user", "eu"}, {"max_bytes", kMaxMedia + 1}},
        json::object{{"end_user", "eu"}, {"kinds", json::array{"pdf"}}},
        json::object{{"end_user", "eu"}, {"uses", 0}},
        json::object{{"end_user", "eu"}, {"scope", "all"}}}) {
    Response r = client_.Post("/v1/upload-tokens", json::value(bad), BearerAuth(tenant_.token()));
    EXPECT_EQ(r.status, 400) << json::serialize(bad) << " " << r.Describe();
    EXPECT_EQ(r.body.find("lut_"), std::string::npos);
  }
}

TEST_F(BrowserTest, RevokedAndExpiredTokensAre401) {
  json::value issued = IssueToken({{"end_user", "eu"}, {"uses", 5}});
  const std::string path = "/v1/upload-tokens/" + Str(issued, "id");
  // Another account cannot revoke it.
  Tenant other = NewTenant(client_, "other");
  LETHE_EXPECT_PROBLEM(client_.Delete(path, BearerAuth(other.token())), 404, "not-found");
  EXPECT_EQ(client_.Delete(path, BearerAuth(tenant_.token())).status, 204);
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, Str(issued, "token"), Mp4(4096), "video/mp4"), 401,
                       "unauthenticated");
  LETHE_EXPECT_PROBLEM(client_.Delete(path, BearerAuth(tenant_.token())), 404, "not-found");

  json::value brief = IssueToken({{"end_user", "eu"}, {"expires_in", 1}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, Str(brief, "token"), Mp4(4096), "video/mp4"), 401,
                       "unauthenticated");
  EXPECT_EQ(MediaCount(), 0);
}

}  // namespace
}  // namespace lethe::e2e
