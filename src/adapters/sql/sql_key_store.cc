#include "adapters/sql/sql_key_store.h"

#include "adapters/sql/schema.h"

namespace lethe {
namespace {

const std::vector<Migration>& KeyMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "CREATE TABLE wrapped_keys (slot TEXT PRIMARY KEY, wrapped TEXT, "
       "created_ms INTEGER NOT NULL, destroyed_ms INTEGER)"},
  };
  return kMigrations;
}

Status Destroyed(const std::string& slot) {
  return Status::FailedPrecondition("key-destroyed", "the key for " + slot + " was destroyed");
}

}  // namespace

Result<std::unique_ptr<SqlKeyStore>> SqlKeyStore::Open(std::unique_ptr<SqlConnection> conn,
                                                       const Clock& clock) {
  LETHE_RETURN_IF_ERROR(ApplyMigrations(*conn, KeyMigrations(), clock.NowMillis()));
  // Key writes are rare and everything depends on them: every commit here
  // survives power loss, before any record that needs the key is written.
  LETHE_RETURN_IF_ERROR(conn->SetDurable(true));
  return std::unique_ptr<SqlKeyStore>(new SqlKeyStore(std::move(conn), clock));
}

Result<std::string> SqlKeyStore::PutIfAbsent(const std::string& slot, const std::string& wrapped) {
  std::lock_guard lock(mu_);
  LETHE_RETURN_IF_ERROR(
      conn_->Query("INSERT INTO wrapped_keys (slot, wrapped, created_ms) VALUES ($1, $2, $3) "
                   "ON CONFLICT (slot) DO NOTHING",
                   {slot, wrapped, clock_.NowMillis()}));
  LETHE_ASSIGN_OR_RETURN(
      auto rows,
      conn_->Query("SELECT wrapped, destroyed_ms FROM wrapped_keys WHERE slot = $1", {slot}));
  if (rows.empty()) return Status::Internal("key slot vanished: " + slot);
  if (SqlOptInt(rows[0][1])) return Destroyed(slot);
  return SqlText(rows[0][0]);
}

Result<std::string> SqlKeyStore::Get(const std::string& slot) {
  std::lock_guard lock(mu_);
  LETHE_ASSIGN_OR_RETURN(
      auto rows,
      conn_->Query("SELECT wrapped, destroyed_ms FROM wrapped_keys WHERE slot = $1", {slot}));
  if (rows.empty()) return Status::NotFound("no key for " + slot);
  if (SqlOptInt(rows[0][1])) return Destroyed(slot);
  return SqlText(rows[0][0]);
}

Status SqlKeyStore::Destroy(const std::string& slot) {
  std::lock_guard lock(mu_);
  LETHE_RETURN_IF_ERROR(
      conn_->Query("UPDATE wrapped_keys SET wrapped = NULL, destroyed_ms = $2 WHERE slot = $1",
                   {slot, clock_.NowMillis()}));
  if (conn_->ChangedRows() == 0) return Status::NotFound("no key for " + slot);
  // The old page still sits in the write-ahead log: move the log into the
  // database (where secure_delete zeroed it) and truncate it.
  return conn_->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace lethe
