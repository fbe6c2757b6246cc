#include "adapters/sql/sql_key_store.h"

#include <optional>

#include "adapters/sql/schema.h"

namespace lethe {
namespace {

const std::vector<Migration>& KeyMigrations(SqlDialect dialect) {
  static const std::vector<Migration> kSqlite = {
      {1,
       "CREATE TABLE wrapped_keys (slot TEXT PRIMARY KEY, wrapped TEXT, "
       "created_ms INTEGER NOT NULL, destroyed_ms INTEGER)"},
  };
  static const std::vector<Migration> kPostgres = {
      {1,
       "CREATE TABLE wrapped_keys (slot TEXT PRIMARY KEY, wrapped TEXT, "
       "created_ms BIGINT NOT NULL, destroyed_ms BIGINT)"},
  };
  return dialect == SqlDialect::kPostgres ? kPostgres : kSqlite;
}

Status Destroyed(const std::string& slot) {
  return Status::FailedPrecondition("key-destroyed", "the key for " + slot + " was destroyed");
}

// The wrapped key in `slot`: NotFound when none was stored, FailedPrecondition
// when it was destroyed.
Result<std::string> ReadSlot(SqlConnection& conn, const std::string& slot) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows,
      conn.Query("SELECT wrapped, destroyed_ms FROM wrapped_keys WHERE slot = $1", {slot}));
  if (rows.empty()) return Status::NotFound("no key for " + slot);
  if (SqlOptInt(rows[0][1])) return Destroyed(slot);
  return SqlText(rows[0][0]);
}

}  // namespace

PgOptions SqlKeyStore::PostgresOptions() {
  PgOptions options;
  options.connections = 2;
  options.forget = PgOptions::Forget::kVacuumFull;
  options.forget_tables = {"wrapped_keys"};
  return options;
}

Result<std::unique_ptr<SqlKeyStore>> SqlKeyStore::Open(std::unique_ptr<SqlDatabase> db,
                                                       const Clock& clock) {
  LETHE_RETURN_IF_ERROR(ApplyMigrations(*db, KeyMigrations(db->dialect()), clock.NowMillis()));
  return std::unique_ptr<SqlKeyStore>(new SqlKeyStore(std::move(db), clock));
}

// Key writes are rare and everything depends on them: every commit here
// survives power loss, before any record that needs the key is written.
Result<std::string> SqlKeyStore::PutIfAbsent(const std::string& slot, const std::string& wrapped) {
  std::optional<Result<std::string>> out;
  Status st = db_->Write(Durability::kPowerLoss, [&](SqlConnection& conn) -> Status {
    LETHE_RETURN_IF_ERROR(
        conn.Query("INSERT INTO wrapped_keys (slot, wrapped, created_ms) VALUES ($1, $2, $3) "
                   "ON CONFLICT (slot) DO NOTHING",
                   {slot, wrapped, clock_.NowMillis()}));
    out = ReadSlot(conn, slot);
    return StatusOf(*out);
  });
  if (!st.ok()) return st;
  return std::move(*out);
}

Result<std::string> SqlKeyStore::Get(const std::string& slot) {
  std::optional<Result<std::string>> out;
  Status st = db_->Read([&](SqlConnection& conn) {
    out = ReadSlot(conn, slot);
    return StatusOf(*out);
  });
  if (!st.ok()) return st;
  return std::move(*out);
}

Status SqlKeyStore::Destroy(const std::string& slot) {
  LETHE_RETURN_IF_ERROR(db_->Write(Durability::kPowerLoss, [&](SqlConnection& conn) -> Status {
    LETHE_RETURN_IF_ERROR(
        conn.Query("UPDATE wrapped_keys SET wrapped = NULL, destroyed_ms = $2 WHERE slot = $1",
                   {slot, clock_.NowMillis()}));
    if (conn.ChangedRows() == 0) return Status::NotFound("no key for " + slot);
    return Status::Ok();
  }));
  // SQLite: the old page still sits in the write-ahead log: move the log
  // into the database (where secure_delete zeroed it) and truncate it.
  // PostgreSQL: the old row version is a dead tuple: rewrite the table.
  return db_->Forget();
}

}  // namespace lethe
