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

HttpResponse ListUsage(UsageLedger& usage, HttpRequest& req, const Principal& who) {
  UsageQuery q;
  q.account_id = who.account.id;
  if (auto eu = req.Query("end_user")) q.end_user = *eu;
  auto since = TimeParam(req, "since");
  if (!since.ok()) return Fail(since.status(), req);
  auto until = TimeParam(req, "until");
  if (!until.ok()) return Fail(until.status(), req);
  q.since_ms = *since;
  q.until_ms = *until;
  auto page_params = PageParams(req, 100, kMaxUsagePage);
  if (!page_params.ok()) return Fail(page_params.status(), req);
  q.limit = page_params->limit;
  q.after_seq = page_params->after_seq;
  auto page = usage.List(q);
  if (!page.ok()) return Fail(page.status(), req);
  boost::json::array events;
  for (const UsageEvent& e : page->events) events.push_back(UsageView(e));
  boost::json::value next = nullptr;
  if (page->next_after_seq) next = EncodeCursor(*page->next_after_seq);
  return HttpResponse::Json(
      200, boost::json::object{{"events", std::move(events)}, {"next_cursor", next}});
}

}  // namespace

void AddAccountDataRoutes(Router& router, DataPlane& plane, UsageLedger& usage,
                          uint64_t max_json_body) {
  router.Add("GET", "/v1/account", plane.Wrap([](HttpRequest&, const Principal& who) {
    return HttpResponse::Json(200, AccountView(who.account));
  }),
             max_json_body);
  router.Add("GET", "/v1/usage", plane.Wrap([&usage](HttpRequest& req, const Principal& who) {
    return ListUsage(usage, req, who);
  }),
             max_json_body);
}

void AddOpsRoutes(Router& router, Metrics& metrics) {
  router.Add(
      "GET", "/healthz",
      [](HttpRequest&) {
        return HttpResponse::Json(200, boost::json::object{{"status", "ok"}});
      },
      0);
  router.Add(
      "GET", "/metrics",
      [&metrics](HttpRequest&) {
        HttpResponse r;
        r.body = metrics.RenderPrometheus();
        r.SetHeader("Content-Type", "text/plain; version=0.0.4");
        return r;
      },
      0);
}

}  // namespace lethe
