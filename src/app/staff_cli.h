// `lethe staff ...`: staff administration on a stopped server. Each command
// takes the data directory's lock (DataDirLock), so it refuses to run
// beside a live `lethe serve`, and opens the metadata store, the audit
// chain (with its anchor) and, to seal a TOTP seed, the key store under
// the master key (never the media).
#pragma once

#include <iosfwd>
#include <string>

namespace lethe {

// `lethe staff add --role ROLE --name NAME [--data DIR] [--metadata URL]
// [--keys URL]`: creates a staff
// member (audited "staff.create" by "lethe:staff-cli") and writes to `out`
// its id, its generated password and its TOTP enrolment (otpauth:// URI
// and base32 secret), all shown this once. The master key comes as for
// `lethe serve`: `master_key_hex` (LETHE_MASTER_KEY), else
// `master_key_file`, else <data>/master.key (made on first use). The
// metadata and key stores are PostgreSQL at `metadata_url` and `keys_url`
// (libpq conninfos) as for `lethe serve`, or, when empty, the SQLite files
// in the data directory. Returns 0
// on success; 2 with a message on `err` for a bad role or name, a locked
// data directory, a wrong master key or a storage failure.
int AddStaffMember(const std::string& data_dir, const std::string& role, const std::string& name,
                   const std::string& master_key_hex, const std::string& master_key_file,
                   const std::string& metadata_url, const std::string& keys_url, std::ostream& out,
                   std::ostream& err);

}  // namespace lethe
