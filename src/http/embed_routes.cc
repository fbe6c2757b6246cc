#include "http/embed_routes.h"

#include <string>

namespace lethe {
namespace {

void AddCrossOriginHeaders(HttpResponse& r) {
  r.SetHeader("Access-Control-Allow-Origin", "*");
  r.SetHeader("Cross-Origin-Resource-Policy", "cross-origin");
}

}  // namespace

void AddEmbedRoutes(Router& router, const StaticSite* site) {
  router.AddInline(
      "GET", "/embed/{file}", [site](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
        HttpResponse headers;
        AddCrossOriginHeaders(headers);
        req.problem_headers = std::move(headers.headers);
        if (site == nullptr) {
          return Status(Status::Code::kNotFound, "embeds-not-built",
                        "this server has no embeds: build web/embeds (make run does) or pass "
                        "--embeds DIR");
        }
        // Looked up as a name, never opened as a path (static_site.h).
        std::string name = req.Param("file");
        if (name == kEmbedExamplesPage) name = "index.html";
        if (name == "index.html" && req.Param("file") != kEmbedExamplesPage) name.clear();
        const StaticFile* file = name.empty() ? nullptr : site->Find(name);
        if (file == nullptr) return Status::NotFound("no such embed file");
        HttpResponse r = ServeStaticFile(*file, req);
        // Stable names: revalidated, never immutable.
        r.SetHeader("Cache-Control", "no-cache");
        AddCrossOriginHeaders(r);
        return r;
      });
}

}  // namespace lethe
