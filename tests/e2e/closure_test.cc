// ACC-9 and ACC-10: closing an account, then the customer. Access ends at
// once, content keys are destroyed in the call, a job purges media and
// de-identifies usage, and the retention classes remove the rest on their
// clocks (moved forward with the test clock, no test sleeps for days).
#include <gtest/gtest.h>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

Response SignIn(HttpClient& client, const std::string& email) {
  return client.Post("/v1/sessions",
                     json::value(json::object{{"email", email}, {"password", kPassword}}));
}

TEST(ClosureTest, AClosedAccountTakesNoCredentialAndIsPurged_ACC10) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Tenant t = NewTenant(client, "closure");
  AccountInfo other = CreateAccount(client, t.session, "other app");
  KeyInfo key = CreateKey(client, t.session, t.account.id);
  const std::string marker = Unique("closure-title");
  const std::string end_user = Unique("closure-eu");
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    Response r = UploadBytes(client, t.token(), SamplePng(), "image/png",
                             "end_user=" + end_user + "&title=" + marker);
    ASSERT_EQ(r.status, 201) << r.Describe();
    ids.push_back(Str(r.Json(), "id"));
  }
  ASSERT_EQ(UploadBytes(client, other.api_token, SamplePng(), "image/png", "title=kept").status,
            201);
  Headers basic = {{"Authorization", BasicHeader(key.key_id, key.secret)}};
  ASSERT_EQ(client.Get("/v1/media", basic).status, 200);

  Response closed = client.Delete("/v1/accounts/" + t.account.id, BearerAuth(t.session));
  ASSERT_EQ(closed.status, 202) << closed.Describe();
  EXPECT_EQ(Str(closed.Json(), "scope"), "account");
  EXPECT_EQ(Str(closed.Json(), "cause"), "closure");
  EXPECT_FALSE(closed.Json().as_object().at("keys_destroyed_at").is_null());
  std::string erasure = Str(closed.Json(), "id");
  // Access ended at once: token and key, and nothing makes a new one.
  LETHE_EXPECT_PROBLEM(client.Get("/v1/media", BearerAuth(t.token())), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client.Get("/v1/media", basic), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(
      client.Post("/v1/accounts/" + t.account.id + "/token", "", BearerAuth(t.session)), 412,
      "account-closed");
  LETHE_EXPECT_PROBLEM(
      client.Post("/v1/accounts/" + t.account.id + "/keys", "", BearerAuth(t.session)), 412,
      "account-closed");
  Response shown = client.Get("/v1/accounts/" + t.account.id, BearerAuth(t.session));
  ASSERT_EQ(shown.status, 200);
  EXPECT_FALSE(shown.Json().as_object().at("closed_at").is_null());
  // The other account is untouched.
  EXPECT_EQ(ListAllMedia(client, other.api_token).size(), 1u);

  const std::string receipt = "/v1/accounts/" + t.account.id + "/erasures/" + erasure;
  ASSERT_TRUE(WaitFor([&] {
    Response r = client.Get(receipt, BearerAuth(t.session));
    return r.status == 200 && Str(r.Json(), "state") == "done";
  }));
  Response done = client.Get(receipt, BearerAuth(t.session));
  EXPECT_EQ(done.Json().as_object().at("media_erased").as_int64(), 2);
  EXPECT_GE(done.Json().as_object().at("usage_events_deidentified").as_int64(), 3);
  LETHE_EXPECT_PROBLEM(
      client.Get("/v1/accounts/" + other.id + "/erasures/" + erasure, BearerAuth(t.session)), 404,
      "not-found");
  // Closing again answers with the same erasure.
  Response again = client.Delete("/v1/accounts/" + t.account.id, BearerAuth(t.session));
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(Str(again.Json(), "id"), erasure);
  EXPECT_EQ(BlobFiles(server).size(), 1u);
  server.Stop();
  EXPECT_EQ(FilesContaining(server.data_dir(), marker), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(server.data_dir(), end_user), std::vector<std::string>{});
  EXPECT_EQ(AuditVerify(server.data_dir()).exit_code, 0);
}

CommandResult Plan(const ServerProcess& server) {
  return RunCommand({LETHE_BINARY, "retention", "plan", "--data", server.data_dir()});
}

TEST(ClosureTest, AClosedCustomerFollowsTheRetentionClasses_ACC9_ACC10) {
  auto server = StartTestClockServer();
  ASSERT_TRUE(server && server->ok());
  HttpClient client(server->base_url());
  const std::string email = Unique("closing") + "@example.com";
  std::string session = SignUp(client, email);
  ASSERT_FALSE(session.empty());
  AccountInfo a = CreateAccount(client, session, "first");
  AccountInfo b = CreateAccount(client, session, "second");
  ASSERT_EQ(SignIn(client, email).status, 201);  // a login event to keep 60 days

  Response closed = client.Delete("/v1/me", BearerAuth(session));
  ASSERT_EQ(closed.status, 202) << closed.Describe();
  EXPECT_EQ(Arr(closed.Json(), "erasures").size(), 2u);
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(session)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(SignIn(client, email), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client.Get("/v1/media", BearerAuth(a.api_token)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client.Get("/v1/media", BearerAuth(b.api_token)), 401, "unauthenticated");

  CommandResult plan = Plan(*server);
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("other: 1 login events"), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("crm: name, email, account names"), std::string::npos);
  auto customer_row = [&] {
    return Sql(server->data_dir() + "/lethe.db",
               "SELECT birth_date, closure_stage FROM customers WHERE email = '" + email + "'");
  };
  ASSERT_EQ(customer_row().rows.size(), 1u);
  EXPECT_EQ(customer_row().rows[0][0], "1990-04-02");

  ASSERT_TRUE(AdvanceClock(*server, 59 * 86'400));
  SleepMs(1500);
  EXPECT_EQ(customer_row().rows[0][1], "0") << "the other class went before its 60 days";
  ASSERT_TRUE(AdvanceClock(*server, 2 * 86'400));
  EXPECT_TRUE(WaitFor([&] { return customer_row().rows[0][1] == "1"; }));
  EXPECT_EQ(customer_row().rows[0][0], "");
  plan = Plan(*server);
  EXPECT_NE(plan.output.find("other: 0 login events"), std::string::npos) << plan.output;

  ASSERT_TRUE(AdvanceClock(*server, 7 * 365 * 86'400));
  EXPECT_TRUE(WaitFor([&] { return customer_row().rows.empty(); }));
  plan = Plan(*server);
  EXPECT_NE(plan.output.find("no closed customers"), std::string::npos) << plan.output;
  // The email is free again.
  EXPECT_FALSE(SignUp(client, email).empty());
  server->Stop();
  EXPECT_EQ(FilesContaining(server->data_dir(), "1990-04-02").size(), 1u)
      << "only the new sign-up's birth date is left";
  EXPECT_EQ(AuditVerify(server->data_dir()).exit_code, 0);
}

}  // namespace
}  // namespace lethe::e2e
