// USE-5, backups that forget: a backup taken before an erasure, restored
// after it, does not bring the erased end user back (the restore replays
// the erasure journal); an epoch key older than the maximum age is
// destroyed by the server's daily job, and its backups cannot be restored.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

constexpr int64_t kDay = 86400;

// The backup's path: the line of `output` that is an absolute path.
std::string PathLine(const std::string& output) {
  std::istringstream in(output);
  std::string line, found;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '/') found = line;
  }
  return found;
}

std::string ManifestEpoch(const std::string& backup) {
  auto v = boost::json::parse(ReadFileBytes(backup + "/manifest.json"));
  return Str(v, "epoch");
}

TEST(BackupTest, RestoredBackupForgetsAnEndUserErasedAfterIt_USE5) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "backup");
  const std::string alice = Unique("backup-alice");
  const std::string title = Unique("alice-title");
  const std::string marker = Unique("ALICE-PLAINTEXT-MARKER");
  const std::string bob = Unique("bob");
  std::vector<std::string> alice_ids;
  for (int i = 0; i < 2; ++i) {
    Response r = UploadBytes(client, t.token(), SamplePng() + marker, "image/png",
                             "end_user=" + alice + "&title=" + title);
    ASSERT_EQ(r.status, 201) << r.Describe();
    alice_ids.push_back(Str(r.Json(), "id"));
  }
  const std::string bob_bytes = SamplePng() + Unique("bob-bytes");
  Response bob_up = UploadBytes(client, t.token(), bob_bytes, "image/png", "end_user=" + bob);
  ASSERT_EQ(bob_up.status, 201) << bob_up.Describe();
  const std::string bob_id = Str(bob_up.Json(), "id");
  ASSERT_EQ(client.Get("/v1/media?end_user=" + alice, BearerAuth(t.token())).status, 200);

  // A backup while the server runs: asked of the server through the ops channel.
  CommandResult made = RunCommand({LETHE_BINARY, "backup", "create", "--data", server.data_dir()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string backup = PathLine(made.output);
  ASSERT_FALSE(backup.empty()) << made.output;
  ASSERT_TRUE(std::filesystem::exists(backup + "/manifest.json")) << backup;
  // The ops route takes only the token in the data directory's ops.token.
  HttpClient outsider(server.base_url());
  EXPECT_EQ(outsider.Post("/v1/ops/backups").status, 401);
  EXPECT_EQ(outsider.Post("/v1/ops/backups", "", BearerAuth(t.token())).status, 401);
  // Sealed: nothing in it names alice or shows her title.
  EXPECT_TRUE(FilesContaining(backup, alice).empty()) << FilesContaining(backup, alice).front();
  EXPECT_TRUE(FilesContaining(backup, title).empty());
  EXPECT_TRUE(FilesContaining(backup, marker).empty());

  Response erased = client.Delete("/v1/end-users/" + alice, BearerAuth(t.token()));
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  const std::string erasure = Str(erased.Json(), "id");
  ASSERT_TRUE(WaitFor([&] {
    Response e = client.Get("/v1/erasures/" + erasure, BearerAuth(t.token()));
    return e.status == 200 && Str(e.Json(), "state") == "done";
  }));
  ASSERT_EQ(server.Stop(), 0);

  ScratchDir scratch;
  // A non-empty target is refused.
  std::filesystem::create_directories(scratch / "busy");
  ASSERT_TRUE(WriteFileBytes(scratch / "busy/x", "x"));
  CommandResult busy =
      RunCommand({LETHE_BINARY, "backup", "restore", backup, "--data", scratch / "busy",
                  "--erasure-journal", server.data_dir() + "/erasure.journal"});
  EXPECT_EQ(busy.exit_code, 2) << busy.output;
  EXPECT_NE(busy.output.find("not empty"), std::string::npos) << busy.output;

  const std::string restored = scratch / "restored";
  CommandResult restore = RunCommand({LETHE_BINARY, "backup", "restore", backup, "--data", restored,
                                      "--erasure-journal", server.data_dir() + "/erasure.journal"});
  ASSERT_EQ(restore.exit_code, 0) << restore.output;
  EXPECT_NE(restore.output.find("erased 1 end users, 2 media"), std::string::npos)
      << restore.output;
  std::cerr << restore.output;
  // No restored file keeps alice's reference, title or bytes; bob's is there.
  EXPECT_TRUE(FilesContaining(restored, alice).empty()) << FilesContaining(restored, alice).front();
  EXPECT_TRUE(FilesContaining(restored, title).empty()) << FilesContaining(restored, title).front();
  EXPECT_TRUE(FilesContaining(restored, marker).empty());
  EXPECT_FALSE(FilesContaining(restored, bob).empty()) << "the check proves nothing";
  CommandResult verified = AuditVerify(restored);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  ServerProcess again({"--data", restored});
  ASSERT_TRUE(again.ok());
  HttpClient after(again.base_url());
  // Before any request names alice again (that request is itself a usage event).
  Response usage = after.Get("/v1/usage?limit=1000", BearerAuth(t.token()));
  ASSERT_EQ(usage.status, 200);
  EXPECT_EQ(usage.body.find(alice), std::string::npos);
  EXPECT_NE(usage.body.find(bob), std::string::npos) << "the check proves nothing";
  for (const std::string& id : alice_ids) {
    EXPECT_EQ(after.Get("/v1/media/" + id, BearerAuth(t.token())).status, 404) << id;
    EXPECT_EQ(after.Get("/v1/media/" + id + "/content", BearerAuth(t.token())).status, 404) << id;
  }
  Response listed = after.Get("/v1/media?end_user=" + alice, BearerAuth(t.token()));
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  EXPECT_TRUE(Arr(listed.Json(), "media").empty()) << listed.body;
  Response bob_content = after.Get("/v1/media/" + bob_id + "/content", BearerAuth(t.token()));
  ASSERT_EQ(bob_content.status, 200) << bob_content.Describe();
  EXPECT_EQ(bob_content.body, bob_bytes);
  ASSERT_EQ(again.Stop(), 0);
  verified = AuditVerify(restored);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST(BackupTest, StoppedServerBackupRestoresUntilItsEpochKeyIsDestroyed_USE5) {
  auto server = StartTestClockServer();
  ASSERT_TRUE(server->ok());
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "backup-epoch");
  Response up = UploadBytes(client, t.token(), SamplePng(), "image/png", "end_user=carol");
  ASSERT_EQ(up.status, 201) << up.Describe();
  ASSERT_EQ(server->Stop(), 0);

  // On a stopped server the command works on the directory itself.
  CommandResult made = RunCommand({LETHE_BINARY, "backup", "create", "--data", server->data_dir()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string backup = PathLine(made.output);
  ASSERT_FALSE(backup.empty()) << made.output;
  ScratchDir scratch;
  CommandResult early =
      RunCommand({LETHE_BINARY, "backup", "restore", backup, "--data", scratch / "early"});
  ASSERT_EQ(early.exit_code, 0) << early.output;
  EXPECT_EQ(AuditVerify(scratch / "early").exit_code, 0);

  // 31 days later the server's daily job destroys that epoch's key.
  ASSERT_TRUE(server->Restart());
  const std::string key_file =
      server->data_dir() + "/backup-keys/" + ManifestEpoch(backup) + ".key";
  ASSERT_TRUE(std::filesystem::exists(key_file)) << key_file;
  ASSERT_TRUE(AdvanceClock(*server, 31 * kDay));
  EXPECT_TRUE(WaitFor([&] { return !std::filesystem::exists(key_file); }))
      << "the epoch key outlived its maximum age";
  ASSERT_EQ(server->Stop(), 0);

  CommandResult late =
      RunCommand({LETHE_BINARY, "backup", "restore", backup, "--data", scratch / "late"});
  EXPECT_EQ(late.exit_code, 2) << late.output;
  EXPECT_NE(late.output.find("backup epoch key destroyed: backup unreadable"), std::string::npos)
      << late.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "late"));
}

}  // namespace
}  // namespace lethe::e2e
