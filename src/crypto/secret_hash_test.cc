#include "crypto/secret_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/encoding.h"

namespace lethe {
namespace {

// Deterministic bytes so format tests do not depend on luck.
class CountingRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  uint8_t next_ = 0;
};

TEST(CryptoPassword, HashVerifies) {
  Result<std::string> hash = HashPassword("correct horse", PasswordCost::Minimum());
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horsE"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse "));
}

TEST(CryptoPassword, SaltMakesHashesDiffer) {
  Result<std::string> a = HashPassword("pw", PasswordCost::Minimum());
  Result<std::string> b = HashPassword("pw", PasswordCost::Minimum());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*a, "pw"));
  EXPECT_TRUE(VerifyPassword(*b, "pw"));
}

TEST(CryptoPassword, VerifyRejectsGarbageHashes) {
  EXPECT_FALSE(VerifyPassword("", "pw"));
  EXPECT_FALSE(VerifyPassword("not a hash", "pw"));
  EXPECT_FALSE(VerifyPassword(std::string(500, '$'), "pw"));
  Result<std::string> hash = HashPassword("pw", PasswordCost::Minimum());
  ASSERT_TRUE(hash.ok());
  std::string tampered = *hash;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyPassword(tampered, "pw"));
  EXPECT_FALSE(VerifyPassword(hash->substr(0, hash->size() - 1), "pw"));
}

TEST(CryptoPassword, NeedsRehashWhenCostDiffers) {
  Result<std::string> hash = HashPassword("pw", PasswordCost::Minimum());
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(PasswordNeedsRehash(*hash, PasswordCost::Minimum()));
  EXPECT_TRUE(PasswordNeedsRehash(*hash, PasswordCost::Interactive()));
  EXPECT_TRUE(PasswordNeedsRehash("garbage"));
}

TEST(CryptoPassword, InteractiveCostWorks) {
  Result<std::string> hash = HashPassword("slow but fine");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, "slow but fine"));
  EXPECT_FALSE(PasswordNeedsRehash(*hash));
}

TEST(CryptoConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

// FIPS 180-2 test vectors.
TEST(CryptoSha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(std::string_view("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(TokenDigest("abc"), Sha256Hex(std::string_view("abc")));
}

TEST(CryptoSha256, IncrementalMatchesOneShotAndResets) {
  std::vector<uint8_t> data(1'000'003);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + (i >> 9));
  const std::string expected = Sha256Hex(data);
  Sha256 hasher;
  // Uneven pieces, including empty ones, cross block boundaries.
  size_t pos = 0, step = 0;
  while (pos < data.size()) {
    const size_t n = std::min(data.size() - pos, (step++ * 7919) % 70000);
    hasher.Update(std::span<const uint8_t>(data).subspan(pos, n));
    pos += n;
  }
  EXPECT_EQ(hasher.Final(), expected);
  // Final() resets: the next digest covers only new input.
  hasher.Update(std::string_view("abc"));
  const auto raw = hasher.FinalBytes();
  EXPECT_EQ(HexEncode(raw), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hasher.Final(), Sha256Hex(std::string_view("")));
}

TEST(CryptoRandomToken, PrefixAndLength) {
  CountingRandom random;
  const std::string token = RandomToken(random, "lt_");
  ASSERT_EQ(token.size(), 3u + 43u);
  EXPECT_EQ(token.substr(0, 3), "lt_");
  const auto decoded = Base64UrlDecode(std::string_view(token).substr(3));
  ASSERT_TRUE(decoded.has_value());
  ASSERT_EQ(decoded->size(), 32u);
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ((*decoded)[i], i);
  EXPECT_EQ(RandomToken(random, "", 16).size(), 22u);
}

TEST(CryptoRandomToken, SystemTokensDiffer) {
  SystemRandom random;
  EXPECT_NE(RandomToken(random, "t_"), RandomToken(random, "t_"));
}

TEST(CryptoRandomId, Format) {
  SystemRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = RandomId(random, "acc_");
    ASSERT_EQ(id.size(), 4 + kRandomIdChars) << id;
    ASSERT_EQ(id.substr(0, 4), "acc_");
    for (char c : id.substr(4)) {
      ASSERT_NE(kRandomIdAlphabet.find(c), std::string_view::npos) << id;
    }
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(CryptoRandomId, UsesAllBitsInOrder) {
  // All-ones bytes map to the last alphabet character everywhere; zero
  // bytes to the first: every character comes from the random bits.
  class ConstRandom final : public Random {
   public:
    explicit ConstRandom(uint8_t v) : v_(v) {}
    void Fill(std::span<uint8_t> out) override { std::fill(out.begin(), out.end(), v_); }

   private:
    uint8_t v_;
  };
  ConstRandom ones(0xff), zeros(0x00);
  EXPECT_EQ(RandomId(ones, "x_"), "x_" + std::string(kRandomIdChars, 'z'));
  EXPECT_EQ(RandomId(zeros, ""), std::string(kRandomIdChars, '0'));
  // Bytes 00 01 02: bits 00000 00000 00000 10000 ..., so the fourth
  // character is alphabet[16] = 'g' (checks bit order across bytes).
  CountingRandom counting;
  EXPECT_EQ(RandomId(counting, "").substr(0, 4), "000g");
}

}  // namespace
}  // namespace lethe
