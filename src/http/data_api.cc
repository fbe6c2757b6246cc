#include "http/data_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

Result<std::optional<int64_t>> TimeParam(const HttpRequest& req, const char* name) {
  auto raw = req.Query(name);
  if (!raw) return std::optional<int64_t>();
  auto ms = ParseRfc3339(*raw);
  if (!ms) {
    return Status::InvalidArgument("bad-request", std::string(name) + " must be an RFC 3339 time");
  }
  return std::optional<int64_t>(*ms);
}

Result<HttpResponse> ListUsage(UsageLedger& usage, HttpRequest& req, const Principal& who) {
  UsageQuery q;
  q.account_id = who.account.id;
  if (auto eu = req.Query("end_user")) q.end_user = *eu;
  LETHE_ASSIGN_OR_RETURN(q.since_ms, TimeParam(req, "since"));
  LETHE_ASSIGN_OR_RETURN(q.until_ms, TimeParam(req, "until"));
  LETHE_ASSIGN_OR_RETURN(PageRequest page_params, PageParams(req, 100, kMaxUsagePage));
  q.limit = page_params.limit;
  q.after_seq = page_params.after_seq;
  LETHE_ASSIGN_OR_RETURN(UsagePage page, usage.List(q));
  boost::json::array events;
  for (const UsageEvent& e : page.events) events.push_back(UsageView(e));
  boost::json::value next = nullptr;
  if (page.next_after_seq) next = EncodeCursor(*page.next_after_seq);
  return HttpResponse::Json(
      200, boost::json::object{{"events", std::move(events)}, {"next_cursor", next}});
}

}  // namespace

void AddAccountDataRoutes(Router& router, UsageLedger& usage, uint64_t max_json_body) {
  router.Add("GET", "/v1/account", Auth::kDataPlane, max_json_body,
             [](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
               return HttpResponse::Json(200, AccountView(c.principal().account));
             });
  router.Add(
      "GET", "/v1/usage", Auth::kDataPlane, max_json_body,
      [&usage](HttpRequest& req, const Caller& c) { return ListUsage(usage, req, c.principal()); });
}

void AddOpsRoutes(Router& router, Metrics& metrics) {
  // Neither touches a port: served on the network thread.
  router.AddInline("GET", "/healthz", [](HttpRequest&, const Caller&) -> Result<HttpResponse> {
    return HttpResponse::Json(200, boost::json::object{{"status", "ok"}});
  });
  router.AddInline("GET", "/metrics",
                   [&metrics](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                     HttpResponse r;
                     r.body = metrics.RenderPrometheus();
                     r.SetHeader("Content-Type", "text/plain; version=0.0.4");
                     return r;
                   });
}

void AddSigningKeyRoute(Router& router, const std::string& public_key_base64) {
  // A constant: no port, so it runs inline.
  router.AddInline(
      "GET", "/.well-known/lethe/signing-key",
      [public_key_base64](HttpRequest&, const Caller&) -> Result<HttpResponse> {
        return HttpResponse::Json(
            200, boost::json::object{{"algorithm", "Ed25519"}, {"public_key", public_key_base64}});
      });
}

}  // namespace lethe
