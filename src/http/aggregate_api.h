// Aggregate routes (SHR-6), customer console (Auth::kSession):
//   GET /v1/accounts/{id}/aggregates[?from=YYYY-MM-DD&to=YYYY-MM-DD&k=N
//        &dimensions=country,browser,day]
//       usage-event counts by country, browser and UTC day, every group of
//       fewer than k people (default 10, at least 2) suppressed as
//       domain/usage_aggregates.h says; dimensions default to all three.
#pragma once

#include <cstdint>

#include "domain/usage_aggregates.h"
#include "http/router.h"

namespace lethe {

void AddAggregateRoutes(Router& router, UsageAggregates& aggregates, uint64_t max_json_body);

}  // namespace lethe
