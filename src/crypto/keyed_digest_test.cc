#include "crypto/keyed_digest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// RFC 4231, test case 2.
TEST(KeyedDigest, MatchesRfc4231_ACC4) {
  EXPECT_EQ(KeyedDigest(Bytes("Jefe"), "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(KeyedDigest, AnotherKeyGivesAnotherDigest_ACC4) {
  std::vector<uint8_t> a(32, 1), b(32, 2);
  EXPECT_NE(KeyedDigest(a, "123456"), KeyedDigest(b, "123456"));
  EXPECT_EQ(KeyedDigest(a, "123456"), KeyedDigest(a, "123456"));
}

}  // namespace
}  // namespace lethe
