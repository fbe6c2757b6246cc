// Erasure routes (data plane). DELETE /v1/end-users/{ref} forgets one end
// user of the caller's account and DELETE /v1/media/{id} one media, each
// answering 202 with the erasure's signed receipt (ErasureReceipts: the
// HTTP layer only serializes what the domain sealed); GET /v1/erasures/{id}
// follows it to "done", GET /v1/erasures lists them (by media or end user).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>

#include "domain/erasure_receipts.h"
#include "domain/erasures.h"
#include "http/router.h"

namespace lethe {

void AddErasureRoutes(Router& router, Erasures& erasures, const ErasureReceipts& receipts,
                      uint64_t max_json_body);

}  // namespace lethe
