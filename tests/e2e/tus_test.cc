// tus 1.0 resumable uploads (issue 9), end to end against a real server
// with a real HTTP client (libcurl) and a raw socket for a cut connection:
// discovery, creation, HEAD, PATCH at the right and wrong offsets, the
// version header, sha256 checksums, termination, expiry purged by the job
// runner, upload tokens (spent at creation, bound to their uploads), other
// tenants, and a body cut halfway that resumes to the same sha256.
#include "media_support.h"
#include "raw_conn.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

constexpr uint64_t kMaxMedia = 32 * 1024 * 1024;

std::string Sha256Base64(const std::string& bytes) {
  std::string hex = Sha256Hex(bytes);
  std::string raw;
  for (size_t i = 0; i < hex.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return Base64(raw);
}

class TusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = StartTestClockServer({"--max-media-bytes", std::to_string(kMaxMedia)});
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "tus");
    ASSERT_FALSE(tenant_.token().empty());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  static std::string Mp4(size_t size, uint64_t seed = 7) {
    return PatternBytes(size, seed, FtypHeader());
  }

  static Headers Tus(const std::string& token, Headers more = {}) {
    more["Authorization"] = BearerHeader(token);
    more["Tus-Resumable"] = "1.0.0";
    return more;
  }

  // POST /v1/uploads; the upload's path ("" on failure).
  std::string Create(const std::string& token, size_t length, const std::string& metadata = "") {
    Headers h = Tus(token, {{"Upload-Length", std::to_string(length)}});
    if (!metadata.empty()) h["Upload-Metadata"] = metadata;
    Response r = client_.Request("POST", "/v1/uploads", "", h);
    EXPECT_EQ(r.status, 201) << r.Describe();
    EXPECT_EQ(r.Header("Tus-Resumable"), "1.0.0");
    EXPECT_FALSE(r.Header("Upload-Expires").empty());
    return r.status == 201 ? r.Header("Location") : "";
  }

  Response Patch(const std::string& token, const std::string& path, size_t offset,
                 const std::string& bytes, Headers more = {}) {
    more["Upload-Offset"] = std::to_string(offset);
    more["Content-Type"] = "application/offset+octet-stream";
    return client_.Request("PATCH", path, bytes, Tus(token, more));
  }

  Response Head(const std::string& token, const std::string& path) {
    return client_.Request("HEAD", path, "", Tus(token));
  }

  // The upload's offset by HEAD; -1 unless 200.
  int64_t OffsetOf(const std::string& token, const std::string& path) {
    Response r = Head(token, path);
    if (r.status != 200) return -1;
    return std::stoll(r.Header("Upload-Offset"));
  }

  json::value IssueToken(json::object spec) {
    Response r = client_.Post("/v1/upload-tokens", json::value(spec), BearerAuth(tenant_.token()));
    EXPECT_EQ(r.status, 201) << r.Describe();
    return r.status == 201 ? r.Json() : json::value(nullptr);
  }

  // The media's bytes, by the account token.
  std::string Content(const std::string& media_id) {
    Response r = client_.Get("/v1/media/" + media_id + "/content", BearerAuth(tenant_.token()));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.body;
  }

  static std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

std::unique_ptr<ServerProcess> TusTest::server_;

TEST_F(TusTest, OptionsNamesVersionExtensionsSizeAndChecksum) {
  Response r = client_.Request("OPTIONS", "/v1/uploads", "", {});
  ASSERT_EQ(r.status, 204) << r.Describe();
  EXPECT_EQ(r.Header("Tus-Version"), "1.0.0");
  for (const char* ext :
       {"creation", "creation-with-upload", "termination", "expiration", "checksum"}) {
    EXPECT_NE(r.Header("Tus-Extension").find(ext), std::string::npos) << ext;
  }
  EXPECT_EQ(r.Header("Tus-Max-Size"), std::to_string(kMaxMedia));
  EXPECT_EQ(r.Header("Tus-Checksum-Algorithm"), "sha256");
}

