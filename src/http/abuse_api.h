// Abuse decision routes (ADM-1).
//
// Customer console (Auth::kSession, the account's holder):
//   POST /v1/appeals {"account_id" and/or "decision_id", "statement"}
//        asks for human review of the decision in force: 201 with the
//        appeal; 409 not-suspended (nothing in force), 409 appeal-exists
//        (the decision was appealed already), 404 for another's account.
//   GET  /v1/accounts/{id}/decisions           the account's decisions
//   GET  /v1/accounts/{id}/decisions/{decision_id}
//        one decision explained from its stored signals: each signal's
//        kind, observed value, norm, trigger, score and a sentence; the
//        threshold and summed score; the appeal and its outcome.
// Staff (Auth::kStaff, roles AppealReviewRoles(): security):
//   GET  /v1/staff/appeals                     open appeals, oldest first
//   POST /v1/staff/appeals/{id}/decision {"outcome": "uphold"|"reinstate",
//        "reason", "account_id"?}  decides it (200); 400 without a reason;
//        409 appeal-decided. The account the appeal is about is in every
//        view, and may be named in the body (404 if it is not the appeal's).
//
// The data plane of a suspended account answers 403 account-suspended,
// with members decision_id, decision (its path) and appeal ("/v1/appeals"):
// Gate::Admit asks Suspensions::Check.
#pragma once

#include <cstdint>

#include "domain/appeals.h"
#include "domain/suspensions.h"
#include "http/router.h"

namespace lethe {

// Who reviews appeals: the security role only.
inline StaffRoles AppealReviewRoles() { return {StaffRole::kSecurity}; }

void AddAbuseRoutes(Router& router, Suspensions& suspensions, Appeals& appeals,
                    uint64_t max_json_body);

}  // namespace lethe
