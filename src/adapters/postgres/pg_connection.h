// PgConnection: SqlConnection over one libpq connection to PostgreSQL.
//
// Statements are prepared once per connection and cached by SQL text
// (PQprepare with types left to the server, which infers each `$n` from its
// use), then run with PQexecPrepared; values travel as text, never in the
// SQL. Columns of the integer types come back as int64_t, NULL as
// monostate, everything else as text.
//
// Errors: a unique violation (SQLSTATE 23505) is AlreadyExists("conflict");
// a full disk (53100) InsufficientStorage; anything else Internal, with the
// server's message (never the conninfo, which may hold a password). A
// serialization failure or deadlock (40001, 40P01) is also remembered in
// must_retry(), which PgDatabase reads to run the transaction again.
//
// Used by one thread at a time; PgDatabase hands it out per transaction.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include "adapters/sql/sql_connection.h"

struct pg_conn;
struct pg_result;

namespace lethe {

// Tables that write transactions beginning with a given statement asked to
// lock (LockTableForWrite), shared by the connections of one PgDatabase,
// so that the next such transaction takes them before that statement.
class PgLockHints {
 public:
  void Add(const std::string& first_statement, const std::set<std::string>& tables);
  // The tables for `first_statement`; empty when none was asked for.
  std::set<std::string> For(const std::string& first_statement) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::set<std::string>> tables_;
};

class PgConnection final : public SqlConnection {
 public:
  // Connects with libpq `conninfo` (key=value pairs or a postgres:// URI).
  // Returns Unavailable when the server cannot be reached or refuses us.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override;
  // Runs `sql` (one or more statements) with the simple query protocol.
  Status ExecScript(const std::string& sql) override;
  int64_t ChangedRows() override { return changed_; }
  // In a write transaction: Ok when the lock on `table` was taken before
  // the transaction's snapshot (by PgDatabase, by a hint, or now, when no
  // statement has run yet); otherwise asks for a rerun with the lock taken
  // first (restart_locks()) and returns Unavailable("restart"). In a read
  // snapshot: Ok, nothing to lock.
  Status LockTableForWrite(const std::string& table) override;

  // Set by PgDatabase at the start of each transaction: whether it may
  // write, the tables it locked before its first read, and the hints to
  // lock by (none: no hints).
  void StartTransaction(bool write, std::set<std::string> locked, PgLockHints* hints = nullptr);
  // Called by PgDatabase once BEGIN (and its locks) ran: statements from
  // here on are the transaction's own.
  void Began() {
    began_ = true;
    run_ = 0;
  }
  // Whether this transaction hit a serialization failure or a deadlock.
  bool must_retry() const { return must_retry_; }
  // The transaction's first statement, and the one PostgreSQL cancelled
  // (both "" when none): named in the error of a Write that gave up.
  const std::string& first_statement() const { return first_statement_; }
  const std::string& failed_statement() const { return failed_statement_; }
  // Ends the transaction with ROLLBACK if one is still open: a failed
  // COMMIT has already ended it, and a second ROLLBACK only makes the
  // server warn "there is no transaction in progress".
  void RollbackIfOpen();
  // Tables the transaction asked to lock first (LockTableForWrite).
  const std::set<std::string>& restart_locks() const { return restart_locks_; }
  // False once the connection to the server is lost; PgDatabase resets it.
  bool healthy() const;
  // Reconnects a lost connection; prepared statements are made again.
  Status Reset();

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // The Status for a failed result (and notes a retryable SQLSTATE).
  Status ErrorOf(pg_result* res, const char* what);
  // LOCK TABLE `table` IN EXCLUSIVE MODE, now; remembered in locked_.
  Status LockNow(const std::string& table);
  // The server-side name of the prepared statement for `sql`.
  Result<const std::string*> Prepare(const std::string& sql, int* nparams);

  struct Prepared {
    std::string name;
    int nparams = 0;
  };
  pg_conn* conn_;
  std::unordered_map<std::string, Prepared> statements_;
  int64_t changed_ = 0;
  bool write_ = false;
  bool must_retry_ = false;
  std::set<std::string> locked_;
  std::set<std::string> restart_locks_;
  std::string first_statement_;
  std::string failed_statement_;
  PgLockHints* hints_ = nullptr;
  bool began_ = false;
  int64_t run_ = 0;  // statements run since Began()
};

}  // namespace lethe