TEST_F(TusTest, CreateHeadPatchBecomesMediaWithTheSameBytes_USE2) {
  const std::string file = Mp4(300'000);
  const std::string path = Create(tenant_.token(), file.size(),
                                  "filetype " + Base64("video/mp4") + ",title " +
                                      Base64("Holiday") + ",filename " + Base64("h.mp4"));
  ASSERT_EQ(path.rfind("/v1/uploads/upl_", 0), 0u) << path;

  Response head = Head(tenant_.token(), path);
  ASSERT_EQ(head.status, 200) << head.Describe();
  EXPECT_EQ(head.Header("Upload-Offset"), "0");
  EXPECT_EQ(head.Header("Upload-Length"), std::to_string(file.size()));
  EXPECT_EQ(head.Header("Cache-Control"), "no-store");
  EXPECT_EQ(head.Header("Tus-Resumable"), "1.0.0");
  EXPECT_NE(head.Header("Upload-Metadata").find("filename"), std::string::npos);

  // A first PATCH that does not end on a 64 KiB chunk boundary.
  Response first = Patch(tenant_.token(), path, 0, file.substr(0, 100'001));
  ASSERT_EQ(first.status, 204) << first.Describe();
  EXPECT_EQ(first.Header("Upload-Offset"), "100001");
  EXPECT_EQ(first.Header("Tus-Resumable"), "1.0.0");
  EXPECT_EQ(OffsetOf(tenant_.token(), path), 100'001);
  EXPECT_TRUE(FilesContaining(server_->data_dir(), file.substr(40'000, 64)).empty())
      << "no plaintext of a partial upload on disk";

  Response last = Patch(tenant_.token(), path, 100'001, file.substr(100'001));
  ASSERT_EQ(last.status, 204) << last.Describe();
  EXPECT_EQ(last.Header("Upload-Offset"), std::to_string(file.size()));
  const std::string media_id = last.Header("Lethe-Media-Id");
  ASSERT_EQ(media_id.rfind("med_", 0), 0u) << last.Describe();

  Response media = client_.Get("/v1/media/" + media_id, BearerAuth(tenant_.token()));
  ASSERT_EQ(media.status, 200) << media.Describe();
  EXPECT_EQ(Str(media.Json(), "sha256"), Sha256Hex(file));
  EXPECT_EQ(Str(media.Json(), "title"), "Holiday");
  EXPECT_EQ(Str(media.Json(), "content_type"), "video/mp4");
  EXPECT_EQ(Sha256Hex(Content(media_id)), Sha256Hex(file));
  // Complete: HEAD still answers, naming the media.
  Response done = Head(tenant_.token(), path);
  EXPECT_EQ(done.Header("Upload-Offset"), std::to_string(file.size()));
  EXPECT_EQ(done.Header("Lethe-Media-Id"), media_id);
  LETHE_EXPECT_PROBLEM(Patch(tenant_.token(), path, file.size(), "x"), 409,
                       "upload-offset-mismatch");
}

TEST_F(TusTest, CreationWithUploadStoresTheBodyAtOnce) {
  const std::string file = Mp4(70'000);
  Response r =
      client_.Request("POST", "/v1/uploads", file,
                      Tus(tenant_.token(), {{"Upload-Length", std::to_string(file.size())},
                                            {"Content-Type", "application/offset+octet-stream"}}));
  ASSERT_EQ(r.status, 201) << r.Describe();
  EXPECT_EQ(r.Header("Upload-Offset"), std::to_string(file.size()));
  ASSERT_FALSE(r.Header("Lethe-Media-Id").empty()) << r.Describe();
  EXPECT_EQ(Sha256Hex(Content(r.Header("Lethe-Media-Id"))), Sha256Hex(file));
}

TEST_F(TusTest, WrongOffsetIs409AndChangesNothing) {
  const std::string file = Mp4(200'000);
  const std::string path = Create(tenant_.token(), file.size());
  ASSERT_EQ(Patch(tenant_.token(), path, 0, file.substr(0, 1000)).status, 204);
  LETHE_EXPECT_PROBLEM(Patch(tenant_.token(), path, 0, file.substr(0, 1000)), 409,
                       "upload-offset-mismatch");
  LETHE_EXPECT_PROBLEM(Patch(tenant_.token(), path, 5000, file.substr(5000, 1000)), 409,
                       "upload-offset-mismatch");
  EXPECT_EQ(OffsetOf(tenant_.token(), path), 1000);
  Response wrong_type = client_.Request(
      "PATCH", path, "abc",
      Tus(tenant_.token(), {{"Upload-Offset", "1000"}, {"Content-Type", "text/plain"}}));
  LETHE_EXPECT_PROBLEM(wrong_type, 415, "tus-content-type");
  LETHE_EXPECT_PROBLEM(Patch(tenant_.token(), path, 1000, std::string(file.size(), 'x')), 413,
                       "upload-length-exceeded");
  EXPECT_EQ(OffsetOf(tenant_.token(), path), 1000);
}

TEST_F(TusTest, MissingOrWrongTusResumableIs412WithTusVersion) {
  Response missing =
      client_.Request("POST", "/v1/uploads", "",
                      {{"Authorization", BearerHeader(tenant_.token())}, {"Upload-Length", "10"}});
  LETHE_EXPECT_PROBLEM(missing, 412, "tus-version");
  EXPECT_EQ(missing.Header("Tus-Version"), "1.0.0");
  EXPECT_EQ(missing.Header("Tus-Resumable"), "1.0.0");
  const std::string path = Create(tenant_.token(), 10);
  Response wrong = client_.Request("PATCH", path, "0123456789",
                                   {{"Authorization", BearerHeader(tenant_.token())},
                                    {"Tus-Resumable", "0.2.2"},
                                    {"Upload-Offset", "0"},
                                    {"Content-Type", "application/offset+octet-stream"}});
  LETHE_EXPECT_PROBLEM(wrong, 412, "tus-version");
  EXPECT_EQ(wrong.Header("Tus-Version"), "1.0.0");
  EXPECT_EQ(OffsetOf(tenant_.token(), path), 0);
}

TEST_F(TusTest, ChecksumMismatchIs460AndTheChunkIsDiscarded) {
  const std::string file = Mp4(150'000);
  const std::string path = Create(tenant_.token(), file.size());
  const std::string piece = file.substr(0, 80'000);
  Response bad = Patch(tenant_.token(), path, 0, piece,
                       {{"Upload-Checksum", "sha256 " + Sha256Base64("something else")}});
  LETHE_EXPECT_PROBLEM(bad, 460, "checksum-mismatch");
  EXPECT_EQ(bad.Header("Tus-Resumable"), "1.0.0");
  EXPECT_EQ(OffsetOf(tenant_.token(), path), 0);
  LETHE_EXPECT_PROBLEM(Patch(tenant_.token(), path, 0, piece, {{"Upload-Checksum", "md5 AAAA"}}),
                       400, "checksum-algorithm");
  Response good = Patch(tenant_.token(), path, 0, piece,
                        {{"Upload-Checksum", "sha256 " + Sha256Base64(piece)}});
  ASSERT_EQ(good.status, 204) << good.Describe();
  EXPECT_EQ(good.Header("Upload-Offset"), "80000");
}

TEST_F(TusTest, DeleteTerminatesTheUploadAndItsParts) {
  const size_t blobs_before = BlobFiles(*server_).size();
  const std::string file = Mp4(150'000);
  const std::string path = Create(tenant_.token(), file.size());
  ASSERT_EQ(Patch(tenant_.token(), path, 0, file.substr(0, 70'000)).status, 204);
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before + 1);
  Response del = client_.Request("DELETE", path, "", Tus(tenant_.token()));
  ASSERT_EQ(del.status, 204) << del.Describe();
  EXPECT_EQ(del.Header("Tus-Resumable"), "1.0.0");
  EXPECT_EQ(Head(tenant_.token(), path).status, 404);
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before);
  LETHE_EXPECT_PROBLEM(Patch(tenant_.token(), path, 70'000, file.substr(70'000)), 404, "not-found");
}

TEST_F(TusTest, ExpiredUploadsArePurgedWithTheirBlobs) {
  const std::string file = Mp4(150'000);
  const std::string path = Create(tenant_.token(), file.size());
  ASSERT_EQ(Patch(tenant_.token(), path, 0, file.substr(0, 70'000)).status, 204);
  const std::string db = server_->data_dir() + "/lethe.db";
  const std::string id = path.substr(std::string("/v1/uploads/").size());
  auto rows = [&] {
    return Sql(db, "SELECT count(*) FROM uploads WHERE id = '" + id + "'").rows[0][0];
  };
  ASSERT_EQ(rows(), "1");
  // The part's blob, by its id (the first field of the parts list).
  const std::string parts =
      Sql(db, "SELECT parts FROM uploads WHERE id = '" + id + "'").rows[0][0].value_or("");
  const std::string blob_id = parts.substr(0, parts.find(' '));
  ASSERT_EQ(blob_id.rfind("blb_", 0), 0u) << parts;
  auto part_stored = [&] {
    for (const std::string& f : BlobFiles(*server_)) {
      if (f.find(blob_id) != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(part_stored());
  ASSERT_TRUE(AdvanceClock(*server_, 24 * 3600 + 60));
  EXPECT_EQ(Head(tenant_.token(), path).status, 404) << "expired: gone at once";
  EXPECT_TRUE(WaitFor([&] { return rows() == "0"; })) << "the job runner purges it";
  EXPECT_TRUE(WaitFor([&] { return !part_stored(); })) << "with its sealed part";
}

// Erasing an end user takes their unfinished uploads too: the row stops
// naming them at once, and the purge job removes it with its sealed part.
TEST_F(TusTest, ErasingTheEndUserPurgesTheirUnfinishedUploads_USE5) {
  const std::string eu = "eu_gone_" + std::to_string(::getpid());
  const std::string token = Str(IssueToken({{"end_user", eu}}), "token");
  const std::string file = Mp4(150'000);
  const std::string path = Create(token, file.size());
  ASSERT_EQ(Patch(token, path, 0, file.substr(0, 70'000)).status, 204);
  const std::string db = server_->data_dir() + "/lethe.db";
  const std::string id = path.substr(std::string("/v1/uploads/").size());
  auto column = [&](const std::string& c) {
    auto rows = Sql(db, "SELECT " + c + " FROM uploads WHERE id = '" + id + "'").rows;
    return rows.empty() ? std::string("<none>") : rows[0][0].value_or("");
  };
  ASSERT_EQ(column("end_user"), eu);
  const std::string parts = column("parts");
  const std::string blob_id = parts.substr(0, parts.find(' '));
  ASSERT_EQ(blob_id.rfind("blb_", 0), 0u) << parts;
  auto part_stored = [&] {
    for (const std::string& f : BlobFiles(*server_)) {
      if (f.find(blob_id) != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(part_stored());
  Response erased = client_.Delete("/v1/end-users/" + eu, BearerAuth(tenant_.token()));
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  EXPECT_TRUE(WaitFor([&] { return column("end_user") != eu; }))
      << "the name goes with the erasure";
  EXPECT_EQ(Head(tenant_.token(), path).status, 404);
  LETHE_EXPECT_PROBLEM(Patch(tenant_.token(), path, 70'000, file.substr(70'000)), 404, "not-found");
  ASSERT_TRUE(AdvanceClock(*server_, 60));  // the purge job runs every 30 s
  EXPECT_TRUE(WaitFor([&] { return column("id") == "<none>"; })) << "the row is purged";
  EXPECT_TRUE(WaitFor([&] { return !part_stored(); })) << "with its sealed part";
}

TEST_F(TusTest, UploadTokenIsSpentAtCreationAndOpensOnlyItsUpload_SEC2) {
  json::value t = IssueToken({{"end_user", "eu_tus"}, {"kinds", json::array{"video"}}});
  const std::string token = Str(t, "token");
  const std::string file = Mp4(120'000);
  const std::string path = Create(token, file.size(), "filetype " + Base64("video/mp4"));
  ASSERT_FALSE(path.empty());
  // The single use went with the creation.
  LETHE_EXPECT_PROBLEM(
      client_.Request("POST", "/v1/uploads", "", Tus(token, {{"Upload-Length", "10"}})), 401,
      "unauthenticated");
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, token, file, "video/mp4"), 401, "unauthenticated");
  // ...yet the token still opens the upload it created.
  ASSERT_EQ(Patch(token, path, 0, file.substr(0, 65'536)).status, 204);
  // Another token of the same account does not see it.
  const std::string other = Str(IssueToken({{"end_user", "eu_tus"}}), "token");
  EXPECT_EQ(Head(other, path).status, 404);
  LETHE_EXPECT_PROBLEM(Patch(other, path, 65'536, file.substr(65'536)), 404, "not-found");
  Response last = Patch(token, path, 65'536, file.substr(65'536));
  ASSERT_EQ(last.status, 204) << last.Describe();
  Response media =
      client_.Get("/v1/media/" + last.Header("Lethe-Media-Id"), BearerAuth(tenant_.token()));
  ASSERT_EQ(media.status, 200) << media.Describe();
  EXPECT_EQ(Str(media.Json(), "end_user"), "eu_tus");
  EXPECT_EQ(Str(media.Json(), "sha256"), Sha256Hex(file));
  // The token reads nothing.
  EXPECT_EQ(client_.Get("/v1/media", BearerAuth(token)).status, 401);
}

TEST_F(TusTest, UploadTokenLimitsApply) {
  const std::string small = Str(IssueToken({{"end_user", "eu_tus"}, {"max_bytes", 1000}}), "token");
  LETHE_EXPECT_PROBLEM(
      client_.Request("POST", "/v1/uploads", "", Tus(small, {{"Upload-Length", "2000"}})), 413,
      "upload-token-size");
  const std::string images =
      Str(IssueToken({{"end_user", "eu_tus"}, {"kinds", json::array{"image"}}}), "token");
  const std::string file = Mp4(5000);
  const std::string path = Create(images, file.size());
  LETHE_EXPECT_PROBLEM(Patch(images, path, 0, file), 415, "upload-token-kind");
  EXPECT_EQ(OffsetOf(images, path), 0) << "a refused completion leaves the upload where it was";
  const std::string scoped = Str(IssueToken({{"end_user", "eu_tus"}}), "token");
  LETHE_EXPECT_PROBLEM(
      client_.Request("POST", "/v1/uploads", "",
                      Tus(scoped, {{"Upload-Length", "10"},
                                   {"Upload-Metadata", "end_user " + Base64("someone_else")}})),
      403, "upload-token-scope");
}

TEST_F(TusTest, AnotherTenantGets404AndChangesNothing_USE2) {
  const std::string file = Mp4(100'000);
  const std::string path = Create(tenant_.token(), file.size());
  ASSERT_EQ(Patch(tenant_.token(), path, 0, file.substr(0, 1000)).status, 204);
  Tenant other = NewTenant(client_, "tus-other");
  EXPECT_EQ(Head(other.token(), path).status, 404);
  LETHE_EXPECT_PROBLEM(Patch(other.token(), path, 1000, file.substr(1000)), 404, "not-found");
  EXPECT_EQ(client_.Request("DELETE", path, "", Tus(other.token())).status, 404);
  EXPECT_EQ(OffsetOf(tenant_.token(), path), 1000);
}

TEST_F(TusTest, ACutConnectionKeepsWhatArrivedAndTheUploadResumes) {
  const std::string file = Mp4(3 * 1024 * 1024 + 123);
  const std::string path = Create(tenant_.token(), file.size());
  const size_t half = file.size() / 2;
  {
    RawConn conn(server_->port());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn.Send("PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                          "Authorization: " + BearerHeader(tenant_.token()) +
                          "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                          "Content-Type: application/offset+octet-stream\r\n"
                          "Content-Length: " +
                          std::to_string(file.size()) + "\r\n\r\n" + file.substr(0, half)));
    SleepMs(300);
  }  // cut
  int64_t offset = 0;
  EXPECT_TRUE(WaitFor([&] {
    offset = OffsetOf(tenant_.token(), path);
    return offset > 0;
  })) << "what arrived is kept";
  ASSERT_GT(offset, 0);
  ASSERT_LE(offset, static_cast<int64_t>(half));
  Response rest = Patch(tenant_.token(), path, offset, file.substr(offset));
  ASSERT_EQ(rest.status, 204) << rest.Describe();
  EXPECT_EQ(Sha256Hex(Content(rest.Header("Lethe-Media-Id"))), Sha256Hex(file));
}

}  // namespace
}  // namespace lethe::e2e
