// Hostile and malformed input: every refusal is a 4xx problem+json with the
// documented type, never a 5xx, and the server keeps serving afterwards.
#include <memory>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

constexpr int kMaxBody = 1024;

Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The headers part of a raw HTTP response, lowercased.
std::string RawHeadersLower(const std::string& raw) {
  return Lower(raw.substr(0, raw.find("\r\n\r\n")));
}

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--max-body", std::to_string(kMaxBody)});
    if (!server_->ok()) return;
    HttpClient client(server_->base_url());
    session_ = SignUp(client, Unique("hostile") + "@example.com");
    account_ = CreateAccount(client, session_, "Target", "us");
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    ASSERT_FALSE(session_.empty());
    client_.set_base_url(server_->base_url());
  }
  // After every test: the process is alive and still serves.
  void TearDown() override {
    if (!server_) return;
    EXPECT_TRUE(server_->Alive()) << "the server process died";
    if (server_->Alive()) {
      HttpClient fresh(server_->base_url());
      Response h = fresh.Get("/healthz");
      EXPECT_EQ(h.status, 200) << "server no longer serves /healthz: " << h.Describe();
    }
    if (HasFailure()) server_->DumpLogs();
  }

  json::object ValidSignup() {
    return json::object{{"name", "Mallory"},
                        {"email", Unique("mallory") + "@example.com"},
                        {"password", kPassword},
                        {"country", "US"},
                        {"birth_date", "1990-01-01"}};
  }

  static std::unique_ptr<ServerProcess> server_;
  static std::string session_;
  static AccountInfo account_;
  HttpClient client_;
};
std::unique_ptr<ServerProcess> BadInputTest::server_;
std::string BadInputTest::session_;
AccountInfo BadInputTest::account_;

TEST_F(BadInputTest, MalformedJsonIs400InvalidJson) {
  for (const std::string& body :
       {std::string("{not json"), std::string("{\"name\": \"x\""),
        std::string("{\"a\":1} trailing"), std::string("{'single': 'quotes'}"),
        std::string("{\"a\":1,}"), std::string(" ")}) {
    LETHE_EXPECT_PROBLEM(client_.Post("/v1/signup", body), 400, "invalid-json")
        << " body: " << body;
  }
  // An empty body where one is required.
  Response empty =
      client_.Request("POST", "/v1/signup", "", {{"Content-Type", "application/json"}});
  LETHE_EXPECT_PROBLEM(empty, 400, "invalid-json") << " (empty body)";
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/accounts", std::string("{oops"), Auth(session_)), 400,
                       "invalid-json");
  LETHE_EXPECT_PROBLEM(client_.Patch("/v1/me", json::value("just a string"), Auth(session_)), 400,
                       "invalid-json");
}

TEST_F(BadInputTest, NonObjectJsonIs400InvalidJson) {
  for (const std::string& body : {std::string("[1,2,3]"), std::string("[]"), std::string("\"str\""),
                                  std::string("42"), std::string("null"), std::string("true")}) {
    LETHE_EXPECT_PROBLEM(client_.Post("/v1/signup", body), 400, "invalid-json")
        << " body: " << body;
    LETHE_EXPECT_PROBLEM(client_.Post("/v1/sessions", body), 400, "invalid-json")
        << " body: " << body;
  }
  // Deep nesting does not crash the parser.
  std::string deep = std::string(400, '[') + std::string(400, ']');
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/signup", deep), 400, "invalid-json");
}

