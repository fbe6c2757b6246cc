// Staff: the operator's own people, a principal apart from customers and
// account credentials (USE-6; issue 10 grows it with passwords, TOTP and
// access grants). A staff member has an `stf_` id, a name, one role and a
// bearer token that is shown once at creation and stored only as its
// SHA-256 digest (SEC-2). Staff tokens open staff routes only; the Gate
// refuses them everywhere else, and customer credentials on staff routes.
//
// Staff are created by `lethe staff add` on a stopped server (the data
// directory lock keeps the running server out); every creation is audited
// with the actor "lethe:staff-cli".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

enum class StaffRole { kSupport, kSecurity, kLegal, kAdmin };

// "support", "security", "legal", "admin".
std::string_view StaffRoleName(StaffRole role);
// The role named `name`; nullopt for any other text.
std::optional<StaffRole> ParseStaffRole(std::string_view name);

// A set of roles: what a staff route admits.
class StaffRoles {
 public:
  StaffRoles() = default;  // none
  StaffRoles(std::initializer_list<StaffRole> roles) {
    for (StaffRole r : roles) bits_ |= Bit(r);
  }
  bool Has(StaffRole role) const { return (bits_ & Bit(role)) != 0; }
  bool empty() const { return bits_ == 0; }

 private:
  static uint32_t Bit(StaffRole r) { return 1u << static_cast<int>(r); }
  uint32_t bits_ = 0;
};

// An authenticated staff member: the typed principal staff routes get.
struct StaffPrincipal {
  std::string id;  // stf_..., the actor of their audit events
  std::string name;
  StaffRole role = StaffRole::kSupport;
  Actor actor() const { return Actor::Staff(id); }
};

struct NewStaff {
  StaffRecord staff;
  std::string token;  // shown once
};

class Staff {
 public:
  // The actor of "staff.create" events: the operator at the command line.
  static constexpr const char* kCreator = "lethe:staff-cli";

  Staff(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random)
      : store_(store), audit_(audit), clock_(clock), random_(random) {}

  // Creates a staff member with a fresh token, audited as "staff.create"
  // by kCreator. Returns the record and the token; InvalidArgument
  // ("invalid-field") for a bad name.
  Result<NewStaff> Add(const std::string& name, StaffRole role, const RequestOrigin& origin);

  // The staff member whose token is `token`. Unauthenticated when it is
  // unknown or the member is disabled; Internal on a storage failure.
  Result<StaffPrincipal> Authenticate(const std::string& token);

 private:
  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
