#include "http/cors.h"

#include <algorithm>
#include <cctype>

#include "domain/web_origins.h"

namespace lethe {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = Trim(list.substr(start, comma - start));
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// The route among `routes` that serves `method` (HEAD by GET's).
const Route* RouteFor(const std::vector<const Route*>& routes, const std::string& method) {
  for (const Route* r : routes) {
    if (r->method == method || (method == "HEAD" && r->method == "GET")) return r;
  }
  return nullptr;
}

std::string MethodList(const std::vector<const Route*>& routes) {
  static const std::vector<std::string> kOrder = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  std::string out;
  for (const std::string& m : kOrder) {
    if (!RouteFor(routes, m)) continue;
    out += (out.empty() ? "" : ", ") + m;
  }
  return out;
}

void AddVary(HttpResponse& resp, const std::string& what) {
  for (auto& [name, value] : resp.headers) {
    if (Lower(name) != "vary") continue;
    if (Lower(value).find(Lower(what)) == std::string::npos) value += ", " + what;
    return;
  }
  resp.SetHeader("Vary", what);
}

Status Refused(std::string reason, std::string message) {
  return Status(Status::Code::kPermissionDenied, std::move(reason), std::move(message));
}

}  // namespace

Result<HttpResponse> AnswerPreflight(HttpRequest& req, const std::vector<const Route*>& routes,
                                     Gate* gate) {
  if (routes.empty()) return Status::NotFound("no such resource");
  std::vector<const Route*> open;
  for (const Route* r : routes) {
    if (OpensToOtherOrigins(r->auth)) open.push_back(r);
  }
  // The customer console and staff routes never open to other origins.
  if (open.empty()) return Status::MethodNotAllowed("method OPTIONS is not allowed here");
  const std::string& origin = req.Header("origin");
  const std::string& method = req.Header("access-control-request-method");
  if (origin.empty() || method.empty()) {  // not a preflight
    HttpResponse r = HttpResponse::Empty(204);
    r.SetHeader("Allow", MethodList(routes));
    return r;
  }
  req.problem_headers.emplace_back(
      "Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  auto canonical = CanonicalOrigin(origin);
  if (!canonical.ok()) return Refused("origin-not-allowed", "the Origin is not a web origin");
  const Route* route = RouteFor(open, method);
  if (route == nullptr) {
    return Refused("cors-refused", "method " + method + " is not open to other origins here");
  }
  static const std::vector<std::string> kAllowed = [] {
    std::vector<std::string> out;
    for (const std::string& h : SplitList(kCorsAllowedHeaders)) out.push_back(Lower(h));
    return out;
  }();
  for (const std::string& h : SplitList(req.Header("access-control-request-headers"))) {
    if (std::find(kAllowed.begin(), kAllowed.end(), Lower(h)) == kAllowed.end()) {
      return Refused("cors-refused", "request header " + h + " is not allowed");
    }
  }
  if (route->auth == Auth::kSignedLink && req.Query("sig") && gate != nullptr) {
    // A signed link names its account: its own list decides.
    auto account = gate->LinkAccount(req);
    if (!account.ok()) return Refused("origin-not-allowed", "the link is not valid");
    LETHE_ASSIGN_OR_RETURN(std::vector<std::string> allowed,
                           gate->accounts().AllowedOrigins(account->id));
    if (std::find(allowed.begin(), allowed.end(), *canonical) == allowed.end()) {
      return Refused("origin-not-allowed", "the account does not allow this origin");
    }
  }
  HttpResponse r = HttpResponse::Empty(204);
  r.SetHeader("Access-Control-Allow-Origin", origin);
  r.SetHeader("Access-Control-Allow-Methods", MethodList(open));
  r.SetHeader("Access-Control-Allow-Headers", kCorsAllowedHeaders);
  r.SetHeader("Access-Control-Max-Age", std::to_string(kCorsMaxAgeSeconds));
  r.SetHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return r;
}

void AddCorsHeaders(const HttpRequest& req, HttpResponse& resp) {
  if (!req.cross_origin_route) return;
  AddVary(resp, "Origin");
  if (req.allowed_origin.empty()) return;
  resp.SetHeader("Access-Control-Allow-Origin", req.allowed_origin);
  resp.SetHeader("Access-Control-Expose-Headers", kCorsExposedHeaders);
}

}  // namespace lethe
