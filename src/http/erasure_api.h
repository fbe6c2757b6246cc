// Erasure routes (data plane). DELETE /v1/end-users/{ref} forgets one end
// user of the caller's account and DELETE /v1/media/{id} one media, each
// answering 202 with the erasure; GET /v1/erasures/{id} follows it to
// "done", GET /v1/erasures lists them (by media or end user too).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>

#include "domain/erasures.h"
#include "http/router.h"

namespace lethe {

// The erasure as the customer sees it: its receipt, naming what was erased
// by keyed hash only.
boost::json::object ErasureView(const ErasureRecord& e);

void AddErasureRoutes(Router& router, Erasures& erasures, uint64_t max_json_body);

}  // namespace lethe
