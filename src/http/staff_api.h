// Staff sign-in, access grants and the customer's access log (USE-4,
// SEC-1, SEC-2).
//
//   POST   /v1/staff/sessions   no auth: {"staff_id", "password", "code"}
//          -> 201 {"token", "expires_at"}. 401 for a wrong id, password or
//          code (one answer); 422 code-used for a replayed code; 429
//          too-many-attempts (Retry-After) while the limiter blocks.
//   DELETE /v1/staff/sessions   staff: signs this session out -> 204 (and
//          removes the staff console's cookie, portal_api.h).
//   POST   /v1/staff/grants     staff: {"account_id", "purpose", "ticket",
//          "scope": ["account", "media", "end_users", "audit", "legal"],
//          "expires_in_hours": 1..72} -> 201, the grant. 400 invalid-field
//          for bad input, 404 for an unknown account; nothing is made.
//   GET    /v1/staff/grants     staff: the caller's own grants, newest first.
//   DELETE /v1/staff/grants/{id}  staff: revokes (own grant, or an admin's
//          on any) -> 200, the grant; 404 unknown; 412 grant-not-active.
//   GET    /v1/accounts/{id}/access-log   session: the account's access log
//          (grants made and revoked, staff requests served under them),
//          newest first; ?limit=1..200 (default 50), ?cursor=<next_cursor>.
//
// Every grant route is on NoCustomerDataRoutes() (staff_access.h): a
// grant opens nothing by itself, and its creation is logged for the
// customer.
#pragma once

#include <cstdint>

#include "domain/access_grants.h"
#include "domain/staff.h"
#include "http/router.h"

namespace lethe {

// Every staff role: sign-out and the grant routes are open to all.
inline StaffRoles AllStaffRoles() {
  return {StaffRole::kSupport, StaffRole::kSecurity, StaffRole::kLegal, StaffRole::kAdmin};
}

void AddStaffRoutes(Router& router, Staff& staff, AccessGrants& grants, uint64_t max_json_body);

}  // namespace lethe
