// Accounts, API tokens and API keys: ACC-1 (several named accounts), ACC-2
// (generated ids, a token per account, keys with a secret shown once and kept
// only as a hash), SEC-2 (revocation, secrets not at rest in plaintext), and
// isolation between customers (someone else's object is 404, never 403).
#include <memory>
#include <set>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }
Headers KeyAuth(const KeyInfo& k) { return {{"Authorization", BasicHeader(k.key_id, k.secret)}}; }

class AccountsTest : public SharedServerTest<AccountsTest> {
 protected:
};

TEST_F(AccountsTest, SeveralNamedAccountsWithUniqueIdsAndTokens_ACC1_ACC2) {
  std::string session = SignUp(client_, Unique("multi") + "@example.com");
  ASSERT_FALSE(session.empty());
  std::vector<AccountInfo> accounts;
  const std::pair<const char*, const char*> specs[] = {
      {"Web app", "us"}, {"iOS app", "eu"}, {"Internal tools", "us"}, {"Kiosk", "eu"}};
  for (const auto& [name, region] : specs) {
    AccountInfo a = CreateAccount(client_, session, name, region);
    ASSERT_FALSE(a.id.empty());
    EXPECT_EQ(a.id.rfind("acc_", 0), 0u) << a.id;
    EXPECT_GE(a.api_token.size(), 22u) << "api token should carry >= 128 random bits";
    std::vector<std::string> with_token = kAccountKeys;
    with_token.push_back("api_token");
    EXPECT_EQ(Keys(a.body), SortedKeys(with_token)) << json::serialize(a.body);
    EXPECT_EQ(Str(a.body, "name"), name);
    EXPECT_EQ(Str(a.body, "region"), region);
    EXPECT_TRUE(ParseRfc3339(Str(a.body, "created_at")).has_value()) << json::serialize(a.body);
    accounts.push_back(a);
  }
  std::set<std::string> ids, tokens;
  for (const auto& a : accounts) {
    ids.insert(a.id);
    tokens.insert(a.api_token);
  }
  EXPECT_EQ(ids.size(), accounts.size()) << "account ids must be unique";
  EXPECT_EQ(tokens.size(), accounts.size()) << "api tokens must be unique";

  // List: all four, no secrets.
  Response list = client_.Get("/v1/accounts", Auth(session));
  ASSERT_EQ(list.status, 200) << list.Describe();
  const json::array& listed = Arr(list.Json(), "accounts");
  EXPECT_EQ(listed.size(), accounts.size());
  std::set<std::string> listed_ids;
  for (const auto& a : listed) {
    listed_ids.insert(Str(a, "id"));
    EXPECT_EQ(Field(a, "api_token"), nullptr) << "api_token is shown only once";
  }
  EXPECT_EQ(listed_ids, ids);
  for (const auto& a : accounts) {
    EXPECT_EQ(list.body.find(a.api_token), std::string::npos) << "token leaked in list";
  }

  // Get one; patch its name.
  const AccountInfo& first = accounts[0];
  Response get = client_.Get("/v1/accounts/" + first.id, Auth(session));
  ASSERT_EQ(get.status, 200) << get.Describe();
  json::value g = get.Json();
  EXPECT_EQ(Keys(g), kAccountKeys) << get.body;
  EXPECT_EQ(Str(g, "id"), first.id);
  EXPECT_EQ(Str(g, "name"), "Web app");
  EXPECT_EQ(Str(g, "region"), "us");
  EXPECT_EQ(Field(g, "api_token"), nullptr);
  EXPECT_EQ(get.body.find(first.api_token), std::string::npos);

  Response patch = client_.Patch("/v1/accounts/" + first.id, json::object{{"name", "Web app v2"}},
                                 Auth(session));
  ASSERT_EQ(patch.status, 200) << patch.Describe();
  EXPECT_EQ(Str(patch.Json(), "name"), "Web app v2");
  EXPECT_EQ(Str(client_.Get("/v1/accounts/" + first.id, Auth(session)).Json(), "name"),
            "Web app v2");

  // The region is fixed at creation (XFR-1): PATCH takes only the name.
  LETHE_EXPECT_PROBLEM(
      client_.Patch("/v1/accounts/" + first.id, json::object{{"region", "eu"}}, Auth(session)), 400,
      "unknown-field");
  LETHE_EXPECT_PROBLEM(
      client_.Patch("/v1/accounts/" + first.id, json::object{{"name", 7}}, Auth(session)), 400,
      "invalid-field");

  // Each token authenticates its own account on the data plane.
  for (const auto& a : accounts) {
    Response me = client_.Get("/v1/account", Auth(a.api_token));
    ASSERT_EQ(me.status, 200) << me.Describe();
    EXPECT_EQ(Str(me.Json(), "id"), a.id);
    EXPECT_EQ(me.body.find(a.api_token), std::string::npos);
  }
}

