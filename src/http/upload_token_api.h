// Delegated upload tokens over HTTP (issue 9): the data-plane routes a
// customer's backend calls to issue a token for a browser and to revoke
// one, and the customer's own routes for the portal (issue 15). The token
// itself is used on POST /v1/media (media_api.cc) and tus.
#pragma once

#include <cstdint>

#include "domain/accounts.h"
#include "domain/upload_tokens.h"
#include "http/router.h"

namespace lethe {

// POST /v1/upload-tokens and DELETE /v1/upload-tokens/{id}, both
// Auth::kDataPlane (an upload token cannot mint or revoke tokens); and,
// with a session, GET and POST /v1/accounts/{id}/upload-tokens and DELETE
// /v1/accounts/{id}/upload-tokens/{token_id} on the customer's own
// accounts (another's is 404).
void AddUploadTokenRoutes(Router& router, UploadTokens& tokens, Accounts& accounts,
                          uint64_t max_json_body);

}  // namespace lethe
