// The ops channel: how `lethe backup create` reaches the server that holds
// a data directory. At start the server writes `<data>/ops.endpoint` (its
// "address:port") and `<data>/ops.token` (a fresh random token, mode 0600,
// in a 0700 directory) and keeps only the token's digest. Whoever can read
// the token file may call the ops routes: file permissions are the
// authorization, as with a Docker socket. A new start replaces both files;
// a clean stop removes them.
#pragma once

#include <string>

#include "common/status.h"

namespace lethe {

// Writes both files atomically (temp, fsync, rename). Internal on failure.
Status PublishOpsChannel(const std::string& data_dir, const std::string& endpoint,
                         const std::string& token);

// Removes both files; missing files are no error.
void RemoveOpsChannel(const std::string& data_dir);

struct OpsChannel {
  std::string endpoint;
  std::string token;
};
// Reads both files. NotFound when the server wrote none, PermissionDenied
// when the token file cannot be read by this user.
Result<OpsChannel> ReadOpsChannel(const std::string& data_dir);

// POSTs to `path` on the channel's server with its token. Returns the
// response body for a 2xx status; Unavailable when the server cannot be
// reached; Internal with the body for any other status.
Result<std::string> PostOps(const OpsChannel& channel, const std::string& path);

}  // namespace lethe
