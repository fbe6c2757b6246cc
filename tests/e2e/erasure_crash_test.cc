// USE-5: an erasure survives a crash between key destruction and purge.
// `lethe_testing serve --crash-at POINT` kills itself with SIGKILL right
// after the key is destroyed (testing/crashing_key_store.h): the request
// never gets its answer and the purge never ran. The production `lethe`,
// restarted on the same data directory, resumes the purge: the erasure
// reaches "done" with a receipt that verifies offline, the erased data is
// unreadable, unlisted and gone from every file, and the rest is intact
// byte for byte. Each test first proves that the crash really came at that
// point (killed by SIGKILL, key destroyed, erasure not done, media still
// on disk), so it cannot pass by accident.
//
// Which thread destroys the key first is a race: the request thread in
// Erasures::EraseEndUser / EraseAccount, or the purge job, woken when the
// erasure commits, which destroys the key again before it removes anything
// (about half of the runs each). Either way the process dies right after
// the first destruction with nothing purged and the erasure still
// "pending", which the test checks on disk before the restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "harness.h"
#include "media_support.h"
#include "store_backend.h"

namespace lethe::e2e {
namespace {

using std::chrono::steady_clock;

// Media bytes that sniff as MP4 and carry `marker` in clear after the
// header: at rest they are sealed, so the marker is never on disk.
std::string MarkedMp4(const std::string& marker, uint64_t seed) {
  return FtypHeader() + marker + PatternBytes(48 << 10, seed);
}

// Starts `lethe_testing` with the crash seam armed at `point`.
std::unique_ptr<ServerProcess> StartCrashingServer(const std::string& point) {
  return std::make_unique<ServerProcess>(std::vector<std::string>{"--crash-at", point},
                                         ServerBinary::kTesting);
}

// Waits for the server to die after a request it never answered, and
// checks it died of SIGKILL (the seam), not of a crash of its own.
::testing::AssertionResult DiedOfSigkill(ServerProcess& server, const Response& unanswered) {
  if (unanswered.status != 0) {
    return ::testing::AssertionFailure() << "the server answered: " << unanswered.Describe();
  }
  if (!WaitFor([&] { return !server.Alive(); }, std::chrono::seconds(10))) {
    return ::testing::AssertionFailure() << "the server is still running";
  }
  if (server.exit_code() != 128 + SIGKILL) {
    return ::testing::AssertionFailure() << "exit " << server.exit_code() << ", not SIGKILL";
  }
  return ::testing::AssertionSuccess();
}

std::string One(const QueryResult& q) {
  EXPECT_TRUE(q.ok) << q.error;
  if (!q.ok || q.rows.size() != 1 || q.rows[0].empty()) return "<no row>";
  return q.rows[0][0].value_or("NULL");
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The receipt checks offline with the deployment's published key.
void ExpectReceiptVerifies(HttpClient& client, const ServerProcess& server,
                           const Response& receipt) {
  std::string key = Str(client.Get("/.well-known/lethe/signing-key").Json(), "public_key");
  std::string file = server.root_dir() + "/receipt.json";
  WriteFile(file, receipt.body);
  CommandResult verified = RunCommand({LETHE_BINARY, "receipt", "verify", file, "--key", key});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("receipt ok"), std::string::npos) << verified.output;
}

double SecondsSince(steady_clock::time_point t0) {
  return std::chrono::duration<double>(steady_clock::now() - t0).count();
}

TEST(ErasureCrashTest, AnEndUserErasureKilledAfterKeyDestructionFinishesOnRestart_USE5) {
  auto server = StartCrashingServer("subject-key-destroyed");
  ASSERT_TRUE(server->ok());
  EXPECT_NE(server->ReadStderr().find("crash seam armed"), std::string::npos);
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "crash-eu");
  ASSERT_FALSE(t.token().empty());
  const std::string gone = Unique("crash-gone-ref");
  const std::string title = Unique("crash-secret-title");
  const std::string plain = Unique("crash-plaintext-marker");
  const std::string kept = Unique("crash-kept-ref");
  std::vector<std::string> gone_ids;
  for (int i = 0; i < 3; ++i) {
    Response r = UploadBytes(client, t.token(), MarkedMp4(plain, 100 + i), "video/mp4",
                             "end_user=" + gone + "&title=" + title);
    ASSERT_EQ(r.status, 201) << r.Describe();
    gone_ids.push_back(Str(r.Json(), "id"));
  }
  const std::string kept_bytes = MarkedMp4("kept", 7);
  Response other =
      UploadBytes(client, t.token(), kept_bytes, "video/mp4", "end_user=" + kept + "&title=kept");
  ASSERT_EQ(other.status, 201) << other.Describe();
  const std::string kept_id = Str(other.Json(), "id");
  ASSERT_EQ(client.Get("/v1/media?end_user=" + gone, BearerAuth(t.token())).status, 200);
  ASSERT_EQ(BlobFiles(*server).size(), 4u);

