// Passkey routes (issue 15): registering WebAuthn credentials and signing
// in with them, for customers (the portal's cookie or a Bearer session)
// and staff members (domain/passkeys.h says what is checked).
//
//   POST   /v1/me/passkeys/options            (session) -> 200 creation options
//   POST   /v1/me/passkeys                    (session) {name, id, clientDataJSON,
//                                             attestationObject} -> 201 passkey
//   GET    /v1/me/passkeys                    (session) -> 200 {passkeys}
//   DELETE /v1/me/passkeys/{id}               (session) -> 204
//   POST   /v1/portal/passkey-sessions/options -> 200 request options
//   POST   /v1/portal/passkey-sessions        {id, clientDataJSON, authenticatorData,
//                                             signature, userHandle} -> 201 + cookie,
//                                             as POST /v1/portal/sessions
//   POST   /v1/sessions/passkey/options       -> 200 request options
//   POST   /v1/sessions/passkey               (the same body) -> 201 {token, expires_at}
//   POST   /v1/staff/me/passkeys/options, POST/GET /v1/staff/me/passkeys,
//   DELETE /v1/staff/me/passkeys/{id}         (staff) as the customer's
//   POST   /v1/staff/sessions/passkey/options -> 200 request options
//   POST   /v1/staff/sessions/passkey         -> 201 {token, expires_at}
//   POST   /v1/staff/portal/passkey-sessions/options -> 200 request options
//   POST   /v1/staff/portal/passkey-sessions  (the same body) -> 201 + staff
//                                             cookie, as POST /v1/staff/portal/sessions
//
// Options are PublicKeyCredentialCreationOptions / RequestOptions as JSON,
// with base64url (unpadded) for WebAuthn's bytes; answers carry the
// credential's fields the same way. A passkey sign-in opens a session at
// once: a passkey is two factors by itself, so no 2FA step follows.
//
// The relying party is this server's origin: --public-url's when set,
// else the request's Origin, which must then name the request's Host
// (CheckSameOrigin); its RP ID is that origin's host. The portal's two
// sign-in POSTs must come from a page of this origin (403 csrf-refused),
// as the portal's other sign-in POSTs; so must the staff console's two.
#pragma once

#include <cstdint>

#include "domain/customers.h"
#include "domain/passkeys.h"
#include "domain/staff.h"
#include "http/gate.h"
#include "http/router.h"
#include "ports/clock.h"

namespace lethe {

// Every argument must outlive the router.
void AddPasskeyRoutes(Router& router, Passkeys& passkeys, Customers& customers, Staff& staff,
                      const Gate& gate, const Clock& clock, uint64_t max_json_body);

}  // namespace lethe
