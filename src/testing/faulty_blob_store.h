// FaultyBlobStore: a BlobStore that hands every call to another one,
// counts the calls and makes chosen ones fail, in the spirit of LevelDB's
// fault-injecting Env. A test arms a fault ("the 3rd Append from now fails
// with Internal") and then checks that the code above answers cleanly and
// leaves nothing half-done. Each armed fault fires once; with none armed
// the wrapper changes nothing (the blob store contract suite runs over it
// to show that).
//
// Status::Internal stands for EIO, Status::InsufficientStorage for ENOSPC.
// Calls made through the writers and readers it returns are counted here
// too. Thread-safe.
#pragma once

#include <memory>

#include "ports/blob_store.h"
#include "testing/fault_plan.h"

namespace lethe {

enum class BlobOp : size_t {
  kCreate,
  kAppend,  // BlobWriter::Append
  kCommit,  // BlobWriter::Commit
  kOpen,
  kReadAt,  // BlobReader::ReadAt
  kRemove,
  kList,
  kRemoveIncomplete,
  kRemoveMany,
  kCount
};

class FaultyBlobStore final : public BlobStore {
 public:
  explicit FaultyBlobStore(std::unique_ptr<BlobStore> base);

  // Makes the `nth` call of `op` from now on (1: the next) fail with
  // `status`. FaultMode::kAfter lets the call take effect first: a Commit
  // that renamed the blob into place and then failed to sync, say.
  void FailNth(BlobOp op, uint64_t nth, Status status, FaultMode mode = FaultMode::kBefore);
  // Forgets the faults that have not fired.
  void Disarm() { plan_->Clear(); }
  // See FaultPlan::SetGate. Covers the writers and readers it hands out.
  void SetGate(std::function<Status()> gate) { plan_->SetGate(std::move(gate)); }
  // Calls of `op` so far, failed ones included.
  uint64_t calls(BlobOp op) const { return plan_->calls(static_cast<size_t>(op)); }
  // Armed faults that have not fired yet.
  size_t pending() const { return plan_->pending(); }
  BlobStore& base() { return *base_; }

  Result<std::unique_ptr<BlobWriter>> Create(const std::string& blob_id) override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& blob_id) override;
  Status Remove(const std::string& blob_id) override;
  Status RemoveMany(const std::vector<std::string>& blob_ids) override;
  Result<std::vector<std::string>> List() override;
  Result<int> RemoveIncomplete(std::chrono::milliseconds min_age = {}) override;

 private:
  std::unique_ptr<BlobStore> base_;
  std::shared_ptr<FaultPlan> plan_;
};

}  // namespace lethe
