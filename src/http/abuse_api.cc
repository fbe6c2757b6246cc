#include "http/abuse_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/staff_access.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

value OrNull(const std::string& s) { return s.empty() ? value(nullptr) : value(s); }

object SignalView(const AbuseSignalRecord& s) {
  return {{"id", s.id},
          {"kind", s.kind},
          {"observed", s.observed},
          // The account's own norm (upload_rate): its hourly average.
          {"norm", s.kind == "upload_rate" ? value(static_cast<double>(s.baseline_milli) / 1000.0)
                                           : value(nullptr)},
          {"trigger", s.trigger},
          {"score", s.score},
          {"window_seconds", s.window_ms / 1000},
          {"detail", OrNull(s.detail)},
          {"observed_at", FormatRfc3339(s.observed_ms)},
          {"explanation", DescribeSignal(s)}};
}

object AppealView(const AppealRecord& a) {
  return {{"id", a.id},
          {"decision_id", a.decision_id},
          {"account_id", a.account_id},
          {"statement", a.statement},
          {"state", a.state},
          {"created_at", FormatRfc3339(a.created_ms)},
          {"decided_at", OptionalTime(a.decided_ms)},
          {"decided_by", OrNull(a.decided_by)},
          {"reason", OrNull(a.reason)}};
}

// The review queue (ADM-1) names what waits, not what it says: reading the
// statement and the signals takes an abuse-review grant (USE-4).
object QueuedAppealView(const AppealRecord& a) {
  return {{"id", a.id},
          {"decision_id", a.decision_id},
          {"account_id", a.account_id},
          {"state", a.state},
          {"created_at", FormatRfc3339(a.created_ms)}};
}

object DecisionView(const AbuseDecisionRecord& d) {
  return {{"id", d.id},
          {"account_id", d.account_id},
          {"state", d.state},
          {"score", d.score},
          {"threshold", d.threshold},
          {"created_at", FormatRfc3339(d.created_ms)},
          {"lifted_at", OptionalTime(d.lifted_ms)},
          {"appeal_path", Suspensions::kAppealPath}};
}

Result<HttpResponse> FileAppeal(Appeals& appeals, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body,
                         JsonBody(req, {"account_id", "decision_id", "statement"}));
  LETHE_ASSIGN_OR_RETURN(auto account_id, body.Optional("account_id"));
  LETHE_ASSIGN_OR_RETURN(auto decision_id, body.Optional("decision_id"));
  LETHE_ASSIGN_OR_RETURN(std::string statement, body.Required("statement"));
  LETHE_ASSIGN_OR_RETURN(AppealRecord a,
                         appeals.File(c.customer().id, account_id.value_or(""),
                                      decision_id.value_or(""), statement, OriginOf(req)));
  return HttpResponse::Json(201, AppealView(a));
}

Result<HttpResponse> ListDecisions(Suspensions& suspensions, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(auto decisions, suspensions.List(c.customer().id, req.Param("id")));
  array items;
  for (const AbuseDecisionRecord& d : decisions) items.push_back(DecisionView(d));
  return HttpResponse::Json(200, object{{"decisions", std::move(items)}});
}

Result<HttpResponse> ExplainDecision(Suspensions& suspensions, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(DecisionExplained e, suspensions.Explain(c.customer().id, req.Param("id"),
                                                                  req.Param("decision_id")));
  object view = DecisionView(e.decision);
  array signals;
  for (const AbuseSignalRecord& s : e.signals) signals.push_back(SignalView(s));
  view["signals"] = std::move(signals);
  view["appeal"] = e.appeals.empty() ? value(nullptr) : value(AppealView(e.appeals.back()));
  return HttpResponse::Json(200, view);
}

Result<HttpResponse> DecideAppeal(Appeals& appeals, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"outcome", "reason", "account_id"}));
  LETHE_ASSIGN_OR_RETURN(std::string outcome, body.Required("outcome"));
  LETHE_ASSIGN_OR_RETURN(auto reason, body.Optional("reason"));
  LETHE_ASSIGN_OR_RETURN(auto account_id, body.Optional("account_id"));
  if (account_id) {
    // Named by a staff client (access grants check it): must be the appeal's.
    LETHE_ASSIGN_OR_RETURN(AppealRecord a, appeals.Get(req.Param("id")));
    if (a.account_id != *account_id) return Status::NotFound("appeal not found");
  }
  LETHE_ASSIGN_OR_RETURN(AppealRecord a, appeals.Decide(c.staff().id, req.Param("id"), outcome,
                                                        reason.value_or(""), OriginOf(req)));
  return HttpResponse::Json(200, AppealView(a));
}

}  // namespace

void AddAbuseRoutes(Router& router, Suspensions& suspensions, Appeals& appeals,
                    uint64_t max_json_body) {
  router.Add("POST", "/v1/appeals", Auth::kSession, max_json_body,
             [&appeals](HttpRequest& req, const Caller& c) { return FileAppeal(appeals, req, c); });
  router.Add("GET", "/v1/accounts/{id}/decisions", Auth::kSession, max_json_body,
             [&suspensions](HttpRequest& req, const Caller& c) {
               return ListDecisions(suspensions, req, c);
             });
  router.Add("GET", "/v1/accounts/{id}/decisions/{decision_id}", Auth::kSession, max_json_body,
             [&suspensions](HttpRequest& req, const Caller& c) {
               return ExplainDecision(suspensions, req, c);
             });
  router.AddStaff("GET", "/v1/staff/appeals", AppealReviewRoles(), StaffAccess::NoCustomerData(),
                  max_json_body, [&appeals](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                    LETHE_ASSIGN_OR_RETURN(auto open, appeals.ListOpen());
                    array items;
                    for (const AppealRecord& a : open) items.push_back(QueuedAppealView(a));
                    return HttpResponse::Json(200, object{{"appeals", std::move(items)}});
                  });
  router.AddStaff("POST", "/v1/staff/appeals/{id}/decision", AppealReviewRoles(),
                  StaffAccess::CustomerData(
                      AccountFrom::Record("id", "appeal",
                                          [&appeals](const std::string& id) -> Result<std::string> {
                                            LETHE_ASSIGN_OR_RETURN(AppealRecord a, appeals.Get(id));
                                            return a.account_id;
                                          }),
                      GrantScope::kAccount),
                  max_json_body, [&appeals](HttpRequest& req, const Caller& c) {
                    return DecideAppeal(appeals, req, c);
                  });
}

}  // namespace lethe
