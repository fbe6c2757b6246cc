// PgDatabase: SqlDatabase over a small pool of libpq connections to one
// PostgreSQL database.
//
// Write() runs fn in a SERIALIZABLE read-write transaction. When
// PostgreSQL cancels it for a serialization failure or a deadlock (SQLSTATE
// 40001, 40P01) it rolls back and runs fn again, up to `max_attempts` times
// in all; the port allows this (fn acts only through the connection). A
// transaction that asks for a table lock (SqlConnection::LockTableForWrite:
// the audit chain) is run again with `LOCK TABLE ... IN EXCLUSIVE MODE`
// as its first statement: taken before the snapshot, the lock makes
// writers of that table queue, and each sees the rows its predecessor
// committed, so the chain's sequence is never read-then-written by two.
// A lock asked for before the transaction's first statement is taken at
// once. The tables are also remembered by the first statement of the
// transaction that asked (PgLockHints), and taken just before that
// statement from then on, so a kind of transaction restarts for a lock
// about once per process, not on every run: its runs without the lock
// were the ones that kept failing to serialize (issue 13). A hint only
// adds waiting (another kind that starts alike queues too), never changes
// a result. Lock reruns do not count against `max_attempts`, and a
// transaction that asked for a lock never commits what it did without it.
// A failed transaction is rolled back only while it is still open (a
// failed COMMIT has ended it already).
// Durability::kPowerLoss commits with synchronous_commit on (the commit is
// in the server's fsynced WAL when Write returns); kProcessCrash sets it
// off for the transaction (a crash of Lethe loses nothing; a crash of the
// server may lose the last fraction of a second of them).
//
// Read() runs fn in a READ ONLY REPEATABLE READ transaction: one snapshot.
//
// Forget() (no copy of deleted or overwritten rows): PostgreSQL never
// overwrites a row in place; an UPDATE or DELETE leaves the old version as
// a dead tuple until VACUUM removes it. Plain VACUUM frees the tuple but
// leaves its bytes in the page's free space until new rows reuse it;
// VACUUM FULL rewrites the table into a new file and truncates the old one.
// So Forget() runs:
//   - kVacuumFull: VACUUM (FULL) on `forget_tables` (the key store: one
//     small table, rewritten in milliseconds; proven by a raw-page scan in
//     pg_key_store_test.cc);
//   - kVacuum: a plain VACUUM of the database (the metadata store, whose
//     tables are too large to rewrite per deletion). Limit: the freed bytes
//     stay in page free space until reused.
// Limits in both modes, stated honestly:
//   - a dead tuple still visible to an open snapshot (a long transaction in
//     the same database) survives the VACUUM; the next Forget() takes it. A
//     separate database for keys keeps metadata readers from holding keys.
//     A backend still starting up, in any database, holds a snapshot before
//     it has picked its database, and PostgreSQL counts that one for every
//     database: kVacuumFull therefore runs a second pass 200 ms later (seen
//     under parallel tests: one pass in 300 kept the row).
//   - the WAL holds the row as it was written until its segment is
//     recycled and overwritten (after the next checkpoints; archived WAL and
//     replicas keep theirs): the same as any PostgreSQL deployment. Keys are
//     stored wrapped by the master key, so a WAL copy without it is inert.
//   - the old file's blocks are freed to the file system, not overwritten.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "adapters/postgres/pg_connection.h"
#include "adapters/sql/sql_database.h"

namespace lethe {

struct PgOptions {
  int connections = 8;    // in the pool; Write and Read share it
  int max_attempts = 20;  // runs of one Write that may fail to serialize
  enum class Forget { kVacuum, kVacuumFull } forget = Forget::kVacuum;
  std::vector<std::string> forget_tables;  // for kVacuumFull
};

class PgDatabase final : public SqlDatabase {
 public:
  // Opens the pool on libpq `conninfo`. Returns Unavailable when the server
  // cannot be reached.
  static Result<std::unique_ptr<PgDatabase>> Open(const std::string& conninfo,
                                                  PgOptions options = {});

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  // Returns fn's Status; Internal when the commit failed, or when the
  // transaction kept failing to serialize `max_attempts` times (the message
  // names its first statement and the one PostgreSQL cancelled).
  Status Write(Durability durability, const std::function<Status(SqlConnection&)>& fn) override;
  // Returns fn's Status, or Internal when no snapshot could be taken.
  Status Read(const std::function<Status(SqlConnection&)>& fn) override;
  // VACUUM as `options.forget` says. Returns Internal when it failed.
  Status Forget() override;

  // Write attempts run again after a serialization failure or deadlock, and
  // after a lock request (for the tests and for measurements).
  uint64_t retries() const;

 private:
  explicit PgDatabase(PgOptions options) : options_(std::move(options)) {}
  // A connection from the pool (waits for one), reconnected if it was lost.
  Result<PgConnection*> Acquire();
  void Release(PgConnection* conn);

  PgOptions options_;
  std::vector<std::unique_ptr<PgConnection>> all_;
  mutable std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<PgConnection*> idle_;
  uint64_t retries_ = 0;
  PgLockHints hints_;
};

}  // namespace lethe
