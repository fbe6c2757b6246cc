#include "app/offline_data_dir.h"

#include "adapters/sqlite/sqlite_database.h"

namespace lethe {

Result<std::unique_ptr<OfflineDataDir>> OfflineDataDir::Open(const std::string& data_dir) {
  LETHE_ASSIGN_OR_RETURN(DataDirLock lock, DataDirLock::Acquire(data_dir));
  std::unique_ptr<OfflineDataDir> dir(new OfflineDataDir(data_dir, std::move(lock)));
  LETHE_ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(data_dir + "/lethe.db"));
  LETHE_ASSIGN_OR_RETURN(dir->store_, SqlMetadataStore::Open(std::move(db), dir->clock_));
  LETHE_RETURN_IF_ERROR(StatusOf(dir->anchor_.Load()));
  dir->audit_ = std::make_unique<AuditLog>(*dir->store_, dir->clock_, dir->random_, &dir->anchor_);
  return dir;
}

}  // namespace lethe
