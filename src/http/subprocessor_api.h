// Sub-processor registry routes (SHR-2, SHR-3).
//
// Anyone (Auth::kNone): the list is public, as Art. 28 expects it to be
// available to every controller before it signs up.
//   GET /v1/subprocessors
//       {"subprocessors": [{id, name, purpose, region, categories,
//       effective_at, status ("in_force" or "announced"), upcoming}]}:
//       entries in force, and those announced but not yet in force
//       (status "announced"); `upcoming` is a change announced for an
//       entry in force (or null).
//
// Staff (admin role):
//   POST  /v1/staff/subprocessors          {name, purpose, region, categories[],
//                                           endpoint?, effective_at?}     -> 201
//   PATCH /v1/staff/subprocessors/{id}     the fields to change           -> 200
//   POST  /v1/staff/subprocessors/{id}/retire                             -> 200
//   effective_at defaults to, and may not be sooner than, 30 days ahead;
//   every change is mailed to every customer through the outbox.
#pragma once

#include <cstdint>

#include "domain/sub_processors.h"
#include "http/router.h"

namespace lethe {

void AddSubprocessorRoutes(Router& router, SubProcessors& registry, uint64_t max_json_body);

}  // namespace lethe
