// Routes of the privacy center (RGT-4, SHR-7, SEC-5, SEC-6): the public
// page /privacy/{account} that a customer links from its app for its end
// users. End users are not Lethe users: what the page may do for one of
// them comes from a signed link the customer's backend minted for that end
// user (privacy_center_links.h), sent as "Authorization: PrivacyLink
// <token>". Without one, the page shows the public part and files requests
// that a code mailed to the person's address verifies.
//
//   POST /v1/privacy-center/links                    data plane: a link for one end user
//   GET  /v1/privacy-center/{account}                the account's public face
//   GET  /v1/privacy-center/{account}/consents       link: the end user's consents
//   POST /v1/privacy-center/{account}/consents       link: opt in or out of a purpose
//   POST /v1/privacy-center/{account}/requests       a privacy request (link, or email)
//   POST /v1/privacy-center/{account}/requests/{id}/verify   the mailed code
//
// Every {account} route answers 404 for an account that does not exist or
// is closed, and for a link of another account, with the same problem: the
// page reveals nothing of an account but its name. Requests filed without
// a link are rate-limited per address and per IP (SignInLimiter's backoff
// under keys of their own). A link's request carrying Sec-GPC or DNT is
// honoured as the end user's opt-out (ConsentLedger::HonourSignal).
#pragma once

#include <cstdint>
#include <string>

#include "domain/accounts.h"
#include "domain/consent_ledger.h"
#include "domain/privacy_center_links.h"
#include "domain/privacy_requests.h"
#include "domain/sign_in_limiter.h"
#include "http/router.h"
#include "ports/metadata_store.h"

namespace lethe {

struct PrivacyCenterParts {
  Accounts& accounts;
  const PrivacyCenterLinks& links;
  ConsentLedger& consents;
  PrivacyRequests& requests;
  MetadataStore& store;
  // Counts requests filed without a link, under "privacy-center:" keys.
  SignInLimiter& limiter;
  std::string public_url;  // prefixes the link's URL; "" for a relative one
};

// Limits on requests filed without a link: a few per address, more per IP
// (people share addresses), then exponential backoff.
SignInLimits PrivacyCenterLimits();

void AddPrivacyCenterRoutes(Router& router, PrivacyCenterParts parts, uint64_t max_json_body);

}  // namespace lethe
