// The customer plane: sign-up, sessions, the customer's own profile, and
// the accounts, tokens, keys and audit trail a customer owns. Authenticated
// with a session token, except sign-up and sign-in.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>

#include "domain/accounts.h"
#include "domain/customers.h"
#include "http/router.h"

namespace lethe {

// The fields of a sign-up request body (POST /v1/signup and the portal's).
// Returns the JsonBody errors, or InvalidArgument for a missing field.
Result<SignupForm> ParseSignupForm(const HttpRequest& req);

// The 202 answer's body to a right password when a second factor is due.
boost::json::object ChallengeView(const SignInChallenge& challenge);
// The body of a Bearer sign-in's 201: {token, expires_at}.
boost::json::object IssuedSessionView(const IssuedSession& session);

void AddCustomerRoutes(Router& router, Customers& customers, Accounts& accounts,
                       uint64_t max_json_body);

}  // namespace lethe
