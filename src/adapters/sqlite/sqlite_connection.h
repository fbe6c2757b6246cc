// SqliteConnection: SqlConnection over one SQLite database file, opened in
// WAL mode with foreign keys on and a busy timeout. Prepared statements are
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
  Status SetDurable(bool durable) override;
  int64_t ChangedRows() override;
  // secure_delete zeroes freed pages in the database file; the old pages
  // still sit in WAL frames until the WAL is checkpointed and truncated.
  Status Forget() override;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Result<sqlite3_stmt*> Prepare(const std::string& sql);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace lethe
