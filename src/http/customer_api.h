// The customer plane: sign-up, sessions, the customer's own profile, and
// the accounts, tokens, keys and audit trail a customer owns. Authenticated
// with a session token, except sign-up and sign-in.
#pragma once

#include <cstdint>

#include "domain/accounts.h"
#include "domain/customers.h"
#include "http/router.h"

namespace lethe {

void AddCustomerRoutes(Router& router, Customers& customers, Accounts& accounts,
                       uint64_t max_json_body);

}  // namespace lethe
