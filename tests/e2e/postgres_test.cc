// `lethe serve --metadata <PostgreSQL> --keys <PostgreSQL>` (issue 13): a
// real server process whose metadata and keys live in two databases of the
// test PostgreSQL server (ctest's `postgres` fixture), not in SQLite files.
// The domain code is the same; only the adapters differ.
#include <sys/stat.h>

#include <regex>

#include "adapters/postgres/pg_connection.h"
#include "harness.h"
#include "media_support.h"
#include "testing/test_postgres.h"

namespace lethe::e2e {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// One number from a query on `conninfo`'s database; -1 on failure.
int64_t Count(const std::string& conninfo, const std::string& sql) {
  auto conn = PgConnection::Open(conninfo);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return -1;
  auto rows = (*conn)->Query(sql, {});
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok() || rows->empty()) return -1;
  return SqlInt((*rows)[0][0]);
}

// Sign-up, an account, an upload, its download, its deletion; the records
// are in PostgreSQL, the data directory holds no database, and
// `lethe audit verify --metadata` finds the chain intact (SEC-1).
TEST(PostgresServer, ServesTheDataPlaneFromPostgres_USE2_SEC1) {
  auto metadata = TestPostgres::Create();
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  auto keys = TestPostgres::Create();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  const std::string md = (*metadata)->conninfo(), kd = (*keys)->conninfo();

  auto server =
      std::make_unique<ServerProcess>(std::vector<std::string>{"--metadata", md, "--keys", kd});
  ASSERT_TRUE(server->ok());
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "pg");
  ASSERT_FALSE(t.token().empty());
  const std::string bytes = SamplePng();
  Response up = UploadBytes(client, t.token(), bytes, "image/png", "end_user=u1&title=On%20PG");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string id = Str(up.Json(), "id");

  Response got = client.Get("/v1/media/" + id, BearerAuth(t.token()));
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(Str(got.Json(), "title"), "On PG");
  Response content = client.Get("/v1/media/" + id + "/content", BearerAuth(t.token()));
  ASSERT_EQ(content.status, 200) << content.Describe();
  EXPECT_TRUE(content.body == bytes) << "content differs from the upload";

  // The records are in PostgreSQL, and only there.
  EXPECT_EQ(Count(md, "SELECT count(*) FROM media WHERE title = 'On PG'"), 1);
  EXPECT_GE(Count(md, "SELECT count(*) FROM customers"), 1);
  EXPECT_GE(Count(kd, "SELECT count(*) FROM wrapped_keys WHERE wrapped IS NOT NULL"), 1);
  EXPECT_FALSE(Exists(server->data_dir() + "/lethe.db"));
  EXPECT_FALSE(Exists(server->data_dir() + "/keys.db"));

  Response del = client.Delete("/v1/media/" + id, BearerAuth(t.token()));
  EXPECT_EQ(del.status, 202) << del.Describe();  // an erasure receipt
  EXPECT_EQ(client.Get("/v1/media/" + id, BearerAuth(t.token())).status, 404);
  EXPECT_EQ(client.Get("/v1/media/" + id + "/content", BearerAuth(t.token())).status, 404);
  EXPECT_EQ(Count(md, "SELECT count(*) FROM media"), 0);
  const int64_t events = Count(md, "SELECT count(*) FROM audit_events");
  EXPECT_GE(events, 4);  // signup, account, upload, deletion at least

  EXPECT_EQ(server->ReadStderr().find("lethe.db"), std::string::npos) << server->ReadStderr();
  ASSERT_EQ(server->Stop(), 0);
  CommandResult verify =
      RunCommand({LETHE_BINARY, "audit", "verify", "--data", server->data_dir(), "--metadata", md});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("ok: " + std::to_string(events) + " events"), std::string::npos)
      << verify.output;

  // A break in the chain is found there too.
  auto conn = PgConnection::Open(md);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(
      (*conn)->ExecScript("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2").ok());
  CommandResult broken =
      RunCommand({LETHE_BINARY, "audit", "verify", "--data", server->data_dir(), "--metadata", md});
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("broken at seq 2"), std::string::npos) << broken.output;
  if (HasFailure()) server->DumpLogs();
}

// A server that cannot reach its metadata database refuses to start, and
// says why without printing the conninfo's password.
TEST(PostgresServer, UnreachableDatabaseIsRefusedWithoutLeakingThePassword) {
  ScratchDir dir;
  CommandResult run = RunCommand(
      {LETHE_BINARY, "serve", "--listen", "127.0.0.1:0", "--data", dir / "data", "--metadata",
       "host=/nonexistent-socket-dir user=lethe password=s3cret-Pa55 dbname=x"});
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("PostgreSQL"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("s3cret-Pa55"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace lethe::e2e
