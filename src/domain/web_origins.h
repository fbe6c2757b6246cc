// Web origins (RFC 6454) as an account lists them for CORS (issue 9):
// "scheme://host[:port]", http or https, no path, query or credentials.
// Kept in one canonical spelling (lower-case scheme and host, no default
// port), the one browsers send in the Origin header, so that checking a
// request is a plain string comparison.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lethe {

inline constexpr size_t kMaxAllowedOrigins = 32;

// The canonical spelling of `origin`. InvalidArgument("invalid-field")
// for anything that is not an http(s) origin: a path, query, fragment,
// user info, a wildcard, "null", or a missing host.
Result<std::string> CanonicalOrigin(std::string_view origin);

// Each origin of `origins` canonical, duplicates dropped, in the order
// given. InvalidArgument("invalid-field") naming the first bad one, or for
// more than kMaxAllowedOrigins.
Result<std::vector<std::string>> CanonicalOrigins(const std::vector<std::string>& origins);

}  // namespace lethe
