#include "testing/crashing_key_store.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <utility>

namespace lethe {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kPoints = {{
    {"subject-key-destroyed", "subject/"},
    {"account-key-destroyed", "account/"},
}};

}  // namespace

std::optional<std::string> CrashPointSlotPrefix(std::string_view point) {
  for (const auto& [name, prefix] : kPoints) {
    if (name == point) return std::string(prefix);
  }
  return std::nullopt;
}

std::string CrashPointNames() {
  std::string names;
  for (const auto& [name, prefix] : kPoints) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

void KillSelf() {
  ::kill(::getpid(), SIGKILL);
  std::abort();  // not reached: SIGKILL cannot be caught or blocked
}

Status CrashingKeyStore::Destroy(const std::string& slot) {
  Status st = base_->Destroy(slot);
  if (st.ok() && slot.rfind(prefix_, 0) == 0) crash_();
  return st;
}

}  // namespace lethe
