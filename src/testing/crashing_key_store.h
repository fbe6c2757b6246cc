// CrashingKeyStore: a KeyStore that hands every call to another one and
// kills the process right after a chosen key destruction, for crash tests.
// `lethe_testing serve --crash-at POINT` wraps the server's key store in
// one (PortSeams::wrap_keys), so an e2e test can prove that an erasure
// whose key is gone but whose purge never ran resumes on restart (USE-5).
// Only `lethe_testing` and the tests link it; `lethe` refuses the flag.
//
// The crash comes after every successful Destroy of a slot under the armed
// prefix, on whichever thread called it: the request thread that answers
// the erasure, or the purge job, which destroys the key again before it
// removes anything. So nothing past the destruction runs, whichever of the
// two gets there first.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ports/key_store.h"

namespace lethe {

// The crash points --crash-at knows, and the key slots they watch:
//   "subject-key-destroyed"  "subject/"  (Erasures::EraseEndUser, its purge)
//   "account-key-destroyed"  "account/"  (Erasures::EraseAccount, its purge)
// nullopt for any other name.
std::optional<std::string> CrashPointSlotPrefix(std::string_view point);

// The names above, comma-separated, for usage messages.
std::string CrashPointNames();

// Raises SIGKILL in this process: no handler, no flush, no destructor runs.
[[noreturn]] void KillSelf();

class CrashingKeyStore final : public KeyStore {
 public:
  using Crash = std::function<void()>;

  // Calls `crash` (by default KillSelf) right after each successful
  // Destroy of a slot starting with `slot_prefix`.
  CrashingKeyStore(std::unique_ptr<KeyStore> base, std::string slot_prefix, Crash crash = KillSelf)
      : base_(std::move(base)), prefix_(std::move(slot_prefix)), crash_(std::move(crash)) {}

  Result<std::string> PutIfAbsent(const std::string& slot, const std::string& wrapped) override {
    return base_->PutIfAbsent(slot, wrapped);
  }
  Result<std::string> Get(const std::string& slot) override { return base_->Get(slot); }
  Status Destroy(const std::string& slot) override;

 private:
  std::unique_ptr<KeyStore> base_;
  const std::string prefix_;
  const Crash crash_;
};

}  // namespace lethe
