// Media at rest (SEC-1: encryption at rest; USE-2: customer content stored
// encrypted, private by default): no plaintext anywhere under the data
// directory, and stored bytes that were changed, reordered, swapped or cut
// short are refused rather than served.
//
// Format under test (src/crypto/chunked_cipher.h): AES-256-GCM over 64 KiB
// plaintext chunks, each stored as ciphertext + 16-byte tag, one data key
// per blob; the blob lives at <data>/media/blobs/<xx>/<blob id>.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

// 32 bytes, repeated to fill the test file.
constexpr std::string_view kMarker = "LETHE/AT-REST/MARKER/0123456789!";

bool ReadAt(const std::string& path, uint64_t offset, std::string& out, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.assign(n, '\0');
  ssize_t got = ::pread(fd, out.data(), n, static_cast<off_t>(offset));
  ::close(fd);
  return got == static_cast<ssize_t>(n);
}

bool WriteAt(const std::string& path, uint64_t offset, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t put = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
  ::fsync(fd);
  ::close(fd);
  return put == static_cast<ssize_t>(bytes.size());
}

// XORs one byte of `path` at `offset` with 0x01 (calling it twice restores).
bool FlipByte(const std::string& path, uint64_t offset) {
  std::string b;
  if (!ReadAt(path, offset, b, 1)) return false;
  b[0] = static_cast<char>(b[0] ^ 0x01);
  return WriteAt(path, offset, b);
}

class MediaAtRestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "media-at-rest");
    ASSERT_FALSE(tenant_.token().empty());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  json::value Upload(const std::string& bytes) {
    Response r = UploadBytes(client_, tenant_.token(), bytes, "video/mp4");
    EXPECT_EQ(r.status, 201) << r.Describe();
    return r.status == 201 ? r.Json() : json::value(nullptr);
  }

  // The stored blob file of a media object, located through its record.
  std::string BlobPathOf(const std::string& media_id) {
    QueryResult q =
        Sql(server_->db_path(), "SELECT blob_id FROM media WHERE id = '" + media_id + "'");
    EXPECT_TRUE(q.ok) << q.error;
    if (!q.ok || q.rows.size() != 1 || !q.rows[0][0]) {
      ADD_FAILURE() << "no record for " << media_id;
      return "";
    }
    const std::string blob_id = *q.rows[0][0];
    for (const auto& f : BlobFiles(*server_)) {
      if (std::filesystem::path(f).filename() == blob_id) return f;
    }
    ADD_FAILURE() << "no file for blob " << blob_id;
    return "";
  }

  StreamResult Get(const std::string& id, const std::string& range = "") {
    Headers h = BearerAuth(tenant_.token());
    if (!range.empty()) h["Range"] = range;
    return DownloadHashed(server_->base_url() + "/v1/media/" + id + "/content", h);
  }

  // The read failed cleanly: a 500 problem (before any byte of content), or
  // a transfer cut short. Never the whole original.
  ::testing::AssertionResult FailsCleanly(const StreamResult& r, const std::string& original) {
    if (r.body_bytes == original.size() && r.body_sha256 == Sha256Hex(original)) {
      return ::testing::AssertionFailure()
             << "the tampered blob was served in full: " << r.Describe();
    }
    if (r.status == 500) {
      boost::system::error_code ec;
      json::value v = json::parse(r.body, ec);
      if (ec || !v.is_object() || !v.as_object().contains("type") ||
          v.at("type") != json::value(std::string(kProblemPrefix) + "integrity-check-failed")) {
        return ::testing::AssertionFailure()
               << "500 without the integrity-check-failed problem: " << r.Describe();
      }
      return ::testing::AssertionSuccess() << "500 integrity-check-failed";
    }
    if (!r.error.empty() && r.body_bytes < original.size()) {
      return ::testing::AssertionSuccess() << "truncated: " << r.Describe();
    }
    return ::testing::AssertionFailure()
           << "neither a 500 problem nor a cut transfer: " << r.Describe();
  }

  // A range read that succeeded with exactly the original's bytes.
  ::testing::AssertionResult RangeOk(const StreamResult& r, const std::string& original,
                                     uint64_t first, uint64_t last) {
    if (r.status != 206 || !r.error.empty()) {
      return ::testing::AssertionFailure() << "expected 206: " << r.Describe();
    }
    if (r.body_sha256 != Sha256Hex(original.substr(first, last - first + 1))) {
      return ::testing::AssertionFailure() << "range bytes differ: " << r.Describe();
    }
    return ::testing::AssertionSuccess();
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

// SEC-1, USE-2: a file made of a recognisable pattern leaves no trace of it
// in any file under the data dir (blobs, temp files, lethe.db and its WAL,
// keys.db, ...), while running and after a clean stop.
TEST_F(MediaAtRestTest, NoPlaintextAnywhereUnderDataDir_SEC1_USE2) {
  ScratchDir scratch;
  std::string plain = FtypHeader();
  plain.reserve(plain.size() + (1 << 20));
  for (int i = 0; i < (1 << 20) / static_cast<int>(kMarker.size()); ++i) plain += kMarker;
  const std::string src = scratch / "pattern.mp4";
  ASSERT_TRUE(WriteFileBytes(src, plain));
  // The scanner finds the marker where it is (so an empty result means something).
  ASSERT_EQ(FilesContaining(scratch.path(), std::string(kMarker)), std::vector<std::string>{src});

  StreamResult up = UploadFile(server_->base_url(), tenant_.token(), src, "video/mp4",
                               "title=pattern&end_user=scan-user&tags=scan");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string id = Str(up.Json(), "id");
  EXPECT_EQ(Str(up.Json(), "sha256"), Sha256Hex(plain));
  // A second copy of the same bytes (a different data key, so a different blob).
  StreamResult up2 = UploadFile(server_->base_url(), tenant_.token(), src, "video/mp4");
  ASSERT_EQ(up2.status, 201) << up2.Describe();
  const std::string id2 = Str(up2.Json(), "id");

  // It reads back, so the bytes really are stored...
  StreamResult back = Get(id);
  ASSERT_EQ(back.status, 200) << back.Describe();
  EXPECT_EQ(back.body_sha256, Sha256Hex(plain));

  // ...but not as plaintext: the blob has exactly the sealed size and
  // neither it nor anything else holds the marker, or even a third of it.
  const std::string blob = BlobPathOf(id);
  const std::string blob2 = BlobPathOf(id2);
  ASSERT_FALSE(blob.empty() || blob2.empty());
  EXPECT_EQ(FileSize(blob), static_cast<int64_t>(ExpectedSealedSize(plain.size())));
  std::vector<std::string> all = ListFilesUnder(server_->data_dir());
  auto scanned = [&](const std::string& name) {
    return std::count(all.begin(), all.end(), server_->data_dir() + "/" + name) == 1;
  };
  EXPECT_TRUE(scanned("lethe.db")) << "the scan should cover lethe.db";
  EXPECT_TRUE(scanned("keys.db")) << "the scan should cover keys.db";
  std::string names;
  for (const auto& f : all) names += f.substr(server_->data_dir().size()) + " ";
  std::fprintf(stderr, "[media-at-rest] scanned %zu files: %s\n", all.size(), names.c_str());
  EXPECT_TRUE(FilesContaining(server_->data_dir(), std::string(kMarker)).empty());
  EXPECT_TRUE(FilesContaining(server_->data_dir(), std::string(kMarker.substr(6, 12))).empty())
      << FilesContaining(server_->data_dir(), std::string(kMarker.substr(6, 12)))[0];
  // SEC-1 least privilege: media files and their directories are private
  // to the server's user.
  for (const auto& f : ListFilesUnder(server_->data_dir() + "/media")) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 077, 0u) << f << " mode " << std::oct << (st.st_mode & 0777);
    std::string dir = std::filesystem::path(f).parent_path().string();
    ASSERT_EQ(::stat(dir.c_str(), &st), 0) << dir;
    EXPECT_EQ(st.st_mode & 077, 0u) << dir << " mode " << std::oct << (st.st_mode & 0777);
  }
  for (const char* d : {"/media", "/media/blobs", "/media/incoming"}) {
    struct stat st {};
    ASSERT_EQ(::stat((server_->data_dir() + d).c_str(), &st), 0) << d;
    EXPECT_EQ(st.st_mode & 077, 0u) << d << " mode " << std::oct << (st.st_mode & 0777);
  }
  // Repeated plaintext must not give repeated ciphertext (GCM with a unique
  // nonce per chunk): the first two 64 KiB chunks differ.
  std::string c0, c1, d0;
  ASSERT_TRUE(ReadAt(blob, 4096, c0, 4096));
  ASSERT_TRUE(ReadAt(blob, kMediaChunkSealed + 4096, c1, 4096));
  EXPECT_NE(c0, c1);
  // Same plaintext, two uploads: different data keys, different bytes.
  ASSERT_TRUE(ReadAt(blob2, 4096, d0, 4096));
  EXPECT_NE(c0, d0);
  EXPECT_NE(Sha256FileHex(blob), Sha256FileHex(blob2));

  // After a clean stop (WAL checkpointed, everything flushed).
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_TRUE(FilesContaining(server_->data_dir(), std::string(kMarker)).empty());
  EXPECT_TRUE(FilesContaining(server_->data_dir(), std::string(kMarker.substr(6, 12))).empty());
  ASSERT_TRUE(server_->Restart());
  client_.set_base_url(server_->base_url());
  StreamResult again = Get(id2);
  EXPECT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(again.body_sha256, Sha256Hex(plain));
}

