// Routes for data-subject requests (RGT-1..4, ACC-9), for the signed-in
// customer: about itself (Lethe as controller) or about an end user of one
// of its accounts (Lethe as processor).
//
//   POST /v1/privacy-requests                  submit
//   GET  /v1/privacy-requests[?due_before=D]   list (at risk: due by D)
//   GET  /v1/privacy-requests/{id}             the request, its outcome and history
//   POST /v1/privacy-requests/{id}/verify      the mailed code, or the subject's confirmation
//   POST /v1/privacy-requests/{id}/code        mail a fresh code
//   POST /v1/privacy-requests/{id}/extend      once, with reasons, before the due date
//   POST /v1/privacy-requests/{id}/deny        with reasons
//   POST /v1/privacy-requests/{id}/fulfil      do what it asks
//   POST /v1/privacy-requests/{id}/lift        lift the limit it placed, subject told first
//   GET  /v1/privacy-requests/{id}/agent-document
#pragma once

#include <cstdint>

#include "domain/privacy_requests.h"
#include "domain/request_fulfilment.h"
#include "http/router.h"

namespace lethe {

void AddPrivacyRequestRoutes(Router& router, PrivacyRequests& requests,
                             RequestFulfilment& fulfilment, uint64_t max_json_body);

}  // namespace lethe
