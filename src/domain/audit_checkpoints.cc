#include "domain/audit_checkpoints.h"

#include "common/encoding.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_checkpoint.h"

namespace lethe {

Status AuditCheckpoints::ValidOrigin(const std::string& origin) {
  if (origin.size() > 255 || !IsValidNoteKeyName(origin)) {
    return Status::InvalidArgument(
        "invalid-origin",
        "the checkpoint origin must be 1 to 255 bytes without spaces or \"+\", e.g. "
        "example.com/lethe/audit");
  }
  return Status::Ok();
}

Result<std::vector<MerkleHash>> AuditCheckpoints::LeafHashes(uint64_t limit) {
  std::vector<MerkleHash> leaves;
  int64_t after = 0;
  for (;;) {
    int batch_size = 1000;
    if (limit > 0) {
      uint64_t left = limit - leaves.size();
      if (left == 0) break;
      if (left < static_cast<uint64_t>(batch_size)) batch_size = static_cast<int>(left);
    }
    LETHE_ASSIGN_OR_RETURN(auto batch, store_.ListAuditEvents("", after, batch_size));
    if (batch.empty()) break;
    for (const AuditEvent& e : batch) {
      if (e.seq != static_cast<int64_t>(leaves.size()) + 1) {
        return Status::Internal("audit chain has a gap at seq " + std::to_string(e.seq));
      }
      auto hash = HexDecode(e.hash);
      if (!hash || hash->size() != 32) {
        return Status::Internal("audit event " + std::to_string(e.seq) + " has a malformed hash");
      }
      leaves.push_back(MerkleLeafHash(*hash));
      after = e.seq;
    }
  }
  return leaves;
}

Result<std::string> AuditCheckpoints::SignedCheckpoint() {
  LETHE_ASSIGN_OR_RETURN(std::vector<MerkleHash> leaves, LeafHashes(0));
  Checkpoint c;
  c.origin = origin_;
  c.size = leaves.size();
  c.root = MerkleRoot(leaves);
  return SignCheckpoint(c, key_);
}

Result<std::vector<MerkleHash>> AuditCheckpoints::ConsistencyProof(uint64_t from, uint64_t to) {
  if (from > to) {
    return Status::InvalidArgument("bad-request", "from must not be larger than to");
  }
  if (to == 0) return std::vector<MerkleHash>();
  LETHE_ASSIGN_OR_RETURN(std::vector<MerkleHash> leaves, LeafHashes(to));
  if (leaves.size() < to) {
    return Status::InvalidArgument("bad-request", "to is larger than the audit chain (" +
                                                      std::to_string(leaves.size()) + " events)");
  }
  return MerkleConsistencyProof(leaves, from);
}

}  // namespace lethe