  Response erased = client.Delete("/v1/end-users/" + gone, BearerAuth(t.token()));
  ASSERT_TRUE(DiedOfSigkill(*server, erased));

  // The crash came right after the key went: destroyed, but nothing after.
  const std::string db = server->db_path();
  EXPECT_EQ(One(Sql(server->data_dir() + "/keys.db",
                    "SELECT COUNT(*) FROM wrapped_keys WHERE slot LIKE 'subject/" + t.account.id +
                        "/%' AND destroyed_ms IS NOT NULL")),
            "1")
      << "the end user's key was not destroyed before the crash";
  QueryResult rows =
      Sql(db, "SELECT id, state, scope FROM erasures WHERE account_id = '" + t.account.id + "'");
  ASSERT_TRUE(rows.ok) << rows.error;
  ASSERT_EQ(rows.rows.size(), 1u);
  const std::string erasure_id = rows.rows[0][0].value_or("");
  EXPECT_EQ(rows.rows[0][1], "pending") << "the erasure moved on before the crash";
  EXPECT_EQ(rows.rows[0][2], "end_user");
  EXPECT_EQ(One(Sql(db, "SELECT COUNT(*) FROM media WHERE account_id = '" + t.account.id + "'")),
            "4")
      << "the purge ran before the crash";
  EXPECT_EQ(BlobFiles(*server).size(), 4u) << "the purge ran before the crash";

  // The production server, restarted on the same data, resumes the purge.
  steady_clock::time_point restart = steady_clock::now();
  ASSERT_TRUE(server->RestartWith({}, ServerBinary::kLethe));
  steady_clock::time_point listening = steady_clock::now();
  client.set_base_url(server->base_url());
  Response listed = client.Get("/v1/erasures?end_user=" + gone, BearerAuth(t.token()));
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  boost::json::array found = Arr(listed.Json(), "erasures");
  ASSERT_EQ(found.size(), 1u) << listed.body;
  ASSERT_EQ(Str(found[0], "id"), erasure_id);
  const std::string path = "/v1/erasures/" + erasure_id;
  ASSERT_TRUE(WaitFor([&] {
    Response e = client.Get(path, BearerAuth(t.token()));
    return e.status == 200 && Str(e.Json(), "state") == "done";
  }));
  std::cout << "[figures] end-user erasure done " << SecondsSince(listening)
            << " s after the restarted server listened (" << SecondsSince(restart)
            << " s after the restart began)\n";
  const bool resumed_lease = server->ReadStderr().find("resuming") != std::string::npos;
  std::cout << "[figures] the killed server had "
            << (resumed_lease ? "claimed the purge job (resumed from its lease)"
                              : "not claimed the purge job (picked up as pending)")
            << "\n";

