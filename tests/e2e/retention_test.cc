// USE-5, first part: media uploaded with expiration_days is gone once its
// retention runs out: invisible at once, then removed by the sweep, record
// and blob, with an audit event. The server's clock is moved forward
// (lethe_testing --test-clock) instead of waiting a day.
#include <gtest/gtest.h>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

TEST(RetentionTest, ExpiredMediaIsGoneRecordAndBlob_USE5) {
  auto server = StartTestClockServer();
  ASSERT_TRUE(server && server->ok());
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "retention");
  Response kept = UploadBytes(client, t.token(), SamplePng(), "image/png", "title=kept");
  Response brief =
      UploadBytes(client, t.token(), SamplePng(), "image/png", "title=brief&expiration_days=1");
  ASSERT_EQ(kept.status, 201) << kept.Describe();
  ASSERT_EQ(brief.status, 201) << brief.Describe();
  std::string brief_id = Str(brief.Json(), "id");
  ASSERT_EQ(BlobFiles(*server).size(), 2u);

  ASSERT_TRUE(AdvanceClock(*server, 86'400 - 60));  // a minute before it runs out
  EXPECT_EQ(client.Get("/v1/media/" + brief_id, BearerAuth(t.token())).status, 200);
  ASSERT_TRUE(AdvanceClock(*server, 61));
  // Invisible from that instant, whether or not the sweep has run yet.
  EXPECT_EQ(client.Get("/v1/media/" + brief_id, BearerAuth(t.token())).status, 404);
  EXPECT_EQ(client.Get("/v1/media/" + brief_id + "/content", BearerAuth(t.token())).status, 404);
  std::vector<boost::json::value> listed = ListAllMedia(client, t.token());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(Str(listed[0], "title"), "kept");
  // The sweep removes the blob too.
  EXPECT_TRUE(WaitFor([&] { return BlobFiles(*server).size() == 1; }, std::chrono::seconds(15)))
      << BlobFiles(*server).size() << " blob files";
  Response audit = client.Get("/v1/accounts/" + t.account.id + "/audit", BearerAuth(t.session));
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("\"media.expire\""), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("lethe:retention"), std::string::npos);
  server->Stop();
  EXPECT_EQ(AuditVerify(server->data_dir()).exit_code, 0);
}

}  // namespace
}  // namespace lethe::e2e
