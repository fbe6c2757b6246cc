// The recorder and player embeds (issue 15, web/embeds) at /embed/{file}:
// the module `lethe-embeds.js` that pages on any origin load with
//   <script type="module" src="https://LETHE/embed/lethe-embeds.js">
// and the examples page at /embed/examples (the build's index.html) with
// the files it loads. Served from a StaticSite in memory like the portal
// (static_site.h, portal_routes.h), with no credential.
//
// Every file is public and meant to be loaded from other origins, so each
// answer carries `Access-Control-Allow-Origin: *` (a module script is
// fetched in CORS mode) and `Cross-Origin-Resource-Policy: cross-origin`
// (pages that isolate themselves with COEP still load it). The names are
// stable (a customer's page names the file, it cannot follow a hash), so
// every file is revalidated: `Cache-Control: no-cache` with its ETag, a
// 304 when unchanged. The examples page also gets the portal's CSP.
//
// The route is registered whether or not the embeds were built; without
// a build it answers 404 `embeds-not-built`.
#pragma once

#include <string_view>

#include "http/router.h"
#include "http/static_site.h"

namespace lethe {

// The examples page's name under /embed/ (the build's index.html).
inline constexpr std::string_view kEmbedExamplesPage = "examples";

// Registers GET (and so HEAD) of /embed/{file}. `site` may be null (no
// embeds built); else it must outlive the router.
void AddEmbedRoutes(Router& router, const StaticSite* site);

}  // namespace lethe
