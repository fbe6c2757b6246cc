// A test-only view of the routes a server registered (lethe_testing
// only), so an end-to-end test can check every route the real server
// serves, e.g. that every staff route checks an access grant or is on the
// no-customer-data list (USE-4).
#pragma once

#include "http/router.h"

namespace lethe {

// Registers GET /_test/routes, no authentication: 200 {"routes": [{"method",
// "pattern", "auth", "staff_roles": [...], "access": "grant" |
// "no-customer-data" | null, "account_from", "scope"}]}, every route of
// `router` as it is when the request is served. `router` must outlive it.
void AddRouteTableRoute(Router& router);

}  // namespace lethe
