#include "app/offline_data_dir.h"

#include "app/store_databases.h"

namespace lethe {

Result<std::unique_ptr<OfflineDataDir>> OfflineDataDir::Open(const std::string& data_dir,
                                                             const std::string& metadata_url) {
  LETHE_ASSIGN_OR_RETURN(DataDirLock lock, DataDirLock::Acquire(data_dir));
  std::unique_ptr<OfflineDataDir> dir(new OfflineDataDir(data_dir, std::move(lock)));
  LETHE_ASSIGN_OR_RETURN(auto db, OpenMetadataDatabase(data_dir, metadata_url));
  LETHE_ASSIGN_OR_RETURN(dir->store_, SqlMetadataStore::Open(std::move(db), dir->clock_));
  LETHE_RETURN_IF_ERROR(StatusOf(dir->anchor_.Load()));
  dir->audit_ = std::make_unique<AuditLog>(*dir->store_, dir->clock_, dir->random_, &dir->anchor_);
  return dir;
}

}  // namespace lethe
