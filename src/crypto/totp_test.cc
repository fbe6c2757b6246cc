#include "crypto/totp.h"

#include <gtest/gtest.h>

#include <string>

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// RFC 6238 appendix B, the SHA-1 rows: the seed is the ASCII text
// "12345678901234567890", codes are 8 digits.
TEST(Totp, Rfc6238Sha1Vectors_ACC4) {
  const std::string seed = "12345678901234567890";
  struct Vector {
    int64_t unix_seconds;
    const char* code;
  };
  for (const Vector& v : {Vector{59, "94287082"}, Vector{1111111109, "07081804"},
                          Vector{1111111111, "14050471"}, Vector{1234567890, "89005924"},
                          Vector{2000000000, "69279037"}, Vector{20000000000, "65353130"}}) {
    int64_t step = TotpStep(v.unix_seconds * 1000);
    auto eight = TotpCode(Bytes(seed), step, 8);
    ASSERT_TRUE(eight.ok()) << eight.status().ToString();
    EXPECT_EQ(*eight, v.code) << "at " << v.unix_seconds;
    // The 6-digit code is the same number modulo 10^6: its last 6 digits.
    auto six = TotpCode(Bytes(seed), step);
    ASSERT_TRUE(six.ok());
    EXPECT_EQ(*six, std::string(v.code).substr(2)) << "at " << v.unix_seconds;
  }
}

TEST(Totp, MatchAcceptsOneStepEitherSideOnly_ACC4) {
  const std::string seed = "12345678901234567890";
  const int64_t step = TotpStep(1111111111'000);
  for (int64_t delta : {-1, 0, 1}) {
    std::string code = *TotpCode(Bytes(seed), step + delta);
    EXPECT_EQ(TotpMatch(Bytes(seed), code, step), step + delta) << delta;
  }
  for (int64_t delta : {-2, 2}) {
    std::string code = *TotpCode(Bytes(seed), step + delta);
    EXPECT_EQ(TotpMatch(Bytes(seed), code, step), std::nullopt) << delta;
  }
  EXPECT_EQ(TotpMatch(Bytes(seed), "12345", step), std::nullopt);
  EXPECT_EQ(TotpMatch(Bytes(seed), "abcdef", step), std::nullopt);
}

TEST(Totp, RefusesBadArguments_ACC4) {
  EXPECT_FALSE(TotpCode({}, 1).ok());
  EXPECT_FALSE(TotpCode(Bytes("seed"), -1).ok());
  EXPECT_FALSE(TotpCode(Bytes("seed"), 1, 5).ok());
}

TEST(Totp, Base32IsRfc4648WithoutPadding_ACC4) {
  // RFC 4648 section 10.
  EXPECT_EQ(Base32Encode(Bytes("foobar")), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode(Bytes("f")), "MY");
  EXPECT_EQ(Base32Encode(Bytes("12345678901234567890")), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  auto back = Base32Decode("MZXW6YTBOI");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(std::string(back->begin(), back->end()), "foobar");
  EXPECT_FALSE(Base32Decode("not base32!").has_value());
}

}  // namespace
}  // namespace lethe
