// The customer's sessions and password (SEC-2): list where they are signed
// in, end one session or all of them, change the password. Every route
// needs a session token. Registered after AddCustomerRoutes, whose
// DELETE /v1/sessions/current must match before /v1/sessions/{id}.
#pragma once

#include <cstdint>

#include "domain/customers.h"
#include "domain/session_list.h"
#include "http/router.h"

namespace lethe {

void AddSessionRoutes(Router& router, Customers& customers, SessionList& sessions,
                      uint64_t max_json_body);

}  // namespace lethe
