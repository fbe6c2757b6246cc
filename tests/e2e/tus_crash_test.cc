// tus uploads and crashes (issue 9): SIGKILL while the last PATCH of an
// upload lands (its part being written, the parts decrypted into the
// media ingest, or the commit) leaves, after a restart, either the upload
// at its last acknowledged offset, which then resumes, or the complete
// media, never half of one; and blob files match what the records name.
#include <thread>

#include "media_support.h"

namespace lethe::e2e {
namespace {

constexpr size_t kSize = 12 * 1024 * 1024 + 77;
constexpr size_t kFirst = 4 * 1024 * 1024 + 5;

TEST(TusCrashTest, SigkillDuringTheLastPatchLeavesAResumableUploadOrTheMedia_USE2_SEC1) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant tenant = NewTenant(client, "tus-crash");
  const std::string file = PatternBytes(kSize, 42, FtypHeader());
  const std::string sha = Sha256Hex(file);
  auto tus = [&](Headers more) {
    more["Authorization"] = BearerHeader(tenant.token());
    more["Tus-Resumable"] = "1.0.0";
    return more;
  };
  int resumed = 0;
  int completed = 0;
  for (int delay_ms : {20, 150, 400, 900}) {
    Response created =
        client.Request("POST", "/v1/uploads", "", tus({{"Upload-Length", std::to_string(kSize)}}));
    ASSERT_EQ(created.status, 201) << created.Describe();
    const std::string path = created.Header("Location");
    Response first = client.Request(
        "PATCH", path, file.substr(0, kFirst),
        tus({{"Upload-Offset", "0"}, {"Content-Type", "application/offset+octet-stream"}}));
    ASSERT_EQ(first.status, 204) << first.Describe();

    std::thread last([&] {
      HttpClient c(server.base_url());
      (void)c.Request("PATCH", path, file.substr(kFirst),
                      tus({{"Upload-Offset", std::to_string(kFirst)},
                           {"Content-Type", "application/offset+octet-stream"}}));
    });
    SleepMs(delay_ms);
    server.Kill();
    last.join();
    ASSERT_TRUE(server.Restart());
    client.set_base_url(server.base_url());

    Response head = client.Request("HEAD", path, "", tus({}));
    ASSERT_EQ(head.status, 200) << head.Describe();
    std::string media_id = head.Header("Lethe-Media-Id");
    const int64_t offset = std::stoll(head.Header("Upload-Offset"));
    if (media_id.empty()) {
      EXPECT_EQ(offset, static_cast<int64_t>(kFirst)) << "the last acknowledged offset";
      Response rest = client.Request("PATCH", path, file.substr(offset),
                                     tus({{"Upload-Offset", std::to_string(offset)},
                                          {"Content-Type", "application/offset+octet-stream"}}));
      ASSERT_EQ(rest.status, 204) << rest.Describe();
      media_id = rest.Header("Lethe-Media-Id");
      ++resumed;
    } else {
      EXPECT_EQ(offset, static_cast<int64_t>(kSize));
      ++completed;
    }
    Response media = client.Get("/v1/media/" + media_id, BearerAuth(tenant.token()));
    ASSERT_EQ(media.status, 200) << media.Describe();
    EXPECT_EQ(Str(media.Json(), "sha256"), sha) << "delay " << delay_ms;
  }
  // One media per upload, and one blob per media: no part, no half media.
  const size_t media = ListAllMedia(client, tenant.token()).size();
  EXPECT_EQ(media, 4u);
  EXPECT_EQ(BlobFiles(server).size(), media);
  std::printf("[figures] tus crash: %d resumed after the kill, %d already complete\n", resumed,
              completed);
}

}  // namespace
}  // namespace lethe::e2e