TEST_F(AccountsTest, RegionMustBeUsOrEu) {
  std::string session = SignUp(client_, Unique("region") + "@example.com");
  for (const json::value& bad : {json::value("asia"), json::value("US"), json::value(""),
                                 json::value(1), json::value(nullptr)}) {
    Response r = client_.Post(
        "/v1/accounts", json::value(json::object{{"name", "x"}, {"region", bad}}), Auth(session));
    LETHE_EXPECT_PROBLEM(r, 400, "invalid-field") << " region " << json::serialize(bad);
  }
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/accounts", json::value(json::object{{"name", "x"}}), Auth(session)), 400,
      "invalid-field")
      << " (region missing)";
  Response list = client_.Get("/v1/accounts", Auth(session));
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(Arr(list.Json(), "accounts").empty()) << "refused creations created nothing";
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/accounts", json::value(json::object{{"name", "x"}, {"region", "us"}})), 401,
      "unauthenticated");
}

TEST_F(AccountsTest, TokenRotation_ACC2_SEC2) {
  std::string session = SignUp(client_, Unique("rotate") + "@example.com");
  AccountInfo a = CreateAccount(client_, session, "Rotating", "eu");
  ASSERT_FALSE(a.api_token.empty());
  ASSERT_EQ(client_.Get("/v1/account", Auth(a.api_token)).status, 200);

  Response rot = client_.Post("/v1/accounts/" + a.id + "/token", std::string(), Auth(session));
  ASSERT_EQ(rot.status, 200) << rot.Describe();
  std::string fresh = Str(rot.Json(), "api_token");
  ASSERT_FALSE(fresh.empty());
  EXPECT_NE(fresh, a.api_token);

  LETHE_EXPECT_PROBLEM(client_.Get("/v1/account", Auth(a.api_token)), 401, "unauthenticated")
      << " (old token after rotation)";
  Response ok = client_.Get("/v1/account", Auth(fresh));
  ASSERT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(Str(ok.Json(), "id"), a.id);
}