TEST_F(BadInputTest, WrongTypesAre400InvalidField) {
  const std::pair<const char*, json::value> cases[] = {
      {"name", json::value(123)},
      {"email", json::value(true)},
      {"password", json::array{"a"}},
      {"country", json::object{}},
      {"birth_date", json::value(19900101)},
      {"name", json::value(nullptr)},
      {"email", json::value("not-an-email")},
      {"country", json::value("Germany")},
      {"company", json::value(5)},
      {"phone", json::array{}},
  };
  for (const auto& [field, value] : cases) {
    json::object body = ValidSignup();
    body[field] = value;
    LETHE_EXPECT_PROBLEM(client_.Post("/v1/signup", json::value(body)), 400, "invalid-field")
        << " " << field << " = " << json::serialize(value);
  }
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/accounts", json::value(json::object{{"name", 1}, {"region", "us"}}),
                   Auth(session_)),
      400, "invalid-field");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/accounts", json::value(json::object{{"name", "n"}, {"region", 5}}),
                   Auth(session_)),
      400, "invalid-field");
  // Invalid UTF-8 inside a string is refused (as JSON or as a field).
  Response utf = client_.Post(
      "/v1/signup", std::string("{\"name\":\"\xff\xfe\",\"email\":\"x@example.com\","
                                "\"password\":\"correct horse battery\",\"country\":\"US\","
                                "\"birth_date\":\"1990-01-01\"}"));
  EXPECT_EQ(utf.status, 400) << utf.Describe();
  EXPECT_TRUE(IsProblem(utf, 400, "")) << utf.Describe();
}

TEST_F(BadInputTest, UnknownFieldsAre400UnknownField) {
  json::object signup = ValidSignup();
  signup["is_admin"] = true;
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/signup", json::value(signup)), 400, "unknown-field");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/sessions", json::value(json::object{{"email", "a@example.com"},
                                                            {"password", kPassword},
                                                            {"remember_me", true}})),
      400, "unknown-field");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/accounts",
                   json::value(json::object{{"name", "n"}, {"region", "us"}, {"owner", "cus_x"}}),
                   Auth(session_)),
      400, "unknown-field");
  LETHE_EXPECT_PROBLEM(client_.Patch("/v1/accounts/" + account_.id,
                                     json::object{{"name", "n"}, {"id", "acc_x"}}, Auth(session_)),
                       400, "unknown-field");
}

TEST_F(BadInputTest, WrongContentTypeIs415) {
  for (const char* ct :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    std::string body = json::serialize(json::value(ValidSignup()));
    Response r = client_.Request("POST", "/v1/signup", body, {{"Content-Type", ct}});
    LETHE_EXPECT_PROBLEM(r, 415, "unsupported-media-type") << " Content-Type " << ct;
  }
  // Parameters on the right type are fine.
  Response ok = client_.Request("POST", "/v1/accounts", R"({"name":"charset","region":"eu"})",
                                {{"Content-Type", "application/json; charset=utf-8"},
                                 {"Authorization", BearerHeader(session_)}});
  EXPECT_EQ(ok.status, 201) << ok.Describe();
}

TEST_F(BadInputTest, BodyOverLimitIs413) {
  json::object big = ValidSignup();
  big["use_case"] = std::string(4 * kMaxBody, 'x');
  std::string body = json::serialize(json::value(big));
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/signup", body), 413, "payload-too-large")
      << " (Content-Length)";
  RequestOptions chunked;
  chunked.chunked = true;
  LETHE_EXPECT_PROBLEM(client_.Request("POST", "/v1/signup", body, {}, chunked), 413,
                       "payload-too-large")
      << " (chunked)";
  LETHE_EXPECT_PROBLEM(client_.Request("PATCH", "/v1/me", body, Auth(session_), chunked), 413,
                       "payload-too-large")
      << " (chunked, authenticated)";

  // A declared length far over the limit is refused without waiting for the body.
  std::string raw = RawExchange(server_->port(),
                                "POST /v1/signup HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: application/json\r\nContent-Length: 100000000\r\n"
                                "Connection: close\r\n\r\n{\"name\":",
                                std::chrono::seconds(5));
  EXPECT_TRUE(StartsWith(raw, "HTTP/1.1 413")) << raw.substr(0, 300);
  EXPECT_NE(RawHeadersLower(raw).find("application/problem+json"), std::string::npos)
      << raw.substr(0, 300);

  // Just under the limit is not refused for its size.
  json::object small{{"name", std::string(kMaxBody - 100, 'n')}, {"region", "us"}};
  std::string small_body = json::serialize(json::value(small));
  ASSERT_LT(small_body.size(), static_cast<size_t>(kMaxBody));
  Response r = client_.Post("/v1/accounts", small_body, Auth(session_));
  EXPECT_NE(r.status, 413) << r.Describe();
  EXPECT_LT(r.status, 500) << r.Describe();
}

