#include "crypto/chunked_cipher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace lethe {
namespace {

constexpr size_t K = kChunkPlainBytes;

Key TestKey(uint8_t seed) {
  Key k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed + i * 3);
  return k;
}

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
  return v;
}

// Seals a blob through StreamSealer, appending in pieces of `piece` bytes.
std::vector<uint8_t> StreamSeal(const Key& key, const std::string& id,
                                const std::vector<uint8_t>& plain, size_t piece,
                                size_t* chunks = nullptr) {
  std::vector<uint8_t> sealed;
  size_t emitted = 0;
  StreamSealer sealer(key, id, [&](std::span<const uint8_t> c) {
    sealed.insert(sealed.end(), c.begin(), c.end());
    ++emitted;
    return Status::Ok();
  });
  for (size_t pos = 0; pos < plain.size(); pos += piece) {
    const size_t n = std::min(piece, plain.size() - pos);
    EXPECT_TRUE(sealer.Append(std::span<const uint8_t>(plain).subspan(pos, n)).ok());
  }
  EXPECT_TRUE(sealer.Finish().ok());
  EXPECT_EQ(sealer.plain_size(), plain.size());
  EXPECT_EQ(sealer.sealed_size(), sealed.size());
  if (chunks != nullptr) *chunks = emitted;
  return sealed;
}

// Opens every chunk of a stored blob; the first error wins.
Result<std::vector<uint8_t>> OpenAll(const Key& key, const std::string& id, uint64_t plain_size,
                                     const std::vector<uint8_t>& sealed) {
  ChunkOpener opener(key, id, plain_size);
  std::vector<uint8_t> plain(plain_size);
  for (uint64_t i = 0; i < opener.chunk_count(); ++i) {
    const uint64_t off = opener.SealedOffset(i);
    const size_t len = std::min<uint64_t>(opener.SealedChunkSize(i),
                                          sealed.size() > off ? sealed.size() - off : 0);
    std::span<const uint8_t> chunk(sealed.data() + std::min<uint64_t>(off, sealed.size()), len);
    LETHE_RETURN_IF_ERROR(
        opener.Open(i, chunk, std::span<uint8_t>(plain).subspan(i * K, opener.PlainChunkSize(i))));
  }
  return plain;
}

Status::Code OpenCode(const Key& key, const std::string& id, uint64_t plain_size,
                      const std::vector<uint8_t>& sealed) {
  return OpenAll(key, id, plain_size, sealed).status().code();
}

TEST(CryptoChunkedCipher, SizesAndCounts) {
  EXPECT_EQ(ChunkCount(0), 1u);
  EXPECT_EQ(ChunkCount(1), 1u);
  EXPECT_EQ(ChunkCount(K), 1u);
  EXPECT_EQ(ChunkCount(K + 1), 2u);
  EXPECT_EQ(ChunkCount(3 * K), 3u);
  EXPECT_EQ(ChunkCount(UINT64_MAX), UINT64_MAX / K + 1);
  EXPECT_EQ(SealedSize(0), 16u);
  EXPECT_EQ(SealedSize(K), K + 16);
  EXPECT_EQ(SealedSize(K + 1), K + 1 + 32);
  EXPECT_EQ(ChunkIndexOf(K - 1), 0u);
  EXPECT_EQ(ChunkIndexOf(K), 1u);

  ChunkOpener opener(TestKey(1), "b", 2 * K + 10);
  EXPECT_EQ(opener.chunk_count(), 3u);
  EXPECT_EQ(opener.SealedOffset(2), 2 * (K + 16));
  EXPECT_EQ(opener.PlainChunkSize(1), K);
  EXPECT_EQ(opener.PlainChunkSize(2), 10u);
  EXPECT_EQ(opener.SealedChunkSize(2), 26u);
  EXPECT_EQ(opener.PlainChunkSize(3), 0u);
  EXPECT_EQ(opener.SealedChunkSize(3), 0u);
  EXPECT_EQ(ChunkOpener(TestKey(1), "b", 0).SealedChunkSize(0), 16u);
}

TEST(CryptoChunkedCipher, RoundTripsAtBoundarySizes) {
  const Key key = TestKey(7);
  for (size_t n : {size_t{0}, size_t{1}, K - 1, K, K + 1, 2 * K, 3 * K, 3 * K + 5}) {
    const auto plain = Pattern(n);
    size_t chunks = 0;
    const auto sealed = StreamSeal(key, "blob_1", plain, K, &chunks);
    EXPECT_EQ(sealed.size(), SealedSize(n)) << n;
    EXPECT_EQ(chunks, ChunkCount(n)) << n;  // no trailing empty chunk
    // Piece size must not change the output (deterministic nonces).
    EXPECT_EQ(StreamSeal(key, "blob_1", plain, 1000), sealed) << n;
    EXPECT_EQ(StreamSeal(key, "blob_1", plain, 3 * K + 7), sealed) << n;
    Result<std::vector<uint8_t>> back = OpenAll(key, "blob_1", n, sealed);
    ASSERT_TRUE(back.ok()) << n << " " << back.status().ToString();
    EXPECT_EQ(*back, plain) << n;
  }
}

