// Erasure routes (data plane): DELETE /v1/end-users/{ref} forgets one end
// user of the caller's account (202 with the erasure), GET /v1/erasures/{id}
// follows it to "done". Both answer with the erasure's signed receipt
// (ErasureReceipts): the HTTP layer only serializes what the domain sealed.
#pragma once

#include <cstdint>

#include "domain/erasure_receipts.h"
#include "domain/erasures.h"
#include "http/router.h"

namespace lethe {

void AddErasureRoutes(Router& router, Erasures& erasures, const ErasureReceipts& receipts,
                      uint64_t max_json_body);

}  // namespace lethe
