#include "http/legal_request_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::object;

boost::json::value OrNull(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

// Staff eyes only: the whole record.
object RequestView(const LegalRequests& requests, const LegalRequestRecord& r) {
  return {{"id", r.id},
          {"account_id", r.account_id},
          {"subject", OrNull(r.subject)},
          {"authority", r.authority},
          {"authority_type", r.authority_type},
          {"legal_basis", r.legal_basis},
          {"reference", r.reference},
          {"categories", r.categories},
          {"received_at", FormatRfc3339(r.received_ms)},
          {"recorded_by", r.recorded_by},
          {"nondisclosure_until", OptionalTime(r.nondisclosure_until_ms)},
          {"nondisclosure_active", requests.Gagged(r)},
          {"decision", OrNull(r.decision)},
          {"decision_note", r.decision_note},
          {"disclosed", OrNull(r.disclosed)},
          {"disclosed_at", OptionalTime(r.disclosed_ms)},
          {"decided_by", OrNull(r.decided_by)},
          {"decided_at", OptionalTime(r.decided_ms)},
          {"customer_notified_at", OptionalTime(r.notified_ms)}};
}

Result<std::optional<int64_t>> OptionalTimeField(const JsonFields& body, const char* name) {
  LETHE_ASSIGN_OR_RETURN(auto raw, body.Optional(name));
  if (!raw) return std::optional<int64_t>();
  auto ms = ParseRfc3339(*raw);
  if (!ms) {
    return Status::InvalidArgument("invalid-field",
                                   std::string(name) + " must be an RFC 3339 time");
  }
  return std::optional<int64_t>(*ms);
}

Result<HttpResponse> Create(LegalRequests& requests, HttpRequest& req, const StaffPrincipal& who) {
  LETHE_ASSIGN_OR_RETURN(
      JsonFields body,
      JsonBody(req, {"account", "end_user", "authority", "authority_type", "legal_basis",
                     "reference", "categories", "received_at", "nondisclosure_until"}));
  LegalRequestForm form;
  LETHE_ASSIGN_OR_RETURN(form.account_id, body.Required("account"));
  LETHE_ASSIGN_OR_RETURN(form.authority, body.Required("authority"));
  LETHE_ASSIGN_OR_RETURN(form.authority_type, body.Required("authority_type"));
  LETHE_ASSIGN_OR_RETURN(form.legal_basis, body.Required("legal_basis"));
  LETHE_ASSIGN_OR_RETURN(form.categories, body.Required("categories"));
  LETHE_ASSIGN_OR_RETURN(auto end_user, body.Optional("end_user"));
  LETHE_ASSIGN_OR_RETURN(auto reference, body.Optional("reference"));
  form.end_user = end_user.value_or("");
  form.reference = reference.value_or("");
  LETHE_ASSIGN_OR_RETURN(form.received_ms, OptionalTimeField(body, "received_at"));
  LETHE_ASSIGN_OR_RETURN(form.nondisclosure_until_ms,
                         OptionalTimeField(body, "nondisclosure_until"));
  LETHE_ASSIGN_OR_RETURN(LegalRequestRecord r, requests.Record(who, form, OriginOf(req)));
  HttpResponse resp = HttpResponse::Json(201, RequestView(requests, r));
  resp.SetHeader("Location", "/v1/staff/legal-requests/" + r.id);
  return resp;
}

Result<HttpResponse> Decide(LegalRequests& requests, HttpRequest& req, const StaffPrincipal& who) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body,
                         JsonBody(req, {"decision", "note", "disclosed", "disclosed_at"}));
  LegalDecisionForm form;
  LETHE_ASSIGN_OR_RETURN(form.decision, body.Required("decision"));
  LETHE_ASSIGN_OR_RETURN(auto note, body.Optional("note"));
  LETHE_ASSIGN_OR_RETURN(auto disclosed, body.Optional("disclosed"));
  form.note = note.value_or("");
  form.disclosed = disclosed.value_or("");
  LETHE_ASSIGN_OR_RETURN(form.disclosed_ms, OptionalTimeField(body, "disclosed_at"));
  LETHE_ASSIGN_OR_RETURN(LegalRequestRecord r,
                         requests.Decide(who, req.Param("id"), form, OriginOf(req)));
  return HttpResponse::Json(200, RequestView(requests, r));
}

