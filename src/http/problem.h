// Problem responses (RFC 9457). The one place where a domain Status becomes
// an HTTP status code and an `application/problem+json` body with a stable
// `type` URI (https://lethe.dev/problems/<reason>).
#pragma once

#include <string>

#include "common/status.h"
#include "http/exchange.h"

namespace lethe {

inline constexpr const char* kProblemTypeBase = "https://lethe.dev/problems/";

// The HTTP status code for a Status code.
int HttpStatusFor(const Status& status);

// The problem+json response for `status` (which must not be OK).
// Internal errors are reported without their message, which may name files.
HttpResponse ProblemResponse(const Status& status, const std::string& request_id);

}  // namespace lethe
