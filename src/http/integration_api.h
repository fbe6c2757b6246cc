// Integration routes (SEC-3), customer console (Auth::kSession):
//   POST   /v1/accounts/{id}/integrations        {"provider", "token", "label"?}
//          stores the token sealed (201); the token is never shown again
//   GET    /v1/accounts/{id}/integrations        the account's integrations,
//          without their tokens
//   DELETE /v1/accounts/{id}/integrations/{integration_id}
//          destroys the token and removes the integration (204)
#pragma once

#include <cstdint>

#include "domain/integrations.h"
#include "http/router.h"

namespace lethe {

void AddIntegrationRoutes(Router& router, Integrations& integrations, uint64_t max_json_body);

}  // namespace lethe
