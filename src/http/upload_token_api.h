// Delegated upload tokens over HTTP (issue 9): the data-plane routes a
// customer's backend calls to issue a token for a browser and to revoke
// one. The token itself is used on POST /v1/media (media_api.cc).
#pragma once

#include <cstdint>

#include "domain/upload_tokens.h"
#include "http/router.h"

namespace lethe {

// POST /v1/upload-tokens and DELETE /v1/upload-tokens/{id}, both
// Auth::kDataPlane (an upload token cannot mint or revoke tokens).
void AddUploadTokenRoutes(Router& router, UploadTokens& tokens, uint64_t max_json_body);

}  // namespace lethe
