#include "http/session_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"

namespace lethe {
namespace {

using boost::json::object;

object View(const SessionView& v) {
  const SessionRecord& s = v.session;
  return {{"id", s.id},
          {"created_at", FormatRfc3339(s.created_ms)},
          {"last_used_at", FormatRfc3339(s.last_used_ms)},
          {"expires_at", FormatRfc3339(s.expires_ms)},
          {"ip", s.ip},
          {"browser", s.browser},
          {"country", s.country},
          {"current", v.current}};
}

Result<HttpResponse> ChangePassword(Customers& customers, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"current_password", "new_password"}));
  LETHE_ASSIGN_OR_RETURN(std::string current, body.Required("current_password"));
  LETHE_ASSIGN_OR_RETURN(std::string fresh, body.Required("new_password"));
  LETHE_ASSIGN_OR_RETURN(
      int64_t ended, customers.ChangePassword(c.session_token(), current, fresh, OriginOf(req)));
  return HttpResponse::Json(200, object{{"sessions_ended", ended}});
}

}  // namespace

void AddSessionRoutes(Router& router, Customers& customers, SessionList& sessions,
                      uint64_t max_json_body) {
  const uint64_t kMax = max_json_body;
  const Auth kSession = Auth::kSession;
  router.Add("GET", "/v1/sessions", kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(auto list, sessions.List(c.customer().id, c.session_token()));
               boost::json::array out;
               for (const SessionView& v : list) out.push_back(View(v));
               return HttpResponse::Json(200, object{{"sessions", std::move(out)}});
             });
  router.Add("DELETE", "/v1/sessions", kSession, kMax,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(int64_t ended,
                                      sessions.RevokeAll(c.customer().id, OriginOf(req)));
               return HttpResponse::Json(200, object{{"sessions_ended", ended}});
             });
  router.Add(
      "DELETE", "/v1/sessions/{id}", kSession, kMax,
      [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_RETURN_IF_ERROR(sessions.Revoke(c.customer().id, req.Param("id"), OriginOf(req)));
        return HttpResponse::Empty(204);
      });
  // Hashes the new password (argon2id): on the slow pool.
  router.AddSlow("POST", "/v1/me/password", kSession, kMax, [&](HttpRequest& req, const Caller& c) {
    return ChangePassword(customers, req, c);
  });
}

}  // namespace lethe
