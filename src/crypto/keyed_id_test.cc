#include "crypto/keyed_id.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

Key KeyOf(uint8_t b) {
  Key k;
  k.fill(b);
  return k;
}

TEST(KeyedIdsTest, StableNamesThatDependOnEveryPartAndTheKey) {
  KeyedIds ids(KeyOf(1));
  std::string a = ids.Of("end_user", "acc_1", "alice");
  EXPECT_EQ(a, ids.Of("end_user", "acc_1", "alice"));
  EXPECT_EQ(a.size(), 3u + 64u);
  EXPECT_EQ(a.rfind("kh_", 0), 0u);
  EXPECT_EQ(a.find("alice"), std::string::npos);
  EXPECT_NE(a, ids.Of("media", "acc_1", "alice"));
  EXPECT_NE(a, ids.Of("end_user", "acc_2", "alice"));
  EXPECT_NE(a, ids.Of("end_user", "acc_1", "alicf"));
  // The separator keeps parts from sliding into each other.
  EXPECT_NE(ids.Of("end_user", "acc_1a", "lice"), ids.Of("end_user", "acc_1", "alice"));
  KeyedIds other(KeyOf(2));
  EXPECT_NE(a, other.Of("end_user", "acc_1", "alice"));
}

}  // namespace
}  // namespace lethe
