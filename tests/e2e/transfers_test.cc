// SHR-1, SHR-2, SHR-3 and the customer's webhooks (issue 12), end to end:
// real servers, a real webhook receiver on loopback that checks every
// signature with the secret shown once, retries after a 500, the
// processing gate refusing a restricted end user's event with no ledger
// row, the SSRF guard, and the sub-processor registry announced to
// customers 30 days before it takes effect.
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "harness.h"
#include "media_support.h"
#include "webhook_receiver.h"

namespace lethe::e2e {
namespace {

// The receiver's own check, as a customer would write it from the Standard
// Webhooks spec (OpenSSL directly, no server code): the key is the base64
// after "whsec_"; the signature HMAC-SHA256 over "id.timestamp.body".
bool VerifyStandardWebhook(const std::string& secret, const std::string& id,
                           const std::string& timestamp, const std::string& body,
                           const std::string& header) {
  if (secret.rfind("whsec_", 0) != 0) return false;
  std::string key_b64 = secret.substr(6);
  std::string key(key_b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                          reinterpret_cast<const unsigned char*>(key_b64.data()),
                          static_cast<int>(key_b64.size()));
  if (n <= 0) return false;
  size_t pad = key_b64.size() - key_b64.find_last_not_of('=') - 1;
  key.resize(static_cast<size_t>(n) - pad);
  std::string message = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  std::string expected = "v1," + Base64(std::string(reinterpret_cast<char*>(mac), len));
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t space = header.find(' ', pos);
    if (space == std::string::npos) space = header.size();
    std::string item = header.substr(pos, space - pos);
    if (item.size() == expected.size() &&
        CRYPTO_memcmp(item.data(), expected.data(), item.size()) == 0) {
      return true;
    }
    pos = space + 1;
  }
  return false;
}

class WebhookTest : public ::testing::Test {
 protected:
  void Start(bool test_clock) {
    server_ = test_clock ? StartTestClockServer() : std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->ok());
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "hooks");
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }
  Response Register(const std::string& url, boost::json::array events) {
    return client_.Post("/v1/accounts/" + tenant_.account.id + "/webhooks",
                        boost::json::value(boost::json::object{{"url", url}, {"events", events}}),
                        BearerAuth(tenant_.session));
  }
  std::string Upload(const std::string& end_user = "") {
    Response r = UploadBytes(client_, tenant_.token(), SamplePng(), "image/png",
                             end_user.empty() ? "" : "end_user=" + end_user);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return Str(r.Json(), "id");
  }
  boost::json::array Deliveries(const std::string& hook) {
    Response r =
        client_.Get("/v1/accounts/" + tenant_.account.id + "/webhooks/" + hook + "/deliveries",
                    BearerAuth(tenant_.session));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return Arr(r.Json(), "deliveries");
  }
  boost::json::array Disclosures() {
    Response r = client_.Get("/v1/accounts/" + tenant_.account.id + "/disclosures",
                             BearerAuth(tenant_.session));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return Arr(r.Json(), "items");
  }
  // True when `r` carries a valid Standard Webhooks signature under `secret`.
  static bool Signed(const ReceivedRequest& r, const std::string& secret) {
    auto h = [&](const char* name) {
      auto it = r.headers.find(name);
      return it == r.headers.end() ? std::string() : it->second;
    };
    return !h("webhook-id").empty() &&
           VerifyStandardWebhook(secret, h("webhook-id"), h("webhook-timestamp"), r.body,
                                 h("webhook-signature"));
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

TEST_F(WebhookTest, DeliveriesAreSignedWithTheSecretShownOnceAndCarryIdsOnly_SHR3) {
  Start(false);
  WebhookReceiver receiver;
  Response made = Register(receiver.url(), {"media.created", "media.deleted", "erasure.completed"});
  ASSERT_EQ(made.status, 201) << made.Describe();
  const std::string hook = Str(made.Json(), "id");
  const std::string secret = Str(made.Json(), "secret");
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u) << secret;
  // Shown once: never listed, and stored only wrapped under the account key.
  Response listed =
      client_.Get("/v1/accounts/" + tenant_.account.id + "/webhooks", BearerAuth(tenant_.session));
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find("whsec_"), std::string::npos);
  EXPECT_EQ(Arr(listed.Json(), "webhooks").size(), 1u);
  EXPECT_TRUE(FilesContaining(server_->data_dir(), secret.substr(6)).empty());

  const std::string end_user = Unique("eu-hook");
  const std::string media = Upload(end_user);
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 1; }));
  ReceivedRequest created = receiver.received()[0];
  EXPECT_EQ(created.method, "POST");
  EXPECT_EQ(created.path, "/hook");
  EXPECT_TRUE(Signed(created, secret)) << created.body;
  EXPECT_FALSE(Signed(created, "whsec_" + Base64(std::string(32, 'x'))));
  boost::json::value body = boost::json::parse(created.body);
  EXPECT_EQ(Str(body, "type"), "media.created");
  EXPECT_EQ(Str(*Field(body, "data"), "media_id"), media);
  EXPECT_EQ(Str(*Field(body, "data"), "end_user"), end_user);
  EXPECT_EQ(Str(*Field(body, "data"), "account_id"), tenant_.account.id);
  // The end user's reference is personal data: a ledger row, keyed.
  boost::json::array rows = Disclosures();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Str(rows[0], "recipient_kind"), "customer_endpoint");
  EXPECT_EQ(Str(rows[0], "recipient"), "customer endpoint 127.0.0.1");
  EXPECT_EQ(Str(rows[0], "reference"), created.headers["webhook-id"]);
  EXPECT_EQ(rows[0].as_object().at("subject").as_string().find(end_user), std::string::npos);

  // Deleted (an erasure of one media): ids only, no end user, no ledger
  // row; the erasure's completion follows once its purge ran.
  ASSERT_EQ(client_.Delete("/v1/media/" + media, BearerAuth(tenant_.token())).status, 202);
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 3; }));
  auto of_type = [&](const std::string& type) {
    std::vector<ReceivedRequest> out;
    for (const ReceivedRequest& r : receiver.received()) {
      if (Str(boost::json::parse(r.body), "type") == type) out.push_back(r);
    }
    return out;
  };
  ASSERT_EQ(of_type("media.deleted").size(), 1u);
  ReceivedRequest deleted = of_type("media.deleted")[0];
  EXPECT_TRUE(Signed(deleted, secret));
  EXPECT_EQ(Str(*Field(boost::json::parse(deleted.body), "data"), "media_id"), media);
  EXPECT_EQ(deleted.body.find(end_user), std::string::npos);
  EXPECT_NE(deleted.headers["webhook-id"], created.headers["webhook-id"]);
  ASSERT_EQ(of_type("erasure.completed").size(), 1u);
  EXPECT_EQ(Str(*Field(boost::json::parse(of_type("erasure.completed")[0].body), "data"), "scope"),
            "media");
  EXPECT_EQ(Disclosures().size(), 1u);

  // An end user's erasure tells the customer it is complete, by its id.
  Upload(end_user);
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 4; }));
  Response erased = client_.Delete("/v1/end-users/" + end_user, BearerAuth(tenant_.token()));
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 5; }));
  ReceivedRequest done = receiver.received()[4];
  EXPECT_TRUE(Signed(done, secret));
  boost::json::value done_body = boost::json::parse(done.body);
  EXPECT_EQ(Str(done_body, "type"), "erasure.completed");
  EXPECT_EQ(Str(*Field(done_body, "data"), "erasure_id"), Str(erased.Json(), "id"));
  EXPECT_EQ(Str(*Field(done_body, "data"), "scope"), "end_user");
  EXPECT_EQ(done.body.find(end_user), std::string::npos);
  // No delivery row keeps the erased reference.
  EXPECT_TRUE(Sql(server_->db_path(),
                  "SELECT id FROM webhook_deliveries WHERE end_user = '" + end_user + "'")
                  .rows.empty());
  EXPECT_EQ(Disclosures().size(), 2u);  // the two media.created that named them

  boost::json::array log = Deliveries(hook);
  ASSERT_EQ(log.size(), 5u);
  for (const auto& d : log) {
    EXPECT_EQ(Str(d, "state"), "delivered");
    auto attempts = Arr(d, "attempts_log");
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(Field(attempts[0], "status_code")->to_number<int64_t>(), 200);
  }
  // Deleting the webhook stops deliveries.
  ASSERT_EQ(client_
                .Delete("/v1/accounts/" + tenant_.account.id + "/webhooks/" + hook,
                        BearerAuth(tenant_.session))
                .status,
            204);
  Upload();
  SleepMs(700);
  EXPECT_EQ(receiver.count(), 5u);
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(AuditVerify(server_->data_dir()).exit_code, 0);
}

