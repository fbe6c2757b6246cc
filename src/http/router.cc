#include "http/router.h"

#include <algorithm>

namespace lethe {
namespace {

std::vector<std::string> SplitPattern(const std::string& pattern) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string::npos) slash = pattern.size();
    parts.push_back(pattern.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool Matches(const Route& route, const std::vector<std::string>& segments,
             std::map<std::string, std::string>* params) {
  if (route.parts.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& part = route.parts[i];
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      if (segments[i].empty()) return false;
      if (params) (*params)[part.substr(1, part.size() - 2)] = segments[i];
    } else if (part != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, uint64_t max_body) {
  auto parts = SplitPattern(pattern);
  routes_.push_back(
      Route{std::move(method), std::move(pattern), std::move(parts), std::move(handler), max_body});
}

void Router::AddSlow(std::string method, std::string pattern, Handler handler, uint64_t max_body) {
  Add(std::move(method), std::move(pattern), std::move(handler), max_body);
  routes_.back().slow = true;
}

void Router::AddUpload(std::string method, std::string pattern, UploadHandler handler,
                       uint64_t max_body) {
  auto parts = SplitPattern(pattern);
  routes_.push_back(
      Route{std::move(method), std::move(pattern), std::move(parts), std::move(handler), max_body});
}

Result<const Route*> Router::Match(HttpRequest& req) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    if (!Matches(route, req.segments, nullptr)) continue;
    path_known = true;
    // HEAD is served by the GET handler; the server drops the body.
    if (route.method != req.method && !(req.method == "HEAD" && route.method == "GET")) continue;
    req.params.clear();
    Matches(route, req.segments, &req.params);
    req.route = route.pattern;
    return &route;
  }
  if (path_known) {
    return Status::FailedPrecondition("method-not-allowed",
                                      "method " + req.method + " is not allowed here");
  }
  return Status::NotFound("no such resource");
}

std::string Router::AllowedMethods(const std::vector<std::string>& segments) const {
  std::vector<std::string> methods;
  auto add = [&](const std::string& m) {
    if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
  };
  for (const Route& route : routes_) {
    if (!Matches(route, segments, nullptr)) continue;
    add(route.method);
    if (route.method == "GET") add("HEAD");
  }
  std::string allow;
  for (const std::string& m : methods) allow += (allow.empty() ? "" : ", ") + m;
  return allow;
}

}  // namespace lethe
