#include "http/browser_session.h"

#include <span>

#include "crypto/keyed_digest.h"
#include "crypto/secret_hash.h"
#include "domain/web_origins.h"

namespace lethe {
namespace {

// Labels what the HMAC is for, so a CSRF token is never another digest.
constexpr std::string_view kCsrfLabel = "lethe portal csrf v1";

Status Refused(const std::string& why) {
  return Status(Status::Code::kPermissionDenied, "csrf-refused", why);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> CookieValue(const HttpRequest& req, std::string_view name) {
  // "a=1; b=2" (RFC 6265 section 5.4); several Cookie lines arrive joined
  // with ", " by the server, which a cookie value never contains here.
  std::string_view header = req.Header("cookie");
  while (!header.empty()) {
    size_t end = header.find_first_of(";,");
    std::string_view pair = Trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!value.empty()) return std::string(value);
  }
  return std::nullopt;
}

std::string SessionCookieHeader(std::string_view token, int64_t max_age_s, std::string_view name) {
  return std::string(name) + "=" + std::string(token) +
         "; Path=/; Max-Age=" + std::to_string(max_age_s > 0 ? max_age_s : 0) +
         "; HttpOnly; Secure; SameSite=Strict";
}

std::string ClearedSessionCookieHeader(std::string_view name) {
  return std::string(name) + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict";
}

std::string CsrfToken(std::string_view session_token) {
  std::span<const uint8_t> key(reinterpret_cast<const uint8_t*>(session_token.data()),
                               session_token.size());
  return KeyedDigest(key, kCsrfLabel);
}

bool IsUnsafeMethod(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

Status CheckSameOrigin(const HttpRequest& req, std::string_view public_origin) {
  const std::string& origin = req.Header("origin");
  if (origin.empty()) return Refused("a request with the session cookie must carry Origin");
  auto canonical = CanonicalOrigin(origin);
  if (!canonical.ok()) return Refused("the request's Origin is not an origin");
  std::string expected;
  if (!public_origin.empty()) {
    expected = std::string(public_origin);
  } else {
    // The Host under the Origin's own scheme: TLS may end before Lethe.
    const std::string scheme = canonical->substr(0, canonical->find(':'));
    auto own = CanonicalOrigin(scheme + "://" + req.Header("host"));
    if (!own.ok()) return Refused("the request's Host is not a host");
    expected = std::move(*own);
  }
  if (*canonical != expected) return Refused("the request comes from another origin");
  return Status::Ok();
}

Status CheckCsrf(const HttpRequest& req, std::string_view session_token,
                 std::string_view public_origin) {
  if (!IsUnsafeMethod(req.method)) return Status::Ok();
  LETHE_RETURN_IF_ERROR(CheckSameOrigin(req, public_origin));
  const std::string& given = req.Header(std::string(kCsrfHeader));
  if (given.empty()) return Refused("a request with the session cookie must carry X-CSRF-Token");
  if (!ConstantTimeEquals(given, CsrfToken(session_token))) {
    return Refused("the X-CSRF-Token is not this session's");
  }
  return Status::Ok();
}

Result<std::string> OriginOfUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  size_t path = scheme_end == std::string_view::npos ? url.size() : url.find('/', scheme_end + 3);
  auto origin = CanonicalOrigin(url.substr(0, path));
  if (!origin.ok()) {
    return Status::InvalidArgument("bad-option", "\"" + std::string(url) + "\" names no origin");
  }
  return origin;
}

}  // namespace lethe
