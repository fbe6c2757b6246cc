// Public routes of the audit chain's signed checkpoints (SEC-1), no
// credentials needed, run on the blocking pool (they read the store):
//   GET /.well-known/lethe/checkpoint             text/plain: the C2SP note
//   GET /.well-known/lethe/checkpoint/consistency?from=M&to=N
//       {"from": M, "to": N, "proof": [base64 hash, ...]}; 400 bad-request
//       when a size is missing, not a decimal number, from > to, or to is
//       past the chain's current size.
#pragma once

#include <cstdint>

#include "domain/audit_checkpoints.h"
#include "http/router.h"

namespace lethe {

void AddCheckpointRoutes(Router& router, AuditCheckpoints& checkpoints, uint64_t max_json_body);

}  // namespace lethe
