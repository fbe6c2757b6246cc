// InstanceId: the name of one `lethe serve` instance, kept in its data
// directory so that it survives restarts.
//
// Several servers may share one metadata store (issue 13). What one of
// them claims there (a job's lease, a derived artifact's lease, a blob
// intent) carries its instance id. Only one process at a time holds a data
// directory (DataDirLock), so a server that starts on it knows that
// whatever its own id holds is a dead predecessor's and can take it back at
// once, while a peer's claims are left to expire.
#pragma once

#include <string>

#include "common/status.h"
#include "ports/random.h"

namespace lethe {

// Reads `<data_dir>/instance.id`, or creates it with a new random id
// ("ins_" and 20 characters) when absent. The caller holds the data
// directory's lock. Returns the id; InvalidArgument when the file holds
// something that is not such an id; Unavailable or Internal when it cannot
// be read or written durably.
Result<std::string> LoadInstanceId(const std::string& data_dir, Random& random);

}  // namespace lethe
