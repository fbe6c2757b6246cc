#include "http/portal_routes.h"

#include <string>

namespace lethe {
namespace {

Status NotBuilt() {
  return Status(Status::Code::kNotFound, "portal-not-built",
                "this server has no portal: build web/portal (make run does) or pass --portal DIR");
}

// Errors on portal paths carry the same security headers as the files.
void SecureProblems(HttpRequest& req) {
  HttpResponse headers;
  AddPortalSecurityHeaders(headers);
  req.problem_headers = std::move(headers.headers);
}

}  // namespace

void AddPortalRoutes(Router& router, const StaticSite* site) {
  for (std::string_view page : kPortalPages) {
    router.AddInline("GET", std::string(page),
                     [site](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
                       SecureProblems(req);
                       if (site == nullptr) return NotBuilt();
                       return ServeStaticFile(*site->Find("index.html"), req);
                     });
  }
  router.AddInline(
      "GET", "/assets/{file}", [site](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
        SecureProblems(req);
        if (site == nullptr) return NotBuilt();
        // The decoded segment is looked up as a name, never
        // opened as a path: "..", "%2F" or NUL name nothing.
        const StaticFile* file = site->Find(std::string(kAssetDir) + req.Param("file"));
        if (file == nullptr) return Status::NotFound("no such portal asset");
        return ServeStaticFile(*file, req);
      });
}

}  // namespace lethe