TEST_F(WebhookTest, AFailedDeliveryIsRetriedWithBackoffAndEveryAttemptListed_SHR3) {
  Start(true);
  WebhookReceiver flaky({500, 200});
  WebhookReceiver down({503});
  Response a = Register(flaky.url(), {"media.created"});
  ASSERT_EQ(a.status, 201) << a.Describe();
  Response b = Register(down.url("/down"), {"media.created"});
  ASSERT_EQ(b.status, 201) << b.Describe();
  const std::string secret = Str(a.Json(), "secret");
  Upload();
  ASSERT_TRUE(WaitFor([&] { return flaky.count() == 1 && down.count() == 1; }));
  SleepMs(300);
  boost::json::array first = Deliveries(Str(a.Json(), "id"));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Str(first[0], "state"), "pending");
  EXPECT_EQ(Field(Arr(first[0], "attempts_log")[0], "status_code")->to_number<int64_t>(), 500);
  EXPECT_EQ(Str(Arr(first[0], "attempts_log")[0], "error"), "HTTP 500");
  EXPECT_FALSE(Field(first[0], "next_attempt_at")->is_null());
  // Not before the backoff (30 s) has passed.
  ASSERT_TRUE(AdvanceClock(*server_, 20));
  SleepMs(700);
  EXPECT_EQ(flaky.count(), 1u);
  ASSERT_TRUE(AdvanceClock(*server_, 11));
  ASSERT_TRUE(WaitFor([&] { return flaky.count() == 2; }));
  auto got = flaky.received();
  EXPECT_EQ(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);  // one message
  EXPECT_TRUE(Signed(got[0], secret));
  EXPECT_TRUE(Signed(got[1], secret));
  ASSERT_TRUE(WaitFor([&] {
    auto d = Deliveries(Str(a.Json(), "id"));
    return d.size() == 1 && Str(d[0], "state") == "delivered";
  }));
  auto attempts = Arr(Deliveries(Str(a.Json(), "id"))[0], "attempts_log");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(Field(attempts[1], "status_code")->to_number<int64_t>(), 200);
  EXPECT_TRUE(Field(attempts[1], "error")->is_null());

  // A receiver that never takes it: tried for 24 hours, then failed.
  size_t seen = down.count();
  for (int step = 0; step < 40 && seen < 30; ++step) {
    auto d = Deliveries(Str(b.Json(), "id"));
    if (!d.empty() && Str(d[0], "state") == "failed") break;
    ASSERT_TRUE(AdvanceClock(*server_, 4 * 3600));
    WaitFor([&] { return down.count() > seen; }, std::chrono::seconds(3));
    seen = down.count();
  }
  auto failed = Deliveries(Str(b.Json(), "id"));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(Str(failed[0], "state"), "failed");
  auto tries = Arr(failed[0], "attempts_log");
  EXPECT_EQ(tries.size(), down.count());
  EXPECT_GE(tries.size(), 7u);
  EXPECT_LE(tries.size(), 16u);
  auto first_at = ParseRfc3339(Str(tries.front(), "at"));
  auto last_at = ParseRfc3339(Str(tries.back(), "at"));
  ASSERT_TRUE(first_at && last_at);
  // The last try is the first due after 24 h minus its backoff: with the
  // clock moved 4 h at a time it runs at most one step past the window.
  EXPECT_LE(*last_at - *first_at, std::chrono::hours(24 + 4));
  EXPECT_GE(*last_at - *first_at, std::chrono::hours(20));
  EXPECT_TRUE(Field(failed[0], "next_attempt_at")->is_null());
}

