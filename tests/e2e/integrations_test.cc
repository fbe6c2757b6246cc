// SEC-3: an integration's token, end to end. The token is never stored or
// shown in the clear; the sealed token and its wrapped key are in the data
// directory's files while the integration exists; after DELETE neither is
// in any file (database pages, write-ahead logs, anything under the data
// directory), and the key's slot is a tombstone: the token is
// unrecoverable, from these files or from any older copy of them.
#include <gtest/gtest.h>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

class IntegrationsTest : public SharedServerTest<IntegrationsTest> {
 protected:
  std::string Path(const Tenant& t) { return "/v1/accounts/" + t.account.id + "/integrations"; }
};

TEST_F(IntegrationsTest, RemovingAnIntegrationLeavesItsTokenUnrecoverable_SEC3) {
  Tenant t = NewTenant(client_, "integrations");
  const std::string token = "vimeo_pat_" + Unique("secret") + "_Zq81";
  Response added = client_.Post(
      Path(t), boost::json::value({{"provider", "vimeo"}, {"token", token}, {"label", "Channel"}}),
      BearerAuth(t.session));
  ASSERT_EQ(added.status, 201) << added.Describe();
  const std::string id = Str(added.Json(), "id");
  EXPECT_EQ(Keys(added.Json()),
            SortedKeys({"id", "account_id", "provider", "label", "created_at"}));
  EXPECT_EQ(added.body.find(token), std::string::npos);
  Response listed = client_.Get(Path(t), BearerAuth(t.session));
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(Arr(listed.Json(), "integrations").size(), 1u);
  EXPECT_EQ(listed.body.find(token), std::string::npos);

  const std::string data = server_->data_dir();
  EXPECT_TRUE(FilesContaining(data, token).empty()) << "never in the clear";
  QueryResult row =
      Sql(server_->db_path(), "SELECT sealed_token FROM integrations WHERE id = '" + id + "'");
  ASSERT_TRUE(row.ok) << row.error;
  ASSERT_EQ(row.rows.size(), 1u);
  const std::string sealed = *row.rows[0][0];
  QueryResult key =
      Sql(data + "/keys.db",
          "SELECT wrapped FROM wrapped_keys WHERE slot = 'secret/" + t.account.id + "/" + id + "'");
  ASSERT_TRUE(key.ok) << key.error;
  ASSERT_EQ(key.rows.size(), 1u);
  const std::string wrapped = *key.rows[0][0];
  EXPECT_FALSE(FilesContaining(data, sealed).empty()) << "the ciphertext is on disk";
  EXPECT_FALSE(FilesContaining(data, wrapped).empty()) << "its wrapped key is on disk";

  // Another customer can neither see nor remove it.
  Tenant other = NewTenant(client_, "integrations-other");
  LETHE_EXPECT_PROBLEM(client_.Get(Path(t), BearerAuth(other.session)), 404, "not-found");
  LETHE_EXPECT_PROBLEM(client_.Delete(Path(t) + "/" + id, BearerAuth(other.session)), 404,
                       "not-found");
  LETHE_EXPECT_PROBLEM(client_.Delete(Path(other) + "/" + id, BearerAuth(other.session)), 404,
                       "not-found");

  Response removed = client_.Delete(Path(t) + "/" + id, BearerAuth(t.session));
  ASSERT_EQ(removed.status, 204) << removed.Describe();
  EXPECT_TRUE(Arr(client_.Get(Path(t), BearerAuth(t.session)).Json(), "integrations").empty());
  EXPECT_TRUE(FilesContaining(data, sealed).empty()) << "the ciphertext left no copy";
  EXPECT_TRUE(FilesContaining(data, wrapped).empty()) << "the wrapped key left no copy";
  EXPECT_TRUE(FilesContaining(data, token).empty());
  QueryResult tomb = Sql(data + "/keys.db",
                         "SELECT wrapped IS NULL, destroyed_ms IS NOT NULL FROM wrapped_keys "
                         "WHERE slot = 'secret/" +
                             t.account.id + "/" + id + "'");
  ASSERT_TRUE(tomb.ok) << tomb.error;
  ASSERT_EQ(tomb.rows.size(), 1u);
  EXPECT_EQ(*tomb.rows[0][0], "1");
  EXPECT_EQ(*tomb.rows[0][1], "1");
  LETHE_EXPECT_PROBLEM(client_.Delete(Path(t) + "/" + id, BearerAuth(t.session)), 404, "not-found");
}

TEST_F(IntegrationsTest, BadTokensAndProvidersAreRefused_SEC3) {
  Tenant t = NewTenant(client_, "integrations-bad");
  for (const auto& body : {boost::json::object{{"provider", "Vimeo!"}, {"token", "abc"}},
                           boost::json::object{{"provider", "vimeo"}, {"token", ""}},
                           boost::json::object{{"provider", "vimeo"}, {"token", "a b"}},
                           boost::json::object{{"provider", ""}, {"token", "abc"}}}) {
    LETHE_EXPECT_PROBLEM(client_.Post(Path(t), boost::json::value(body), BearerAuth(t.session)),
                         400, "invalid-field");
  }
  LETHE_EXPECT_PROBLEM(
      client_.Post(Path(t), boost::json::value({{"provider", "vimeo"}}), BearerAuth(t.session)),
      400, "");
  LETHE_EXPECT_PROBLEM(
      client_.Post(Path(t), boost::json::value({{"provider", "vimeo"}, {"token", "abc"}}),
                   BearerAuth(t.token())),
      401, "");
  EXPECT_TRUE(Arr(client_.Get(Path(t), BearerAuth(t.session)).Json(), "integrations").empty());
}

}  // namespace
}  // namespace lethe::e2e