  Response receipt = client.Get(path, BearerAuth(t.token()));
  ASSERT_EQ(receipt.status, 200);
  EXPECT_EQ(Str(receipt.Json(), "scope"), "end_user");
  EXPECT_EQ(Field(receipt.Json(), "media_erased")->to_number<int64_t>(), 3);
  EXPECT_TRUE(ParseRfc3339(Str(receipt.Json(), "keys_destroyed_at")).has_value());
  EXPECT_TRUE(ParseRfc3339(Str(receipt.Json(), "purged_at")).has_value());
  EXPECT_EQ(receipt.body.find(gone), std::string::npos);
  ExpectReceiptVerifies(client, *server, receipt);

  for (const std::string& m : gone_ids) {
    LETHE_EXPECT_PROBLEM(client.Get("/v1/media/" + m, BearerAuth(t.token())), 404, "not-found");
    EXPECT_EQ(client.Get("/v1/media/" + m + "/content", BearerAuth(t.token())).status, 404);
  }
  std::vector<boost::json::value> left = ListAllMedia(client, t.token());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(Str(left[0], "id"), kept_id);
  Response content = client.Get("/v1/media/" + kept_id + "/content", BearerAuth(t.token()));
  ASSERT_EQ(content.status, 200);
  EXPECT_TRUE(content.body == kept_bytes) << "the other end user's media changed";
  EXPECT_EQ(BlobFiles(*server).size(), 1u);

  ASSERT_EQ(server->Stop(), 0);
  for (const std::string& needle : {gone, title, plain}) {
    std::vector<std::string> files = FilesContaining(server->data_dir(), needle);
    EXPECT_TRUE(files.empty()) << needle << " is still in " << files.front();
  }
  EXPECT_FALSE(FilesContaining(server->data_dir(), kept).empty()) << "the check proves nothing";
  CommandResult audit = AuditVerify(server->data_dir());
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
}

// Which thread destroyed the key is a race (see the top), so after the
// kill the purge job may or may not be leased to the dead server. This
// test makes it leased every time, in the killed server's instance name
// (instance.id in its data directory) and for an hour, and adds a job that
// a live peer holds. The restarted server, the same instance, resumes its
// own purge at once and, with the metadata in PostgreSQL, leaves the
// peer's job alone: that is what tells a dead predecessor's claims from a
// live peer's there (issue 13). A SQLite store is the server's alone, and
// every lease in it is a predecessor's.
TEST(ErasureCrashTest, ARestartedServerResumesItsOwnClaimedPurgeAtOnceAndNotAPeers_USE5) {
  auto server = StartCrashingServer("subject-key-destroyed");
  ASSERT_TRUE(server->ok());
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "crash-lease");
  const std::string gone = Unique("lease-gone-ref");
  Response r =
      UploadBytes(client, t.token(), MarkedMp4("lease", 5), "video/mp4", "end_user=" + gone);
  ASSERT_EQ(r.status, 201) << r.Describe();
  ASSERT_TRUE(
      DiedOfSigkill(*server, client.Delete("/v1/end-users/" + gone, BearerAuth(t.token()))));

  std::string instance = ReadFileBytes(server->data_dir() + "/instance.id");
  while (!instance.empty() && instance.back() == '\n') instance.pop_back();
  ASSERT_EQ(instance.rfind("ins_", 0), 0u) << "no instance id in the data directory";
  const std::string db = server->db_path();
  const int64_t in_an_hour = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count() +
                             3'600'000;
  ASSERT_TRUE(Sql(db,
                  "UPDATE jobs SET lease_until_ms = " + std::to_string(in_an_hour) +
                      ", lease_owner = '" + instance +
                      "' WHERE kind = 'erasure.purge' AND state = 'pending'",
                  true)
                  .ok);
  EXPECT_EQ(One(Sql(db, "SELECT COUNT(*) FROM jobs WHERE lease_owner = '" + instance + "'")), "1")
      << "no pending purge job to lease";
  const std::string peer = "ins_peer0000000000000000";
  const bool shared = OnPostgres();
  if (shared) {
    ASSERT_TRUE(Sql(db,
                    "INSERT INTO jobs (id, kind, payload, state, attempts, run_after_ms, "
                    "lease_until_ms, last_error, created_ms, lease_owner) VALUES ('job_peers', "
                    "'erasure.purge', '{}', 'pending', 1, 0, " +
                        std::to_string(in_an_hour) + ", '', 0, '" + peer + "')",
                    true)
                    .ok);
  }

