// Operations: health, metrics, graceful shutdown, the key file's mode
// (SEC-1: least privilege for the master key), and restarts on the same data.
#include <sys/stat.h>

#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }

// Sum of the values of the metric lines that start with `name{` and contain
// every one of `labels` (e.g. `route="/healthz"`); -1 if there is none.
double MetricValue(const std::string& text, const std::string& name,
                   const std::vector<std::string>& labels) {
  std::istringstream in(text);
  std::string line;
  double sum = -1;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0) continue;
    bool all = true;
    for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
    if (!all) continue;
    size_t close = line.rfind('}');
    if (close == std::string::npos) continue;
    double v = std::strtod(line.c_str() + close + 1, nullptr);
    sum = (sum < 0 ? 0 : sum) + v;
  }
  return sum;
}

TEST(OpsTest, HealthzAndRequestIds) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Response r = client.Get("/healthz");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Lower(r.Header("content-type")).rfind("application/json", 0), 0u) << r.Describe();
  EXPECT_EQ(json::serialize(r.Json()), R"({"status":"ok"})");
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Response h = client.Get("/healthz");
    std::string id = h.Header("x-request-id");
    EXPECT_EQ(id.rfind("req_", 0), 0u) << h.Describe();
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 5u) << "request ids are unique";
  // Error responses carry one too.
  EXPECT_EQ(client.Get("/v1/nowhere").Header("x-request-id").rfind("req_", 0), 0u);
}

TEST(OpsTest, MetricsCountRequestsByRoutePattern) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.Get("/healthz").status, 200);
  std::string session = SignUp(client, Unique("metrics") + "@example.com");
  AccountInfo a = CreateAccount(client, session, "Metered", "us");
  ASSERT_EQ(client.Get("/v1/accounts/" + a.id, Auth(session)).status, 200);
  ASSERT_EQ(client.Get("/v1/nothing-xyz-4711").status, 404);

  Response m = client.Get("/metrics");
  ASSERT_EQ(m.status, 200) << m.Describe();
  EXPECT_EQ(Lower(m.Header("content-type")).rfind("text/plain", 0), 0u) << m.Header("content-type");
  const std::string& text = m.body;
  double healthz =
      MetricValue(text, "lethe_http_requests_total", {"route=\"/healthz\"", "status=\"200\""});
  EXPECT_GE(healthz, 3) << text;
  EXPECT_GE(MetricValue(text, "lethe_http_request_duration_seconds_bucket", {"le=\"+Inf\""}), 4)
      << text;
  EXPECT_NE(text.find("lethe_http_request_duration_seconds_count"), std::string::npos) << text;
  EXPECT_NE(text.find("lethe_http_request_duration_seconds_sum"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE lethe_http_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE lethe_http_request_duration_seconds histogram"), std::string::npos)
      << text;
  // Routes are patterns: no ids, no arbitrary paths (cardinality, privacy).
  EXPECT_GE(MetricValue(text, "lethe_http_requests_total", {"route=\"/v1/accounts/{id}\""}), 1)
      << text;
  EXPECT_EQ(text.find(a.id), std::string::npos) << "account id in metrics";
  EXPECT_EQ(text.find("nothing-xyz-4711"), std::string::npos) << "raw unknown path in metrics";
  EXPECT_EQ(text.find("@example.com"), std::string::npos) << "email in metrics";

  // The counter moves.
  for (int i = 0; i < 2; ++i) ASSERT_EQ(client.Get("/healthz").status, 200);
  Response m2 = client.Get("/metrics");
  double after =
      MetricValue(m2.body, "lethe_http_requests_total", {"route=\"/healthz\"", "status=\"200\""});
  EXPECT_GE(after, healthz + 2) << m2.body;
}

TEST(OpsTest, SigtermExitsCleanly) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  ASSERT_EQ(client.Get("/healthz").status, 200);
  EXPECT_EQ(server.Stop(), 0) << "SIGTERM must give a clean exit (see stderr below)";
  EXPECT_FALSE(server.Alive());
  Response after = client.Get("/healthz");
  EXPECT_EQ(after.status, 0) << "nothing listens any more: " << after.Describe();
}

