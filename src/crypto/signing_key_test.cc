#include "crypto/signing_key.h"

#include <gtest/gtest.h>

#include <string_view>

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(SigningKeyTest, SignsAndVerifiesAndRefusesAnEdit) {
  Key seed;
  seed.fill(42);
  SigningKey key(seed);
  auto sig = key.Sign(Bytes("erased 3 media"));
  EXPECT_TRUE(SigningKey::Verify(key.public_key(), Bytes("erased 3 media"), sig));
  EXPECT_FALSE(SigningKey::Verify(key.public_key(), Bytes("erased 2 media"), sig));
  auto bent = sig;
  bent[5] ^= 1;
  EXPECT_FALSE(SigningKey::Verify(key.public_key(), Bytes("erased 3 media"), bent));
  Key other_seed;
  other_seed.fill(43);
  SigningKey other(other_seed);
  EXPECT_FALSE(SigningKey::Verify(other.public_key(), Bytes("erased 3 media"), sig));
}

TEST(SigningKeyTest, TheSameSeedGivesTheSameKey) {
  Key seed;
  seed.fill(7);
  SigningKey a(seed), b(seed);
  EXPECT_EQ(a.public_key(), b.public_key());
}

}  // namespace
}  // namespace lethe
