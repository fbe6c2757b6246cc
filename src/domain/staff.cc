#include "domain/staff.h"

#include "crypto/secret_hash.h"
#include "domain/validation.h"

namespace lethe {

std::string_view StaffRoleName(StaffRole role) {
  switch (role) {
    case StaffRole::kSupport:
      return "support";
    case StaffRole::kSecurity:
      return "security";
    case StaffRole::kLegal:
      return "legal";
    case StaffRole::kAdmin:
      return "admin";
  }
  return "support";
}

std::optional<StaffRole> ParseStaffRole(std::string_view name) {
  for (StaffRole r :
       {StaffRole::kSupport, StaffRole::kSecurity, StaffRole::kLegal, StaffRole::kAdmin}) {
    if (StaffRoleName(r) == name) return r;
  }
  return std::nullopt;
}

Result<NewStaff> Staff::Add(const std::string& name, StaffRole role, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(CheckText("name", name, 200));
  NewStaff out;
  out.token = RandomToken(random_, "lst_");
  out.staff = StaffRecord{RandomId(random_, "stf_"),
                          name,
                          std::string(StaffRoleName(role)),
                          TokenDigest(out.token),
                          clock_.NowMillis(),
                          std::nullopt};
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertStaff(out.staff));
    return audit_.Record(tx, Actor::System(kCreator), "staff.create", out.staff.id, "", origin);
  }));
  return out;
}

Result<StaffPrincipal> Staff::Authenticate(const std::string& token) {
  const Status refused = Status::Unauthenticated("staff credential is unknown or disabled");
  const std::string digest = TokenDigest(token);
  auto found = store_.FindStaffByToken(digest);
  if (!found.ok()) {
    if (found.status().code() == Status::Code::kNotFound) return refused;
    return found.status();
  }
  // The lookup is by digest; the comparison stays constant-time anyway.
  if (!ConstantTimeEquals(found->token_digest, digest) || found->disabled_ms) return refused;
  std::optional<StaffRole> role = ParseStaffRole(found->role);
  if (!role) return Status::Internal("staff " + found->id + " has an unknown role");
  return StaffPrincipal{found->id, found->name, *role};
}

}  // namespace lethe
