#include "app/staff_cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "adapters/local/data_dir_lock.h"
#include "adapters/local/file_audit_anchor.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "domain/audit_log.h"
#include "domain/staff.h"

namespace lethe {

int AddStaffMember(const std::string& data_dir, const std::string& role, const std::string& name,
                   std::ostream& out, std::ostream& err) {
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
  auto lock = DataDirLock::Acquire(data_dir);
  if (!lock.ok()) {
    err << "lethe: " << lock.status().ToString() << "\n";
    return 2;
  }
  SystemClock clock;
  SystemRandom random;
  auto db = SqliteDatabase::Open(data_dir + "/lethe.db");
  if (!db.ok()) {
    err << "lethe: " << db.status().ToString() << "\n";
    return 2;
  }
  auto store = SqlMetadataStore::Open(std::move(*db), clock);
  if (!store.ok()) {
    err << "lethe: " << store.status().ToString() << "\n";
    return 2;
  }
  FileAuditAnchor anchor(data_dir + "/audit.anchor");
  if (auto loaded = anchor.Load(); !loaded.ok()) {
    err << "lethe: " << loaded.status().ToString() << "\n";
    return 2;
  }
  AuditLog audit(**store, clock, random, &anchor);
  Staff staff(**store, audit, clock, random);
  const RequestOrigin cli{"cli-staff-add", "", "", "", "", "", ""};
  auto added = staff.Add(name, *parsed, cli);
  if (!added.ok()) {
    err << "lethe: " << added.status().ToString() << "\n";
    return 2;
  }
  // The token is shown this once: only its digest is stored.
  out << "staff_id: " << added->staff.id << "\n"
      << "role: " << added->staff.role << "\n"
      << "token: " << added->token << "\n";
  return 0;
}

}  // namespace lethe
