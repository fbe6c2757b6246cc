// SqlKeyStore: KeyStore over its own SqlDatabase (a separate database file
// from the metadata, `keys.db` for SQLite). Every write survives power loss
// before it returns. Destroy overwrites the wrapped
// key and SQLite's secure_delete zeroes the freed pages.
#pragma once

#include <memory>

#include "adapters/sql/sql_database.h"
#include "ports/clock.h"
#include "ports/key_store.h"

namespace lethe {

class SqlKeyStore final : public KeyStore {
 public:
  // Takes ownership of `db` and creates the schema if needed.
  static Result<std::unique_ptr<SqlKeyStore>> Open(std::unique_ptr<SqlDatabase> db,
                                                   const Clock& clock);

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
