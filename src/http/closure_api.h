// Closure routes (ACC-9, ACC-10), for a signed-in customer:
// DELETE /v1/accounts/{id} closes one account, DELETE /v1/me the customer
// with all its accounts. Both answer 202 with the erasures they started.
#pragma once

#include <cstdint>

#include "domain/closures.h"
#include "domain/erasure_receipts.h"
#include "http/router.h"

namespace lethe {

void AddClosureRoutes(Router& router, Closures& closures, const ErasureReceipts& receipts,
                      uint64_t max_json_body);

}  // namespace lethe
