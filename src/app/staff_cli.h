// `lethe staff ...`: staff administration on a stopped server. Each command
// takes the data directory's lock (DataDirLock), so it refuses to run
// beside a live `lethe serve`, and opens only the metadata store and the
// audit chain (with its anchor), never the keys or the media.
#pragma once

#include <iosfwd>
#include <string>

namespace lethe {

// `lethe staff add --role ROLE --name NAME [--data DIR]`: creates a staff
// member (audited "staff.create" by "lethe:staff-cli") and writes its id and its
// token, shown this once, to `out`. Returns 0 on success; 2 with a message
// on `err` for a bad role or name, a locked data directory or a storage
// failure.
int AddStaffMember(const std::string& data_dir, const std::string& role, const std::string& name,
                   std::ostream& out, std::ostream& err);

}  // namespace lethe
