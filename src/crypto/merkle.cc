#include "crypto/merkle.h"

#include <sodium.h>

namespace lethe {
namespace {

// The largest power of two smaller than n (n > 1).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

// SUBPROOF(m, D[n], b) of RFC 6962 section 2.1.2, appended to `out`.
void SubProof(std::span<const MerkleHash> leaves, uint64_t m, bool complete,
              std::vector<MerkleHash>& out) {
  uint64_t n = leaves.size();
  if (m == n) {
    if (!complete) out.push_back(MerkleRoot(leaves));
    return;
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(leaves.first(k), m, complete, out);
    out.push_back(MerkleRoot(leaves.subspan(k)));
  } else {
    SubProof(leaves.subspan(k), m - k, false, out);
    out.push_back(MerkleRoot(leaves.first(k)));
  }
}

}  // namespace

MerkleHash MerkleLeafHash(std::span<const uint8_t> data) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  const uint8_t prefix = 0x00;
  crypto_hash_sha256_update(&st, &prefix, 1);
  crypto_hash_sha256_update(&st, data.data(), data.size());
  MerkleHash out;
  crypto_hash_sha256_final(&st, out.data());
  return out;
}

MerkleHash MerkleNodeHash(const MerkleHash& left, const MerkleHash& right) {
  uint8_t buf[1 + 64];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  MerkleHash out;
  crypto_hash_sha256(out.data(), buf, sizeof buf);
  return out;
}

MerkleHash MerkleRoot(std::span<const MerkleHash> leaf_hashes) {
  if (leaf_hashes.empty()) {
    MerkleHash out;
    crypto_hash_sha256(out.data(), nullptr, 0);
    return out;
  }
  // Bottom-up, level by level: an odd node at the end of a level is carried
  // up unchanged, which gives the same tree as the recursive definition
  // (the left subtree is always the largest power of two).
  std::vector<MerkleHash> level(leaf_hashes.begin(), leaf_hashes.end());
  while (level.size() > 1) {
    size_t next = 0;
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      level[next++] = MerkleNodeHash(level[i], level[i + 1]);
    }
    if (level.size() % 2 == 1) level[next++] = level.back();
    level.resize(next);
  }
  return level[0];
}

Result<std::vector<MerkleHash>> MerkleConsistencyProof(std::span<const MerkleHash> leaf_hashes,
                                                       uint64_t m) {
  if (m > leaf_hashes.size()) {
    return Status::InvalidArgument("bad-request", "the old size is larger than the tree");
  }
  std::vector<MerkleHash> proof;
  if (m == 0 || m == leaf_hashes.size()) return proof;
  SubProof(leaf_hashes, m, true, proof);
  return proof;
}

bool VerifyMerkleConsistency(uint64_t m, uint64_t n, const MerkleHash& old_root,
                             const MerkleHash& new_root, std::span<const MerkleHash> proof) {
  if (m > n) return false;
  if (m == 0) return proof.empty() && old_root == MerkleRoot({});
  if (m == n) return proof.empty() && old_root == new_root;
  if (proof.empty()) return false;
  // RFC 9162 section 2.1.4.2. When m is a power of two, the old root is
  // itself a node of the new tree and starts the path.
  std::vector<MerkleHash> path;
  if ((m & (m - 1)) == 0) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  if (path.empty()) return false;
  uint64_t fn = m - 1;
  uint64_t sn = n - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  MerkleHash fr = path[0];
  MerkleHash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const MerkleHash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace lethe
