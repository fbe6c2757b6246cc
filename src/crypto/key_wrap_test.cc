#include "crypto/key_wrap.h"

#include <gtest/gtest.h>

#include <vector>

namespace lethe {
namespace {

TEST(CryptoKeyWrap, RoundTrip) {
  SystemRandom random;
  const Key kek = GenerateKey(random);
  const Key key = GenerateKey(random);
  EXPECT_NE(kek, key);
  const std::vector<uint8_t> wrapped = WrapKey(kek, key, "account:acc_x", random);
  ASSERT_EQ(wrapped.size(), kWrappedKeyBytes);
  EXPECT_EQ(kWrappedKeyBytes, 60u);
  Result<Key> back = UnwrapKey(kek, wrapped, "account:acc_x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, key);
}

TEST(CryptoKeyWrap, RandomNonceMakesWrapsDiffer) {
  SystemRandom random;
  const Key kek = GenerateKey(random);
  const Key key = GenerateKey(random);
  const auto a = WrapKey(kek, key, "ctx", random);
  const auto b = WrapKey(kek, key, "ctx", random);
  EXPECT_NE(a, b);
  EXPECT_EQ(*UnwrapKey(kek, a, "ctx"), key);
  EXPECT_EQ(*UnwrapKey(kek, b, "ctx"), key);
}

TEST(CryptoKeyWrap, WrongContextIsDataLoss) {
  SystemRandom random;
  const Key kek = GenerateKey(random);
  const Key key = GenerateKey(random);
  const auto wrapped = WrapKey(kek, key, "subject:acc_x:enduser", random);
  for (std::string_view other :
       {"subject:acc_y:enduser", "subject:acc_x:enduse", "account:acc_x", ""}) {
    Result<Key> r = UnwrapKey(kek, wrapped, other);
    ASSERT_FALSE(r.ok()) << other;
    EXPECT_EQ(r.status().code(), Status::Code::kDataLoss) << other;
  }
}

TEST(CryptoKeyWrap, WrongKekIsDataLoss) {
  SystemRandom random;
  const Key kek = GenerateKey(random);
  const Key other_kek = GenerateKey(random);
  const auto wrapped = WrapKey(kek, GenerateKey(random), "ctx", random);
  EXPECT_EQ(UnwrapKey(other_kek, wrapped, "ctx").status().code(), Status::Code::kDataLoss);
}

TEST(CryptoKeyWrap, TamperedOrMisSizedIsDataLoss) {
  SystemRandom random;
  const Key kek = GenerateKey(random);
  const auto wrapped = WrapKey(kek, GenerateKey(random), "ctx", random);
  for (size_t i = 0; i < wrapped.size(); ++i) {
    auto bad = wrapped;
    bad[i] ^= 0x80;
    EXPECT_EQ(UnwrapKey(kek, bad, "ctx").status().code(), Status::Code::kDataLoss) << i;
  }
  auto shorter = wrapped;
  shorter.pop_back();
  EXPECT_EQ(UnwrapKey(kek, shorter, "ctx").status().code(), Status::Code::kDataLoss);
  auto longer = wrapped;
  longer.push_back(0);
  EXPECT_EQ(UnwrapKey(kek, longer, "ctx").status().code(), Status::Code::kDataLoss);
  EXPECT_EQ(UnwrapKey(kek, {}, "ctx").status().code(), Status::Code::kDataLoss);
}

TEST(CryptoKeyWrap, WipeKeyZeroes) {
  SystemRandom random;
  Key key = GenerateKey(random);
  { KeyWiper wipe(key); }
  EXPECT_EQ(key, Key{});
}

}  // namespace
}  // namespace lethe
