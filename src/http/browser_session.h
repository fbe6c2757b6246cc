// Browser sessions (issue 15): the portal signs a customer in with a
// cookie instead of a Bearer token, so the session token never reaches the
// page's JavaScript.
//
// The cookie holds the same session token the API hands out (Customers:
// stored only as its SHA-256 digest, ended by the same idle and absolute
// limits), named with the __Host- prefix and set HttpOnly; Secure;
// SameSite=Strict; Path=/ (browsers treat http://127.0.0.1 and localhost
// as secure contexts, so the portal works on loopback without TLS).
//
// A cookie is sent by the browser on its own, so a request authenticated
// by it alone could be forged by another page (CSRF). SameSite=Strict
// keeps it off cross-site requests, but not off requests from another
// origin of the same site (another port, another subdomain). So every
// unsafe request (not GET, HEAD or OPTIONS) authenticated by the cookie
// must also carry:
// - X-CSRF-Token: the session's CSRF token, which only a page that read it
//   from this origin's API can know: HMAC-SHA256 keyed with the session
//   token (nothing more is stored, and the token cannot be recovered from
//   it), compared in constant time; and
// - Origin: this server's own origin (the --public-url one when set, else
//   the request's Host under the Origin's scheme).
// Either missing or wrong is 403 `csrf-refused`. Requests with an
// Authorization header never use the cookie: the Bearer API is unchanged.
//
// Staff sign in to the staff console the same way, with a cookie of their
// own (kStaffSessionCookie) holding their staff session token: it opens
// Auth::kStaff routes only, under the same CSRF and Origin checks, and the
// customer's cookie opens none of them (nor the staff cookie a customer's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/exchange.h"

namespace lethe {

inline constexpr std::string_view kSessionCookie = "__Host-lethe_session";
inline constexpr std::string_view kStaffSessionCookie = "__Host-lethe_staff";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

// The value of cookie `name` in `req`'s Cookie header, or nullopt.
std::optional<std::string> CookieValue(const HttpRequest& req, std::string_view name);
// The customer's session cookie; the staff member's.
inline std::optional<std::string> SessionCookie(const HttpRequest& req) {
  return CookieValue(req, kSessionCookie);
}
inline std::optional<std::string> StaffSessionCookie(const HttpRequest& req) {
  return CookieValue(req, kStaffSessionCookie);
}

// The Set-Cookie value that stores `token` in cookie `name` for
// `max_age_s` seconds.
std::string SessionCookieHeader(std::string_view token, int64_t max_age_s,
                                std::string_view name = kSessionCookie);
// The Set-Cookie value that removes cookie `name`.
std::string ClearedSessionCookieHeader(std::string_view name = kSessionCookie);

// The CSRF token of the session whose token is `session_token`.
std::string CsrfToken(std::string_view session_token);

// True for the methods that change state (anything but GET, HEAD, OPTIONS).
bool IsUnsafeMethod(std::string_view method);

// OK when `req` comes from a page of this server's origin: its Origin
// header is `public_origin` (canonical, e.g. "https://lethe.example"), or,
// when that is empty, names the request's Host. PermissionDenied
// ("csrf-refused") otherwise, or without an Origin header.
Status CheckSameOrigin(const HttpRequest& req, std::string_view public_origin);

// OK for a safe method; for an unsafe one, CheckSameOrigin and then an
// X-CSRF-Token equal to CsrfToken(session_token). PermissionDenied
// ("csrf-refused") otherwise.
Status CheckCsrf(const HttpRequest& req, std::string_view session_token,
                 std::string_view public_origin);

// The origin ("scheme://host[:port]", canonical) of a URL such as
// --public-url "https://lethe.example/base". InvalidArgument("bad-option")
// when it has none.
Result<std::string> OriginOfUrl(std::string_view url);

}  // namespace lethe