TEST(CryptoChunkedCipher, StreamMatchesChunkSealer) {
  const Key key = TestKey(3);
  const auto plain = Pattern(K + 100);
  ChunkSealer sealer(key, "blob_x");
  std::vector<uint8_t> expect(SealedSize(plain.size()));
  const std::span<const uint8_t> p(plain);
  const std::span<uint8_t> out(expect);
  ASSERT_TRUE(sealer.Seal(0, false, p.first(K), out.first(K + 16)).ok());
  ASSERT_TRUE(sealer.Seal(1, true, p.subspan(K), out.subspan(K + 16)).ok());
  EXPECT_EQ(StreamSeal(key, "blob_x", plain, 4096), expect);
}

TEST(CryptoChunkedCipher, TamperedByteIsDataLoss) {
  const Key key = TestKey(9);
  const size_t n = 2 * K + 3;
  const auto sealed = StreamSeal(key, "blob_t", Pattern(n), K);
  for (size_t pos : {size_t{0}, K, K + 16, 2 * (K + 16) + 1, sealed.size() - 1}) {
    auto bad = sealed;
    bad[pos] ^= 0x20;
    EXPECT_EQ(OpenCode(key, "blob_t", n, bad), Status::Code::kDataLoss) << pos;
  }
}

TEST(CryptoChunkedCipher, SwappedChunksAreDataLoss) {
  const Key key = TestKey(11);
  const size_t n = 3 * K;
  const auto sealed = StreamSeal(key, "blob_s", Pattern(n), K);
  auto swapped = sealed;
  std::swap_ranges(swapped.begin(), swapped.begin() + (K + 16), swapped.begin() + (K + 16));
  EXPECT_EQ(OpenCode(key, "blob_s", n, swapped), Status::Code::kDataLoss);
  // Each misplaced chunk fails on its own, not only the first.
  ChunkOpener opener(key, "blob_s", n);
  std::vector<uint8_t> out(K);
  const std::span<const uint8_t> s(swapped);
  EXPECT_EQ(opener.Open(1, s.subspan(K + 16, K + 16), out).code(), Status::Code::kDataLoss);
  EXPECT_EQ(out, std::vector<uint8_t>(K, 0));  // nothing unauthenticated leaks
  EXPECT_TRUE(opener.Open(2, s.subspan(2 * (K + 16)), out).ok());
}

TEST(CryptoChunkedCipher, TruncationIsDataLoss) {
  const Key key = TestKey(13);
  const size_t n = 3 * K;
  const auto sealed = StreamSeal(key, "blob_tr", Pattern(n), K);
  // Drop the final chunk and claim the blob was two chunks long: chunk 1 was
  // sealed as non-final, so opening it as final must fail.
  std::vector<uint8_t> cut(sealed.begin(), sealed.begin() + 2 * (K + 16));
  EXPECT_EQ(OpenCode(key, "blob_tr", 2 * K, cut), Status::Code::kDataLoss);
  // Keeping the true size but losing the bytes is also caught.
  EXPECT_EQ(OpenCode(key, "blob_tr", n, cut), Status::Code::kDataLoss);
  // Cutting inside the last chunk.
  std::vector<uint8_t> partial(sealed.begin(), sealed.end() - 5);
  EXPECT_EQ(OpenCode(key, "blob_tr", n, partial), Status::Code::kDataLoss);
  // Claiming a shorter final chunk than was sealed.
  const auto odd = StreamSeal(key, "blob_tr", Pattern(K + 100), K);
  std::vector<uint8_t> odd_cut(odd.begin(), odd.end() - 50);
  EXPECT_EQ(OpenCode(key, "blob_tr", K + 50, odd_cut), Status::Code::kDataLoss);
}

