#include "http/integration_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"

namespace lethe {
namespace {

using boost::json::object;

// Lists its fields: the sealed token is never among them.
object IntegrationView(const IntegrationRecord& i) {
  return {{"id", i.id},
          {"account_id", i.account_id},
          {"provider", i.provider},
          {"label", i.label},
          {"created_at", FormatRfc3339(i.created_ms)}};
}

Result<HttpResponse> Add(Integrations& integrations, HttpRequest& req, const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"provider", "token", "label"}));
  IntegrationForm form;
  LETHE_ASSIGN_OR_RETURN(form.provider, body.Required("provider"));
  LETHE_ASSIGN_OR_RETURN(form.token, body.Required("token"));
  LETHE_ASSIGN_OR_RETURN(auto label, body.Optional("label"));
  form.label = label.value_or("");
  const CustomerRecord& who = c.customer();
  auto added = integrations.Add(who.id, req.Param("id"), form, c.actor(), OriginOf(req));
  form.token.assign(form.token.size(), '\0');
  LETHE_RETURN_IF_ERROR(StatusOf(added));
  HttpResponse r = HttpResponse::Json(201, IntegrationView(*added));
  r.SetHeader("Location", "/v1/accounts/" + added->account_id + "/integrations/" + added->id);
  return r;
}

}  // namespace

void AddIntegrationRoutes(Router& router, Integrations& integrations, uint64_t max_json_body) {
  router.Add(
      "POST", "/v1/accounts/{id}/integrations", Auth::kSession, max_json_body,
      [&integrations](HttpRequest& req, const Caller& c) { return Add(integrations, req, c); });
  router.Add("GET", "/v1/accounts/{id}/integrations", Auth::kSession, max_json_body,
             [&integrations](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(auto list,
                                      integrations.List(c.customer().id, req.Param("id")));
               boost::json::array items;
               for (const IntegrationRecord& i : list) items.push_back(IntegrationView(i));
               return HttpResponse::Json(200, object{{"integrations", std::move(items)}});
             });
  router.Add("DELETE", "/v1/accounts/{id}/integrations/{integration_id}", Auth::kSession,
             max_json_body,
             [&integrations](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               const CustomerRecord& who = c.customer();
               LETHE_RETURN_IF_ERROR(integrations.Remove(
                   who.id, req.Param("id"), req.Param("integration_id"), c.actor(), OriginOf(req)));
               return HttpResponse::Empty(204);
             });
}

}  // namespace lethe
