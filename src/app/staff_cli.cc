#include "app/staff_cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "adapters/sql/sql_key_store.h"
#include "app/master_key.h"
#include "app/offline_data_dir.h"
#include "app/store_databases.h"
#include "domain/key_ring.h"
#include "domain/staff.h"

namespace lethe {

int AddStaffMember(const std::string& data_dir, const std::string& role, const std::string& name,
                   const std::string& master_key_hex, const std::string& master_key_file,
                   const std::string& metadata_url, const std::string& keys_url, std::ostream& out,
                   std::ostream& err) {
  std::optional<StaffRole> parsed = ParseStaffRole(role);
  if (!parsed) {
    err << "lethe: --role must be support, security, legal or admin\n";
    return 2;
  }
  if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    err << "lethe: cannot create data directory " << data_dir << ": " << std::strerror(errno)
        << "\n";
    return 2;
  }
  auto dir = OfflineDataDir::Open(data_dir, metadata_url);
  if (!dir.ok()) {
    err << "lethe: " << dir.status().ToString() << "\n";
    return 2;
  }
  // The TOTP seed is sealed under the member's key, as the server would.
  const bool default_key = master_key_file.empty();
  auto master =
      LoadMasterKey(master_key_hex, default_key ? data_dir + "/master.key" : master_key_file,
                    default_key, (*dir)->random());
  if (!master.ok()) {
    err << "lethe: " << master.status().ToString() << "\n";
    return 2;
  }
  KeyWiper wipe(*master);
  auto key_db = OpenKeyDatabase(data_dir, keys_url);
  if (!key_db.ok()) {
    err << "lethe: " << key_db.status().ToString() << "\n";
    return 2;
  }
  auto key_store = SqlKeyStore::Open(std::move(*key_db), (*dir)->clock());
  if (!key_store.ok()) {
    err << "lethe: " << key_store.status().ToString() << "\n";
    return 2;
  }
  KeyRing ring(*master, **key_store, (*dir)->random());
  Status matches = ring.CheckMasterKey();
  if (!matches.ok()) {
    err << "lethe: " << matches.ToString() << "\n";
    return 2;
  }
  Staff staff((*dir)->store(), (*dir)->audit(), ring, (*dir)->clock(), (*dir)->random());
  const RequestOrigin cli{"cli-staff-add", "", "", "", "", "", ""};
  auto added = staff.Add(name, *parsed, cli);
  if (!added.ok()) {
    err << "lethe: " << added.status().ToString() << "\n";
    return 2;
  }
  // Shown this once: the password is kept hashed, the seed sealed.
  out << "staff_id: " << added->staff.id << "\n"
      << "role: " << added->staff.role << "\n"
      << "password: " << added->password << "\n"
      << "totp_uri: " << added->totp_uri << "\n"
      << "totp_secret: " << added->totp_secret << "\n";
  return 0;
}

}  // namespace lethe
