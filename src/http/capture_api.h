// The recorder's notice and consent over HTTP (issue 15,
// capture_consent.h). Both routes take an upload token (Auth::kUpload), so
// a page on another origin the account lists can call them with the token
// its backend handed it, before anything is recorded:
//
//   GET  /v1/capture-notice    the account's notice, its purposes and the
//                              policy version in force
//   POST /v1/capture-consents  {"decision": "opt_in"|"opt_out",
//                              "purposes"?: [...], "end_user"?: "..."}:
//                              the token's end user's consent, source
//                              "recorder", one entry per purpose
#pragma once

#include <cstdint>

#include "domain/capture_consent.h"
#include "http/router.h"

namespace lethe {

void AddCaptureRoutes(Router& router, CaptureConsent& capture, uint64_t max_json_body);

}  // namespace lethe
