#include "http/staff_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/browser_session.h"
#include "http/json_body.h"

namespace lethe {
namespace {

using boost::json::object;

object GrantView(const AccessGrantRecord& g) {
  boost::json::array scopes;
  for (size_t start = 0; start < g.scopes.size();) {
    size_t space = g.scopes.find(' ', start);
    if (space == std::string::npos) space = g.scopes.size();
    scopes.push_back(boost::json::string(g.scopes.substr(start, space - start)));
    start = space + 1;
  }
  return {{"id", g.id},
          {"staff_id", g.staff_id},
          {"account_id", g.account_id},
          {"purpose", g.purpose},
          {"ticket", g.ticket},
          {"scope", std::move(scopes)},
          {"created_at", FormatRfc3339(g.created_ms)},
          {"expires_at", FormatRfc3339(g.expires_ms)},
          {"revoked_at", OptionalTime(g.revoked_ms)},
          {"revoked_by",
           g.revoked_by.empty() ? boost::json::value(nullptr) : boost::json::value(g.revoked_by)}};
}

object LogView(const AccessLogEntry& e) {
  auto or_null = [](const std::string& s) {
    return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
  };
  return {{"id", e.id},
          {"at", FormatRfc3339(e.at_ms)},
          {"kind", e.kind},
          {"staff_id", e.staff_id},
          {"grant_id", e.grant_id},
          {"purpose", e.purpose},
          {"ticket", e.ticket},
          {"method", or_null(e.method)},
          {"route", or_null(e.route)},
          {"path", or_null(e.path)}};
}

Result<HttpResponse> SignIn(Staff& staff, HttpRequest& req) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"staff_id", "password", "code"}));
  LETHE_ASSIGN_OR_RETURN(std::string id, body.Required("staff_id"));
  LETHE_ASSIGN_OR_RETURN(std::string password, body.Required("password"));
  LETHE_ASSIGN_OR_RETURN(std::string code, body.Required("code"));
  LETHE_ASSIGN_OR_RETURN(StaffSession session, staff.SignIn(id, password, code, OriginOf(req)));
  return HttpResponse::Json(
      201, object{{"token", session.token}, {"expires_at", FormatRfc3339(session.expires_ms)}});
}

Result<HttpResponse> CreateGrant(AccessGrants& grants, HttpRequest& req,
                                 const StaffPrincipal& who) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"account_id", "purpose", "ticket", "scope",
                                                         "expires_in_hours"}));
  GrantForm form;
  LETHE_ASSIGN_OR_RETURN(auto account, body.Optional("account_id"));
  LETHE_ASSIGN_OR_RETURN(auto purpose, body.Optional("purpose"));
  LETHE_ASSIGN_OR_RETURN(auto ticket, body.Optional("ticket"));
  LETHE_ASSIGN_OR_RETURN(auto scopes, body.OptionalStrings("scope"));
  LETHE_ASSIGN_OR_RETURN(auto hours, body.OptionalInt("expires_in_hours"));
  form.account_id = account.value_or("");
  form.purpose = purpose.value_or("");
  form.ticket = ticket.value_or("");
  form.scopes = scopes.value_or(std::vector<std::string>{});
  form.expires_in_hours = hours.value_or(0);
  LETHE_ASSIGN_OR_RETURN(AccessGrantRecord g, grants.Create(who, form, OriginOf(req)));
  HttpResponse resp = HttpResponse::Json(201, GrantView(g));
  resp.SetHeader("Location", "/v1/staff/grants/" + g.id);
  return resp;
}

}  // namespace

void AddStaffRoutes(Router& router, Staff& staff, AccessGrants& grants, uint64_t max_json_body) {
  router.AddSlow("POST", "/v1/staff/sessions", Auth::kNone, max_json_body,
                 [&staff](HttpRequest& req, const Caller&) { return SignIn(staff, req); });
  router.AddStaff(
      "DELETE", "/v1/staff/sessions", AllStaffRoles(), StaffAccess::NoCustomerData(), max_json_body,
      [&staff](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_RETURN_IF_ERROR(staff.SignOut(c.staff(), c.session_token(), OriginOf(req)));
        // The console's cookie goes too (harmless to a Bearer caller).
        HttpResponse r = HttpResponse::Empty(204);
        r.SetHeader("Set-Cookie", ClearedSessionCookieHeader(kStaffSessionCookie));
        return r;
      });
  router.AddStaff(
      "POST", "/v1/staff/grants", AllStaffRoles(), StaffAccess::NoCustomerData(), max_json_body,
      [&grants](HttpRequest& req, const Caller& c) { return CreateGrant(grants, req, c.staff()); });
  router.AddStaff("GET", "/v1/staff/grants", AllStaffRoles(), StaffAccess::NoCustomerData(),
                  max_json_body,
                  [&grants](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
                    LETHE_ASSIGN_OR_RETURN(int limit, PageLimit(req, 100, AccessGrants::kMaxList));
                    LETHE_ASSIGN_OR_RETURN(auto list, grants.ListOwn(c.staff(), limit));
                    boost::json::array items;
                    for (const AccessGrantRecord& g : list) items.push_back(GrantView(g));
                    return HttpResponse::Json(200, object{{"grants", std::move(items)}});
                  });
  router.AddStaff(
      "DELETE", "/v1/staff/grants/{id}", AllStaffRoles(), StaffAccess::NoCustomerData(),
      max_json_body, [&grants](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(AccessGrantRecord g,
                               grants.Revoke(c.staff(), req.Param("id"), OriginOf(req)));
        return HttpResponse::Json(200, GrantView(g));
      });
  router.Add("GET", "/v1/accounts/{id}/access-log", Auth::kSession, max_json_body,
             [&grants](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(int limit, PageLimit(req, 50, AccessGrants::kMaxList));
               std::optional<std::string> before;
               if (auto cursor = req.Query("cursor")) {
                 if (cursor->rfind("acl_", 0) != 0 || cursor->size() > 64) {
                   return Status::InvalidArgument("bad-request",
                                                  "cursor is not one this server made");
                 }
                 before = *cursor;
               }
               LETHE_ASSIGN_OR_RETURN(auto list,
                                      grants.Log(c.customer().id, req.Param("id"), before, limit));
               boost::json::array items;
               for (const AccessLogEntry& e : list) items.push_back(LogView(e));
               boost::json::value next = nullptr;
               if (static_cast<int>(list.size()) == limit) next = list.back().id;
               return HttpResponse::Json(
                   200, object{{"entries", std::move(items)}, {"next_cursor", next}});
             });
}

}  // namespace lethe