  ASSERT_TRUE(server->RestartWith({}, ServerBinary::kLethe));
  client.set_base_url(server->base_url());
  EXPECT_NE(server->ReadStderr().find("resuming 1 interrupted job"), std::string::npos)
      << server->ReadStderr();
  ASSERT_TRUE(WaitFor([&] {
    return One(Sql(db, "SELECT state FROM erasures WHERE account_id = '" + t.account.id + "'")) ==
           "done";
  })) << "the purge waited for its dead server's lease";
  EXPECT_EQ(One(Sql(db, "SELECT COUNT(*) FROM media WHERE account_id = '" + t.account.id + "'")),
            "0");
  ASSERT_EQ(server->Stop(), 0);
  if (!shared) return;
  // The peer's job: still pending under its lease, never claimed here.
  QueryResult peers =
      Sql(db, "SELECT state, attempts, lease_owner FROM jobs WHERE id = 'job_peers'");
  ASSERT_TRUE(peers.ok) << peers.error;
  ASSERT_EQ(peers.rows.size(), 1u);
  EXPECT_EQ(peers.rows[0][0].value_or(""), "pending");
  EXPECT_EQ(peers.rows[0][1].value_or(""), "1");
  EXPECT_EQ(peers.rows[0][2].value_or(""), peer);
}

