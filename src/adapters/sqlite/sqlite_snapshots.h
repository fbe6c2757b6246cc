// SqliteSnapshots: DataSnapshots of a data directory whose databases are
// SQLite files, for backups while the server runs.
//
// Database() opens its own connection to the file and copies it with the
// SQLite online backup API (sqlite3_backup_*) in a single step into an
// in-memory database, so the copy is one read transaction's snapshot
// (WAL lets the server keep writing meanwhile) and no plaintext copy ever
// touches the disk. The image is then serialized (sqlite3_serialize). Memory
// use is the database's size: metadata, not media.
#pragma once

#include <string>

#include "ports/data_snapshots.h"

namespace lethe {

class SqliteSnapshots final : public DataSnapshots {
 public:
  explicit SqliteSnapshots(std::string data_dir) : dir_(std::move(data_dir)) {}
  Result<std::vector<uint8_t>> Database(const std::string& name) override;
  Result<std::vector<uint8_t>> SmallFile(const std::string& name) override;

 private:
  std::string dir_;
};

}  // namespace lethe
