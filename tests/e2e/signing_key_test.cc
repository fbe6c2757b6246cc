// The deployment's Ed25519 signing key (issue 8's receipts and checkpoints
// stand on it): made on first start beside the master key, owner-only,
// public half served at a well-known URL, the same across restarts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/encoding.h"
#include "harness.h"

namespace lethe::e2e {
namespace {

TEST(SigningKeyTest, PublishedStableAndOwnerOnly) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  Response first = client.Get("/.well-known/lethe/signing-key");
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(Str(first.Json(), "algorithm"), "Ed25519");
  auto key = Base64Decode(Str(first.Json(), "public_key"));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat((server.data_dir() + "/signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "signing.key is readable by others";
  ASSERT_TRUE(server.Restart());
  client.set_base_url(server.base_url());
  Response again = client.Get("/.well-known/lethe/signing-key");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Str(again.Json(), "public_key"), Str(first.Json(), "public_key"));
  // The secret half never leaves the file.
  EXPECT_EQ(again.body.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace lethe::e2e
