// SqlConnection: the narrow seam between Lethe's shared SQL and one database
// engine, in the spirit of Drogon's DbClient. Statements use numbered
// placeholders `$1, $2, ...`, which both SQLite and PostgreSQL accept, and
// are always parameterised: values never go into the SQL text.
//
// A connection is used by one thread at a time: an SqlDatabase hands it out
// for one transaction and takes it back. Transactions, durability and
// pooling live in SqlDatabase (sql_database.h), not here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"

namespace lethe {

using SqlValue = std::variant<std::monostate, int64_t, std::string>;
using SqlRow = std::vector<SqlValue>;

// Helpers to read a column.
inline std::string SqlText(const SqlValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  return {};
}
inline int64_t SqlInt(const SqlValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  return 0;
}
inline std::optional<std::string> SqlOptText(const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  return SqlText(v);
}
inline std::optional<int64_t> SqlOptInt(const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  return SqlInt(v);
}
inline SqlValue SqlNullable(const std::optional<std::string>& s) {
  return s ? SqlValue(*s) : SqlValue();
}
inline SqlValue SqlNullable(const std::optional<int64_t>& i) {
  return i ? SqlValue(*i) : SqlValue();
}

enum class SqlDialect { kSqlite, kPostgres };

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual SqlDialect dialect() const = 0;

  // Runs one statement with `params` bound to $1..$n and returns its rows.
  // A unique-constraint violation returns AlreadyExists("conflict", ...);
  // any other failure returns Internal.
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql,
                                            const std::vector<SqlValue>& params) = 0;
  // Runs statements with no parameters (schema changes, BEGIN, COMMIT).
  virtual Status ExecScript(const std::string& sql) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  virtual int64_t ChangedRows() = 0;
  // Makes this write transaction the only writer of `table` until it ends,
  // and lets it read the table's newest committed rows (a chain's head, read
  // and then appended to: the audit chain). Does nothing in a read
  // snapshot. Ok once held; a backend that must take the lock before the
  // transaction's first read (PostgreSQL) returns Unavailable("restart")
  // instead, and its SqlDatabase runs the transaction again with the lock
  // taken first. SQLite: Ok, its writers are serial already.
  virtual Status LockTableForWrite(const std::string& table) { return Status::Ok(); }
};

}  // namespace lethe
