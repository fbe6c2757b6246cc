// Merkle: the RFC 6962 / RFC 9162 (section 2.1) Merkle tree hash over a
// list of leaves, and consistency proofs between two sizes of the same tree.
// Leaves are hashed as SHA-256(0x00 || data) and interior nodes as
// SHA-256(0x01 || left || right); the empty tree's hash is SHA-256("").
//
// A consistency proof shows that the tree of the first `m` leaves is a
// prefix of the tree of `n` leaves, from the two root hashes and about
// log2(n) hashes, without the leaves themselves. Lethe builds the tree over
// its audit chain (AuditCheckpoints), so a customer holding an old signed
// checkpoint can check that the log only grew since.
//
// Everything here is pure computation on byte arrays; nothing fails except
// by returning false or an error Status on bad input.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"

namespace lethe {

using MerkleHash = std::array<uint8_t, 32>;

// SHA-256(0x00 || data): the hash of one leaf.
MerkleHash MerkleLeafHash(std::span<const uint8_t> data);
// SHA-256(0x01 || left || right): the hash of an interior node.
MerkleHash MerkleNodeHash(const MerkleHash& left, const MerkleHash& right);

// The root hash (MTH) of the tree whose leaves hash to `leaf_hashes`, in
// order. The empty tree's root is SHA-256 of nothing. O(n) hashes.
MerkleHash MerkleRoot(std::span<const MerkleHash> leaf_hashes);

// The consistency proof (RFC 6962 section 2.1.2, PROOF(m, D[n])) from the
// tree of the first `m` leaves to the tree of all n = leaf_hashes.size()
// leaves. Returns the proof (empty when m == 0 or m == n); InvalidArgument
// when m > n. O(n) hashes.
Result<std::vector<MerkleHash>> MerkleConsistencyProof(std::span<const MerkleHash> leaf_hashes,
                                                       uint64_t m);

// Whether `proof` shows that the tree of size `m` with root `old_root` is a
// prefix of the tree of size `n` with root `new_root` (RFC 9162 section
// 2.1.4.2). m == n needs an empty proof and equal roots; m == 0 needs an
// empty proof and `old_root` the empty tree's hash. False for m > n, a
// proof of the wrong length, or any hash that does not fit.
bool VerifyMerkleConsistency(uint64_t m, uint64_t n, const MerkleHash& old_root,
                             const MerkleHash& new_root, std::span<const MerkleHash> proof);

}  // namespace lethe