TEST_F(BadInputTest, MissingOrGarbageAuthorizationIs401) {
  const std::string values[] = {
      "",  // none at all
      "Bearer",
      "Bearer ",
      "Bearer garbage",
      "Bearer " + std::string(5000, 'A'),
      "Basic !!!not*base64!!!",
      "Basic " + Base64("no-colon-here"),
      "Basic " + Base64(":"),
      "Basic " + Base64("key_nope:secret"),
      "Basic",
      "Digest username=\"x\", realm=\"y\"",
      "Token abc",
      "Bearer " + session_ + " extra",
  };
  for (const std::string& path : {std::string("/v1/me"), std::string("/v1/account"),
                                  std::string("/v1/accounts"), std::string("/v1/usage")}) {
    for (const std::string& v : values) {
      Headers h;
      if (v.empty()) {
        h["Authorization"] = "";  // removed
      } else {
        h["Authorization"] = v;
      }
      Response r = client_.Get(path, h);
      LETHE_EXPECT_PROBLEM(r, 401, "unauthenticated")
          << " GET " << path << " with Authorization '" << v.substr(0, 40) << "'";
    }
  }
  // A valid API key's id with the session token as secret.
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/account", {{"Authorization", BasicHeader(account_.id, account_.api_token)}}),
      401, "unauthenticated");
}

TEST_F(BadInputTest, UnknownRoutesAndIdsAre404AndWrongMethods405) {
  for (const std::string& path :
       {std::string("/v1/accounts/acc_unknown00000000000000"), std::string("/v1/accounts/x"),
        std::string("/v1/accounts/acc_unknown00000000000000/keys"),
        std::string("/v1/accounts/acc_unknown00000000000000/audit")}) {
    LETHE_EXPECT_PROBLEM(client_.Get(path, Auth(session_)), 404, "not-found") << " " << path;
  }
  LETHE_EXPECT_PROBLEM(
      client_.Delete("/v1/accounts/" + account_.id + "/keys/key_unknown0000000000", Auth(session_)),
      404, "not-found");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/nothing-here"), 404, "not-found");
  // ("/" is the portal's, tests/e2e/portal_test.cc.)
  LETHE_EXPECT_PROBLEM(client_.Get("/no-such-page"), 404, "not-found");
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/signup"), 405, "method-not-allowed");
  LETHE_EXPECT_PROBLEM(client_.Request("PUT", "/v1/me", "{}", Auth(session_)), 405,
                       "method-not-allowed");
  LETHE_EXPECT_PROBLEM(client_.Post("/healthz", std::string("{}")), 405, "method-not-allowed");
}

TEST_F(BadInputTest, PathTricksAre4xx) {
  const std::string tricks[] = {
      "/v1/accounts/../accounts",
      "/v1/accounts/%2e%2e/accounts",
      "/v1/accounts/%2E%2E",
      "/v1/accounts/..%2f..%2f..%2fetc%2fpasswd",
      "/v1/accounts/%00",
      "/v1/accounts/acc_%00x",
      "/v1/accounts/%",
      "/v1/accounts/%zz",
      "/v1/accounts/" + account_.id + "%00",
      "/v1/accounts/" + std::string(10 * 1024, 'a'),
      "/" + std::string(10 * 1024, '/'),
      "/v1/accounts/" + account_.id + "/keys/%2e%2e%2f%2e%2e",
  };
  for (const std::string& path : tricks) {
    Response r = client_.Get(path, Auth(session_));
    EXPECT_GE(r.status, 400) << path.substr(0, 80) << ": " << r.Describe();
    EXPECT_LT(r.status, 500) << path.substr(0, 80) << ": " << r.Describe();
    if (r.status >= 400 && !r.body.empty()) {
      EXPECT_TRUE(IsProblem(r, r.status, "")) << path.substr(0, 80) << ": " << r.Describe();
    }
  }
  // Query tricks on the data plane.
  for (const std::string& q : {std::string("limit=%00"), std::string("limit=-1"),
                               std::string("limit=99999999999999999999"), std::string("since=%ff"),
                               std::string("end_user=%"), std::string("cursor=")}) {
    Response r = client_.Get("/v1/usage?" + q, Auth(account_.api_token));
    EXPECT_LT(r.status, 500) << q << ": " << r.Describe();
    if (r.status >= 400) {
      EXPECT_TRUE(IsProblem(r, r.status, "")) << q << ": " << r.Describe();
    }
  }
}

