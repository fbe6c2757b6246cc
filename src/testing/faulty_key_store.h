// FaultyKeyStore: a KeyStore that hands every call to another one, counts
// the calls and makes chosen ones fail, like FaultyBlobStore. The writes
// are PutIfAbsent and Destroy; "fail the 2nd write" is
// FailNth(KeyOp::kPutIfAbsent, 2, ...) when only keys are being created.
// With no fault armed it changes nothing. Thread-safe.
#pragma once

#include <memory>

#include "ports/key_store.h"
#include "testing/fault_plan.h"

namespace lethe {

enum class KeyOp : size_t { kPutIfAbsent, kGet, kDestroy, kCount };

class FaultyKeyStore final : public KeyStore {
 public:
  explicit FaultyKeyStore(std::unique_ptr<KeyStore> base)
      : base_(std::move(base)), plan_(static_cast<size_t>(KeyOp::kCount)) {}

  // Makes the `nth` call of `op` from now on (1: the next) fail with
  // `status`. FaultMode::kAfter lets the write take effect first.
  void FailNth(KeyOp op, uint64_t nth, Status status, FaultMode mode = FaultMode::kBefore) {
    plan_.Arm(static_cast<size_t>(op), nth, std::move(status), mode);
  }
  void Disarm() { plan_.Clear(); }
  // See FaultPlan::SetGate.
  void SetGate(std::function<Status()> gate) { plan_.SetGate(std::move(gate)); }
  uint64_t calls(KeyOp op) const { return plan_.calls(static_cast<size_t>(op)); }
  size_t pending() const { return plan_.pending(); }
  KeyStore& base() { return *base_; }

  Result<std::string> PutIfAbsent(const std::string& slot, const std::string& wrapped) override {
    return plan_.Run(static_cast<size_t>(KeyOp::kPutIfAbsent),
                     [&] { return base_->PutIfAbsent(slot, wrapped); });
  }
  Result<std::string> Get(const std::string& slot) override {
    return plan_.Run(static_cast<size_t>(KeyOp::kGet), [&] { return base_->Get(slot); });
  }
  Status Destroy(const std::string& slot) override {
    return plan_.Run(static_cast<size_t>(KeyOp::kDestroy), [&] { return base_->Destroy(slot); });
  }

 private:
  std::unique_ptr<KeyStore> base_;
  FaultPlan plan_;
};

}  // namespace lethe
