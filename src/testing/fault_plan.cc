#include "testing/fault_plan.h"

#include <algorithm>

namespace lethe {

void FaultPlan::Arm(size_t op, uint64_t nth, Status status, FaultMode mode) {
  std::lock_guard lock(mu_);
  armed_.push_back(Armed{op, calls_.at(op) + nth, std::move(status), mode});
}

void FaultPlan::Clear() {
  std::lock_guard lock(mu_);
  armed_.clear();
}

void FaultPlan::SetGate(std::function<Status()> gate) {
  std::lock_guard lock(mu_);
  gate_ = std::move(gate);
}

FaultPlan::Fault FaultPlan::Next(size_t op) {
  std::lock_guard lock(mu_);
  uint64_t call = ++calls_.at(op);
  if (gate_) {
    Status refused = gate_();
    if (!refused.ok()) return {refused, FaultMode::kBefore};
  }
  auto it = std::find_if(armed_.begin(), armed_.end(),
                         [&](const Armed& a) { return a.op == op && a.at == call; });
  if (it == armed_.end()) return {};
  Fault fault{it->status, it->mode};
  armed_.erase(it);
  return fault;
}

uint64_t FaultPlan::calls(size_t op) const {
  std::lock_guard lock(mu_);
  return calls_.at(op);
}

size_t FaultPlan::pending() const {
  std::lock_guard lock(mu_);
  return armed_.size();
}

}  // namespace lethe
