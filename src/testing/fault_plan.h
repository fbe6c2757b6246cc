// FaultPlan: which calls of a wrapped port fail, and how many calls each
// operation has had. Shared by the fault-injecting wrappers
// (FaultyBlobStore, FaultyKeyStore) and by the writers and readers they
// hand out, which may outlive their store. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "common/status.h"

namespace lethe {

// How an armed fault fails its call.
enum class FaultMode {
  kBefore,  // the call never reaches the wrapped port
  kAfter,   // the call reaches it and takes effect; only the answer is an error
};

class FaultPlan {
 public:
  explicit FaultPlan(size_t ops) : calls_(ops, 0) {}

  // Makes the `nth` call of `op` from now on (1 is the next one) fail with
  // `status`, once. Several faults may be armed at a time.
  void Arm(size_t op, uint64_t nth, Status status, FaultMode mode);
  // Forgets every fault that has not fired.
  void Clear();
  // Consulted on every call, before the armed faults: a non-OK answer fails
  // that call (FaultMode::kBefore). ThreadCheckedPorts uses it to refuse
  // calls made on a network thread.
  void SetGate(std::function<Status()> gate);

  struct Fault {
    Status status;  // OK: this call does not fail
    FaultMode mode = FaultMode::kBefore;
  };
  // Counts one call of `op` and returns the fault it must suffer, if any.
  Fault Next(size_t op);

  // Calls of `op` so far, failed ones included.
  uint64_t calls(size_t op) const;
  // Faults armed that have not fired yet.
  size_t pending() const;

  // Runs `call` (returning a Status or a Result) unless the next call of
  // `op` is to fail first; with FaultMode::kAfter it runs and its answer is
  // replaced by the fault's status.
  template <typename Call>
  auto Run(size_t op, Call&& call) -> decltype(call()) {
    Fault fault = Next(op);
    if (fault.status.ok()) return call();
    if (fault.mode == FaultMode::kAfter) (void)call();
    return fault.status;
  }

 private:
  struct Armed {
    size_t op;
    uint64_t at;  // the call number that fails
    Status status;
    FaultMode mode;
  };
  mutable std::mutex mu_;
  std::function<Status()> gate_;
  std::vector<uint64_t> calls_;
  std::vector<Armed> armed_;
};

}  // namespace lethe
