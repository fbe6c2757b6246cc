// Two-factor authentication for customers (ACC-4): enrolling and turning
// off a TOTP authenticator in the console, and the second step of sign-in.
//
//   POST   /v1/me/2fa/totp          session  201 {"status":"pending","uri","secret","qr_svg"}
//   POST   /v1/me/2fa/totp/confirm  session  200 {"status":"on","recovery_codes":[10]}
//   DELETE /v1/me/2fa               session  204, body {"code": TOTP or recovery code}
//   POST   /v1/sessions/2fa         none     201 {"token","expires_at"}, body
//                                            {"challenge","code"}
//
// POST /v1/sessions answers 202 {"challenge","methods","expires_at"} for a
// customer with 2FA on (customer_api.cc). Problem types: see two_factor.h.
#pragma once

#include <cstdint>

#include "domain/customers.h"
#include "domain/two_factor.h"
#include "http/router.h"

namespace lethe {

void AddTwoFactorRoutes(Router& router, TwoFactor& two_factor, Customers& customers,
                        uint64_t max_json_body);

// The second step of a sign-in, for the API and the portal alike: redeems
// the body's {"challenge","code"} and opens the session. Returns it, or
// the body's error, TwoFactor::Redeem's or Customers::CompleteSignIn's.
Result<IssuedSession> CompleteSecondStep(TwoFactor& two_factor, Customers& customers,
                                         HttpRequest& req);

}  // namespace lethe
