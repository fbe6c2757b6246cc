// SqlKeyStore: KeyStore over its own SqlDatabase (a separate database file
// from the metadata, `keys.db` for SQLite; a separate PostgreSQL database
// for PostgreSQL). Every write survives power loss before it returns.
// Destroy overwrites the wrapped key and then has the database forget the
// old row version (SqlDatabase::Forget) before it returns:
//   - SQLite: secure_delete zeroes the freed pages, and the WAL is
//     checkpointed and truncated;
//   - PostgreSQL: the UPDATE leaves the old version as a dead tuple, and a
//     plain VACUUM would leave its bytes in the page's free space; so the
//     store's PgDatabase runs VACUUM (FULL) wrapped_keys (PostgresOptions):
//     the table is rewritten without it and the old file truncated. Its own
//     database keeps metadata transactions from pinning the dead version
//     with an old snapshot. Limits (pg_database.h): the WAL keeps the row
//     until its segment is recycled, as do WAL archives and replicas; what
//     they keep is wrapped by the master key. pg_key_store_test.cc reads
//     the raw pages before and after a destruction to prove the rest.
#pragma once

#include <memory>

#include "adapters/postgres/pg_database.h"
#include "adapters/sql/sql_database.h"
#include "ports/clock.h"
#include "ports/key_store.h"

namespace lethe {

class SqlKeyStore final : public KeyStore {
 public:
  // Takes ownership of `db` and creates the schema if needed.
  static Result<std::unique_ptr<SqlKeyStore>> Open(std::unique_ptr<SqlDatabase> db,
                                                   const Clock& clock);
  // How to open the PgDatabase of a PostgreSQL key store: forgetting
  // rewrites the key table (VACUUM FULL), and a small pool does.
  static PgOptions PostgresOptions();

  Result<std::string> PutIfAbsent(const std::string& slot, const std::string& wrapped) override;
  Result<std::string> Get(const std::string& slot) override;
  Status Destroy(const std::string& slot) override;

 private:
  SqlKeyStore(std::unique_ptr<SqlDatabase> db, const Clock& clock)
      : db_(std::move(db)), clock_(clock) {}

  std::unique_ptr<SqlDatabase> db_;
  const Clock& clock_;
};

}  // namespace lethe