TEST_F(WebhookTest, ARestrictedEndUsersEventIsRefusedByTheGateAndLeavesNoRow_SHR3) {
  Start(false);
  WebhookReceiver receiver;
  Response made = Register(receiver.url(), {"media.created"});
  ASSERT_EQ(made.status, 201) << made.Describe();
  const std::string restricted = Unique("eu-restricted");
  Response submitted =
      client_.Post("/v1/privacy-requests",
                   boost::json::value(boost::json::object{{"type", "restriction"},
                                                          {"jurisdiction", "gdpr"},
                                                          {"account_id", tenant_.account.id},
                                                          {"end_user", restricted},
                                                          {"attested", true}}),
                   BearerAuth(tenant_.session));
  ASSERT_EQ(submitted.status, 201) << submitted.Describe();
  Response fulfilled =
      client_.Post("/v1/privacy-requests/" + Str(submitted.Json(), "id") + "/fulfil", "",
                   BearerAuth(tenant_.session));
  ASSERT_EQ(fulfilled.status, 200) << fulfilled.Describe();

  Upload(restricted);
  const std::string hook = Str(made.Json(), "id");
  ASSERT_TRUE(WaitFor([&] {
    auto d = Deliveries(hook);
    return d.size() == 1 && Str(d[0], "state") == "refused";
  }));
  auto attempts = Arr(Deliveries(hook)[0], "attempts_log");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(Str(attempts[0], "error").rfind("processing-restricted", 0), 0u);
  EXPECT_TRUE(Field(attempts[0], "status_code")->is_null());
  EXPECT_EQ(receiver.count(), 0u);
  EXPECT_TRUE(Disclosures().empty());
  // The end user no longer named by the finished delivery.
  EXPECT_TRUE(Sql(server_->db_path(),
                  "SELECT id FROM webhook_deliveries WHERE end_user = '" + restricted + "'")
                  .rows.empty());
  // Another end user's event goes out, with its row.
  Upload(Unique("eu-free"));
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 1; }));
  ASSERT_TRUE(WaitFor([&] { return Disclosures().size() == 1; }));
}

