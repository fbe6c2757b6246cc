// Staff routes on customers' accounts (Auth::kStaff).
//
//   POST /v1/staff/accounts/{id}/underage   SEC-4, roles StaffAccountRoles():
//        the customer owning account {id} is a child. The customer and all
//        its accounts are closed at once and erased (Closures::
//        RemoveUnderage, audited "customer.underage" by the staff member):
//        credentials stop working, content keys are destroyed in the call,
//        and nothing of the customer is kept for the retention classes.
//        202 {"closed_at", "erasures": [signed receipts, cause "underage"]};
//        404 for an unknown account; 403 for another staff role. Calling it
//        again answers with the same erasures.
#pragma once

#include <cstdint>
#include <functional>

#include "domain/closures.h"
#include "domain/erasure_receipts.h"
#include "domain/staff.h"
#include "http/router.h"

namespace lethe {

// Who may mark an account underage: security, legal and admin staff.
inline StaffRoles StaffAccountRoles() {
  return {StaffRole::kSecurity, StaffRole::kLegal, StaffRole::kAdmin};
}

// `after_removal` (may be empty) runs after each successful removal: the
// server wakes the retention enforcement with it, so the records a
// removal leaves for it go now rather than at its next hourly run.
void AddStaffAccountRoutes(Router& router, Closures& closures, const ErasureReceipts& receipts,
                           uint64_t max_json_body, std::function<void()> after_removal);

}  // namespace lethe