Result<HttpResponse> Report(TransparencyReport& report, HttpRequest& req) {
  std::string raw = req.Query("year").value_or("");
  int year = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), year);
  if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size()) {
    return Status::InvalidArgument("invalid-field", "year must be a year, e.g. ?year=2026");
  }
  LETHE_ASSIGN_OR_RETURN(TransparencyCounts counts, report.ForYear(year));
  object by_type;
  for (const auto& [type, decisions] : counts.by_authority) {
    object row;
    int64_t total = 0;
    for (const auto& [decision, n] : decisions) {
      row[decision] = n;
      total += n;
    }
    row["total"] = total;
    by_type[type] = std::move(row);
  }
  return HttpResponse::Json(200, object{{"year", counts.year},
                                        {"legal_requests", counts.total},
                                        {"by_authority_type", std::move(by_type)}});
}

}  // namespace

void AddLegalRequestRoutes(Router& router, LegalRequests& requests, TransparencyReport& report,
                           uint64_t max_json_body) {
  const StaffRoles kRoles = LegalRequests::Roles();
  // USE-4: each route reaches one account's legal data under a grant.
  const StaffAccess by_request = StaffAccess::CustomerData(
      AccountFrom::Record("id", "legal_request",
                          [&requests](const std::string& id) { return requests.AccountOf(id); }),
      GrantScope::kLegal);
  router.AddStaff("POST", "/v1/staff/legal-requests", kRoles,
                  StaffAccess::CustomerData(AccountFrom::BodyField("account"), GrantScope::kLegal),
                  max_json_body, [&requests](HttpRequest& req, const Caller& c) {
                    return Create(requests, req, c.staff());
                  });
  router.AddStaff(
      "GET", "/v1/staff/legal-requests", kRoles,
      StaffAccess::CustomerData(AccountFrom::QueryParam("account"), GrantScope::kLegal),
      max_json_body, [&requests](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(int limit, PageLimit(req, 100, LegalRequests::kMaxList));
        LETHE_ASSIGN_OR_RETURN(
            auto list,
            requests.List(c.staff(), req.Query("account").value_or(""), limit, OriginOf(req)));
        boost::json::array items;
        for (const LegalRequestRecord& r : list) items.push_back(RequestView(requests, r));
        return HttpResponse::Json(200, object{{"requests", std::move(items)}});
      });
  router.AddStaff("GET", "/v1/staff/legal-requests/{id}", kRoles, by_request, max_json_body,
                  [&requests](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
                    LETHE_ASSIGN_OR_RETURN(LegalRequestRecord r,
                                           requests.Get(c.staff(), req.Param("id"), OriginOf(req)));
                    return HttpResponse::Json(200, RequestView(requests, r));
                  });
  router.AddStaff(
      "POST", "/v1/staff/legal-requests/{id}/decide", kRoles, by_request, max_json_body,
      [&requests](HttpRequest& req, const Caller& c) { return Decide(requests, req, c.staff()); });
  router.AddStaff(
      "POST", "/v1/staff/legal-requests/{id}/nondisclosure", kRoles, by_request, max_json_body,
      [&requests](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"until"}));
        LETHE_ASSIGN_OR_RETURN(std::string until, body.Required("until"));
        auto ms = ParseRfc3339(until);
        if (!ms) {
          return Status::InvalidArgument("invalid-field", "until must be an RFC 3339 time");
        }
        LETHE_ASSIGN_OR_RETURN(
            LegalRequestRecord r,
            requests.SetNonDisclosure(c.staff(), req.Param("id"), *ms, OriginOf(req)));
        return HttpResponse::Json(200, RequestView(requests, r));
      });
  router.Add("GET", "/v1/transparency-report", Auth::kNone, max_json_body,
             [&report](HttpRequest& req, const Caller&) { return Report(report, req); });
}

}  // namespace lethe