// SEC-1: one flipped bit in a stored chunk makes every read that needs that
// chunk fail cleanly; reads that do not need it still work (only the chunks
// a range touches are decrypted). Restoring the bit restores the content.
TEST_F(MediaAtRestTest, FlippedByteFailsCleanlyOnlyForItsChunk_SEC1) {
  // 600 KiB: 9 full chunks and a partial 10th.
  const std::string plain = PatternBytes(600 * 1024, 42, FtypHeader());
  json::value m = Upload(plain);
  ASSERT_FALSE(m.is_null());
  const std::string id = Str(m, "id");
  const std::string blob = BlobPathOf(id);
  ASSERT_FALSE(blob.empty());
  ASSERT_EQ(FileSize(blob), static_cast<int64_t>(ExpectedSealedSize(plain.size())));
  const uint64_t C = kMediaChunkPlain, S = kMediaChunkSealed;

  // Chunk 0, in the ciphertext.
  ASSERT_TRUE(FlipByte(blob, 10));
  StreamResult full = Get(id);
  EXPECT_TRUE(FailsCleanly(full, plain));
  EXPECT_EQ(full.status, 500) << "the first chunk fails before any header: " << full.Describe();
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=0-99"), plain));
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=-" + std::to_string(plain.size())), plain));
  EXPECT_TRUE(RangeOk(Get(id, "bytes=70000-70100"), plain, 70000, 70100));
  EXPECT_TRUE(RangeOk(Get(id, "bytes=" + std::to_string(C) + "-" + std::to_string(3 * C - 1)),
                      plain, C, 3 * C - 1));
  ASSERT_TRUE(FlipByte(blob, 10));  // restored
  StreamResult ok = Get(id);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body_sha256, Sha256Hex(plain)) << "restoring the byte restores the content";

  // Chunk 1, in its tag: a range inside chunk 0 still works.
  const uint64_t tag1 = S + C + 3;
  ASSERT_TRUE(FlipByte(blob, tag1));
  EXPECT_TRUE(RangeOk(Get(id, "bytes=0-" + std::to_string(C - 1)), plain, 0, C - 1));
  EXPECT_TRUE(RangeOk(Get(id, "bytes=100-199"), plain, 100, 199));
  EXPECT_TRUE(FailsCleanly(Get(id), plain));
  EXPECT_TRUE(FailsCleanly(
      Get(id, "bytes=" + std::to_string(C - 10) + "-" + std::to_string(C + 10)), plain));
  ASSERT_TRUE(FlipByte(blob, tag1));

  // Chunk 7, well after the first piece the server sends: the headers are
  // out by then, so the transfer is cut short, and nothing of chunk 7 or
  // later is sent.
  const uint64_t in7 = 7 * S + 5000;
  ASSERT_TRUE(FlipByte(blob, in7));
  StreamResult cut = Get(id);
  EXPECT_TRUE(FailsCleanly(cut, plain));
  EXPECT_LE(cut.body_bytes, 7 * C) << cut.Describe();
  EXPECT_TRUE(RangeOk(Get(id, "bytes=0-" + std::to_string(7 * C - 1)), plain, 0, 7 * C - 1));
  EXPECT_TRUE(
      RangeOk(Get(id, "bytes=" + std::to_string(8 * C) + "-"), plain, 8 * C, plain.size() - 1));
  EXPECT_TRUE(
      FailsCleanly(Get(id, "bytes=" + std::to_string(7 * C) + "-" + std::to_string(7 * C)), plain));
  // The curl binary sees the cut as an error too (exit 18: partial file).
  ScratchDir dir;
  CommandResult c = RunCommand({ToolPath("curl"), "-sS", "-o", dir / "out", "-H",
                                "Authorization: Bearer " + tenant_.token(),
                                server_->base_url() + "/v1/media/" + id + "/content"});
  EXPECT_NE(c.exit_code, 0) << c.output;
  EXPECT_LT(FileSize(dir / "out"), static_cast<int64_t>(plain.size()));
  ASSERT_TRUE(FlipByte(blob, in7));

  // The last byte of the blob (the final chunk's tag).
  const uint64_t last = static_cast<uint64_t>(FileSize(blob)) - 1;
  ASSERT_TRUE(FlipByte(blob, last));
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=-10"), plain));
  EXPECT_TRUE(RangeOk(Get(id, "bytes=0-9"), plain, 0, 9));
  ASSERT_TRUE(FlipByte(blob, last));

  StreamResult restored = Get(id);
  EXPECT_EQ(restored.status, 200);
  EXPECT_EQ(restored.body_sha256, Sha256Hex(plain));
  EXPECT_TRUE(server_->Alive()) << "corrupt data must not crash the server";
}

