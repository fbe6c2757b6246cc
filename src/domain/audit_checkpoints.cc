#include "domain/audit_checkpoints.h"

#include "common/encoding.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_checkpoint.h"
#include "domain/audit_log.h"

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

Status AuditCheckpoints::CatchUp(uint64_t limit) {
  if (head_hash_.empty()) head_hash_ = kAuditGenesisHash;
  for (;;) {
    int batch_size = 1000;
    if (limit > 0) {
      if (leaves_.size() >= limit) return Status::Ok();
      uint64_t left = limit - leaves_.size();
      if (left < static_cast<uint64_t>(batch_size)) batch_size = static_cast<int>(left);
    }
    LETHE_ASSIGN_OR_RETURN(
        auto batch, store_.ListAuditEvents("", static_cast<int64_t>(leaves_.size()), batch_size));
    if (batch.empty()) return Status::Ok();
    for (const AuditEvent& e : batch) {
      if (e.seq != static_cast<int64_t>(leaves_.size()) + 1) {
        return Status::Internal("audit chain has a gap at seq " + std::to_string(e.seq));
      }
      if (e.prev_hash != head_hash_) {
        return Status::Internal("audit event " + std::to_string(e.seq) +
                                " does not link to the chain already signed");
      }
      auto hash = HexDecode(e.hash);
      if (!hash || hash->size() != 32) {
        return Status::Internal("audit event " + std::to_string(e.seq) + " has a malformed hash");
      }
      leaves_.push_back(MerkleLeafHash(*hash));
      head_hash_ = e.hash;
    }
  }
}

Result<std::vector<MerkleHash>> AuditCheckpoints::LeafHashes(uint64_t limit) {
  std::lock_guard lock(mu_);
  LETHE_RETURN_IF_ERROR(CatchUp(limit));
  size_t n = limit > 0 && limit < leaves_.size() ? limit : leaves_.size();
  return std::vector<MerkleHash>(leaves_.begin(), leaves_.begin() + n);
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
