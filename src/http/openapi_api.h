// GET /openapi.json: the OpenAPI 3.1 description of every route the server
// serves (issue 9). docs/openapi.yaml is the source of truth; the build
// converts it to JSON (cmake/openapi_embed.py) and compiles it in, so the
// document served is always the one of the binary's own source.
#pragma once

#include <string>

#include "http/router.h"

namespace lethe {

// The document as JSON text, as generated from docs/openapi.yaml.
const std::string& OpenApiJson();

// Registers GET /openapi.json: no credential, served on the network thread
// (a constant; it touches no port). 200 application/json.
void AddOpenApiRoute(Router& router);

}  // namespace lethe
