// The security review's storage and protocol defects (issue 6), each with
// the test that failed before its fix: a wrong master key accepted, a
// garbage audit anchor rewritten, a full disk answered 500, a deleted
// title left in the WAL, and three HTTP details (304, 405, Last-Modified).
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <fstream>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

using std::chrono::seconds;

CommandResult ServeOn(const std::string& data_dir) {
  return RunCommand({LETHE_BINARY, "serve", "--listen", "127.0.0.1:0", "--data", data_dir},
                    seconds(20));
}

std::string UploadPng(HttpClient& client, const Tenant& t, const std::string& png,
                      const std::string& query = "") {
  Response r = UploadBytes(client, t.token(), png, "image/png", query);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return r.status == 201 ? Str(r.Json(), "id") : "";
}

// Defect 5: a wrong but well-formed master key is refused at start, before
// it can wrap anything; the right key still opens everything afterwards.
TEST(DefectsStorageTest, WrongMasterKeyIsRefusedAndChangesNothing) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "mkey");
  const std::string& png = SamplePng();
  std::string id = UploadPng(client, t, png);
  ASSERT_EQ(server.Stop(), 0);

  std::string key_file = server.data_dir() + "/master.key";
  std::string right = ReadFileBytes(key_file);
  std::string wrong = right;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';  // still 64 hex characters
  ASSERT_TRUE(WriteFileBytes(key_file, wrong));
  ASSERT_EQ(::chmod(key_file.c_str(), 0600), 0);
  std::string keys_before = Sha256FileHex(server.data_dir() + "/keys.db");
  CommandResult refused = ServeOn(server.data_dir());
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("master-key-mismatch"), std::string::npos) << refused.output;
  EXPECT_EQ(Sha256FileHex(server.data_dir() + "/keys.db"), keys_before);

  ASSERT_TRUE(WriteFileBytes(key_file, right));
  ASSERT_TRUE(server.Restart());
  client.set_base_url(server.base_url());
  Response back = client.Get("/v1/media/" + id + "/content", BearerAuth(t.token()));
  ASSERT_EQ(back.status, 200) << back.Describe();
  EXPECT_EQ(back.body, png);
}

// Defect 6: a damaged audit anchor is refused at start, as `audit verify`
// refuses it, instead of being overwritten by the next event.
TEST(DefectsStorageTest, GarbageAuditAnchorIsRefusedAndKept) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  NewTenant(client, "anchor");
  ASSERT_EQ(server.Stop(), 0);
  std::string anchor = server.data_dir() + "/audit.anchor";
  ASSERT_TRUE(WriteFileBytes(anchor, "not an anchor at all\n"));
  CommandResult refused = ServeOn(server.data_dir());
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("anchor"), std::string::npos) << refused.output;
  EXPECT_EQ(ReadFileBytes(anchor), "not an anchor at all\n");
  EXPECT_EQ(AuditVerify(server.data_dir()).exit_code, 2);
}

// Defect 6: a deleted media's title leaves no copy anywhere under the data
// directory, WAL included, even when the server is killed right after.
TEST(DefectsStorageTest, DeletedAndRenamedTitlesLeaveNoCopyAfterSigkill) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "forget");
  const std::string& png = SamplePng();
  std::string deleted = "Title" + Unique("Deleted") + "Marker";
  std::string renamed = "Title" + Unique("Renamed") + "Marker";
  std::string gone = UploadPng(client, t, png, "title=" + deleted);
  std::string kept = UploadPng(client, t, png, "title=" + renamed);
  ASSERT_EQ(client
                .Patch("/v1/media/" + kept, boost::json::object{{"title", "plain"}},
                       BearerAuth(t.token()))
                .status,
            200);
  ASSERT_EQ(client.Delete("/v1/media/" + gone, BearerAuth(t.token())).status, 202);
  server.Kill();
  EXPECT_EQ(FilesContaining(server.data_dir(), deleted), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(server.data_dir(), renamed), std::vector<std::string>{});
}

