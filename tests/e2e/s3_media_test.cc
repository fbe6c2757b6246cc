// Media on an S3 object store (issue 13): a real `lethe serve --blobs s3://`
// process on the s3rver that ctest starts (tests/s3/s3rver.sh), a bucket of
// its own per test, real HTTP clients. Uploads (small: one PUT; large:
// multipart), downloads byte for byte, with Range, and deletes; and the
// object store never holds plaintext (SEC-1): the raw objects, read back
// straight from the store and from s3rver's directory on disk, carry no
// trace of a marker the media was made of. Every request to the store goes
// through the SigV4-checking proxy of tests/s3/; a key the store stops
// accepting makes uploads a 503 problem and writes nothing.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "adapters/s3/s3_blob_store.h"
#include "media_support.h"
#include "testing/s3_test_env.h"

namespace lethe::e2e {
namespace {

// 32 bytes, repeated to fill the test file.
constexpr std::string_view kMarker = "LETHE/S3/AT-REST/MARKER/01234567";

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class S3MediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = NewTestS3Bucket();
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = *config;
    // The server takes its credentials from the environment, never the URL.
    ::setenv("AWS_ACCESS_KEY_ID", config_.access_key.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", config_.secret_key.c_str(), 1);
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--blobs",
        "s3://" + config_.bucket + "?endpoint=" + config_.endpoint + "&region=us-east-1"});
    ASSERT_TRUE(server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "media-s3");
    ASSERT_FALSE(tenant_.token().empty());
    auto store = S3BlobStore::Connect(config_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  std::vector<std::string> Objects() {
    auto ids = store_->List();
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? *ids : std::vector<std::string>{};
  }

  // The raw bytes of an object, by a plain GET on the store.
  std::string RawObject(const std::string& key) {
    S3Client::Request r;
    r.key = key;
    auto res = store_->client().Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res.ok() ? res->status : 0, 200) << key;
    return res.ok() ? res->body : "";
  }

  // Keys of the bucket's objects whose raw bytes hold the marker.
  std::vector<std::string> ObjectsWithMarker() {
    std::vector<std::string> found;
    for (const std::string& key : Objects()) {
      if (RawObject(key).find(kMarker) != std::string::npos) found.push_back(key);
    }
    return found;
  }

  // Files under s3rver's own directory for this bucket (objects, their
  // metadata, multipart parts) that hold the marker; "" in `dir` when the
  // directory is not known (LETHE_TEST_S3 given as a URL).
  std::vector<std::string> FilesWithMarker(std::string& dir) {
    std::vector<std::string> found;
    const char* env = std::getenv("LETHE_TEST_S3");
    if (!env || env[0] != '@') return found;
    // Only this test's bucket (parts in flight live under it too): other
    // tests share the server.
    dir = (std::filesystem::path(env + 1).parent_path() / "data" / config_.bucket).string();
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.find(kMarker) != std::string::npos) found.push_back(e.path().string());
    }
    return found;
  }

  StreamResult Get(const std::string& id, const std::string& range = "") {
    Headers h = BearerAuth(tenant_.token());
    if (!range.empty()) h["Range"] = range;
    return DownloadHashed(server_->base_url() + "/v1/media/" + id + "/content", h);
  }

  S3Config config_;
  std::unique_ptr<S3BlobStore> store_;
  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