TEST_F(WebhookTest, TheSsrfGuardRefusesPrivateAndInsecureUrlsAndNothingIsStored_SHR3) {
  Start(false);
  LETHE_EXPECT_PROBLEM(Register("https://10.0.0.1/hook", {"media.created"}), 422,
                       "private-address");
  LETHE_EXPECT_PROBLEM(Register("https://169.254.169.254/latest/meta-data", {"media.created"}), 422,
                       "private-address");
  LETHE_EXPECT_PROBLEM(Register("https://[::ffff:192.168.0.1]/", {"media.created"}), 422,
                       "private-address");
  LETHE_EXPECT_PROBLEM(Register("http://example.com/hook", {"media.created"}), 400,
                       "https-required");
  LETHE_EXPECT_PROBLEM(Register("ftp://example.com/hook", {"media.created"}), 400, "invalid-url");
  LETHE_EXPECT_PROBLEM(Register("https://user:pw@example.com/", {"media.created"}), 400,
                       "invalid-url");
  WebhookReceiver receiver;
  LETHE_EXPECT_PROBLEM(Register(receiver.url(), {"media.exploded"}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Register(receiver.url(), {}), 400, "invalid-field");
  // Another customer's account is not found; no session is 401.
  Tenant other = NewTenant(client_, "other");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/accounts/" + tenant_.account.id + "/webhooks",
                                    boost::json::value(boost::json::object{
                                        {"url", receiver.url()}, {"events", {"media.created"}}}),
                                    BearerAuth(other.session)),
                       404, "not-found");
  EXPECT_EQ(client_.Get("/v1/accounts/" + tenant_.account.id + "/webhooks").status, 401);
  Response listed =
      client_.Get("/v1/accounts/" + tenant_.account.id + "/webhooks", BearerAuth(tenant_.session));
  EXPECT_TRUE(Arr(listed.Json(), "webhooks").empty());
  EXPECT_EQ(Sql(server_->db_path(), "SELECT COUNT(*) FROM webhooks").rows[0][0], "0");
}

