// SqlKeyStore: KeyStore over its own SqlConnection (a separate database file
// from the metadata, `keys.db` for SQLite). Destroy overwrites the wrapped
// key and SQLite's secure_delete zeroes the freed pages.
#pragma once

#include <memory>
#include <mutex>

#include "adapters/sql/sql_connection.h"
#include "ports/clock.h"
#include "ports/key_store.h"

namespace lethe {

class SqlKeyStore final : public KeyStore {
 public:
  // Takes ownership of `conn` and creates the schema if needed.
  static Result<std::unique_ptr<SqlKeyStore>> Open(std::unique_ptr<SqlConnection> conn,
                                                   const Clock& clock);

  Result<std::string> PutIfAbsent(const std::string& slot, const std::string& wrapped) override;
  Result<std::string> Get(const std::string& slot) override;
  Status Destroy(const std::string& slot) override;

 private:
  SqlKeyStore(std::unique_ptr<SqlConnection> conn, const Clock& clock)
      : conn_(std::move(conn)), clock_(clock) {}

  std::mutex mu_;
  std::unique_ptr<SqlConnection> conn_;
  const Clock& clock_;
};

}  // namespace lethe
