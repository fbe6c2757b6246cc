#include "http/legal_hold_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::object;

// What the customer sees. An end-user hold shows the keyed hash it keeps,
// never a reference; a media hold its media id.
object CustomerHoldView(const LegalHolds& holds, const HoldRecord& h) {
  return {
      {"id", h.id},
      {"account_id", h.account_id},
      {"scope", h.scope},
      {"subject", h.subject.empty() ? boost::json::value(nullptr) : boost::json::value(h.subject)},
      {"state", holds.StateOf(h)},
      {"placed_at", FormatRfc3339(h.placed_ms)},
      {"ends_at", OptionalTime(h.ends_ms)},
      {"released_at", OptionalTime(h.released_ms)}};
}

object StaffHoldView(const LegalHolds& holds, const HoldRecord& h) {
  object view = CustomerHoldView(holds, h);
  view["reason"] = h.reason;
  view["matter"] = h.matter;
  view["non_disclosure"] = h.non_disclosure;
  view["placed_by"] = h.placed_by;
  view["released_by"] =
      h.released_by.empty() ? boost::json::value(nullptr) : boost::json::value(h.released_by);
  return view;
}

Result<HttpResponse> Place(LegalHolds& holds, HttpRequest& req, const StaffPrincipal& who) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body,
                         JsonBody(req, {"scope", "account", "end_user", "media", "reason", "matter",
                                        "ends_at", "non_disclosure"}));
  HoldForm form;
  LETHE_ASSIGN_OR_RETURN(form.scope, body.Required("scope"));
  LETHE_ASSIGN_OR_RETURN(form.account_id, body.Required("account"));
  LETHE_ASSIGN_OR_RETURN(form.reason, body.Required("reason"));
  LETHE_ASSIGN_OR_RETURN(form.matter, body.Required("matter"));
  LETHE_ASSIGN_OR_RETURN(auto end_user, body.Optional("end_user"));
  LETHE_ASSIGN_OR_RETURN(auto media, body.Optional("media"));
  LETHE_ASSIGN_OR_RETURN(auto ends_at, body.Optional("ends_at"));
  LETHE_ASSIGN_OR_RETURN(auto non_disclosure, body.OptionalBool("non_disclosure"));
  form.end_user = end_user.value_or("");
  form.media_id = media.value_or("");
  form.non_disclosure = non_disclosure.value_or(false);
  if (ends_at) {
    form.ends_ms = ParseRfc3339(*ends_at);
    if (!form.ends_ms) {
      return Status::InvalidArgument("invalid-field", "ends_at must be an RFC 3339 time");
    }
  }
  LETHE_ASSIGN_OR_RETURN(HoldRecord hold, holds.Place(who, form, OriginOf(req)));
  HttpResponse r = HttpResponse::Json(201, StaffHoldView(holds, hold));
  r.SetHeader("Location", "/v1/staff/legal-holds/" + hold.id);
  return r;
}

boost::json::array ListOf(const std::vector<HoldRecord>& list,
                          object (*view)(const LegalHolds&, const HoldRecord&),
                          const LegalHolds& holds) {
  boost::json::array out;
  for (const HoldRecord& h : list) out.push_back(view(holds, h));
  return out;
}

}  // namespace

void AddLegalHoldRoutes(Router& router, LegalHolds& holds, uint64_t max_json_body) {
  const StaffRoles kRoles = LegalHolds::Roles();
  // USE-4: each route reaches one account's legal data under a grant.
  auto by_hold = AccountFrom::Record(
      "id", "legal_hold", [&holds](const std::string& id) { return holds.AccountOf(id); });
  router.AddStaff("POST", "/v1/staff/legal-holds", kRoles,
                  StaffAccess::CustomerData(AccountFrom::BodyField("account"), GrantScope::kLegal),
                  max_json_body, [&holds](HttpRequest& req, const Caller& c) {
                    return Place(holds, req, c.staff());
                  });
  router.AddStaff(
      "GET", "/v1/staff/legal-holds", kRoles,
      StaffAccess::CustomerData(AccountFrom::QueryParam("account"), GrantScope::kLegal),
      max_json_body, [&holds](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        std::string account = req.Query("account").value_or("");
        if (account.empty()) {
          return Status::InvalidArgument("invalid-field", "account is required");
        }
        LETHE_ASSIGN_OR_RETURN(auto list, holds.ListForStaff(c.staff(), account, OriginOf(req)));
        return HttpResponse::Json(200, object{{"holds", ListOf(list, StaffHoldView, holds)}});
      });
  router.AddStaff("POST", "/v1/staff/legal-holds/{id}/release", kRoles,
                  StaffAccess::CustomerData(by_hold, GrantScope::kLegal), max_json_body,
                  [&holds](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
                    LETHE_ASSIGN_OR_RETURN(
                        HoldRecord hold, holds.Release(c.staff(), req.Param("id"), OriginOf(req)));
                    return HttpResponse::Json(200, StaffHoldView(holds, hold));
                  });
  router.Add(
      "GET", "/v1/accounts/{id}/legal-holds", Auth::kSession, max_json_body,
      [&holds](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(auto list, holds.ListForCustomer(c.customer().id, req.Param("id")));
        return HttpResponse::Json(200, object{{"holds", ListOf(list, CustomerHoldView, holds)}});
      });
}

}  // namespace lethe