TEST(ErasureCrashTest, AnAccountClosureKilledAfterKeyDestructionFinishesOnRestart_ACC10_USE5) {
  auto server = StartCrashingServer("account-key-destroyed");
  ASSERT_TRUE(server->ok());
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "crash-acc");
  ASSERT_FALSE(t.token().empty());
  AccountInfo second = CreateAccount(client, t.session, "kept app");
  const std::string end_user = Unique("crash-acc-eu");
  const std::string title = Unique("crash-acc-title");
  const std::string plain = Unique("crash-acc-plaintext");
  for (int i = 0; i < 2; ++i) {
    Response r = UploadBytes(client, t.token(), MarkedMp4(plain, 200 + i), "video/mp4",
                             "end_user=" + end_user + "&title=" + title);
    ASSERT_EQ(r.status, 201) << r.Describe();
  }
  const std::string kept_bytes = MarkedMp4("kept", 9);
  Response other = UploadBytes(client, second.api_token, kept_bytes, "video/mp4", "title=kept");
  ASSERT_EQ(other.status, 201) << other.Describe();
  const std::string kept_id = Str(other.Json(), "id");
  ASSERT_EQ(BlobFiles(*server).size(), 3u);

  Response closed = client.Delete("/v1/accounts/" + t.account.id, BearerAuth(t.session));
  ASSERT_TRUE(DiedOfSigkill(*server, closed));

  const std::string keys = server->data_dir() + "/keys.db";
  EXPECT_NE(One(Sql(keys, "SELECT destroyed_ms FROM wrapped_keys WHERE slot = 'account/" +
                              t.account.id + "'")),
            "NULL")
      << "the account key was not destroyed before the crash";
  EXPECT_EQ(One(Sql(keys, "SELECT destroyed_ms FROM wrapped_keys WHERE slot = 'account/" +
                              second.id + "'")),
            "NULL");
  const std::string db = server->db_path();
  QueryResult rows = Sql(
      db, "SELECT id, state, scope, cause FROM erasures WHERE account_id = '" + t.account.id + "'");
  ASSERT_TRUE(rows.ok) << rows.error;
  ASSERT_EQ(rows.rows.size(), 1u);
  const std::string erasure_id = rows.rows[0][0].value_or("");
  EXPECT_EQ(rows.rows[0][1], "pending") << "the erasure moved on before the crash";
  EXPECT_EQ(rows.rows[0][2], "account");
  EXPECT_EQ(rows.rows[0][3], "closure");
  EXPECT_EQ(One(Sql(db, "SELECT COUNT(*) FROM media WHERE account_id = '" + t.account.id + "'")),
            "2")
      << "the purge ran before the crash";
  EXPECT_EQ(BlobFiles(*server).size(), 3u) << "the purge ran before the crash";

  steady_clock::time_point restart = steady_clock::now();
  ASSERT_TRUE(server->RestartWith({}, ServerBinary::kLethe));
  steady_clock::time_point listening = steady_clock::now();
  client.set_base_url(server->base_url());
  // The account was closed in the transaction before the key went.
  LETHE_EXPECT_PROBLEM(client.Get("/v1/media", BearerAuth(t.token())), 401, "unauthenticated");
  // Closing again answers with the interrupted erasure.
  Response again = client.Delete("/v1/accounts/" + t.account.id, BearerAuth(t.session));
  ASSERT_EQ(again.status, 202) << again.Describe();
  EXPECT_EQ(Str(again.Json(), "id"), erasure_id);
  const std::string path = "/v1/accounts/" + t.account.id + "/erasures/" + erasure_id;
  ASSERT_TRUE(WaitFor([&] {
    Response e = client.Get(path, BearerAuth(t.session));
    return e.status == 200 && Str(e.Json(), "state") == "done";
  }));
  std::cout << "[figures] account erasure done " << SecondsSince(listening)
            << " s after the restarted server listened (" << SecondsSince(restart)
            << " s after the restart began)\n";

  Response receipt = client.Get(path, BearerAuth(t.session));
  ASSERT_EQ(receipt.status, 200);
  EXPECT_EQ(Str(receipt.Json(), "scope"), "account");
  EXPECT_EQ(Field(receipt.Json(), "media_erased")->to_number<int64_t>(), 2);
  EXPECT_TRUE(ParseRfc3339(Str(receipt.Json(), "purged_at")).has_value());
  ExpectReceiptVerifies(client, *server, receipt);

  EXPECT_EQ(One(Sql(db, "SELECT COUNT(*) FROM media WHERE account_id = '" + t.account.id + "'")),
            "0");
  std::vector<boost::json::value> left = ListAllMedia(client, second.api_token);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(Str(left[0], "id"), kept_id);
  Response content = client.Get("/v1/media/" + kept_id + "/content", BearerAuth(second.api_token));
  ASSERT_EQ(content.status, 200);
  EXPECT_TRUE(content.body == kept_bytes) << "the other account's media changed";
  EXPECT_EQ(BlobFiles(*server).size(), 1u);

  ASSERT_EQ(server->Stop(), 0);
  for (const std::string& needle : {end_user, title, plain}) {
    std::vector<std::string> files = FilesContaining(server->data_dir(), needle);
    EXPECT_TRUE(files.empty()) << needle << " is still in " << files.front();
  }
  CommandResult audit = AuditVerify(server->data_dir());
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
}

// The seam exists only in lethe_testing, and only for the named points.
TEST(ErasureCrashTest, TheCrashSeamIsTestOnly) {
  ScratchDir dir;
  CommandResult prod = RunCommand({LETHE_BINARY, "serve", "--listen", "127.0.0.1:0", "--data",
                                   dir.path() + "/a", "--crash-at", "subject-key-destroyed"});
  EXPECT_EQ(prod.exit_code, 2) << prod.output;
  EXPECT_NE(prod.output.find("bad option --crash-at"), std::string::npos) << prod.output;
  CommandResult unknown = RunCommand({LETHE_TESTING_BINARY, "serve", "--listen", "127.0.0.1:0",
                                      "--data", dir.path() + "/b", "--crash-at", "somewhere"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("account-key-destroyed"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace lethe::e2e
