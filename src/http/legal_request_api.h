// Legal request routes (SHR-4).
//
// Staff (Auth::kStaff, roles LegalRequests::Roles(): security, legal):
//   POST /v1/staff/legal-requests                   record a request (201)
//   GET  /v1/staff/legal-requests[?account=&limit=] newest first
//   GET  /v1/staff/legal-requests/{id}              one request
//   POST /v1/staff/legal-requests/{id}/decide       comply, object or partial (200)
//   POST /v1/staff/legal-requests/{id}/nondisclosure
//        record or extend a non-disclosure order: {"until": RFC 3339}
// Public (Auth::kNone):
//   GET  /v1/transparency-report?year=N             the year's counts by
//        authority type and decision
#pragma once

#include <cstdint>

#include "domain/legal_requests.h"
#include "domain/transparency_report.h"
#include "http/router.h"

namespace lethe {

void AddLegalRequestRoutes(Router& router, LegalRequests& requests, TransparencyReport& report,
                           uint64_t max_json_body);

}  // namespace lethe