TEST_F(BadInputTest, HugeHeadersAre431) {
  Response one = client_.Get("/v1/me", {{"Authorization", BearerHeader(session_)},
                                        {"X-Padding", std::string(20 * 1024, 'h')}});
  EXPECT_TRUE(one.status == 431 || one.status == 400) << one.Describe();
  if (one.status == 431) {
    LETHE_EXPECT_PROBLEM(one, 431, "header-too-large");
  } else if (one.status == 400) {
    LETHE_EXPECT_PROBLEM(one, 400, "bad-request");
  }

  Headers many{{"Authorization", BearerHeader(session_)}};
  for (int i = 0; i < 400; ++i) many["X-Many-" + std::to_string(i)] = std::string(50, 'm');
  Response lots = client_.Get("/v1/me", many);
  EXPECT_TRUE(lots.status == 431 || lots.status == 400) << lots.Describe();
  if (lots.status == 431) {
    LETHE_EXPECT_PROBLEM(lots, 431, "header-too-large");
  }

  // Under the limit is fine.
  Response fine = client_.Get("/v1/me", {{"Authorization", BearerHeader(session_)},
                                         {"X-Padding", std::string(8 * 1024, 'h')}});
  EXPECT_EQ(fine.status, 200) << fine.Describe();
}

TEST_F(BadInputTest, GarbageOnTheWireIs400) {
  const std::string garbage[] = {
      "HELLO WORLD\r\n\r\n",
      "GET\r\n\r\n",
      "GET /healthz HTP/1.1\r\nHost: x\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST /v1/signup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
      std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 9),
  };
  for (const std::string& raw : garbage) {
    std::string got = RawExchange(server_->port(), raw);
    EXPECT_TRUE(StartsWith(got, "HTTP/1.1 400"))
        << "sent: " << Lower(raw.substr(0, 60)) << "\ngot: " << got.substr(0, 300);
    if (StartsWith(got, "HTTP/1.1 4")) {
      EXPECT_NE(RawHeadersLower(got).find("application/problem+json"), std::string::npos)
          << got.substr(0, 300);
    }
    HttpClient fresh(server_->base_url());
    ASSERT_EQ(fresh.Get("/healthz").status, 200) << "after sending " << raw.substr(0, 40);
  }
  // A client that hangs up half-way does no harm.
  RawExchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost:", std::chrono::milliseconds(100));
  RawExchange(server_->port(),
              "POST /v1/signup HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"na",
              std::chrono::milliseconds(100));
  // A well-formed raw request works and carries a request id.
  std::string ok =
      RawExchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(StartsWith(ok, "HTTP/1.1 200")) << ok.substr(0, 300);
  EXPECT_NE(RawHeadersLower(ok).find("x-request-id: req_"), std::string::npos) << ok.substr(0, 300);
}

TEST_F(BadInputTest, EveryErrorCarriesARequestIdAsInstance) {
  Response r = client_.Get("/v1/me");
  LETHE_EXPECT_PROBLEM(r, 401, "unauthenticated");
  std::string rid = r.Header("x-request-id");
  EXPECT_EQ(rid.rfind("req_", 0), 0u) << r.Describe();
  json::value v = r.Json();
  EXPECT_EQ(Str(v, "instance"), rid);
}

}  // namespace
}  // namespace lethe::e2e
