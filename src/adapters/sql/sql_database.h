// SqlDatabase: one database engine's connections, transactions and
// durability, behind the shared SQL of src/adapters/sql. In the spirit of
// Drogon's DbClient: one interface, one factory per backend (SQLite:
// sqlite_database.h; PostgreSQL next, over a pool of libpq connections).
//
// Write() runs a serializable read-write transaction; Read() runs a
// read-only snapshot that may run beside writers and other readers. BEGIN,
// COMMIT, ROLLBACK and the syncs that make a commit durable happen here,
// never in the code that issues the statements.
#pragma once

#include <functional>

#include "adapters/sql/sql_connection.h"
#include "common/status.h"
#include "ports/metadata_store.h"  // Durability

namespace lethe {

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  virtual SqlDialect dialect() const = 0;

  // Runs `fn` in a serializable transaction on a connection that may write.
  // Commits when fn returns OK, rolls back otherwise and returns fn's Status.
  // Returns once the commit is as durable as `durability` asks; Internal if
  // the commit or its sync failed (the writes may then be lost on power
  // loss, never half applied). A backend may run fn again after a
  // serialization conflict, so fn must not act outside the connection.
  virtual Status Write(Durability durability, const std::function<Status(SqlConnection&)>& fn) = 0;

  // Runs `fn` on a connection holding one consistent snapshot of committed
  // data. fn must only read. Returns fn's Status, or Internal when no
  // snapshot could be taken.
  virtual Status Read(const std::function<Status(SqlConnection&)>& fn) = 0;

  // Makes sure that what committed transactions deleted or overwrote leaves
  // no copy in the database's files (forgetting depends on it). Returns
  // Internal when the engine cannot do it now; the next call redoes it.
  virtual Status Forget() = 0;
};

}  // namespace lethe