// Upload, download (whole and ranges, byte-identical) and delete through a
// server whose blobs are on S3: a small media (one PUT) and one of 19 MiB
// (a multipart upload of three parts). Nothing goes to the local media
// directory; the delete (an erasure: 202) removes the object from the bucket.
TEST_F(S3MediaTest, UploadDownloadRangeDeleteOnS3) {
  const std::string small = PatternBytes(300'000, 31, FtypHeader());
  const std::string large = PatternBytes((19 << 20) + 4321, 32, FtypHeader());
  std::vector<std::string> ids;
  for (const std::string* bytes : {&small, &large}) {
    Response r = UploadBytes(client_, tenant_.token(), *bytes, "video/mp4");
    ASSERT_EQ(r.status, 201) << r.Describe();
    ids.push_back(Str(r.Json(), "id"));
  }
  EXPECT_EQ(Objects().size(), 2u);
  EXPECT_TRUE(BlobFiles(*server_).empty()) << "blobs went to the local disk too";

  StreamResult whole = Get(ids[1]);
  EXPECT_EQ(whole.status, 200) << whole.Describe();
  EXPECT_EQ(whole.body_bytes, large.size());
  EXPECT_EQ(whole.body_sha256, Sha256Hex(large));
  StreamResult whole_small = Get(ids[0]);
  EXPECT_EQ(whole_small.status, 200) << whole_small.Describe();
  EXPECT_EQ(whole_small.body_sha256, Sha256Hex(small));
  struct Span {
    uint64_t first, last;
  } spans[] = {
      {0, 0}, {65535, 65536}, {1'000'000, 9'000'000}, {large.size() - 10, large.size() - 1}};
  for (const Span& s : spans) {
    StreamResult part =
        Get(ids[1], "bytes=" + std::to_string(s.first) + "-" + std::to_string(s.last));
    EXPECT_EQ(part.status, 206) << part.Describe();
    EXPECT_EQ(part.body_sha256, Sha256Hex(large.substr(s.first, s.last - s.first + 1)))
        << s.first << "-" << s.last;
  }

  for (const std::string& id : ids) {
    Response d = client_.Delete("/v1/media/" + id, BearerAuth(tenant_.token()));
    EXPECT_EQ(d.status, 202) << d.Describe();  // an erasure: keys gone now, bytes next
    EXPECT_EQ(Get(id).status, 404);
  }
  EXPECT_TRUE(WaitFor([&] { return Objects().empty(); }, std::chrono::seconds(20)))
      << Objects().size() << " object(s) left in the bucket";
}

// SEC-1: the object store never sees plaintext. A media made of a marker
// goes up (multipart: 12 MiB); no object in the bucket, read raw, and no
// file in s3rver's directory holds the marker. Then the check is shown able
// to fail: an object of plaintext written straight to the bucket is found.
TEST_F(S3MediaTest, ObjectStoreNeverSeesPlaintext_SEC1) {
  std::string plain = FtypHeader();
  while (plain.size() < (12u << 20)) plain += kMarker;
  Response r = UploadBytes(client_, tenant_.token(), plain, "video/mp4");
  ASSERT_EQ(r.status, 201) << r.Describe();
  const std::string id = Str(r.Json(), "id");
  StreamResult back = Get(id);
  ASSERT_EQ(back.body_sha256, Sha256Hex(plain)) << back.Describe();

  ASSERT_EQ(Objects().size(), 1u);
  EXPECT_GE(RawObject(Objects()[0]).size(), plain.size()) << "the object is not the whole media";
  EXPECT_TRUE(ObjectsWithMarker().empty());
  std::string dir;
  std::vector<std::string> files = FilesWithMarker(dir);
  EXPECT_TRUE(files.empty()) << files.size() << " file(s) under " << dir << ", first "
                             << (files.empty() ? "" : files[0]);

  // The control: plaintext put there directly is seen by both checks.
  auto w = store_->Create("blb_plaintext_control");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->Append(Bytes(plain.substr(0, 1 << 20))).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(ObjectsWithMarker(), std::vector<std::string>{"blb_plaintext_control"});
  if (!dir.empty()) {
    EXPECT_FALSE(FilesWithMarker(dir).empty()) << "the scan of " << dir << " cannot see plaintext";
  }
}

// The store stops accepting the server's key while it runs (the key was
// rotated at the store): uploads, small (one PUT) and large (multipart),
// are 503 problem+json saying the credentials were refused, without the
// secret; nothing is written (the bucket holds only what went up before);
// the server's log names the refusal and not the secret either.
TEST_F(S3MediaTest, StoreRefusingTheKeyIsAProblemAndWritesNothing) {
  std::random_device rd;
  const std::string tag = std::to_string(rd()) + std::to_string(rd());
  const std::string key = "LETHEE2E" + tag, secret = "e2e-secret-" + tag;
  ASSERT_TRUE(SetTestS3Key(key, secret).ok());
  ::setenv("AWS_ACCESS_KEY_ID", key.c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", secret.c_str(), 1);
  ServerProcess server({"--blobs", "s3://" + config_.bucket + "?endpoint=" + config_.endpoint +
                                       "&region=us-east-1"});
  ASSERT_TRUE(server.ok()) << "server did not start";
  HttpClient client(server.base_url());
  Tenant tenant = NewTenant(client, "media-s3-key");
  Response before =
      UploadBytes(client, tenant.token(), PatternBytes(200'000, 41, FtypHeader()), "video/mp4");
  ASSERT_EQ(before.status, 201) << before.Describe();
  ASSERT_EQ(Objects().size(), 1u);

  ASSERT_TRUE(SetTestS3Key(key, "rotated-" + tag).ok());
  for (uint64_t size : {uint64_t{200'000}, uint64_t{12} << 20}) {
    Response r =
        UploadBytes(client, tenant.token(), PatternBytes(size, 42, FtypHeader()), "video/mp4");
    LETHE_EXPECT_PROBLEM(r, 503, "unavailable");
    // The HEAD before the write is refused first: S3 gives a HEAD no
    // body, so no error code, only the status.
    EXPECT_NE(r.body.find("HTTP 403: the object store refused this server's credentials"),
              std::string::npos)
        << r.body;
    EXPECT_EQ(r.body.find(secret), std::string::npos);
  }
  EXPECT_EQ(Objects().size(), 1u) << "a refused upload left an object";
  std::ifstream log(server.stderr_path());
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(secret), std::string::npos) << "the secret is in the server's log";
  ASSERT_TRUE(RevokeTestS3Key(key).ok());
}

}  // namespace
}  // namespace lethe::e2e