// SEC-1: a blob cut short (the last tag dropped, or cut at a chunk
// boundary), grown, with chunks reordered, replaced by another media's blob,
// or missing, is never served as content.
TEST_F(MediaAtRestTest, TruncatedSwappedOrMissingBlobFails_SEC1) {
  const std::string plain = PatternBytes(300 * 1024, 7, FtypHeader());
  const std::string other = PatternBytes(300 * 1024, 8, FtypHeader());
  json::value m = Upload(plain);
  json::value mo = Upload(other);
  ASSERT_FALSE(m.is_null() || mo.is_null());
  const std::string id = Str(m, "id");
  const std::string blob = BlobPathOf(id);
  const std::string other_blob = BlobPathOf(Str(mo, "id"));
  ASSERT_FALSE(blob.empty() || other_blob.empty());
  const std::string original = ReadFileBytes(blob);
  ASSERT_EQ(original.size(), ExpectedSealedSize(plain.size()));
  const uint64_t S = kMediaChunkSealed;
  auto restore = [&] { ASSERT_TRUE(WriteFileBytes(blob, original)); };

  // The last 16 bytes (the final tag) dropped.
  ASSERT_TRUE(WriteFileBytes(blob, original.substr(0, original.size() - 16)));
  StreamResult r1 = Get(id);
  EXPECT_TRUE(FailsCleanly(r1, plain)) << "last 16 bytes dropped";
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=-100"), plain));

  // Cut at a chunk boundary: the first two chunks only.
  ASSERT_TRUE(WriteFileBytes(blob, original.substr(0, 2 * S)));
  EXPECT_TRUE(FailsCleanly(Get(id), plain)) << "cut after two chunks";
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=" + std::to_string(2 * kMediaChunkPlain) + "-"), plain));

  // Grown by 16 bytes.
  ASSERT_TRUE(WriteFileBytes(blob, original + std::string(16, '\0')));
  EXPECT_TRUE(FailsCleanly(Get(id), plain)) << "16 bytes appended";

  // Chunks 0 and 1 swapped (same size, each authentic on its own).
  std::string swapped = original.substr(S, S) + original.substr(0, S) + original.substr(2 * S);
  ASSERT_TRUE(WriteFileBytes(blob, swapped));
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=0-99"), plain)) << "chunk 1 at position 0";
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=70000-70099"), plain)) << "chunk 0 at position 1";
  EXPECT_TRUE(FailsCleanly(Get(id), plain));
  // The untouched chunks are still fine.
  EXPECT_TRUE(RangeOk(Get(id, "bytes=200000-200099"), plain, 200000, 200099));

  // Another media's blob (same size) in its place.
  ASSERT_TRUE(WriteFileBytes(blob, ReadFileBytes(other_blob)));
  StreamResult r2 = Get(id);
  EXPECT_TRUE(FailsCleanly(r2, plain));
  EXPECT_NE(r2.body_sha256, Sha256Hex(other)) << "served the other media's bytes";
  EXPECT_TRUE(FailsCleanly(Get(id, "bytes=0-99"), plain));

  restore();
  StreamResult ok = Get(id);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body_sha256, Sha256Hex(plain)) << "the original blob serves again";
  StreamResult oko = Get(Str(mo, "id"));
  EXPECT_EQ(oko.body_sha256, Sha256Hex(other));
  EXPECT_TRUE(server_->Alive());
}

// SEC-1: a record whose blob file has vanished (disk loss, an operator's
// mistake) is stored data that failed its check: 500, not a 404 that says
// the object does not exist (its metadata is still there), and no internal
// storage names in the problem.
TEST_F(MediaAtRestTest, MissingBlobIsServerErrorNotNotFound_SEC1) {
  const std::string plain = PatternBytes(100 * 1024, 9, FtypHeader());
  json::value m = Upload(plain);
  ASSERT_FALSE(m.is_null());
  const std::string id = Str(m, "id");
  const std::string blob = BlobPathOf(id);
  ASSERT_FALSE(blob.empty());
  ASSERT_EQ(::unlink(blob.c_str()), 0);
  EXPECT_EQ(client_.Get("/v1/media/" + id, BearerAuth(tenant_.token())).status, 200)
      << "the record is still there";
  Response gone = client_.Get("/v1/media/" + id + "/content", BearerAuth(tenant_.token()));
  EXPECT_EQ(gone.status, 500) << gone.Describe();
  EXPECT_TRUE(IsProblem(gone, 500, "integrity-check-failed") || IsProblem(gone, 500, "internal"))
      << gone.Describe();
  const std::string blob_id = std::filesystem::path(blob).filename().string();
  EXPECT_EQ(gone.body.find(blob_id), std::string::npos)
      << "the problem names the internal blob id: " << gone.body;
  EXPECT_TRUE(server_->Alive());
}

}  // namespace
}  // namespace lethe::e2e
