#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "common/encoding.h"

namespace lethe {
namespace {

std::array<uint8_t, kKeyBytes> SeqKey() {
  std::array<uint8_t, kKeyBytes> k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i);
  return k;
}

std::array<uint8_t, kNonceBytes> SeqNonce() {
  std::array<uint8_t, kNonceBytes> n{};
  for (size_t i = 0; i < n.size(); ++i) n[i] = static_cast<uint8_t>(i);
  return n;
}

std::span<const uint8_t> S(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// NIST GCM spec (McGrew & Viega) test cases 13 and 14: AES-256, zero key/IV.
TEST(CryptoAead, NistVectors) {
  const std::array<uint8_t, kKeyBytes> zero_key{};
  const std::array<uint8_t, kNonceBytes> zero_nonce{};
  std::vector<uint8_t> out(kTagBytes);
  ASSERT_TRUE(Seal(zero_key, zero_nonce, {}, {}, out).ok());
  EXPECT_EQ(HexEncode(out), "530f8afbc74536b9a963b4f1c4cb738b");

  const std::vector<uint8_t> zeros(16);
  out.resize(32);
  ASSERT_TRUE(Seal(zero_key, zero_nonce, {}, zeros, out).ok());
  EXPECT_EQ(HexEncode(out), "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
  std::vector<uint8_t> back(16, 0xee);
  ASSERT_TRUE(Open(zero_key, zero_nonce, {}, out, back).ok());
  EXPECT_EQ(back, zeros);
}

TEST(CryptoAead, VectorWithAad) {
  // Cross-checked against pyca/cryptography's AESGCM.
  std::vector<uint8_t> out(5 + kTagBytes);
  ASSERT_TRUE(Seal(SeqKey(), SeqNonce(), S("aad"), S("lethe"), out).ok());
  EXPECT_EQ(HexEncode(out), "2b67a273a02a40b72ad82bec37bfefbf20679e9657");
}

TEST(CryptoAead, RoundTripReusedContext) {
  AesGcm gcm(SeqKey());
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{65536}}) {
    std::vector<uint8_t> plain(n);
    for (size_t i = 0; i < n; ++i) plain[i] = static_cast<uint8_t>(i * 7 + n);
    auto nonce = SeqNonce();
    nonce[0] = static_cast<uint8_t>(n);  // a distinct nonce per message
    std::vector<uint8_t> sealed(n + kTagBytes);
    ASSERT_TRUE(gcm.Seal(nonce, S("ctx"), plain, sealed).ok());
    std::vector<uint8_t> back(n);
    ASSERT_TRUE(gcm.Open(nonce, S("ctx"), sealed, back).ok()) << n;
    EXPECT_EQ(back, plain);
  }
}

TEST(CryptoAead, InPlace) {
  AesGcm gcm(SeqKey());
  const std::string msg = "in place please";
  std::vector<uint8_t> buf(msg.begin(), msg.end());
  buf.resize(msg.size() + kTagBytes);
  const auto plain = std::span<uint8_t>(buf).first(msg.size());
  ASSERT_TRUE(gcm.Seal(SeqNonce(), {}, plain, buf).ok());
  EXPECT_NE(std::string(buf.begin(), buf.begin() + msg.size()), msg);
  ASSERT_TRUE(gcm.Open(SeqNonce(), {}, buf, plain).ok());
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + msg.size()), msg);
}

TEST(CryptoAead, TamperingIsDataLossAndZeroesOutput) {
  AesGcm gcm(SeqKey());
  const std::string msg = "attack at dawn";
  std::vector<uint8_t> sealed(msg.size() + kTagBytes);
  ASSERT_TRUE(gcm.Seal(SeqNonce(), S("aad"), S(msg), sealed).ok());
  std::vector<uint8_t> out(msg.size());
  for (size_t i = 0; i < sealed.size(); ++i) {
    auto bad = sealed;
    bad[i] ^= 0x01;
    std::fill(out.begin(), out.end(), 0xaa);
    Status st = gcm.Open(SeqNonce(), S("aad"), bad, out);
    EXPECT_EQ(st.code(), Status::Code::kDataLoss) << i;
    EXPECT_EQ(out, std::vector<uint8_t>(msg.size(), 0)) << i;
  }
  // Wrong aad, nonce and key.
  EXPECT_EQ(gcm.Open(SeqNonce(), S("aaD"), sealed, out).code(), Status::Code::kDataLoss);
  auto nonce = SeqNonce();
  nonce[11] ^= 1;
  EXPECT_EQ(gcm.Open(nonce, S("aad"), sealed, out).code(), Status::Code::kDataLoss);
  auto key = SeqKey();
  key[0] ^= 1;
  EXPECT_EQ(Open(key, SeqNonce(), S("aad"), sealed, out).code(), Status::Code::kDataLoss);
  // The context still works after failures.
  ASSERT_TRUE(gcm.Open(SeqNonce(), S("aad"), sealed, out).ok());
  EXPECT_EQ(std::string(out.begin(), out.end()), msg);
}

TEST(CryptoAead, LengthMismatchIsInvalidArgument) {
  AesGcm gcm(SeqKey());
  std::vector<uint8_t> plain(10), out(10 + kTagBytes - 1);
  EXPECT_EQ(gcm.Seal(SeqNonce(), {}, plain, out).code(), Status::Code::kInvalidArgument);
  std::vector<uint8_t> short_sealed(kTagBytes - 1), sink(0);
  EXPECT_EQ(gcm.Open(SeqNonce(), {}, short_sealed, sink).code(), Status::Code::kInvalidArgument);
  std::vector<uint8_t> sealed(10 + kTagBytes), small(9);
  EXPECT_EQ(gcm.Open(SeqNonce(), {}, sealed, small).code(), Status::Code::kInvalidArgument);
}

TEST(CryptoAead, MovedContextWorks) {
  AesGcm a(SeqKey());
  AesGcm b(std::move(a));
  std::vector<uint8_t> sealed(3 + kTagBytes), back(3);
  ASSERT_TRUE(b.Seal(SeqNonce(), {}, S("abc"), sealed).ok());
  AesGcm c(SeqKey());
  c = std::move(b);
  ASSERT_TRUE(c.Open(SeqNonce(), {}, sealed, back).ok());
  EXPECT_EQ(std::string(back.begin(), back.end()), "abc");
}

TEST(CryptoAead, ThroughputSmoke) {
  // Not a benchmark (sanitizers slow this down): it just shows the reused
  // context handles tens of MiB in 64 KiB messages without trouble.
  AesGcm gcm(SeqKey());
  std::vector<uint8_t> buf(65536 + kTagBytes, 0x5a);
  auto nonce = SeqNonce();
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < 512; ++i) {  // 32 MiB
    nonce[0] = static_cast<uint8_t>(i);
    nonce[1] = static_cast<uint8_t>(i >> 8);
    ASSERT_TRUE(gcm.Seal(nonce, {}, std::span<uint8_t>(buf).first(65536), buf).ok());
  }
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("aes_gcm_mib_per_s", std::to_string(static_cast<int>(32 / secs)));
  EXPECT_LT(secs, 20.0);
}

}  // namespace
}  // namespace lethe
