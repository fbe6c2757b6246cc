#include "http/openapi_api.h"

namespace lethe {

void AddOpenApiRoute(Router& router) {
  router.AddInline("GET", "/openapi.json", [](HttpRequest&, const Caller&) -> Result<HttpResponse> {
    HttpResponse r;
    r.body = OpenApiJson();
    r.SetHeader("Content-Type", "application/json");
    return r;
  });
}

}  // namespace lethe
