// Data-plane routes about the account itself and its usage (USE-1), and the
// operations routes (health and metrics).
#pragma once

#include <cstdint>

#include "domain/usage_ledger.h"
#include "http/metrics.h"
#include "http/router.h"

namespace lethe {

void AddAccountDataRoutes(Router& router, UsageLedger& usage, uint64_t max_json_body);
void AddOpsRoutes(Router& router, Metrics& metrics);
// GET /.well-known/lethe/signing-key: the deployment's Ed25519 public key
// (standard base64), which verifies its receipts and checkpoints.
void AddSigningKeyRoute(Router& router, const std::string& public_key_base64);

}  // namespace lethe
