// Several servers (issue 13): two `lethe serve` processes, each with its own
// data directory, share one PostgreSQL metadata database, one PostgreSQL key
// database and one S3 bucket (ctest's `postgres` and `s3` fixtures: the name
// holds "S3"). Nothing correct may depend on one server's memory: what one
// uploads the other serves byte for byte; a key revoked, a token rotated or
// a media deleted on one stops working on the other within a second; and a
// background job (a security notice in the outbox) runs once, not once per
// server.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "adapters/postgres/pg_connection.h"
#include "harness.h"
#include "media_support.h"
#include "testing/s3_test_env.h"
#include "testing/test_postgres.h"

namespace lethe::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// .eml files the file mailer wrote under a server's data directory.
size_t MailCount(const ServerProcess& server) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator(server.data_dir() + "/outbox-mail", ec)) {
    if (e.path().extension() == ".eml") ++n;
  }
  return n;
}

// Polls `request` until it answers `status`; the time that took, or nullopt
// after `limit`.
std::optional<std::chrono::milliseconds> TimeUntil(const std::function<long()>& request,
                                                   long status, std::chrono::milliseconds limit) {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (request() == status) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    }
    SleepMs(10);
  }
  return std::nullopt;
}

TEST(TwoServersS3, ShareOneDatabaseAndOneBucket) {
  auto metadata = TestPostgres::Create();
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  auto keys = TestPostgres::Create();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto bucket = NewTestS3Bucket();
  ASSERT_TRUE(bucket.ok()) << bucket.status().ToString();
  ::setenv("AWS_ACCESS_KEY_ID", bucket->access_key.c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", bucket->secret_key.c_str(), 1);
  std::vector<std::string> args = {
      "--metadata",
      (*metadata)->conninfo(),
      "--keys",
      (*keys)->conninfo(),
      "--blobs",
      "s3://" + bucket->bucket + "?endpoint=" + bucket->endpoint + "&region=us-east-1"};

  ServerProcess first(args);
  ASSERT_TRUE(first.ok());
  // One master key for both (it wraps the keys in the shared key database).
  args.insert(args.end(), {"--master-key-file", first.data_dir() + "/master.key"});
  ServerProcess second(args);
  ASSERT_TRUE(second.ok());
  HttpClient one(first.base_url()), two(second.base_url());

  // Uploaded through the first, read byte for byte through the second: a
  // small media (one PUT) and one of two multipart parts.
  Tenant t = NewTenant(one, "two-servers");
  ASSERT_FALSE(t.token().empty());
  std::vector<std::string> ids;
  std::vector<std::string> uploads = {PatternBytes(300'000, 41, FtypHeader()),
                                      PatternBytes((9 << 20) + 77, 42, FtypHeader())};
  for (const std::string& bytes : uploads) {
    Response up = UploadBytes(one, t.token(), bytes, "video/mp4", "end_user=u1");
    ASSERT_EQ(up.status, 201) << up.Describe();
    ids.push_back(Str(up.Json(), "id"));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    Response meta = two.Get("/v1/media/" + ids[i], BearerAuth(t.token()));
    EXPECT_EQ(meta.status, 200) << meta.Describe();
    StreamResult got = DownloadHashed(second.base_url() + "/v1/media/" + ids[i] + "/content",
                                      BearerAuth(t.token()));
    EXPECT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(got.body_bytes, uploads[i].size());
    EXPECT_EQ(got.body_sha256, Sha256Hex(uploads[i])) << "media " << i << " differs";
  }

  // An API key made on the second works on the first (and is cached
  // there); revoked on the second, the first refuses it within a second.
  KeyInfo key = CreateKey(two, t.session, t.account.id);
  ASSERT_FALSE(key.key_id.empty());
  const Headers key_auth = {{"Authorization", BasicHeader(key.key_id, key.secret)}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(one.Get("/v1/account", key_auth).status, 200);
  Response revoked =
      two.Delete("/v1/accounts/" + t.account.id + "/keys/" + key.key_id, BearerAuth(t.session));
  ASSERT_EQ(revoked.status, 204) << revoked.Describe();
  auto key_delay = TimeUntil([&] { return one.Get("/v1/account", key_auth).status; }, 401,
                             std::chrono::seconds(5));
  ASSERT_TRUE(key_delay.has_value()) << "the first server still takes the revoked key after 5 s";
  std::cout << "[ two servers ] revoked key refused by the other server after "
            << key_delay->count() << " ms\n";
  EXPECT_LT(*key_delay, std::chrono::seconds(1));

  // The account token, rotated on the second: the old one is refused by
  // the first within a second, the new one works there.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(one.Get("/v1/account", BearerAuth(t.token())).status, 200);
  }
  Response rotated = two.Post("/v1/accounts/" + t.account.id + "/token", "", BearerAuth(t.session));
  ASSERT_EQ(rotated.status, 200) << rotated.Describe();
  const std::string new_token = Str(rotated.Json(), "api_token");
  auto token_delay = TimeUntil([&] { return one.Get("/v1/account", BearerAuth(t.token())).status; },
                               401, std::chrono::seconds(5));
  ASSERT_TRUE(token_delay.has_value()) << "the first server still takes the old token after 5 s";
  std::cout << "[ two servers ] rotated token refused by the other server after "
            << token_delay->count() << " ms\n";
  EXPECT_LT(*token_delay, std::chrono::seconds(1));
  EXPECT_EQ(one.Get("/v1/account", BearerAuth(new_token)).status, 200);

  // A media read (and cached) on the first, deleted on the second: gone
  // from the first within a second.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(one.Get("/v1/media/" + ids[0], BearerAuth(new_token)).status, 200);
  }
  Response del = two.Delete("/v1/media/" + ids[0], BearerAuth(new_token));
  EXPECT_EQ(del.status, 202) << del.Describe();
  auto media_delay =
      TimeUntil([&] { return one.Get("/v1/media/" + ids[0], BearerAuth(new_token)).status; }, 404,
                std::chrono::seconds(5));
  ASSERT_TRUE(media_delay.has_value()) << "the first server still serves the deleted media";
  std::cout << "[ two servers ] deleted media gone from the other server after "
            << media_delay->count() << " ms\n";
  EXPECT_LT(*media_delay, std::chrono::seconds(1));
  EXPECT_EQ(one.Get("/v1/media/" + ids[0] + "/content", BearerAuth(new_token)).status, 404);
  EXPECT_EQ(two.Get("/v1/media/" + ids[1], BearerAuth(new_token)).status, 200);

  // Jobs run once: the new key and the rotated token each queued one
  // security notice, and both servers run the job queue; exactly two mails
  // leave, whichever server sends them, and no more come after.
  ASSERT_TRUE(
      WaitFor([&] { return MailCount(first) + MailCount(second) >= 2; }, std::chrono::seconds(20)))
      << MailCount(first) << " + " << MailCount(second) << " mails";
  SleepMs(3000);  // time for a second delivery, if there were one
  EXPECT_EQ(MailCount(first) + MailCount(second), 2u)
      << MailCount(first) << " + " << MailCount(second) << " mails";
  std::cout << "[ two servers ] mails sent: " << MailCount(first) << " by the first, "
            << MailCount(second) << " by the second\n";

  // A restart of one server leaves the other's work alone and serves on.
  ASSERT_TRUE(first.Restart());
  StreamResult after =
      DownloadHashed(first.base_url() + "/v1/media/" + ids[1] + "/content", BearerAuth(new_token));
  EXPECT_EQ(after.status, 200) << after.Describe();
  EXPECT_EQ(after.body_sha256, Sha256Hex(uploads[1]));

  if (HasFailure()) {
    first.DumpLogs();
    second.DumpLogs();
  }
}

}  // namespace
}  // namespace lethe::e2e
