// CORS (the Fetch standard) for Lethe: which pages on other origins may
// call which routes, and the headers that tell a browser so (issue 9).
//
// Only routes that open to other origins (OpensToOtherOrigins in gate.h:
// the data plane, signed-link content, uploads) ever carry CORS headers.
// The customer console and staff routes never do: an OPTIONS there is 405
// as before, with an Allow header and no Access-Control-* header.
//
// A preflight carries no credential, so it is decided from the route:
// - signed-link content (`sig` in the query) names its account: the
//   preflight is allowed when the link verifies and the account lists the
//   origin, else 403 `origin-not-allowed`;
// - a bearer route cannot be tied to an account before the request itself
//   arrives. Its preflight is answered alike for every well-formed origin
//   (answering only origins some account lists would reveal those lists),
//   and the account's list is enforced on the request itself: the Gate
//   refuses a request whose Origin the account does not list (403
//   `origin-not-allowed`, its handler not run), and only a listed origin
//   gets Access-Control-Allow-Origin on the answer.
// A preflight for a method the path does not take, or with a request
// header outside kCorsAllowedHeaders, is 403 `cors-refused`.
#pragma once

#include <string>
#include <vector>

#include "http/exchange.h"
#include "http/gate.h"
#include "http/router.h"

namespace lethe {

// The request headers a page may send (Access-Control-Allow-Headers):
// credentials, bodies and ranges, and what tus 1.0 uses.
inline constexpr const char* kCorsAllowedHeaders =
    "Authorization, Content-Type, Range, If-None-Match, If-Range, Lethe-End-User, "
    "Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Upload-Checksum, "
    "Upload-Defer-Length, Upload-Concat, X-HTTP-Method-Override, X-Requested-With";
// The response headers a page may read beyond the safelisted ones.
inline constexpr const char* kCorsExposedHeaders =
    "Content-Range, Content-Length, ETag, Accept-Ranges, Location, X-Request-Id, Retry-After, "
    "Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Upload-Offset, Upload-Length, "
    "Upload-Expires, Upload-Metadata, Lethe-Media-Id";
// How long a browser may reuse a preflight answer: short, so that a change
// to an account's list reaches signed-link preflights soon.
inline constexpr int kCorsMaxAgeSeconds = 600;

// Answers OPTIONS on a path whose matching routes are `routes` (none:
// NotFound). A path with no route open to other origins is
// MethodNotAllowed; a plain OPTIONS (not a preflight) is 204 with Allow.
Result<HttpResponse> AnswerPreflight(HttpRequest& req, const std::vector<const Route*>& routes,
                                     Gate* gate);

// Adds the CORS headers of an actual response: `Vary: Origin` on every
// route open to other origins, and Access-Control-Allow-Origin with the
// exposed headers when the Gate allowed the request's origin.
void AddCorsHeaders(const HttpRequest& req, HttpResponse& resp);

}  // namespace lethe
