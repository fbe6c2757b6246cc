// Export download (RGT-1): GET /v1/exports/{token} streams the ZIP of a
// subject export (domain/subject_export.h). The token is the credential,
// as a signed media link is: the route takes no other auth, and the link
// works once, for 24 hours (410 link-gone after that; 404 for a token never
// issued). The length is known only at the end, so the body is chunked.
#pragma once

#include "domain/export_links.h"
#include "http/router.h"

namespace lethe {

void AddExportRoutes(Router& router, ExportLinks& links);

}  // namespace lethe
