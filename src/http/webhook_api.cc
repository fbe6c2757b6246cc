#include "http/webhook_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::object;

object WebhookView(const WebhookRecord& w) {
  boost::json::array events;
  size_t pos = 0;
  while (pos <= w.events.size()) {
    size_t comma = w.events.find(',', pos);
    if (comma == std::string::npos) comma = w.events.size();
    events.emplace_back(w.events.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return object{{"id", w.id},
                {"account_id", w.account_id},
                {"url", w.url},
                {"events", std::move(events)},
                {"created_at", FormatRfc3339(w.created_ms)}};
}

object DeliveryView(const WebhookDeliveryView& v) {
  boost::json::array attempts;
  for (const WebhookAttemptRecord& a : v.attempts) {
    attempts.push_back(object{
        {"attempt", a.attempt},
        {"at", FormatRfc3339(a.at_ms)},
        {"status_code", a.status_code == 0 ? boost::json::value(nullptr) : a.status_code},
        {"error", a.error.empty() ? boost::json::value(nullptr) : boost::json::value(a.error)},
        {"duration_ms", a.duration_ms}});
  }
  const WebhookDeliveryRecord& d = v.delivery;
  return object{{"id", d.id},
                {"event_type", d.event_type},
                {"state", d.state},
                {"attempts", d.attempts},
                {"created_at", FormatRfc3339(d.created_ms)},
                {"next_attempt_at", OptionalTime(d.next_ms)},
                {"attempts_log", std::move(attempts)}};
}

}  // namespace

void AddWebhookRoutes(Router& router, Webhooks& webhooks, uint64_t max_json_body) {
  router.Add(
      "POST", "/v1/accounts/{id}/webhooks", Auth::kSession, max_json_body,
      [&webhooks](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"url", "events"}));
        LETHE_ASSIGN_OR_RETURN(std::string url, body.Required("url"));
        LETHE_ASSIGN_OR_RETURN(auto events, body.OptionalStrings("events"));
        if (!events) return Status::InvalidArgument("invalid-field", "events is required");
        LETHE_ASSIGN_OR_RETURN(NewWebhook made, webhooks.Register(c.customer().id, req.Param("id"),
                                                                  url, *events, OriginOf(req)));
        object view = WebhookView(made.webhook);
        view["secret"] = made.secret;  // shown this once
        HttpResponse r = HttpResponse::Json(201, view);
        r.SetHeader("Location",
                    "/v1/accounts/" + made.webhook.account_id + "/webhooks/" + made.webhook.id);
        r.SetHeader("Cache-Control", "no-store");
        return r;
      });
  router.Add("GET", "/v1/accounts/{id}/webhooks", Auth::kSession, max_json_body,
             [&webhooks](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(auto list, webhooks.List(c.customer().id, req.Param("id")));
               boost::json::array items;
               for (const WebhookRecord& w : list) items.push_back(WebhookView(w));
               return HttpResponse::Json(200, object{{"webhooks", std::move(items)}});
             });
  router.Add("DELETE", "/v1/accounts/{id}/webhooks/{wid}", Auth::kSession, max_json_body,
             [&webhooks](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_RETURN_IF_ERROR(webhooks.Remove(c.customer().id, req.Param("id"),
                                                     req.Param("wid"), OriginOf(req)));
               return HttpResponse::Empty(204);
             });
  router.Add("GET", "/v1/accounts/{id}/webhooks/{wid}/deliveries", Auth::kSession, max_json_body,
             [&webhooks](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(int limit, PageLimit(req, 50, 500));
               LETHE_ASSIGN_OR_RETURN(
                   auto list,
                   webhooks.Deliveries(c.customer().id, req.Param("id"), req.Param("wid"), limit));
               boost::json::array items;
               for (const WebhookDeliveryView& v : list) items.push_back(DeliveryView(v));
               return HttpResponse::Json(200, object{{"deliveries", std::move(items)}});
             });
}

}  // namespace lethe
