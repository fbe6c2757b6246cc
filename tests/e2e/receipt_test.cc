// USE-5: every erasure yields a signed receipt. GET /v1/erasures/{id} once
// the purge is done says what was erased, when the key was destroyed, when
// the purge finished and where the audit chain stood; `lethe receipt
// verify` checks it offline with the published key and rejects any edit.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

CommandResult ReceiptVerify(const std::string& file, const std::string& key) {
  return RunCommand({LETHE_BINARY, "receipt", "verify", file, "--key", key});
}

TEST(ReceiptTest, ADoneErasureHasASignedReceiptThatVerifiesOffline_USE5) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "receipt");
  const std::string gone = Unique("eu-receipt");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(UploadBytes(client, t.token(), SamplePng(), "image/png", "end_user=" + gone).status,
              201);
  }
  Response erased = client.Delete("/v1/end-users/" + gone, BearerAuth(t.token()));
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  std::string id = Str(erased.Json(), "id");
  ASSERT_TRUE(WaitFor([&] {
    Response e = client.Get("/v1/erasures/" + id, BearerAuth(t.token()));
    return e.status == 200 && Str(e.Json(), "state") == "done";
  }));
  Response receipt = client.Get("/v1/erasures/" + id, BearerAuth(t.token()));
  ASSERT_EQ(receipt.status, 200);
  boost::json::value r = receipt.Json();
  EXPECT_EQ(Str(r, "receipt"), "lethe.erasure.v1");
  EXPECT_EQ(Str(r, "account_id"), t.account.id);
  EXPECT_EQ(Field(r, "media_erased")->to_number<int64_t>(), 2);
  EXPECT_GE(Field(r, "usage_events_deidentified")->to_number<int64_t>(), 2);
  EXPECT_TRUE(ParseRfc3339(Str(r, "keys_destroyed_at")).has_value());
  EXPECT_TRUE(ParseRfc3339(Str(r, "purged_at")).has_value());
  EXPECT_EQ(receipt.body.find(gone), std::string::npos) << "the receipt names whom it erased";
  // The audit position is the event that recorded the erasure.
  const boost::json::value* audit = Field(r, "audit");
  ASSERT_TRUE(audit && audit->is_object());
  int64_t seq = Field(*audit, "seq")->to_number<int64_t>();
  auto row = Sql(server.db_path(), "SELECT action, target, hash FROM audit_events WHERE seq = " +
                                       std::to_string(seq));
  ASSERT_TRUE(row.ok && row.rows.size() == 1) << row.error;
  EXPECT_EQ(*row.rows[0][0], "end_user.erase");
  EXPECT_EQ(*row.rows[0][1], id);
  EXPECT_EQ(*row.rows[0][2], Str(*audit, "hash"));

  std::string key = Str(client.Get("/.well-known/lethe/signing-key").Json(), "public_key");
  EXPECT_EQ(Str(r, "signing_key"), key);
  std::string file = server.root_dir() + "/receipt.json";
  WriteFile(file, receipt.body);
  CommandResult ok = ReceiptVerify(file, key);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("receipt ok"), std::string::npos) << ok.output;

  // One count edited: rejected, with a reason.
  boost::json::object edited = r.as_object();
  edited["media_erased"] = 1;
  WriteFile(file, boost::json::serialize(edited));
  CommandResult bad = ReceiptVerify(file, key);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("edited"), std::string::npos) << bad.output;
  // Signature removed, or another deployment's key: rejected.
  edited = r.as_object();
  edited.erase("signature");
  WriteFile(file, boost::json::serialize(edited));
  EXPECT_EQ(ReceiptVerify(file, key).exit_code, 1);
  WriteFile(file, receipt.body);
  EXPECT_EQ(ReceiptVerify(file, Base64(std::string(32, 'k'))).exit_code, 1);
  // Usage errors.
  EXPECT_EQ(ReceiptVerify(file, "not-a-key").exit_code, 2);
  EXPECT_EQ(ReceiptVerify(server.root_dir() + "/missing.json", key).exit_code, 2);
  EXPECT_EQ(RunCommand({LETHE_BINARY, "receipt", "verify", file}).exit_code, 2);
}

TEST(ReceiptTest, TheAnswerToTheErasureIsSignedToo) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "receipt-202");
  Response erased = client.Delete("/v1/end-users/" + Unique("nobody"), BearerAuth(t.token()));
  ASSERT_EQ(erased.status, 202);
  std::string key = Str(client.Get("/.well-known/lethe/signing-key").Json(), "public_key");
  std::string file = server.root_dir() + "/accepted.json";
  WriteFile(file, erased.body);
  CommandResult ok = ReceiptVerify(file, key);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

}  // namespace
}  // namespace lethe::e2e
