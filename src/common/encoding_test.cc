#include "common/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace lethe {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(EncodingHex, EncodesLowercase) {
  const std::vector<uint8_t> in = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(in), "0001abff");
  EXPECT_EQ(HexEncode(std::string_view("Hi")), "4869");
  EXPECT_EQ(HexEncode(std::vector<uint8_t>{}), "");
}

TEST(EncodingHex, DecodesBothCases) {
  EXPECT_EQ(HexDecode("0001abff"), (std::vector<uint8_t>{0x00, 0x01, 0xab, 0xff}));
  EXPECT_EQ(HexDecode("ABFF"), (std::vector<uint8_t>{0xab, 0xff}));
  EXPECT_EQ(HexDecode(""), std::vector<uint8_t>{});
}

TEST(EncodingHex, RejectsMalformed) {
  EXPECT_FALSE(HexDecode("abc").has_value());    // odd length
  EXPECT_FALSE(HexDecode("zz").has_value());     // not hex
  EXPECT_FALSE(HexDecode("ab cd").has_value());  // whitespace
  EXPECT_FALSE(HexDecode("abcg").has_value());   // bad trailing digit
  EXPECT_FALSE(HexDecode(std::string_view("ab\0d", 4)).has_value());
}

TEST(EncodingHex, RoundTripsAllByteValues) {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(HexDecode(HexEncode(all)), all);
}

// RFC 4648 section 10 test vectors.
TEST(EncodingBase64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(std::string_view(plain)), encoded);
    EXPECT_EQ(Base64Decode(encoded), Bytes(plain)) << encoded;
  }
}

TEST(EncodingBase64, BasicAuthCredentials) {
  // The example from RFC 7617 section 2.
  EXPECT_EQ(Base64Encode(std::string_view("Aladdin:open sesame")), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(Base64Decode("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), Bytes("Aladdin:open sesame"));
}

TEST(EncodingBase64, RejectsMalformed) {
  EXPECT_FALSE(Base64Decode("Zg").has_value());      // missing padding
  EXPECT_FALSE(Base64Decode("Zg=").has_value());     // short padding
  EXPECT_FALSE(Base64Decode("Zh==").has_value());    // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zm9v\n").has_value());  // whitespace
  EXPECT_FALSE(Base64Decode("Zm-_").has_value());    // url alphabet
  EXPECT_FALSE(Base64Decode("Z===").has_value());
  EXPECT_FALSE(Base64Decode("Zm9vYmFy=").has_value());  // padding after full group
}

TEST(EncodingBase64Url, UsesUrlAlphabetWithoutPadding) {
  const std::vector<uint8_t> in = {0xfb, 0xff};
  EXPECT_EQ(Base64Encode(in), "+/8=");
  EXPECT_EQ(Base64UrlEncode(in), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), in);
  EXPECT_EQ(Base64UrlEncode(std::string_view("f")), "Zg");
  EXPECT_EQ(Base64UrlEncode(std::string_view("")), "");
}

TEST(EncodingBase64Url, RejectsMalformed) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());  // padding
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());   // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());     // impossible length
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());    // non-zero trailing bits
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").has_value());
}

TEST(EncodingBase64Url, RoundTripsEveryLength) {
  std::vector<uint8_t> data;
  for (int n = 0; n < 70; ++n) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(data)), data) << n;
    EXPECT_EQ(Base64Decode(Base64Encode(data)), data) << n;
    EXPECT_EQ(Base64UrlEncode(data).size(), (n * 4 + 2) / 3) << n;
    data.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
}

}  // namespace
}  // namespace lethe
