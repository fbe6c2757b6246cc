// SqliteDatabase: SqlDatabase over one SQLite file in WAL mode: one writer
// connection plus a pool of read connections (WAL lets readers run beside
// the writer, each on its own snapshot).
//
// Group commit: the writer commits with synchronous=NORMAL (WAL frames
// reach the page cache, no sync), then every power-loss-durable commit waits
// for one fdatasync of the WAL file that covers it. Commits that finish
// while a sync runs share the next one, so N concurrent commits cost far
// fewer than N syncs, and Write() still returns only once its commit is on
// disk. Process-crash durability (Durability::kProcessCrash) skips the wait.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sql/sql_database.h"
#include "adapters/sqlite/sqlite_connection.h"
#include "common/group_sync.h"

namespace lethe {

struct SqliteOptions {
  int readers = 4;  // read connections in the pool
};

class SqliteDatabase final : public SqlDatabase {
 public:
  // Opens (creating if needed, mode 0600) the database at `path`. Returns
  // Internal when the file, its WAL or a connection cannot be opened.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path,
                                                      SqliteOptions options = {});
  ~SqliteDatabase() override;

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }
  Status Write(Durability durability, const std::function<Status(SqlConnection&)>& fn) override;
  Status Read(const std::function<Status(SqlConnection&)>& fn) override;
  // Checkpoints the WAL into the database file and truncates it:
  // secure_delete has zeroed freed pages in the file, and the old pages
  // still sitting in WAL frames go with the truncation.
  Status Forget() override;

  // WAL syncs so far (group commit makes these fewer than commits).
  uint64_t wal_syncs() const { return group_->syncs(); }

 private:
  SqliteDatabase() = default;

  std::string path_;
  int wal_fd_ = -1;
  std::mutex write_mu_;  // one writer at a time, BEGIN to COMMIT
  std::unique_ptr<SqliteConnection> writer_;
  std::unique_ptr<GroupSync> group_;
  std::mutex read_mu_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  std::vector<SqliteConnection*> idle_readers_;
};

}  // namespace lethe
