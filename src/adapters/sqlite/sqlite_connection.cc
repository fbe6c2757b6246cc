#include "adapters/sqlite/sqlite_connection.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>

namespace lethe {
namespace {

// The Status for SQLite result `code` (extended or primary) and its message.
Status StatusFor(int code, const std::string& msg) {
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status::AlreadyExists("conflict", msg);
  }
  if ((code & 0xff) == SQLITE_FULL)
    return Status::InsufficientStorage("the database volume is full");
  return Status::Internal(msg);
}

Status SqliteError(sqlite3* db, const std::string& what) {
  return StatusFor(sqlite3_extended_errcode(db), what + ": " + sqlite3_errmsg(db));
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path) {
  // Create the file with owner-only permissions before SQLite touches it.
  mode_t old = umask(077);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  umask(old);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::Internal("cannot open " + path + ": " + msg);
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_busy_timeout(db, 5000);
  // WAL: readers never block the writer. synchronous=NORMAL survives any
  // process crash; SqliteDatabase syncs the WAL for power-loss durability.
  LETHE_RETURN_IF_ERROR(
      conn->ExecScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                       "PRAGMA secure_delete=ON;"));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<sqlite3_stmt*> SqliteConnection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "prepare");
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

Result<std::vector<SqlRow>> SqliteConnection::Query(const std::string& sql,
                                                    const std::vector<SqlValue>& params) {
  LETHE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (size_t i = 0; i < params.size(); ++i) {
    // `$N` is a named parameter to SQLite; look its slot up by name.
    std::string name = "$" + std::to_string(i + 1);
    int idx = sqlite3_bind_parameter_index(stmt, name.c_str());
    if (idx == 0) continue;  // parameter not used by this statement
    const SqlValue& v = params[i];
    int rc;
    if (auto* s = std::get_if<std::string>(&v)) {
      rc = sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else if (auto* n = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, idx, *n);
    } else {
      rc = sqlite3_bind_null(stmt, idx);
    }
    if (rc != SQLITE_OK) return SqliteError(db_, "bind");
  }
  std::vector<SqlRow> rows;
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      Status st = SqliteError(db_, "step");
      sqlite3_reset(stmt);
      return st;
    }
    int n = sqlite3_column_count(stmt);
    SqlRow row;
    row.reserve(n);
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL:
          row.emplace_back();
          break;
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        default: {
          auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(p ? p : "", sqlite3_column_bytes(stmt, c)));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_reset(stmt);
  return rows;
}

Status SqliteConnection::ExecScript(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return StatusFor(rc, "sqlite: " + msg);
  }
  return Status::Ok();
}

int64_t SqliteConnection::ChangedRows() { return sqlite3_changes64(db_); }

Status SqliteConnection::CheckpointTruncate() {
  int log = 0, checkpointed = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &checkpointed);
  if (rc != SQLITE_OK) return SqliteError(db_, "checkpoint");
  return Status::Ok();
}

}  // namespace lethe
