#include "domain/actor.h"

namespace lethe {

Actor Actor::FromAuditText(std::string_view text) {
  auto starts = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
  std::string id(text);
  if (starts("cus_")) return Customer(std::move(id));
  if (starts("acc_") || starts("key_")) return Credential(std::move(id));
  if (starts("stf_")) return Staff(std::move(id));
  return System(std::move(id));
}

std::string_view Actor::kind_name() const {
  switch (kind_) {
    case Kind::kCustomer:
      return "customer";
    case Kind::kCredential:
      return "credential";
    case Kind::kStaff:
      return "staff";
    case Kind::kSystem:
      return "system";
  }
  return "system";
}

}  // namespace lethe