// Defect 6: content responses carry Last-Modified, a 304 carries no
// Content-Length: 0, and a 405 names the allowed methods.
TEST(DefectsStorageTest, ValidatorsAnd405Allow) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "http");
  std::string id = UploadPng(client, t, SamplePng());
  Response full = client.Get("/v1/media/" + id + "/content", BearerAuth(t.token()));
  ASSERT_EQ(full.status, 200);
  std::string modified = full.Header("last-modified");
  EXPECT_EQ(modified.size(), 29u) << modified;  // "Sun, 06 Nov 1994 08:49:37 GMT"
  EXPECT_EQ(modified.substr(26), "GMT") << modified;
  Headers cond = BearerAuth(t.token());
  cond["If-None-Match"] = full.Header("etag");
  Response not_modified = client.Get("/v1/media/" + id + "/content", cond);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.Header("content-length"), "") << not_modified.Describe();
  EXPECT_EQ(not_modified.Header("last-modified"), modified);

  Response wrong = client.Request("PUT", "/v1/media/" + id, "{}", BearerAuth(t.token()));
  LETHE_EXPECT_PROBLEM(wrong, 405, "method-not-allowed");
  EXPECT_EQ(wrong.Header("allow"), "GET, HEAD, PATCH, DELETE") << wrong.Describe();
  Response health = client.Request("POST", "/healthz", "{}");
  EXPECT_EQ(health.status, 405);
  EXPECT_EQ(health.Header("allow"), "GET, HEAD");
}

// A tmpfs of `mib` MiB mounted on a fresh directory, unmounted at the end.
class SmallVolume {
 public:
  explicit SmallVolume(int mib) {
    std::string opts = "size=" + std::to_string(mib) + "m,mode=0700";
    mounted_ = ::mount("tmpfs", scratch_.path().c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~SmallVolume() {
    if (mounted_) ::umount2(scratch_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  std::string path() const { return scratch_.path() + "/data"; }
  std::string root() const { return scratch_.path(); }

 private:
  ScratchDir scratch_;
  bool mounted_ = false;
};

// Fills the volume under `dir` with a file until writes fail with ENOSPC.
uint64_t FillVolume(const std::string& file) {
  std::ofstream out(file, std::ios::binary);
  std::string block(64 * 1024, 'f');
  uint64_t written = 0;
  while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    written += block.size();
    out.flush();
    if (!out) break;
  }
  std::string small(512, 'f');
  out.clear();
  while (out.write(small.data(), static_cast<std::streamsize>(small.size())) && out.flush()) {
  }
  return written;
}

uint64_t FreeBytes(const std::string& dir) {
  struct statvfs v {};
  ::statvfs(dir.c_str(), &v);
  return static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
}

// Defect 6: a full disk is 507 with a stable type and leaves nothing behind,
// and deleting still works at 100 % full, since deleting is how it is fixed.
TEST(DefectsStorageTest, FullDiskIs507AndDeleteStillWorks) {
  SmallVolume volume(48);
  if (!volume.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root (CI runs as root)";
  ServerProcess server({"--data", volume.path()});
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "full");
  const std::string& png = SamplePng();
  std::string first = UploadPng(client, t, png + std::string(2 << 20, 'a'), "title=first");
  std::string second = UploadPng(client, t, png, "title=second");

  FillVolume(volume.root() + "/filler");
  ASSERT_LT(FreeBytes(volume.root()), 4096u) << "the volume is not full";
  std::vector<std::string> blobs_before = ListFilesUnder(volume.path() + "/media/blobs");
  Response full = UploadBytes(client, t.token(), png + std::string(1 << 20, 'b'), "image/png");
  LETHE_EXPECT_PROBLEM(full, 507, "insufficient-storage");
  // The abandoned upload's file goes when its ingest is dropped, which may
  // be just after the answer is sent.
  EXPECT_TRUE(WaitFor([&] { return ListFilesUnder(volume.path() + "/media/incoming").empty(); },
                      std::chrono::seconds(5)))
      << ListFilesUnder(volume.path() + "/media/incoming").size() << " files left";
  EXPECT_EQ(ListFilesUnder(volume.path() + "/media/blobs"), blobs_before);

  Response del = client.Delete("/v1/media/" + first, BearerAuth(t.token()));
  EXPECT_EQ(del.status, 202) << del.Describe();
  EXPECT_EQ(client.Get("/v1/media/" + first, BearerAuth(t.token())).status, 404);
  Response list = client.Get("/v1/media", BearerAuth(t.token()));
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_EQ(Arr(list.Json(), "media").size(), 1u);

  ::unlink((volume.root() + "/filler").c_str());
  std::string after = UploadPng(client, t, png, "title=after");
  EXPECT_FALSE(after.empty());
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_EQ(AuditVerify(volume.path()).exit_code, 0);
}

}  // namespace
}  // namespace lethe::e2e
