// SqliteConnection: SqlConnection over one SQLite database file, opened in
// WAL mode (synchronous=NORMAL: SqliteDatabase does the syncs) with foreign
// keys on, secure_delete on and a busy timeout. Prepared statements are
// cached by SQL text, so a hot path pays for parsing once.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "adapters/sql/sql_connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace lethe {

class SqliteConnection final : public SqlConnection {
 public:
  // Opens (creating if needed) the database at `path`, mode 0600.
  // Returns Internal when the file cannot be opened or configured.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path);
  ~SqliteConnection() override;

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }
  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override;
  Status ExecScript(const std::string& sql) override;
  int64_t ChangedRows() override;
  // Copies the whole WAL into the database file and truncates the WAL to
  // zero bytes. Waits (busy timeout) for readers on older snapshots.
  Status CheckpointTruncate();

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Result<sqlite3_stmt*> Prepare(const std::string& sql);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace lethe
