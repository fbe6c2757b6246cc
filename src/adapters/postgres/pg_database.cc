#include "adapters/postgres/pg_database.h"

#include <chrono>
#include <random>
#include <thread>

namespace lethe {

Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(const std::string& conninfo,
                                                     PgOptions options) {
  std::unique_ptr<PgDatabase> db(new PgDatabase(std::move(options)));
  for (int i = 0; i < std::max(1, db->options_.connections); ++i) {
    LETHE_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(conninfo));
    db->idle_.push_back(conn.get());
    db->all_.push_back(std::move(conn));
  }
  return db;
}

Result<PgConnection*> PgDatabase::Acquire() {
  PgConnection* conn = nullptr;
  {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [this] { return !idle_.empty(); });
    conn = idle_.back();
    idle_.pop_back();
  }
  if (!conn->healthy()) {
    Status st = conn->Reset();
    if (!st.ok()) {
      Release(conn);
      return st;
    }
  }
  return conn;
}

void PgDatabase::Release(PgConnection* conn) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(conn);
  }
  free_cv_.notify_one();
}

uint64_t PgDatabase::retries() const {
  std::lock_guard lock(mu_);
  return retries_;
}

Status PgDatabase::Write(Durability durability, const std::function<Status(SqlConnection&)>& fn) {
  std::set<std::string> locks;
  std::string first, failed;  // of the last attempt that failed to serialize
  std::minstd_rand jitter(std::random_device{}());
  Status st;
  // Runs that failed to serialize; a rerun for a lock does not count (each
  // adds a table, so there are few).
  int attempt = 0;
  for (bool rerun = false; attempt < std::max(1, options_.max_attempts); rerun = true) {
    if (rerun) {
      std::lock_guard lock(mu_);
      ++retries_;
    }
    LETHE_ASSIGN_OR_RETURN(PgConnection * conn, Acquire());
    conn->StartTransaction(true, locks, &hints_);
    std::string begin = "BEGIN ISOLATION LEVEL SERIALIZABLE";
    // Before any read, so the snapshot is taken once the lock is held.
    for (const std::string& table : locks) begin += "; LOCK TABLE " + table + " IN EXCLUSIVE MODE";
    if (durability == Durability::kProcessCrash) begin += "; SET LOCAL synchronous_commit = off";
    st = conn->ExecScript(begin);
    if (st.ok()) conn->Began();
    if (st.ok()) st = fn(*conn);
    // A lock request is a restart even if fn went on and returned Ok: what
    // it did without the lock must not commit, or it would run twice.
    if (st.ok() && !conn->restart_locks().empty()) st = Status::Unavailable("restart");
    if (st.ok()) st = conn->ExecScript("COMMIT");
    if (!st.ok()) conn->RollbackIfOpen();
    const bool retry = conn->must_retry();
    if (retry) {
      first = conn->first_statement();
      failed = conn->failed_statement();
    }
    const std::set<std::string>& wanted = conn->restart_locks();
    const bool relock = !wanted.empty();
    locks.insert(wanted.begin(), wanted.end());
    if (relock) hints_.Add(conn->first_statement(), wanted);
    // A rerun takes every table its kind is known to lock at BEGIN, in one
    // order (taking a hinted one after them could invert it: a deadlock).
    const std::set<std::string> hinted = hints_.For(conn->first_statement());
    locks.insert(hinted.begin(), hinted.end());
    Release(conn);
    if (relock) continue;  // run again with the lock taken first
    if (!retry) return st;
    // Back off a little, at random, so the conflicting writers spread out.
    std::this_thread::sleep_for(std::chrono::microseconds(
        std::uniform_int_distribution<int>(0, 1000 * (1 << std::min(attempt, 5)))(jitter)));
    ++attempt;
  }
  return Status::Internal("postgres: the transaction failed to serialize " +
                          std::to_string(options_.max_attempts) + " times: " + st.message() +
                          " (first statement: " + first.substr(0, 160) +
                          "; cancelled: " + failed.substr(0, 160) + ")");
}

Status PgDatabase::Read(const std::function<Status(SqlConnection&)>& fn) {
  LETHE_ASSIGN_OR_RETURN(PgConnection * conn, Acquire());
  conn->StartTransaction(false, {});
  Status st = conn->ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (st.ok()) {
    st = fn(*conn);
    if (st.ok()) {
      st = conn->ExecScript("COMMIT");
    }
    if (!st.ok()) conn->RollbackIfOpen();
  }
  Release(conn);
  return st;
}

Status PgDatabase::Forget() {
  LETHE_ASSIGN_OR_RETURN(PgConnection * conn, Acquire());
  conn->StartTransaction(false, {});
  std::string sql = "VACUUM";
  if (options_.forget == PgOptions::Forget::kVacuumFull) {
    sql = "VACUUM (FULL)";
    for (size_t i = 0; i < options_.forget_tables.size(); ++i) {
      sql += (i ? ", " : " ") + options_.forget_tables[i];
    }
  }
  Status st = conn->ExecScript(sql);
  if (st.ok() && options_.forget == PgOptions::Forget::kVacuumFull) {
    // The second pass takes what a starting backend's snapshot kept alive.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    st = conn->ExecScript(sql);
  }
  Release(conn);
  if (!st.ok()) return Status::Internal("forget: " + st.message());
  return Status::Ok();
}

}  // namespace lethe