TEST_F(WebhookTest, TheSubprocessorRegistryIsAnnouncedThirtyDaysAhead_SHR2) {
  Start(true);
  ASSERT_EQ(server_->Stop(), 0);
  StaffMember admin = AddStaff(server_->data_dir(), "admin");
  StaffMember support = AddStaff(server_->data_dir(), "support");
  ASSERT_TRUE(server_->Restart());
  client_.set_base_url(server_->base_url());
  ASSERT_TRUE(SignInStaff(*server_, &admin));
  ASSERT_TRUE(SignInStaff(*server_, &support));
  boost::json::object form{{"name", "Transcriber Ltd"},
                           {"purpose", "transcription"},
                           {"region", "eu"},
                           {"categories", {"content", "identifiers"}},
                           {"endpoint", "https://transcriber.example/jobs"}};
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/staff/subprocessors", boost::json::value(form), BearerAuth(support.token)),
      403, "");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/subprocessors", boost::json::value(form),
                                    BearerAuth(tenant_.session)),
                       401, "");
  boost::json::object too_soon = form;
  too_soon["effective_at"] =
      Rfc3339Millis(std::chrono::system_clock::now() + std::chrono::hours(24 * 10));
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/subprocessors", boost::json::value(too_soon),
                                    BearerAuth(admin.token)),
                       400, "invalid-field");
  Response made =
      client_.Post("/v1/staff/subprocessors", boost::json::value(form), BearerAuth(admin.token));
  ASSERT_EQ(made.status, 201) << made.Describe();
  const std::string id = Str(made.Json(), "id");
  // Public, and marked announced until its date.
  Response listed = client_.Get("/v1/subprocessors");
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  auto items = Arr(listed.Json(), "subprocessors");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Str(items[0], "status"), "announced");
  EXPECT_EQ(Str(items[0], "region"), "eu");
  EXPECT_EQ(listed.body.find("transcriber.example"), std::string::npos);  // no endpoint shown
  // Every customer is told, through the outbox.
  ASSERT_TRUE(
      WaitFor([&] { return !FilesContaining(server_->data_dir() + "/outbox-mail", id).empty(); }));
  EXPECT_EQ(FilesContaining(server_->data_dir() + "/outbox-mail", "Transcriber Ltd").size(), 1u);
  ASSERT_TRUE(AdvanceClock(*server_, 30 * 86400));
  items = Arr(client_.Get("/v1/subprocessors").Json(), "subprocessors");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Str(items[0], "status"), "in_force");
  ASSERT_TRUE(SignInStaff(*server_, &admin));  // a staff session lasts 12 hours
  // A change waits its own 30 days; the entry in force is listed meanwhile.
  Response changed =
      client_.Patch("/v1/staff/subprocessors/" + id, boost::json::object{{"region", "global"}},
                    BearerAuth(admin.token));
  ASSERT_EQ(changed.status, 200) << changed.Describe();
  items = Arr(client_.Get("/v1/subprocessors").Json(), "subprocessors");
  EXPECT_EQ(Str(items[0], "region"), "eu");
  EXPECT_EQ(Str(*Field(items[0], "upcoming"), "region"), "global");
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(AuditVerify(server_->data_dir()).exit_code, 0);
}

TEST_F(WebhookTest, APrivacyRequestDueSoonIsToldByItsIdAlone_SHR3) {
  Start(true);
  WebhookReceiver receiver;
  Response made = Register(receiver.url(), {"privacy_request.due_soon"});
  ASSERT_EQ(made.status, 201) << made.Describe();
  const std::string end_user = Unique("eu-late");
  Response submitted =
      client_.Post("/v1/privacy-requests",
                   boost::json::value(boost::json::object{{"type", "access"},
                                                          {"jurisdiction", "ccpa"},
                                                          {"account_id", tenant_.account.id},
                                                          {"end_user", end_user},
                                                          {"attested", true}}),
                   BearerAuth(tenant_.session));
  ASSERT_EQ(submitted.status, 201) << submitted.Describe();
  ASSERT_TRUE(AdvanceClock(*server_, 39 * 86'400));  // due in 45 days: 6 left
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 1; }, std::chrono::seconds(15)));
  ReceivedRequest r = receiver.received()[0];
  EXPECT_TRUE(Signed(r, Str(made.Json(), "secret")));
  boost::json::value body = boost::json::parse(r.body);
  EXPECT_EQ(Str(body, "type"), "privacy_request.due_soon");
  EXPECT_EQ(Str(*Field(body, "data"), "request_id"), Str(submitted.Json(), "id"));
  EXPECT_EQ(r.body.find(end_user), std::string::npos);
  // Ids only: no ledger row (read in the store: the session has expired).
  EXPECT_EQ(Sql(server_->db_path(), "SELECT COUNT(*) FROM disclosures").rows[0][0], "0");
}

}  // namespace
}  // namespace lethe::e2e
