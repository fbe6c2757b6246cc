#include "app/staff_cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "app/offline_data_dir.h"
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
  auto dir = OfflineDataDir::Open(data_dir);
  if (!dir.ok()) {
    err << "lethe: " << dir.status().ToString() << "\n";
    return 2;
  }
  Staff staff((*dir)->store(), (*dir)->audit(), (*dir)->clock(), (*dir)->random());
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
