// Consent, purposes, policy versions and marketing over HTTP (issue 12:
// ACC-5, SEC-5, SEC-6, USE-3, SHR-7).
//
//   GET  /v1/purposes              the purpose registry (public)
//   POST /v1/consents              record an opt-in or opt-out: a customer
//                                  (session) for itself or an end user of one
//                                  of its accounts, source "portal"; an
//                                  account's app (data plane) for its end
//                                  user, source "api"
//   GET  /v1/consents              the history and current state per purpose
//   GET  /v1/policy                the policy version in force (public)
//   GET  /v1/policy/versions       every version (public)
//   POST /v1/unsubscribe?token=    RFC 8058 one-click unsubscribe (public)
//   POST /v1/staff/marketing       a marketing mail to every consenting
//                                  customer (staff, admin role)
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>

#include "domain/consent_ledger.h"
#include "domain/marketing_mail.h"
#include "domain/policy_versions.h"
#include "http/privacy_signals.h"
#include "http/router.h"

namespace lethe {

// The purposes of `s` as the API shows them: purpose, legal basis, state,
// whether allowed, and the latest entry's time, source and policy version
// (null when none). The privacy center shows the same.
boost::json::array PurposeStatesView(const ConsentStatus& s);

void AddConsentRoutes(Router& router, ConsentLedger& consents, PrivacySignals& signals,
                      PolicyVersions& policy, MarketingMail& marketing, uint64_t max_json_body);

}  // namespace lethe
