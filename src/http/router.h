// Router: maps a method and decoded path segments to a route, and serves a
// matched request by applying the route's declared Auth (see gate.h) and
// then calling its handler with the caller.
//
// Patterns are literal segments and `{name}` placeholders, e.g.
// "/v1/accounts/{id}/keys/{key_id}". A path that matches a pattern under
// another method is 405; one that matches nothing is 404.
//
// Every route declares where its handler runs. By default on the server's
// blocking pool, since handlers call into the stores; password hashing on
// a small pool of its own (AddSlow), so it cannot starve the blocking
// pool; on the network thread only routes that touch no port at all
// (AddInline: health and metrics).
//
// Order of checks: no route (404, 405), then a Content-Length over the
// route's limit (413). A buffered route then has its body read (413, 408)
// before the Gate admits the request; an upload route is admitted, and its
// handler returns a sink, before the body is read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/exchange.h"
#include "http/gate.h"
#include "http/staff_access.h"

namespace lethe {

// A handler's answer: a response, or the error the server turns into
// problem+json (tagged with the request id) in one place.
using Handler = std::function<Result<HttpResponse>(HttpRequest&, const Caller&)>;
// A streaming upload: a sink for the body, or the error that refuses it
// before the body is read.
using UploadHandler =
    std::function<Result<std::unique_ptr<UploadSink>>(HttpRequest&, const Caller&)>;

enum class Runs {
  kBlockingPool,   // the default: handlers may block on the stores
  kSlowPool,       // slow by design (argon2id)
  kNetworkThread,  // inline; only for handlers that touch no port
};

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> parts;  // pattern split on '/'
  Auth auth = Auth::kNone;
  StaffRoles staff_roles;  // Auth::kStaff: who may call it (never empty)
  // Auth::kStaff: the customer data it touches (staff_access.h); always set
  // on staff routes, never on others.
  std::optional<StaffAccess> staff_access;
  Runs runs = Runs::kBlockingPool;
  uint64_t max_body = 0;  // body limit for this route
  Handler handler;        // buffered routes
  UploadHandler upload;   // streaming upload routes
  // Added to the answer to an OPTIONS on this route's path (tus names
  // its version and extensions there).
  std::vector<std::pair<std::string, std::string>> options_headers;

  bool is_upload() const { return static_cast<bool>(upload); }
};

class Router {
 public:
  // `gate` applies every route's Auth; without one, only Auth::kNone routes
  // may be added. Must outlive the router.
  explicit Router(Gate* gate = nullptr) : gate_(gate) {}

  // Registers a buffered handler, run on the blocking pool; its body is
  // read whole, up to `max_body`, before the handler runs.
  void Add(std::string method, std::string pattern, Auth auth, uint64_t max_body, Handler handler);
  // Like Add, for a staff route (Auth::kStaff) open to `roles`, which
  // must not be empty. `access` declares the customer data it touches: a
  // grant is then checked (and the request logged) before `handler` runs,
  // or the route must be on NoCustomerDataRoutes() (else the router stops
  // the process at startup).
  void AddStaff(std::string method, std::string pattern, StaffRoles roles, StaffAccess access,
                uint64_t max_body, Handler handler);
  // Like Add, for a handler that is slow by design (password hashing).
  void AddSlow(std::string method, std::string pattern, Auth auth, uint64_t max_body,
               Handler handler);
  // Registers a handler run on the network thread itself: no auth, no body,
  // and it must touch no port (health, metrics).
  void AddInline(std::string method, std::string pattern, Handler handler);
  // Registers a streaming upload handler, bodies up to `max_body`; the
  // handler runs before the body is read.
  void AddUpload(std::string method, std::string pattern, Auth auth, uint64_t max_body,
                 UploadHandler handler);

  // Headers for the answer to an OPTIONS on the path of the routes
  // registered with `pattern` (preflight or not), e.g. tus's Tus-Version.
  void SetOptionsHeaders(const std::string& pattern,
                         std::vector<std::pair<std::string, std::string>> headers);

  // Called for every request admitted as an account's (data plane): once
  // admitted, and again after the handler when it named an end user the
  // request had not (privacy_signals.h). An error before the handler
  // answers the request; one after it is logged, the answer stands.
  using PrincipalHook = std::function<Status(const HttpRequest&, const Principal&)>;
  void OnDataPlane(PrincipalHook hook) { on_data_plane_ = std::move(hook); }

  // Every route registered, in registration order (for tests that check
  // what the server serves).
  const std::vector<Route>& routes() const { return routes_; }

  // The route for `req`, with req.route and req.params filled in. Returns
  // NotFound or MethodNotAllowed.
  Result<const Route*> Match(HttpRequest& req) const;

  // Answers an OPTIONS request (a CORS preflight or a plain one): see
  // cors.h. Reads the store for signed links: call it off the network
  // threads.
  Result<HttpResponse> Preflight(HttpRequest& req) const;

  // The methods `segments` can be requested with, for a 405's Allow header,
  // e.g. "GET, HEAD, DELETE". Empty when no route matches the path.
  std::string AllowedMethods(const std::vector<std::string>& segments) const;

  // Admits `req` through the route's Auth, then runs its handler. Returns
  // the handler's answer, or the Gate's error (the handler is then not
  // called). The server calls these where the route says they run.
  Result<HttpResponse> Serve(const Route& route, HttpRequest& req) const;
  Result<std::unique_ptr<UploadSink>> StartUpload(const Route& route, HttpRequest& req) const;

 private:
  Route& Register(std::string method, std::string pattern, Auth auth, uint64_t max_body,
                  StaffRoles roles = {}, std::optional<StaffAccess> access = std::nullopt);
  Result<Caller> Admit(const Route& route, HttpRequest& req) const;

  // Runs on_data_plane_ after a handler when req.end_user changed.
  void AfterHandler(const HttpRequest& req, const Caller& caller,
                    const std::string& end_user_before) const;

  Gate* gate_;
  std::vector<Route> routes_;
  PrincipalHook on_data_plane_;
};

}  // namespace lethe
