// Legal hold routes (USE-6).
//
// Staff (Auth::kStaff, roles LegalHolds::Roles(): legal, admin):
//   POST /v1/staff/legal-holds                 place a hold (201)
//   GET  /v1/staff/legal-holds?account=acc_... every hold on the account
//   POST /v1/staff/legal-holds/{id}/release    release it (200)
// Customer console (Auth::kSession):
//   GET  /v1/accounts/{id}/legal-holds         the holds it may see: scope
//        and dates, never reason or matter, no non-disclosure hold.
#pragma once

#include <cstdint>

#include "domain/legal_holds.h"
#include "http/router.h"

namespace lethe {

void AddLegalHoldRoutes(Router& router, LegalHolds& holds, uint64_t max_json_body);

}  // namespace lethe
