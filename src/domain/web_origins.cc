#include "domain/web_origins.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>

namespace lethe {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status Bad(std::string_view origin) {
  std::string shown(origin.substr(0, 100));
  return Status::InvalidArgument("invalid-field", "\"" + shown +
                                                      "\" is not an origin: give "
                                                      "scheme://host[:port], http or https");
}

}  // namespace

Result<std::string> CanonicalOrigin(std::string_view origin) {
  if (origin.size() > 300) return Bad(origin);
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url) return Bad(origin);
  const std::string scheme = Lower(url->scheme());
  if (scheme != "http" && scheme != "https") return Bad(origin);
  if (!url->has_authority() || url->has_userinfo() || url->has_query() || url->has_fragment() ||
      !url->encoded_path().empty()) {
    return Bad(origin);
  }
  std::string host = Lower(url->encoded_host());
  if (host.empty() || host.find('%') != std::string::npos || host.find('*') != std::string::npos) {
    return Bad(origin);
  }
  std::string out = scheme + "://" + host;
  if (url->has_port()) {
    // Read here: port_number() wraps a port past 65535.
    const std::string_view digits = url->port();
    unsigned port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port == 0 ||
        port > 65535) {
      return Bad(origin);
    }
    const bool default_port =
        (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
    if (!default_port) out += ":" + std::to_string(port);
  }
  return out;
}

Result<std::vector<std::string>> CanonicalOrigins(const std::vector<std::string>& origins) {
  if (origins.size() > kMaxAllowedOrigins) {
    return Status::InvalidArgument("invalid-field", "at most 32 allowed origins");
  }
  std::vector<std::string> out;
  for (const std::string& origin : origins) {
    LETHE_ASSIGN_OR_RETURN(std::string canonical, CanonicalOrigin(origin));
    if (std::find(out.begin(), out.end(), canonical) == out.end()) out.push_back(canonical);
  }
  return out;
}

}  // namespace lethe
