// Data-plane routes about the account itself and its usage (USE-1), and the
// operations routes (health and metrics).
#pragma once

#include <cstdint>

#include "domain/usage_ledger.h"
#include "http/metrics.h"
#include "http/router.h"

namespace lethe {

void AddAccountDataRoutes(Router& router, UsageLedger& usage, uint64_t max_json_body);
void AddOpsRoutes(Router& router, Metrics& metrics);

}  // namespace lethe
