// The portal's files at / (issue 15): its pages, each answered with the
// site's index.html (the front end routes them in the browser), and its
// assets at /assets/{file}. Served from a StaticSite in memory, on the
// network thread (no port and no disk is touched), with no credential:
// the pages hold no data until the browser calls the API with the
// session cookie (browser_session.h).
//
// The routes are registered whether or not a portal was built, so the
// server's route table is the same either way; without a site they
// answer 404 `portal-not-built`.
#pragma once

#include <array>
#include <string_view>

#include "http/router.h"
#include "http/static_site.h"

namespace lethe {

// The paths of the portal's pages. web/portal/src/routes.ts routes the same
// paths in the browser. A section of an account (/accounts/{id}/media, its
// items /accounts/{id}/media/{item}) and of the staff console
// (/staff/{section}) is routed in the browser only: a section added there
// needs no change here. Other pages are added here (and to
// docs/openapi.yaml).
inline constexpr std::array<std::string_view, 10> kPortalPages = {"/",
                                                                  "/signin",
                                                                  "/signup",
                                                                  "/security",
                                                                  "/accounts/{id}",
                                                                  "/accounts/{id}/{section}",
                                                                  "/accounts/{id}/{section}/{item}",
                                                                  "/staff",
                                                                  "/staff/{section}",
                                                                  "/privacy/{account}"};

// Registers GET (and so HEAD) of every page and of /assets/{file}.
// `site` may be null (no portal built); else it must outlive the router.
void AddPortalRoutes(Router& router, const StaticSite* site);

}  // namespace lethe
