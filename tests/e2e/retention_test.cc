// USE-5, first part: media uploaded with expiration_days is gone once its
// retention runs out: invisible at once, then removed by the sweep, record
// and blob, with an audit event. The server's clock is moved forward
// (lethe_testing --test-clock) instead of waiting a day.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

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
  // The sweep removes the blob too, at its next run: at once, or a period
  // (30 s) later when the run the first jump started was still reading the
  // store at the second (a run is next due a period after it ends), which
  // a slower store (PostgreSQL under load) makes likely.
  auto swept = [&] {
    return WaitFor([&] { return BlobFiles(*server).size() == 1; }, std::chrono::seconds(5));
  };
  EXPECT_TRUE(swept() || (AdvanceClock(*server, 30) && swept()))
      << BlobFiles(*server).size() << " blob files";
  Response audit = client.Get("/v1/accounts/" + t.account.id + "/audit", BearerAuth(t.session));
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("\"media.expire\""), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("lethe:retention"), std::string::npos);
  server->Stop();
  EXPECT_EQ(AuditVerify(server->data_dir()).exit_code, 0);
}

// "YYYY-MM-DD" `days` from now (UTC); the test server's clock starts at now.
std::string DateIn(int days) {
  std::time_t t = std::time(nullptr) + days * 86'400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// USE-5: an account's default retention (PATCH /v1/accounts/{id}) and a
// media's expire_on both end in an erasure with a receipt, 31 days later
// on the server's clock; media with its own longer expiry stays.
TEST(RetentionTest, AccountDefaultAndExpireOnEndInReceipts_USE5) {
  auto server = StartTestClockServer();
  ASSERT_TRUE(server && server->ok());
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "retention-default");
  const std::string account = "/v1/accounts/" + t.account.id;
  for (const auto& bad : {boost::json::value(0), boost::json::value(-5), boost::json::value(36501),
                          boost::json::value("30"), boost::json::value(1.5)}) {
    LETHE_EXPECT_PROBLEM(
        client.Patch(account, boost::json::object{{"retention_days", bad}}, BearerAuth(t.session)),
        400, "invalid-field");
  }
  Response set =
      client.Patch(account, boost::json::object{{"retention_days", 30}}, BearerAuth(t.session));
  ASSERT_EQ(set.status, 200) << set.Describe();
  EXPECT_EQ(set.Json().as_object().at("retention_days").as_int64(), 30);

  const std::string marker = "retention-marker-7c1f";
  Response by_default =
      UploadBytes(client, t.token(), SamplePng(), "image/png", "title=" + marker + "-a");
  Response dated = UploadBytes(client, t.token(), SamplePng(), "image/png",
                               "title=" + marker + "-b&expire_on=" + DateIn(10));
  Response own =
      UploadBytes(client, t.token(), SamplePng(), "image/png", "title=own&expiration_days=365");
  ASSERT_EQ(by_default.status, 201) << by_default.Describe();
  ASSERT_EQ(dated.status, 201) << dated.Describe();
  ASSERT_EQ(own.status, 201) << own.Describe();
  EXPECT_EQ(Str(dated.Json(), "expires_at"), DateIn(10) + "T00:00:00.000Z");
  LETHE_EXPECT_PROBLEM(
      UploadBytes(client, t.token(), SamplePng(), "image/png", "expire_on=" + DateIn(-1)), 400,
      "invalid-field");
  LETHE_EXPECT_PROBLEM(
      UploadBytes(client, t.token(), SamplePng(), "image/png", "expire_on=2026-02-30"), 400,
      "invalid-field");
  std::string a = Str(by_default.Json(), "id");
  std::string b = Str(dated.Json(), "id");

  // The audit trail names media by keyed hash only.
  Response audit = client.Get(account + "/audit", BearerAuth(t.session));
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("\"media.create\""), std::string::npos);
  EXPECT_EQ(audit.body.find(a), std::string::npos);

  ASSERT_TRUE(AdvanceClock(*server, 31 * 86'400));
  EXPECT_EQ(client.Get("/v1/media/" + a, BearerAuth(t.token())).status, 404);
  EXPECT_EQ(client.Get("/v1/media/" + b, BearerAuth(t.token())).status, 404);
  EXPECT_EQ(client.Get("/v1/media/" + Str(own.Json(), "id"), BearerAuth(t.token())).status, 200);
  for (const std::string& id : {a, b}) {
    boost::json::value receipt;
    EXPECT_TRUE(WaitFor(
        [&] {
          Response r = client.Get("/v1/erasures?media=" + id, BearerAuth(t.token()));
          if (r.status != 200 || Arr(r.Json(), "erasures").size() != 1) return false;
          receipt = Arr(r.Json(), "erasures")[0];
          return Str(receipt, "state") == "done";
        },
        std::chrono::seconds(15)))
        << id;
    EXPECT_EQ(Str(receipt, "cause"), "retention");
    EXPECT_EQ(Str(receipt, "scope"), "media");
    EXPECT_EQ(receipt.as_object().at("media_erased").as_int64(), 1);
    EXPECT_EQ(boost::json::serialize(receipt).find(id), std::string::npos);
  }
  EXPECT_TRUE(WaitFor([&] { return BlobFiles(*server).size() == 1; }, std::chrono::seconds(15)));
  server->Stop();
  EXPECT_EQ(FilesContaining(server->data_dir(), marker), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(server->data_dir(), a), std::vector<std::string>{});
  EXPECT_EQ(AuditVerify(server->data_dir()).exit_code, 0);
}

}  // namespace
}  // namespace lethe::e2e