TEST(CryptoChunkedCipher, ChunkFromAnotherBlobIsDataLoss) {
  const Key key = TestKey(17);  // same key on purpose: only the aad differs
  const auto plain = Pattern(K + 1);
  const auto a = StreamSeal(key, "blob_a", plain, K);
  const auto b = StreamSeal(key, "blob_b", plain, K);
  ASSERT_TRUE(OpenAll(key, "blob_a", plain.size(), a).ok());
  EXPECT_EQ(OpenCode(key, "blob_b", plain.size(), a), Status::Code::kDataLoss);
  EXPECT_EQ(OpenCode(key, "blob_a", plain.size(), b), Status::Code::kDataLoss);
  // A prefix of the id is a different id.
  EXPECT_EQ(OpenCode(key, "blob_", plain.size(), a), Status::Code::kDataLoss);
  // And the wrong key fails too.
  EXPECT_EQ(OpenCode(TestKey(18), "blob_a", plain.size(), a), Status::Code::kDataLoss);
}

TEST(CryptoChunkedCipher, SealerRejectsMalformedChunks) {
  ChunkSealer sealer(TestKey(1), "b");
  std::vector<uint8_t> big(K + 1), out(K + 1 + 16);
  EXPECT_EQ(sealer.Seal(0, true, big, out).code(), Status::Code::kInvalidArgument);
  std::vector<uint8_t> small(10), small_out(26);
  EXPECT_EQ(sealer.Seal(0, false, small, small_out).code(), Status::Code::kInvalidArgument);
  std::vector<uint8_t> tag_only(16);
  EXPECT_EQ(sealer.Seal(1, true, {}, tag_only).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(sealer.Seal(0, true, {}, tag_only).ok());
  EXPECT_EQ(sealer.Seal(0, true, small, tag_only).code(), Status::Code::kInvalidArgument);
}

TEST(CryptoChunkedCipher, OpenerRejectsBadArguments) {
  ChunkOpener opener(TestKey(1), "b", 10);
  std::vector<uint8_t> sealed(26), out(10), wrong_out(9);
  EXPECT_EQ(opener.Open(1, sealed, out).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(opener.Open(0, sealed, wrong_out).code(), Status::Code::kInvalidArgument);
  std::vector<uint8_t> short_sealed(25);
  EXPECT_EQ(opener.Open(0, short_sealed, out).code(), Status::Code::kDataLoss);
}

TEST(CryptoChunkedCipher, RandomAccessChunk) {
  const Key key = TestKey(21);
  const auto plain = Pattern(5 * K + 77);
  const auto sealed = StreamSeal(key, "blob_r", plain, 12345);
  ChunkOpener opener(key, "blob_r", plain.size());
  const uint64_t offset = 4 * K + 70;  // a byte in the short last chunk
  const uint64_t i = ChunkIndexOf(offset);
  std::vector<uint8_t> out(opener.PlainChunkSize(i));
  ASSERT_TRUE(opener
                  .Open(i,
                        std::span<const uint8_t>(sealed).subspan(opener.SealedOffset(i),
                                                                 opener.SealedChunkSize(i)),
                        out)
                  .ok());
  EXPECT_EQ(out[offset - i * K], plain[offset]);
}

TEST(CryptoStreamSealer, FinishAndErrorsAreSticky) {
  int calls = 0;
  StreamSealer sealer(TestKey(1), "b", [&](std::span<const uint8_t>) {
    return ++calls == 2 ? Status::Internal("disk full") : Status::Ok();
  });
  const auto data = Pattern(3 * K);
  // First chunk is emitted, second hits the sink error.
  const Status st = sealer.Append(data);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_EQ(sealer.Append(data).code(), Status::Code::kInternal);
  EXPECT_EQ(sealer.Finish().code(), Status::Code::kInternal);
  EXPECT_EQ(calls, 2);

  StreamSealer done(TestKey(1), "b", [](std::span<const uint8_t>) { return Status::Ok(); });
  ASSERT_TRUE(done.Finish().ok());
  EXPECT_EQ(done.sealed_size(), 16u);
  EXPECT_EQ(done.Append(data).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(done.Finish().code(), Status::Code::kFailedPrecondition);
}

TEST(CryptoStreamSealer, HoldsBackFullChunkUntilMoreData) {
  std::vector<size_t> sizes;
  StreamSealer sealer(TestKey(1), "b", [&](std::span<const uint8_t> c) {
    sizes.push_back(c.size());
    return Status::Ok();
  });
  const auto data = Pattern(K);
  ASSERT_TRUE(sealer.Append(data).ok());
  EXPECT_TRUE(sizes.empty());  // might be the final chunk
  ASSERT_TRUE(sealer.Append(std::span<const uint8_t>(data).first(1)).ok());
  EXPECT_EQ(sizes, std::vector<size_t>{K + 16});
  ASSERT_TRUE(sealer.Finish().ok());
  EXPECT_EQ(sizes, (std::vector<size_t>{K + 16, 17}));
}

}  // namespace
}  // namespace lethe
