// The operator's route for on-demand backups, used by `lethe backup create`
// while a server holds the data directory:
//   POST /v1/ops/backups   Authorization: Bearer <ops token>   -> 201
// The ops token is written at start to `<data>/ops.token` (mode 0600) and
// only its digest is kept here: whoever can read that file, and only they,
// may ask for a backup, as with a Docker socket. Compared in constant time.
#pragma once

#include <string>

#include "domain/backups.h"
#include "http/router.h"

namespace lethe {

// Registers the route. `token_digest` is TokenDigest(ops token).
void AddOpsBackupRoute(Router& router, Backups& backups, std::string token_digest);

}  // namespace lethe
