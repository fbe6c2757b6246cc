// The portal's session routes (issue 15): sign-up, sign-in and sign-out
// for the browser, with the session in a cookie (browser_session.h)
// instead of a token in the body. They call the same Customers and
// TwoFactor as /v1/signup, /v1/sessions and /v1/sessions/2fa, so the
// sessions are the same (stored as digests, listed by GET /v1/sessions,
// ended by the same limits); only the way the token travels differs.
//
//   POST   /v1/portal/signup        the /v1/signup body -> 201 + cookie
//   POST   /v1/portal/sessions      {email, password} -> 201 + cookie, or
//                                   202 {challenge, methods} (2FA due)
//   POST   /v1/portal/sessions/2fa  {challenge, code} -> 201 + cookie
//   GET    /v1/portal/session       (session) -> 200 {customer, csrf_token}
//   DELETE /v1/portal/session       (session) -> 204, the cookie removed
//
// A 201 carries {customer, csrf_token, expires_at}: the CSRF token the
// page sends in X-CSRF-Token, never the session token. The three
// unauthenticated POSTs must come from a page of this origin
// (CheckSameOrigin, 403 `csrf-refused`), so no other page can sign a
// browser into an account of its choosing (login CSRF). Every answer is
// Cache-Control: no-store.
#pragma once

#include <cstdint>

#include "domain/customers.h"
#include "domain/staff.h"
#include "domain/two_factor.h"
#include "http/gate.h"
#include "http/router.h"
#include "ports/clock.h"

namespace lethe {

// The portal's answer to a sign-in that opened `session` (also a passkey
// sign-in's, passkey_api.h): 201 {customer, csrf_token, expires_at}, the
// cookie set, no-store.
HttpResponse PortalSignedIn(const CustomerRecord& customer, const IssuedSession& session,
                            const Clock& clock);

// The staff console's answer to a sign-in that opened `session` (also a
// passkey sign-in's, passkey_api.h): 201 {staff, csrf_token, expires_at},
// the staff cookie set, no-store; an error if the session does not
// authenticate.
Result<HttpResponse> StaffPortalSignedIn(Staff& staff, const StaffSession& session,
                                         const Clock& clock);

// `gate` gives the public origin; every argument must outlive the router.
void AddPortalSessionRoutes(Router& router, Customers& customers, TwoFactor& two_factor,
                            const Gate& gate, const Clock& clock, uint64_t max_json_body);

// The staff console's session routes, the same way for staff (their own
// cookie, kStaffSessionCookie; browser_session.h):
//
//   POST   /v1/staff/portal/sessions  {staff_id, password, code} -> 201
//                                     {staff, csrf_token, expires_at} + cookie
//   GET    /v1/staff/portal/session   (staff) -> 200 {staff, csrf_token}
//
// A passkey signs a staff member into the console the same way
// (POST /v1/staff/portal/passkey-sessions, passkey_api.h).
//
// Signing out is DELETE /v1/staff/sessions, which also removes the cookie.
//
// The POST must come from a page of this origin (403 `csrf-refused`), and
// answers as POST /v1/staff/sessions does otherwise (401, 422 code-used,
// 429 too-many-attempts).
void AddStaffPortalRoutes(Router& router, Staff& staff, const Gate& gate, const Clock& clock,
                          uint64_t max_json_body);

}  // namespace lethe
