// Disclosure ledger routes (SHR-1, SHR-3, SHR-4).
//
// Customer console (Auth::kSession):
//   GET /v1/accounts/{id}/disclosures[?limit=N&cursor=C]
//       the account's rows, oldest first: recipient and its kind, purpose,
//       legal basis, data categories, the end-user reference, what was
//       sent, the instruction it answers and when. `next` pages on.
#pragma once

#include <cstdint>

#include "domain/disclosure_ledger.h"
#include "http/router.h"

namespace lethe {

void AddDisclosureRoutes(Router& router, DisclosureLedger& ledger, MetadataStore& store,
                         uint64_t max_json_body);

}  // namespace lethe
