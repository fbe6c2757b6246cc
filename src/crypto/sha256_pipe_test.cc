#include "crypto/sha256_pipe.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(CryptoSha256Pipe, MatchesTheDirectDigestForAnySplit) {
  // Past kInlineBytes, so the first part is hashed inline and the rest on
  // the pipe's thread.
  std::vector<uint8_t> data(3 * Sha256Pipe::kInlineBytes + 12345);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + (i >> 11));
  const std::string want = Sha256Hex(data);
  for (size_t step : {Sha256Pipe::kInlineBytes, Sha256Pipe::kInlineBytes - 1, size_t{65536},
                      size_t{100'000}, data.size()}) {
    Sha256Pipe pipe;
    for (size_t off = 0; off < data.size(); off += step) {
      pipe.Update(std::span<const uint8_t>(data).subspan(off, std::min(step, data.size() - off)));
    }
    EXPECT_EQ(pipe.Final(), want) << "step " << step;
  }
}

TEST(CryptoSha256Pipe, SmallBodiesAreHashedInline) {
  std::vector<uint8_t> data(1024, 9);
  Sha256Pipe pipe;
  pipe.Update(data);
  pipe.Update(data);
  std::vector<uint8_t> both(2048, 9);
  EXPECT_EQ(pipe.Final(), Sha256Hex(both));
}

TEST(CryptoSha256Pipe, EmptyInputAndAbandonment) {
  Sha256Pipe empty;
  EXPECT_EQ(empty.Final(), Sha256Hex(std::span<const uint8_t>()));
  Sha256Pipe abandoned;  // destroyed without Final: must not hang
  std::vector<uint8_t> data(5 * Sha256Pipe::kPieceBytes, 1);
  abandoned.Update(data);
}

}  // namespace
}  // namespace lethe
