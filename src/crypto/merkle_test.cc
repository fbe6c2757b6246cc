#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <string>

#include "common/encoding.h"

namespace lethe {
namespace {

// The eight leaves of the certificate-transparency test vectors; the
// expected roots and proofs below were computed independently (Python
// hashlib, straight from the RFC 6962 definitions).
std::vector<MerkleHash> VectorLeaves() {
  const std::vector<std::string> data = {
      "",
      std::string(1, '\x00'),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  std::vector<MerkleHash> out;
  for (const std::string& d : data) {
    out.push_back(MerkleLeafHash({reinterpret_cast<const uint8_t*>(d.data()), d.size()}));
  }
  return out;
}

std::string Hex(const MerkleHash& h) { return HexEncode(h); }

MerkleHash FromHex(const std::string& hex) {
  MerkleHash h{};
  auto bytes = HexDecode(hex);
  EXPECT_TRUE(bytes && bytes->size() == 32) << hex;
  if (bytes) std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

// Leaves that differ from each other: leaf i hashes the 8 bytes of i.
std::vector<MerkleHash> Leaves(int n, uint8_t salt = 0) {
  std::vector<MerkleHash> out;
  for (int i = 0; i < n; ++i) {
    uint8_t data[9] = {salt, static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8)};
    out.push_back(MerkleLeafHash(data));
  }
  return out;
}

TEST(MerkleTest, RootsMatchTheRfc6962Vectors) {
  EXPECT_EQ(Hex(MerkleRoot({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto leaves = VectorLeaves();
  const char* roots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  for (size_t n = 1; n <= 8; ++n) {
    EXPECT_EQ(Hex(MerkleRoot(std::span(leaves).first(n))), roots[n - 1]) << "size " << n;
  }
}

TEST(MerkleTest, ConsistencyProofsMatchTheRfc6962Vectors) {
  auto leaves = VectorLeaves();
  struct Case {
    uint64_t m;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {1,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {3,
       {"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {4, {"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const Case& c : cases) {
    auto proof = MerkleConsistencyProof(leaves, c.m);
    ASSERT_TRUE(proof.ok());
    std::vector<std::string> got;
    for (const MerkleHash& h : *proof) got.push_back(Hex(h));
    EXPECT_EQ(got, c.proof) << "from " << c.m;
  }
}

TEST(MerkleTest, EveryPairUpTo64Verifies) {
  auto leaves = Leaves(64);
  std::vector<MerkleHash> roots;
  for (size_t n = 0; n <= leaves.size(); ++n)
    roots.push_back(MerkleRoot(std::span(leaves).first(n)));
  for (uint64_t n = 1; n <= 64; ++n) {
    auto tree = std::span(leaves).first(n);
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = MerkleConsistencyProof(tree, m);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyMerkleConsistency(m, n, roots[m], roots[n], *proof)) << m << " -> " << n;
    }
  }
}

TEST(MerkleTest, TamperedProofsAreRejected) {
  auto leaves = Leaves(64);
  std::vector<MerkleHash> roots;
  for (size_t n = 0; n <= leaves.size(); ++n)
    roots.push_back(MerkleRoot(std::span(leaves).first(n)));
  int checked = 0;
  for (uint64_t n = 2; n <= 64; ++n) {
    for (uint64_t m = 1; m < n; ++m) {
      auto proof = *MerkleConsistencyProof(std::span(leaves).first(n), m);
      ASSERT_FALSE(proof.empty());
      // Any flipped bit in any hash.
      for (size_t i = 0; i < proof.size(); ++i) {
        auto bent = proof;
        bent[i][i % 32] ^= 0x01;
        EXPECT_FALSE(VerifyMerkleConsistency(m, n, roots[m], roots[n], bent))
            << m << " -> " << n << " hash " << i;
        ++checked;
      }
      // One hash fewer, one more, or none.
      auto shorter = proof;
      shorter.pop_back();
      EXPECT_FALSE(VerifyMerkleConsistency(m, n, roots[m], roots[n], shorter));
      auto longer = proof;
      longer.push_back(roots[1]);
      EXPECT_FALSE(VerifyMerkleConsistency(m, n, roots[m], roots[n], longer));
      EXPECT_FALSE(VerifyMerkleConsistency(m, n, roots[m], roots[n], {}));
      // The right proof for other sizes or roots.
      EXPECT_FALSE(VerifyMerkleConsistency(m, n, roots[m - 1], roots[n], proof));
      EXPECT_FALSE(VerifyMerkleConsistency(m, n, roots[m], roots[n - 1], proof));
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyMerkleConsistency(m + 1, n, roots[m + 1], roots[n], proof));
      }
      EXPECT_FALSE(VerifyMerkleConsistency(n, m, roots[n], roots[m], proof));
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(MerkleTest, AForkedLogHasNoProof) {
  // Two logs that share their first 10 leaves, then differ.
  auto a = Leaves(20);
  auto b = Leaves(20);
  for (size_t i = 10; i < b.size(); ++i) b[i] = Leaves(20, 7)[i];
  MerkleHash a15 = MerkleRoot(std::span(a).first(15));
  MerkleHash b20 = MerkleRoot(b);
  auto from_b = *MerkleConsistencyProof(b, 15);
  EXPECT_FALSE(VerifyMerkleConsistency(15, 20, a15, b20, from_b));
  // The shared prefix is consistent with both.
  MerkleHash a10 = MerkleRoot(std::span(a).first(10));
  EXPECT_TRUE(VerifyMerkleConsistency(10, 20, a10, b20, *MerkleConsistencyProof(b, 10)));
}

TEST(MerkleTest, EdgeSizes) {
  auto leaves = Leaves(5);
  MerkleHash empty = MerkleRoot({});
  MerkleHash root = MerkleRoot(leaves);
  EXPECT_TRUE(VerifyMerkleConsistency(0, 5, empty, root, {}));
  EXPECT_FALSE(VerifyMerkleConsistency(0, 5, root, root, {}));
  EXPECT_TRUE(VerifyMerkleConsistency(5, 5, root, root, {}));
  EXPECT_FALSE(VerifyMerkleConsistency(5, 5, root, empty, {}));
  std::vector<MerkleHash> junk = {root};
  EXPECT_FALSE(VerifyMerkleConsistency(5, 5, root, root, junk));
  EXPECT_FALSE(MerkleConsistencyProof(leaves, 6).ok());
  EXPECT_EQ(MerkleRoot(std::span(leaves).first(1)), leaves[0]);
  EXPECT_EQ(FromHex(Hex(root)), root);
}

}  // namespace
}  // namespace lethe
