#include "adapters/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

namespace lethe {
namespace {

// Type oids of the integer types (pg_type.h): int8, int2, int4, oid.
constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kOidType = 26, kBool = 16;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string ServerMessage(PGconn* conn, PGresult* res) {
  const char* msg = res ? PQresultErrorMessage(res) : nullptr;
  if (!msg || !*msg) msg = PQerrorMessage(conn);
  std::string out = msg ? msg : "unknown error";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names host and user, never the password.
    std::string msg = conn ? ServerMessage(conn, nullptr) : "out of memory";
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<PgConnection> out(new PgConnection(conn));
  // Quiet notices (VACUUM, IF NOT EXISTS) and UTC for anything time-like.
  LETHE_RETURN_IF_ERROR(out->ExecScript("SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
  return out;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

Status PgConnection::Reset() {
  PQreset(conn_);
  statements_.clear();  // a new session has none of them
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Status::Unavailable("cannot reconnect to PostgreSQL: " + ServerMessage(conn_, nullptr));
  }
  return ExecScript("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
}

void PgLockHints::Add(const std::string& first_statement, const std::set<std::string>& tables) {
  std::lock_guard lock(mu_);
  tables_[first_statement].insert(tables.begin(), tables.end());
}

std::set<std::string> PgLockHints::For(const std::string& first_statement) const {
  std::lock_guard lock(mu_);
  auto it = tables_.find(first_statement);
  return it == tables_.end() ? std::set<std::string>() : it->second;
}

void PgConnection::StartTransaction(bool write, std::set<std::string> locked, PgLockHints* hints) {
  write_ = write;
  locked_ = std::move(locked);
  hints_ = hints;
  began_ = false;
  run_ = 0;
  restart_locks_.clear();
  must_retry_ = false;
  changed_ = 0;
  first_statement_.clear();
  failed_statement_.clear();
}

void PgConnection::RollbackIfOpen() {
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  if (status != PQTRANS_INTRANS && status != PQTRANS_INERROR) return;
  PgResult res(PQexec(conn_, "ROLLBACK"));
}

Status PgConnection::LockNow(const std::string& table) {
  // Before the first statement of the transaction: no snapshot yet, so
  // the snapshot comes after the lock, as if BEGIN had taken it.
  PgResult res(PQexec(conn_, ("LOCK TABLE " + table + " IN EXCLUSIVE MODE").c_str()));
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return ErrorOf(res.get(), "lock");
  locked_.insert(table);
  return Status::Ok();
}

Status PgConnection::LockTableForWrite(const std::string& table) {
  if (!write_ || locked_.count(table)) return Status::Ok();
  if (began_ && run_ == 0) return LockNow(table);
  restart_locks_.insert(table);
  return Status::Unavailable("restart: the transaction must lock " + table + " first");
}

Status PgConnection::ErrorOf(PGresult* res, const char* what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = std::string("postgres ") + what + ": " + ServerMessage(conn_, res);
  if (state) {
    if (std::strcmp(state, "23505") == 0) return Status::AlreadyExists("conflict", msg);
    if (std::strcmp(state, "53100") == 0)
      return Status::InsufficientStorage("the database volume is full");
    if (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0) must_retry_ = true;
  }
  return Status::Internal(msg);
}

Result<const std::string*> PgConnection::Prepare(const std::string& sql, int* nparams) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::string name = "s" + std::to_string(statements_.size() + 1);
    PgResult res(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return ErrorOf(res.get(), "prepare");
    // How many parameters the server found: callers may pass more values
    // than a statement uses (SQLite ignores the rest; so do we).
    PgResult desc(PQdescribePrepared(conn_, name.c_str()));
    if (PQresultStatus(desc.get()) != PGRES_COMMAND_OK) return ErrorOf(desc.get(), "describe");
    it = statements_.emplace(sql, Prepared{name, PQnparams(desc.get())}).first;
  }
  *nparams = it->second.nparams;
  return &it->second.name;
}

Result<std::vector<SqlRow>> PgConnection::Query(const std::string& sql,
                                                const std::vector<SqlValue>& params) {
  if (began_ && run_ == 0) {
    first_statement_ = sql;
    if (write_ && hints_ != nullptr) {
      for (const std::string& table : hints_->For(sql)) {
        if (!locked_.count(table)) LETHE_RETURN_IF_ERROR(LockNow(table));
      }
    }
  }
  ++run_;
  int nparams = 0;
  LETHE_ASSIGN_OR_RETURN(const std::string* name, Prepare(sql, &nparams));
  std::vector<std::string> text(nparams);
  std::vector<const char*> values(nparams, nullptr);
  std::vector<int> lengths(nparams, 0);
  for (int i = 0; i < nparams && i < static_cast<int>(params.size()); ++i) {
    const SqlValue& v = params[i];
    if (std::holds_alternative<std::monostate>(v)) continue;  // NULL
    text[i] = SqlText(v);
    values[i] = text[i].c_str();
    lengths[i] = static_cast<int>(text[i].size());
  }
  PgResult res(
      PQexecPrepared(conn_, name->c_str(), nparams, values.data(), lengths.data(), nullptr, 0));
  ExecStatusType status = PQresultStatus(res.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    Status st = ErrorOf(res.get(), "query");
    if (must_retry_ && failed_statement_.empty()) failed_statement_ = sql;
    return st;
  }
  const char* tuples = PQcmdTuples(res.get());
  changed_ = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
  std::vector<SqlRow> rows;
  const int n = PQntuples(res.get()), cols = PQnfields(res.get());
  rows.reserve(n);
  for (int r = 0; r < n; ++r) {
    SqlRow row;
    row.reserve(cols);
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res.get(), r, c)) {
        row.emplace_back();
        continue;
      }
      const char* v = PQgetvalue(res.get(), r, c);
      Oid type = PQftype(res.get(), c);
      if (type == kInt8 || type == kInt4 || type == kInt2 || type == kOidType) {
        row.emplace_back(static_cast<int64_t>(std::strtoll(v, nullptr, 10)));
      } else if (type == kBool) {
        row.emplace_back(int64_t{v[0] == 't' ? 1 : 0});
      } else {
        row.emplace_back(std::string(v, PQgetlength(res.get(), r, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Status PgConnection::ExecScript(const std::string& sql) {
  ++run_;
  PgResult res(PQexec(conn_, sql.c_str()));
  ExecStatusType status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Status st = ErrorOf(res.get(), "exec");
    if (must_retry_ && failed_statement_.empty()) failed_statement_ = sql;
    return st;
  }
  // COMMIT of a transaction that already failed answers ROLLBACK, not an
  // error: it must not pass for a commit.
  if (sql == "COMMIT" && std::strcmp(PQcmdStatus(res.get()), "COMMIT") != 0) {
    return Status::Internal("postgres: the transaction was rolled back");
  }
  return Status::Ok();
}

}  // namespace lethe
