#include "http/router.h"

#include <algorithm>
#include <iostream>

#include "http/cors.h"

namespace lethe {
namespace {

std::vector<std::string> SplitPattern(const std::string& pattern) {
  std::vector<std::string> parts;
  if (pattern == "/") return parts;  // the root: a request for "/" has no segments
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

// A route declared in a way that cannot work is a wiring bug: stop at
// startup rather than serve it.
[[noreturn]] void BadRoute(const std::string& pattern, const char* why) {
  std::cerr << "lethe: route " << pattern << ": " << why << "\n";
  std::abort();
}

}  // namespace

Route& Router::Register(std::string method, std::string pattern, Auth auth, uint64_t max_body,
                        StaffRoles roles, std::optional<StaffAccess> access) {
  if (auth != Auth::kNone && gate_ == nullptr) BadRoute(pattern, "needs auth but has no gate");
  if ((auth == Auth::kStaff) == roles.empty()) {
    BadRoute(pattern, "staff routes, and only they, name their roles (AddStaff)");
  }
  if ((auth == Auth::kStaff) != access.has_value()) {
    BadRoute(pattern, "staff routes, and only they, declare their access (AddStaff)");
  }
  if (access && !access->checks_grant() && !IsNoCustomerDataRoute(method, pattern)) {
    BadRoute(pattern, "declared NoCustomerData but not on NoCustomerDataRoutes()");
  }
  Route route;
  route.parts = SplitPattern(pattern);
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.auth = auth;
  route.staff_roles = roles;
  route.staff_access = std::move(access);
  route.max_body = max_body;
  routes_.push_back(std::move(route));
  return routes_.back();
}

void Router::Add(std::string method, std::string pattern, Auth auth, uint64_t max_body,
                 Handler handler) {
  Register(std::move(method), std::move(pattern), auth, max_body).handler = std::move(handler);
}

void Router::AddStaff(std::string method, std::string pattern, StaffRoles roles, StaffAccess access,
                      uint64_t max_body, Handler handler) {
  Register(std::move(method), std::move(pattern), Auth::kStaff, max_body, roles, std::move(access))
      .handler = std::move(handler);
}

void Router::AddSlow(std::string method, std::string pattern, Auth auth, uint64_t max_body,
                     Handler handler) {
  Route& route = Register(std::move(method), std::move(pattern), auth, max_body);
  route.handler = std::move(handler);
  route.runs = Runs::kSlowPool;
}

void Router::AddInline(std::string method, std::string pattern, Handler handler) {
  Route& route = Register(std::move(method), std::move(pattern), Auth::kNone, 0);
  route.handler = std::move(handler);
  route.runs = Runs::kNetworkThread;
}

void Router::AddUpload(std::string method, std::string pattern, Auth auth, uint64_t max_body,
                       UploadHandler handler) {
  Register(std::move(method), std::move(pattern), auth, max_body).upload = std::move(handler);
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
    req.cross_origin_route = OpensToOtherOrigins(route.auth);
    return &route;
  }
  if (path_known) return Status::MethodNotAllowed("method " + req.method + " is not allowed here");
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
  // One order whatever the order routes were registered in.
  static const std::vector<std::string> kOrder = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  auto rank = [](const std::string& m) {
    return std::find(kOrder.begin(), kOrder.end(), m) - kOrder.begin();
  };
  std::stable_sort(methods.begin(), methods.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  std::string allow;
  for (const std::string& m : methods) allow += (allow.empty() ? "" : ", ") + m;
  return allow;
}

Result<HttpResponse> Router::Preflight(HttpRequest& req) const {
  std::vector<const Route*> routes;
  for (const Route& route : routes_) {
    if (!Matches(route, req.segments, nullptr)) continue;
    routes.push_back(&route);
    // A signed link's {id} is in the path: the preflight checks the link.
    if (route.auth == Auth::kSignedLink) {
      req.params.clear();
      Matches(route, req.segments, &req.params);
      req.route = route.pattern;
    }
  }
  if (req.route.empty() && !routes.empty()) req.route = routes.front()->pattern;
  LETHE_ASSIGN_OR_RETURN(HttpResponse answer, AnswerPreflight(req, routes, gate_));
  for (const Route* route : routes) {
    if (route->options_headers.empty()) continue;
    for (const auto& [name, value] : route->options_headers) answer.SetHeader(name, value);
    break;
  }
  return answer;
}

void Router::SetOptionsHeaders(const std::string& pattern,
                               std::vector<std::pair<std::string, std::string>> headers) {
  for (Route& route : routes_) {
    if (route.pattern == pattern) route.options_headers = headers;
  }
}

Result<Caller> Router::Admit(const Route& route, HttpRequest& req) const {
  if (route.auth == Auth::kNone) return Caller();
  return gate_->Admit(route.auth, req, route.staff_roles,
                      route.staff_access ? &*route.staff_access : nullptr);
}

namespace {

// An upload whose end user may come from the form: the hook runs once the
// upload is complete and the sink has named it.
class HookedUpload final : public UploadSink {
 public:
  HookedUpload(std::unique_ptr<UploadSink> inner, std::function<void()> after)
      : inner_(std::move(inner)), after_(std::move(after)) {}
  Status Write(std::span<const uint8_t> bytes) override { return inner_->Write(bytes); }
  Result<HttpResponse> Finish() override {
    Result<HttpResponse> done = inner_->Finish();
    if (done.ok()) after_();
    return done;
  }

 private:
  std::unique_ptr<UploadSink> inner_;
  std::function<void()> after_;
};

}  // namespace

void Router::AfterHandler(const HttpRequest& req, const Caller& caller,
                          const std::string& end_user_before) const {
  if (req.end_user.empty() || req.end_user == end_user_before) return;
  Status st = on_data_plane_(req, caller.principal());
  if (!st.ok()) {
    std::cerr << "lethe: " << req.request_id << " privacy signal not recorded: " << st.ToString()
              << "\n";
  }
}

Result<HttpResponse> Router::Serve(const Route& route, HttpRequest& req) const {
  LETHE_ASSIGN_OR_RETURN(Caller caller, Admit(route, req));
  if (!on_data_plane_ || !caller.is_principal()) return route.handler(req, caller);
  LETHE_RETURN_IF_ERROR(on_data_plane_(req, caller.principal()));
  const std::string before = req.end_user;
  Result<HttpResponse> answer = route.handler(req, caller);
  if (answer.ok()) AfterHandler(req, caller, before);
  return answer;
}

Result<std::unique_ptr<UploadSink>> Router::StartUpload(const Route& route,
                                                        HttpRequest& req) const {
  LETHE_ASSIGN_OR_RETURN(Caller caller, Admit(route, req));
  if (!on_data_plane_ || !caller.is_principal()) return route.upload(req, caller);
  LETHE_RETURN_IF_ERROR(on_data_plane_(req, caller.principal()));
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<UploadSink> sink, route.upload(req, caller));
  return std::unique_ptr<UploadSink>(std::make_unique<HookedUpload>(
      std::move(sink),
      [this, &req, caller, before = req.end_user] { AfterHandler(req, caller, before); }));
}

}  // namespace lethe
