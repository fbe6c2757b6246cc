// Webhook routes (issue 12), customer console (Auth::kSession):
//   POST   /v1/accounts/{id}/webhooks   {url, events[]} -> 201 with `secret`
//          ("whsec_...", shown this once). The URL must be https (http only
//          to 127.0.0.1 or localhost) and resolve to public addresses only.
//   GET    /v1/accounts/{id}/webhooks                    -> {"webhooks": [...]}
//   DELETE /v1/accounts/{id}/webhooks/{wid}              -> 204
//   GET    /v1/accounts/{id}/webhooks/{wid}/deliveries[?limit=N]
//          newest first: {id, event_type, state, attempts, created_at,
//          next_attempt_at, attempts_log: [{attempt, at, status_code,
//          error, duration_ms}]}
#pragma once

#include <cstdint>

#include "domain/webhooks.h"
#include "http/router.h"

namespace lethe {

void AddWebhookRoutes(Router& router, Webhooks& webhooks, uint64_t max_json_body);

}  // namespace lethe