TEST_F(AccountsTest, ApiKeys_ACC2_SEC2) {
  std::string session = SignUp(client_, Unique("keys") + "@example.com");
  AccountInfo a = CreateAccount(client_, session, "Keyed", "us");
  ASSERT_FALSE(a.id.empty());

  KeyInfo k1 = CreateKey(client_, session, a.id);
  KeyInfo k2 = CreateKey(client_, session, a.id);
  ASSERT_FALSE(k1.key_id.empty());
  ASSERT_FALSE(k2.key_id.empty());
  EXPECT_EQ(k1.key_id.rfind("key_", 0), 0u) << k1.key_id;
  EXPECT_NE(k1.key_id, k2.key_id);
  EXPECT_NE(k1.secret, k2.secret);
  EXPECT_GE(k1.secret.size(), 22u) << "secret should carry >= 128 random bits";
  EXPECT_TRUE(ParseRfc3339(Str(k1.body, "created_at")).has_value());
  EXPECT_EQ(Keys(k1.body), SortedKeys({"key_id", "secret", "created_at"}))
      << json::serialize(k1.body);

  // Listed without secrets; never used yet.
  Response list = client_.Get("/v1/accounts/" + a.id + "/keys", Auth(session));
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_EQ(list.body.find(k1.secret), std::string::npos) << "secret in key list";
  EXPECT_EQ(list.body.find(k2.secret), std::string::npos) << "secret in key list";
  const json::array& keys = Arr(list.Json(), "keys");
  ASSERT_EQ(keys.size(), 2u) << list.body;
  for (const auto& k : keys) {
    EXPECT_EQ(Keys(k), SortedKeys({"key_id", "created_at", "last_used_at", "last_used_ip"}))
        << json::serialize(k);
    EXPECT_EQ(Field(k, "secret"), nullptr);
    const json::value* used = Field(k, "last_used_at");
    EXPECT_TRUE(used != nullptr && used->is_null()) << "never used: " << json::serialize(k);
  }

  // Basic auth with the key works on the data plane.
  Response me = client_.Get("/v1/account", KeyAuth(k1));
  ASSERT_EQ(me.status, 200) << me.Describe();
  EXPECT_EQ(Str(me.Json(), "id"), a.id);
  // A wrong secret, or a secret of another key, does not.
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/account", {{"Authorization", BasicHeader(k1.key_id, k2.secret)}}), 401,
      "unauthenticated");
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/account", {{"Authorization", BasicHeader(k1.key_id, k1.secret + "x")}}), 401,
      "unauthenticated");

  // last_used_at is now set for k1 only.
  Response after = client_.Get("/v1/accounts/" + a.id + "/keys", Auth(session));
  ASSERT_EQ(after.status, 200);
  for (const auto& k : Arr(after.Json(), "keys")) {
    const json::value* used = Field(k, "last_used_at");
    ASSERT_NE(used, nullptr);
    if (Str(k, "key_id") == k1.key_id) {
      ASSERT_TRUE(used->is_string()) << json::serialize(k);
      EXPECT_TRUE(ParseRfc3339(std::string(used->as_string())).has_value());
      EXPECT_EQ(Str(k, "last_used_ip"), "127.0.0.1") << "SEC-2: the IP of the last use";
    } else {
      EXPECT_TRUE(used->is_null()) << json::serialize(k);
      EXPECT_TRUE(Field(k, "last_used_ip")->is_null()) << json::serialize(k);
    }
  }

  // Revocation takes effect at once.
  Response del = client_.Delete("/v1/accounts/" + a.id + "/keys/" + k1.key_id, Auth(session));
  EXPECT_EQ(del.status, 204) << del.Describe();
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/account", KeyAuth(k1)), 401, "unauthenticated")
      << " (revoked key)";
  EXPECT_EQ(client_.Get("/v1/account", KeyAuth(k2)).status, 200) << "other key still works";
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/accounts/" + a.id + "/keys/" + k1.key_id, Auth(session)),
                       404, "not-found")
      << " (deleting twice)";
  Response list2 = client_.Get("/v1/accounts/" + a.id + "/keys", Auth(session));
  ASSERT_EQ(list2.status, 200);
  ASSERT_EQ(Arr(list2.Json(), "keys").size(), 1u) << list2.body;
}

// The customer-plane and data-plane credentials are not interchangeable.
TEST_F(AccountsTest, CredentialsStayInTheirPlane) {
  std::string session = SignUp(client_, Unique("planes") + "@example.com");
  AccountInfo a = CreateAccount(client_, session, "Planes", "us");
  KeyInfo k = CreateKey(client_, session, a.id);
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/account", Auth(session)), 401, "unauthenticated")
      << " (session token on the data plane)";
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/me", Auth(a.api_token)), 401, "unauthenticated")
      << " (api token on the customer plane)";
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/accounts", KeyAuth(k)), 401, "unauthenticated")
      << " (api key on the customer plane)";
}

// SEC-2 / ACC-2: API tokens and key secrets are kept only as hashes.
TEST(AccountSecrets, TokensAndSecretsNotStoredInPlaintext_SEC2) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  std::string session = SignUp(client, Unique("plain") + "@example.com");
  AccountInfo a = CreateAccount(client, session, "Secretive", "eu");
  KeyInfo k = CreateKey(client, session, a.id);
  ASSERT_FALSE(a.api_token.empty());
  ASSERT_FALSE(k.secret.empty());
  Response rot = client.Post("/v1/accounts/" + a.id + "/token", std::string(), Auth(session));
  std::string rotated = Str(rot.Json(), "api_token");
  // Use them so any request logging would have seen them.
  EXPECT_EQ(client.Get("/v1/account", Auth(rotated)).status, 200);
  EXPECT_EQ(client.Get("/v1/account", KeyAuth(k)).status, 200);
  EXPECT_EQ(client.Get("/v1/account", Auth(a.api_token)).status, 401);

  auto scan = [&](const char* when) {
    for (const std::string& secret : {a.api_token, rotated, k.secret, session}) {
      std::vector<std::string> hits = FilesContaining(server.root_dir(), secret);
      EXPECT_TRUE(hits.empty()) << when << ": secret '" << secret.substr(0, 10)
                                << "...' found in plaintext in " << (hits.empty() ? "" : hits[0]);
    }
  };
  // Positive control: ids are stored in plaintext, so the scan can find things.
  EXPECT_FALSE(FilesContaining(server.data_dir(), k.key_id).empty()) << "scan control";
  scan("while running");
  EXPECT_EQ(server.Stop(), 0);
  scan("after shutdown");
}

