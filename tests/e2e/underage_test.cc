// SEC-4: staff mark an account as a child's. Its customer and all its
// accounts are closed and erased at once, with a receipt per account:
// credentials stop working in the call, the content keys are destroyed,
// and nothing of the customer waits for the retention classes (no 60 days
// for login events and birth date, no 7 years for name and email). Only
// security, legal and admin staff may do it; the audit chain records who.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

Response SignIn(HttpClient& client, const std::string& email) {
  return client.Post("/v1/sessions",
                     json::value(json::object{{"email", email}, {"password", kPassword}}));
}

std::string One(const QueryResult& q) {
  EXPECT_TRUE(q.ok) << q.error;
  if (!q.ok || q.rows.size() != 1 || q.rows[0].empty()) return "<no row>";
  return q.rows[0][0].value_or("NULL");
}

TEST(UnderageTest, StaffRemoveAChildsAccountAtOnceWithReceipts_SEC4) {
  auto server = std::make_unique<ServerProcess>();
  ASSERT_TRUE(server->ok());
  ASSERT_EQ(server->Stop(), 0);
  StaffMember legal = AddStaff(server->data_dir(), "legal");
  StaffMember support = AddStaff(server->data_dir(), "support");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(server->Restart());
  HttpClient client(server->base_url());

  // Signed up as an adult: the age gate let them in.
  const std::string email = Unique("kid") + "@example.com";
  const std::string name = Unique("Kiddo Name");
  const std::string birth = DateYearsAgo(19, 123);
  SignUpResult kid = SignUpFull(client, email, kPassword, "US", birth, {{"name", name}});
  ASSERT_FALSE(kid.token.empty());
  AccountInfo first = CreateAccount(client, kid.token, "kid app");
  AccountInfo second = CreateAccount(client, kid.token, "kid app two");
  const std::string title = Unique("kid-title");
  for (const AccountInfo* a : {&first, &second}) {
    Response r = UploadBytes(client, a->api_token, SamplePng(), "image/png",
                             "end_user=" + Unique("kid-eu") + "&title=" + title);
    ASSERT_EQ(r.status, 201) << r.Describe();
  }
  ASSERT_EQ(SignIn(client, email).status, 201);  // a login event
  // Another customer, untouched.
  Tenant adult = NewTenant(client, "adult");
  ASSERT_EQ(UploadBytes(client, adult.token(), SamplePng(), "image/png", "title=adult").status,
            201);
  ASSERT_EQ(BlobFiles(*server).size(), 3u);
  for (const std::string& needle : {email, name, birth}) {
    EXPECT_FALSE(FilesContaining(server->data_dir(), needle).empty())
        << needle << ": the final check would prove nothing";
  }

  ASSERT_TRUE(SignInStaff(*server, &legal));
  ASSERT_TRUE(SignInStaff(*server, &support));
  const std::string route = "/v1/staff/accounts/" + first.id + "/underage";
  // USE-4: without a grant on the account, not even the right role may.
  LETHE_EXPECT_PROBLEM(client.Post(route, "", BearerAuth(legal.token)), 403, "no-access-grant");
  ASSERT_FALSE(
      GrantAccess(*server, legal, first.id, {"account"}, "security_investigation").empty());
  LETHE_EXPECT_PROBLEM(client.Post(route, "", BearerAuth(support.token)), 403, "forbidden");
  LETHE_EXPECT_PROBLEM(client.Post(route, "", BearerAuth(kid.token)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client.Post(route, "", BearerAuth(first.api_token)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(
      client.Post("/v1/staff/accounts/acc_doesnotexist/underage", "", BearerAuth(legal.token)), 403,
      "no-access-grant");
  ASSERT_EQ(client.Get("/v1/me", BearerAuth(kid.token)).status, 200) << "refusals changed nothing";

  std::chrono::steady_clock::time_point asked = std::chrono::steady_clock::now();
  Response removed = client.Post(route, "", BearerAuth(legal.token));
  ASSERT_EQ(removed.status, 202) << removed.Describe();
  EXPECT_TRUE(ParseRfc3339(Str(removed.Json(), "closed_at")).has_value());
  json::array erasures = Arr(removed.Json(), "erasures");
  ASSERT_EQ(erasures.size(), 2u) << "one per account";
  for (const json::value& e : erasures) {
    EXPECT_EQ(Str(e, "cause"), "underage");
    EXPECT_EQ(Str(e, "scope"), "account");
    EXPECT_EQ(Str(e, "receipt"), "lethe.erasure.v1");
    EXPECT_TRUE(ParseRfc3339(Str(e, "keys_destroyed_at")).has_value()) << "keys go in the call";
  }
  // The receipt of the answer verifies offline.
  std::string key = Str(client.Get("/.well-known/lethe/signing-key").Json(), "public_key");
  std::string file = server->root_dir() + "/underage-receipt.json";
  std::ofstream(file, std::ios::binary) << json::serialize(erasures[0]);
  CommandResult verified = RunCommand({LETHE_BINARY, "receipt", "verify", file, "--key", key});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  // Access ended at once.
  LETHE_EXPECT_PROBLEM(client.Get("/v1/me", BearerAuth(kid.token)), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(SignIn(client, email), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(client.Get("/v1/media", BearerAuth(first.api_token)), 401,
                       "unauthenticated");
  LETHE_EXPECT_PROBLEM(client.Get("/v1/media", BearerAuth(second.api_token)), 401,
                       "unauthenticated");

  // Everything goes at once: no retention class keeps anything, and no
  // test clock is moved.
  const std::string db = server->db_path();
  const bool gone = WaitFor([&] {
    return One(Sql(db, "SELECT COUNT(*) FROM customers WHERE id = '" + kid.customer_id + "'")) ==
           "0";
  });
  EXPECT_TRUE(gone) << "the customer's record is still there";
  if (gone) {
    std::cout << "[figures] underage customer's record gone "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count()
              << " s after the staff request\n";
  }
  EXPECT_EQ(
      One(Sql(db, "SELECT COUNT(*) FROM accounts WHERE customer_id = '" + kid.customer_id + "'")),
      "0");
  EXPECT_EQ(One(Sql(db, "SELECT COUNT(*) FROM login_events WHERE customer_id = '" +
                            kid.customer_id + "'")),
            "0");
  EXPECT_TRUE(WaitFor([&] { return BlobFiles(*server).size() == 1u; }));
  EXPECT_EQ(One(Sql(db,
                    "SELECT actor FROM audit_events WHERE action = 'customer.underage' AND "
                    "target = '" +
                        kid.customer_id + "'")),
            legal.id);
  // Nothing left to remove: the account is no longer known.
  LETHE_EXPECT_PROBLEM(client.Post(route, "", BearerAuth(legal.token)), 404, "not-found");
  EXPECT_EQ(ListAllMedia(client, adult.token()).size(), 1u);
  ASSERT_EQ(client.Get("/v1/me", BearerAuth(adult.session)).status, 200);

  ASSERT_EQ(server->Stop(), 0);
  for (const std::string& needle : {email, name, birth, title}) {
    std::vector<std::string> files = FilesContaining(server->data_dir(), needle);
    EXPECT_TRUE(files.empty()) << needle << " is still in " << files.front();
  }
  CommandResult audit = AuditVerify(server->data_dir());
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
}

}  // namespace
}  // namespace lethe::e2e
