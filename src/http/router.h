// Router: maps a method and decoded path segments to a handler. Patterns
// are literal segments and `{name}` placeholders, e.g.
// "/v1/accounts/{id}/keys/{key_id}". A path that matches a pattern under
// another method is 405; one that matches nothing is 404.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "http/exchange.h"

namespace lethe {

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> parts;  // pattern split on '/'
  std::variant<Handler, UploadHandler> handler;
  uint64_t max_body = 0;  // body limit for this route
  // Slow by design (argon2id): run off the I/O threads so other
  // connections on the same thread are not held up.
  bool slow = false;
};

class Router {
 public:
  // Registers a buffered handler; its body is read whole, up to `max_body`.
  void Add(std::string method, std::string pattern, Handler handler, uint64_t max_body);
  // Like Add, for a handler that is slow by design (password hashing).
  void AddSlow(std::string method, std::string pattern, Handler handler, uint64_t max_body);
  // Registers a streaming upload handler, bodies up to `max_body`.
  void AddUpload(std::string method, std::string pattern, UploadHandler handler, uint64_t max_body);

  // The route for `req`, with req.route and req.params filled in. Returns
  // NotFound or FailedPrecondition("method-not-allowed").
  Result<const Route*> Match(HttpRequest& req) const;

  // The methods `segments` can be requested with, for a 405's Allow header,
  // e.g. "GET, HEAD, DELETE". Empty when no route matches the path.
  std::string AllowedMethods(const std::vector<std::string>& segments) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace lethe