// Isolation: customer B cannot see or touch customer A's objects, and gets
// 404 (as if they did not exist), never 403.
TEST_F(AccountsTest, CrossCustomerIsolation) {
  std::string sa = SignUp(client_, Unique("alice") + "@example.com");
  std::string sb = SignUp(client_, Unique("bob") + "@example.com");
  AccountInfo a = CreateAccount(client_, sa, "Alice app", "us");
  AccountInfo b = CreateAccount(client_, sb, "Bob app", "eu");
  KeyInfo ka = CreateKey(client_, sa, a.id);
  ASSERT_FALSE(a.id.empty());
  ASSERT_FALSE(b.id.empty());
  ASSERT_FALSE(ka.key_id.empty());
  const std::string base = "/v1/accounts/" + a.id;

  struct Probe {
    const char* what;
    std::string method, path;
    std::string body;
  };
  const Probe probes[] = {
      {"get account", "GET", base, ""},
      {"patch account", "PATCH", base, R"({"name":"pwned"})"},
      {"rotate token", "POST", base + "/token", ""},
      {"list keys", "GET", base + "/keys", ""},
      {"create key", "POST", base + "/keys", ""},
      {"delete key", "DELETE", base + "/keys/" + ka.key_id, ""},
      {"audit", "GET", base + "/audit", ""},
  };
  for (const Probe& p : probes) {
    Response r = client_.Request(p.method, p.path, p.body, Auth(sb));
    LETHE_EXPECT_PROBLEM(r, 404, "not-found") << " B: " << p.what;
    EXPECT_EQ(r.body.find(a.id), std::string::npos) << p.what;
  }

  // Nothing changed for A.
  Response ga = client_.Get(base, Auth(sa));
  ASSERT_EQ(ga.status, 200);
  EXPECT_EQ(Str(ga.Json(), "name"), "Alice app");
  EXPECT_EQ(client_.Get("/v1/account", Auth(a.api_token)).status, 200) << "A's token not rotated";
  EXPECT_EQ(client_.Get("/v1/account", KeyAuth(ka)).status, 200) << "A's key not deleted";
  Response keys = client_.Get(base + "/keys", Auth(sa));
  EXPECT_EQ(Arr(keys.Json(), "keys").size(), 1u) << "B created no key on A's account";

  // B's list shows only B's account.
  Response lb = client_.Get("/v1/accounts", Auth(sb));
  ASSERT_EQ(lb.status, 200);
  EXPECT_EQ(lb.body.find(a.id), std::string::npos);
  EXPECT_EQ(Arr(lb.Json(), "accounts").size(), 1u);

  // B's api token sees B's account only, and its usage has nothing of A's.
  Response gb = client_.Get("/v1/account", Auth(b.api_token));
  ASSERT_EQ(gb.status, 200);
  EXPECT_EQ(Str(gb.Json(), "id"), b.id);
  Response ub = client_.Get("/v1/usage", Auth(b.api_token));
  ASSERT_EQ(ub.status, 200) << ub.Describe();
  EXPECT_EQ(ub.body.find(a.id), std::string::npos) << "A's usage visible to B";
  EXPECT_EQ(ub.body.find(ka.key_id), std::string::npos);

  // A key id of A with B's... nothing: a Basic credential is key_id + secret
  // of the same key; B's token cannot reach A's account paths either.
  LETHE_EXPECT_PROBLEM(client_.Get(base, Auth(b.api_token)), 401, "unauthenticated")
      << " (api token on the customer plane)";
}

TEST_F(AccountsTest, UnknownIdsAre404) {
  std::string session = SignUp(client_, Unique("ghost") + "@example.com");
  AccountInfo a = CreateAccount(client_, session, "Real", "us");
  const std::vector<std::string> paths = {"/v1/accounts/acc_doesnotexist000000000",
                                          "/v1/accounts/nonsense",
                                          "/v1/accounts/acc_doesnotexist000000000/keys",
                                          "/v1/accounts/acc_doesnotexist000000000/audit"};
  for (const std::string& path : paths) {
    LETHE_EXPECT_PROBLEM(client_.Get(path, Auth(session)), 404, "not-found") << " GET " << path;
  }
  LETHE_EXPECT_PROBLEM(
      client_.Delete("/v1/accounts/" + a.id + "/keys/key_doesnotexist000000", Auth(session)), 404,
      "not-found");
}

}  // namespace
}  // namespace lethe::e2e
