// FaultyMetadataStore: fails chosen calls of a real MetadataStore, counting
// every call by operation name. Tests use it to show that a failing store
// gives a clean error and leaves nothing half-written.
//
//   FaultyMetadataStore store(real);
//   store.FailNth("Commit", 2, Status::Internal("disk I/O error"));
//   store.FailNth("Commit", 1, Status::InsufficientStorage("database full"));
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "testing/interposed_metadata_store.h"

namespace lethe {

class FaultyMetadataStore final : public InterposedMetadataStore {
 public:
  explicit FaultyMetadataStore(MetadataStore& target)
      : InterposedMetadataStore(target, [this](const char* op) { return Check(op); }) {}

  // The `n`th call of `op` from now (1 = the next) returns `status`.
  void FailNth(const std::string& op, int n, Status status) {
    std::lock_guard lock(mu_);
    rules_[op] = Rule{calls_[op] + n, std::move(status)};
  }
  // Every call of `op` from now returns `status` (OK: none).
  void FailAll(const std::string& op, Status status) {
    std::lock_guard lock(mu_);
    rules_[op] = Rule{-1, std::move(status)};
  }
  int calls(const std::string& op) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(op);
    return it == calls_.end() ? 0 : it->second;
  }

 private:
  struct Rule {
    int at = 0;  // the call number that fails; -1: every call
    Status status;
  };
  Status Check(const char* op) {
    std::lock_guard lock(mu_);
    int n = ++calls_[op];
    auto it = rules_.find(op);
    if (it == rules_.end()) return Status::Ok();
    if (it->second.at == -1 || it->second.at == n) return it->second.status;
    return Status::Ok();
  }

  mutable std::mutex mu_;
  std::map<std::string, int> calls_;
  std::map<std::string, Rule> rules_;
};

}  // namespace lethe