// Graceful shutdown with idle keep-alive connections open (the usual state
// of a server with real clients) and with connections that close at the same
// moment.
TEST(OpsTest, SigtermWithIdleKeepAliveConnectionsExitsCleanly) {
  for (int round = 0; round < 5; ++round) {
    ServerProcess server;
    ASSERT_TRUE(server.ok());
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (int i = 0; i < 8; ++i) {
      clients.push_back(std::make_unique<HttpClient>(server.base_url()));
      ASSERT_EQ(clients.back()->Get("/healthz").status, 200);
    }
    // Half of them hang up while the server is shutting down.
    std::thread closer([&] {
      for (int i = 0; i < 4; ++i) clients[i].reset();
    });
    int code = server.Stop();
    closer.join();
    EXPECT_EQ(code, 0) << "round " << round << ": SIGTERM with idle keep-alive connections";
    if (code != 0) break;
  }
}

TEST(OpsTest, MasterKeyIsPrivate_SEC1) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  struct stat st {};
  ASSERT_EQ(::stat((server.data_dir() + "/master.key").c_str(), &st), 0) << "master.key missing";
  EXPECT_EQ(st.st_mode & 07777, 0600u) << std::oct << (st.st_mode & 07777);
  EXPECT_GT(st.st_size, 0);
  std::string key_before = ReadFileBytes(server.data_dir() + "/master.key");
  // Survives a restart unchanged (it is not regenerated).
  ASSERT_TRUE(server.Restart());
  EXPECT_EQ(ReadFileBytes(server.data_dir() + "/master.key"), key_before);
  ASSERT_EQ(::stat((server.data_dir() + "/master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

// Found in review: a lost master.key must not be replaced by a new one,
// which would make every stored object unreadable without a word.
TEST(OpsTest, MissingMasterKeyForExistingDataRefusesToStart) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  ASSERT_EQ(server.Stop(), 0);
  ASSERT_EQ(::unlink((server.data_dir() + "/master.key").c_str()), 0);
  CommandResult r =
      RunCommand({LETHE_BINARY, "serve", "--listen", "127.0.0.1:0", "--data", server.data_dir()},
                 std::chrono::seconds(20));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("master-key-missing"), std::string::npos) << r.output;
  struct stat st {};
  EXPECT_NE(::stat((server.data_dir() + "/master.key").c_str(), &st), 0) << "a key was made";
}

TEST(OpsTest, RestartKeepsAccountsSessionsAndKeys) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  std::string email = Unique("durable") + "@example.com";
  std::string session = SignUp(client, email);
  AccountInfo a = CreateAccount(client, session, "Durable", "eu");
  KeyInfo k = CreateKey(client, session, a.id);
  ASSERT_FALSE(k.secret.empty());

  ASSERT_TRUE(server.Restart());
  client.set_base_url(server.base_url());
  Response me = client.Get("/v1/me", Auth(session));
  EXPECT_EQ(me.status, 200) << "session survives a restart: " << me.Describe();
  Response list = client.Get("/v1/accounts", Auth(session));
  ASSERT_EQ(list.status, 200) << list.Describe();
  ASSERT_EQ(Arr(list.Json(), "accounts").size(), 1u) << list.body;
  EXPECT_EQ(Str(Arr(list.Json(), "accounts")[0], "id"), a.id);
  EXPECT_EQ(client.Get("/v1/account", Auth(a.api_token)).status, 200);
  EXPECT_EQ(client.Get("/v1/account", {{"Authorization", BasicHeader(k.key_id, k.secret)}}).status,
            200);
  Response signin = client.Post(
      "/v1/sessions", json::value(json::object{{"email", email}, {"password", kPassword}}));
  EXPECT_EQ(signin.status, 201) << signin.Describe();
  // The email stays taken.
  LETHE_EXPECT_PROBLEM(
      client.Post("/v1/signup", json::value(json::object{{"name", "Again"},
                                                         {"email", email},
                                                         {"password", kPassword},
                                                         {"country", "US"},
                                                         {"birth_date", "1990-01-01"}})),
      409, "email-taken");

  // Even a hard kill loses nothing that was acknowledged.
  AccountInfo b = CreateAccount(client, session, "After restart", "us");
  ASSERT_FALSE(b.id.empty());
  server.Kill();
  ASSERT_TRUE(server.Restart());
  client.set_base_url(server.base_url());
  Response list2 = client.Get("/v1/accounts", Auth(session));
  ASSERT_EQ(list2.status, 200) << list2.Describe();
  EXPECT_EQ(Arr(list2.Json(), "accounts").size(), 2u) << list2.body;
  EXPECT_EQ(client.Get("/v1/account", Auth(b.api_token)).status, 200);

  // And the audit chain is intact across all of it.
  EXPECT_EQ(server.Stop(), 0) << "unclean shutdown (checks go on)";
  CommandResult verify = AuditVerify(server.data_dir());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("ok: "), std::string::npos) << verify.output;
}

}  // namespace
}  // namespace lethe::e2e
