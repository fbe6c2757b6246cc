// USE-5 and USE-7: erasing one end user. The answer comes once their key is
// destroyed, so their media is unreadable at once; the purge then removes
// their media and strips them from usage events (IP cut to /24, browser to
// its major version), and no file under the data directory keeps their
// reference or their titles. Another end user's data is untouched.
#include <gtest/gtest.h>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

TEST(ErasureTest, AnErasedEndUserLeavesNoTrace_USE5_USE7) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "erasure");
  const std::string gone = Unique("eu-gone-ref");
  const std::string title = Unique("secret-title");
  const std::string kept = Unique("eu-kept-ref");
  std::vector<std::string> gone_ids;
  for (int i = 0; i < 3; ++i) {
    Response r = UploadBytes(client, t.token(), SamplePng(), "image/png",
                             "end_user=" + gone + "&title=" + title);
    ASSERT_EQ(r.status, 201) << r.Describe();
    gone_ids.push_back(Str(r.Json(), "id"));
  }
  Response other = UploadBytes(client, t.token(), SamplePng(), "image/png", "end_user=" + kept);
  ASSERT_EQ(other.status, 201);
  Headers ua = BearerAuth(t.token());
  ua["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.6099.71 Safari/537.36";
  ASSERT_EQ(client.Get("/v1/media?end_user=" + gone, ua).status, 200);

  Response erased = client.Delete("/v1/end-users/" + gone, BearerAuth(t.token()));
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  EXPECT_EQ(erased.body.find(gone), std::string::npos) << "the erasure names whom it erased";
  std::string id = Str(erased.Json(), "id");
  // Unreadable the moment the call returned, whatever the purge has done.
  for (const std::string& m : gone_ids) {
    Response content = client.Get("/v1/media/" + m + "/content", BearerAuth(t.token()));
    EXPECT_NE(content.status, 200) << m;
  }
  ASSERT_TRUE(WaitFor([&] {
    Response e = client.Get("/v1/erasures/" + id, BearerAuth(t.token()));
    return e.status == 200 && Str(e.Json(), "state") == "done";
  }));
  Response done = client.Get("/v1/erasures/" + id, BearerAuth(t.token()));
  EXPECT_EQ(Field(done.Json(), "media_erased")->to_number<int64_t>(), 3);
  EXPECT_GE(Field(done.Json(), "usage_events_deidentified")->to_number<int64_t>(), 4);
  EXPECT_EQ(ListAllMedia(client, t.token()).size(), 1u);
  EXPECT_EQ(
      client.Get("/v1/media/" + Str(other.Json(), "id") + "/content", BearerAuth(t.token())).status,
      200);
  // Usage: kept, but about nobody; the IP cut to /24.
  Response usage = client.Get("/v1/usage?limit=1000", BearerAuth(t.token()));
  ASSERT_EQ(usage.status, 200);
  EXPECT_EQ(usage.body.find(gone), std::string::npos);
  EXPECT_NE(usage.body.find("\"ip\":\"127.0.0.0\""), std::string::npos) << usage.body;
  EXPECT_NE(usage.body.find("\"browser_version\":\"120\""), std::string::npos);
  // No file in the data directory keeps the reference or the titles.
  server.Stop();
  EXPECT_TRUE(FilesContaining(server.data_dir(), gone).empty())
      << FilesContaining(server.data_dir(), gone).front();
  EXPECT_TRUE(FilesContaining(server.data_dir(), title).empty())
      << FilesContaining(server.data_dir(), title).front();
  EXPECT_FALSE(FilesContaining(server.data_dir(), kept).empty()) << "the check proves nothing";
  EXPECT_EQ(AuditVerify(server.data_dir()).exit_code, 0);
}

TEST(ErasureTest, ErasingTwiceOrNobodyIsFineAndOtherAccountsCannotLook) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "erasure-twice");
  Tenant other = NewTenant(client, "erasure-other");
  Response first = client.Delete("/v1/end-users/nobody-at-all", BearerAuth(t.token()));
  ASSERT_EQ(first.status, 202) << first.Describe();
  Response second = client.Delete("/v1/end-users/nobody-at-all", BearerAuth(t.token()));
  ASSERT_EQ(second.status, 202);
  std::string id = Str(first.Json(), "id");
  ASSERT_TRUE(WaitFor([&] {
    Response e = client.Get("/v1/erasures/" + id, BearerAuth(t.token()));
    return Str(e.Json(), "state") == "done";
  }));
  EXPECT_EQ(client.Get("/v1/erasures/" + id, BearerAuth(other.token())).status, 404);
  EXPECT_EQ(client.Get("/v1/erasures/" + id).status, 401);
}

}  // namespace
}  // namespace lethe::e2e
