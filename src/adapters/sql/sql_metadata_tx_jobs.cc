// SqlMetadataTx, continued: durable jobs and the mail outbox.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kJobColumns =
    "id, kind, payload, state, attempts, run_after_ms, lease_until_ms, last_error, created_ms, "
    "lease_owner";

JobRecord JobFromRow(const SqlRow& r) {
  JobRecord j;
  j.id = SqlText(r[0]);
  j.kind = SqlText(r[1]);
  j.payload = SqlText(r[2]);
  j.state = SqlText(r[3]);
  j.attempts = static_cast<int>(SqlInt(r[4]));
  j.run_after_ms = SqlInt(r[5]);
  j.lease_until_ms = SqlOptInt(r[6]);
  j.last_error = SqlText(r[7]);
  j.created_ms = SqlInt(r[8]);
  j.lease_owner = SqlText(r[9]);
  return j;
}

OutboxRecord OutboxFromRow(const SqlRow& r) {
  return OutboxRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]),
                      SqlText(r[3]), SqlInt(r[4]),  SqlOptInt(r[5])};
}

}  // namespace

Status SqlMetadataTx::InsertJob(const JobRecord& j) {
  return StatusOf(
      Query(std::string("INSERT INTO jobs (") + kJobColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            {j.id, j.kind, j.payload, j.state, int64_t{j.attempts}, j.run_after_ms,
             SqlNullable(j.lease_until_ms), j.last_error, j.created_ms, j.lease_owner}));
}

Result<std::vector<JobRecord>> SqlMetadataTx::ClaimJobs(int64_t now_ms, int64_t lease_until_ms,
                                                        int limit, const std::string& owner) {
  LETHE_ASSIGN_OR_RETURN(
      std::vector<JobRecord> due,
      AllRows<JobRecord>(Query(std::string("SELECT ") + kJobColumns +
                                   " FROM jobs WHERE state = 'pending' AND run_after_ms <= $1"
                                   " AND (lease_until_ms IS NULL OR lease_until_ms <= $1)"
                                   " ORDER BY run_after_ms, id LIMIT $2" +
                                   ClaimLock(),
                               {now_ms, int64_t{limit}}),
                         JobFromRow));
  for (JobRecord& j : due) {
    LETHE_RETURN_IF_ERROR(
        ExecOne("UPDATE jobs SET lease_until_ms = $2, lease_owner = $3, attempts = attempts + 1 "
                "WHERE id = $1",
                {j.id, lease_until_ms, owner}));
    j.lease_until_ms = lease_until_ms;
    j.lease_owner = owner;
    ++j.attempts;
  }
  return due;
}

Status SqlMetadataTx::UpdateJob(const JobRecord& j) {
  return ExecOne(
      "UPDATE jobs SET state = $2, attempts = $3, run_after_ms = $4, lease_until_ms = $5, "
      "last_error = $6, lease_owner = $7 WHERE id = $1",
      {j.id, j.state, int64_t{j.attempts}, j.run_after_ms, SqlNullable(j.lease_until_ms),
       j.last_error, j.lease_until_ms ? j.lease_owner : std::string()});
}

Result<int64_t> SqlMetadataTx::ReleaseJobLeases(const std::string& owner) {
  LETHE_RETURN_IF_ERROR(
      Query("UPDATE jobs SET lease_until_ms = NULL, lease_owner = '' WHERE state = 'pending' "
            "AND lease_until_ms IS NOT NULL AND ($1 = '' OR lease_owner = $1)",
            {owner}));
  return conn_.ChangedRows();
}

Result<JobRecord> SqlMetadataTx::FindJob(const std::string& id) {
  return FirstRow<JobRecord>(
      Query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = $1", {id}), JobFromRow,
      "job");
}

namespace {

constexpr const char* kErasureColumns =
    "id, account_id, subject, state, media_erased, usage_deidentified, created_ms, "
    "keys_destroyed_ms, purged_ms, scope, target, cause, blob_id, audit_seq, audit_hash";

ErasureRecord ErasureFromRow(const SqlRow& r) {
  ErasureRecord e{SqlText(r[0]),  SqlText(r[1]),  SqlText(r[2]),   SqlText(r[3]),   SqlInt(r[4]),
                  SqlInt(r[5]),   SqlInt(r[6]),   SqlOptInt(r[7]), SqlOptInt(r[8]), SqlText(r[9]),
                  SqlText(r[10]), SqlText(r[11]), SqlText(r[12])};
  e.audit_seq = SqlOptInt(r[13]);
  e.audit_hash = SqlText(r[14]);
  return e;
}

}  // namespace

Status SqlMetadataTx::InsertErasure(const ErasureRecord& e) {
  return StatusOf(
      Query(std::string("INSERT INTO erasures (") + kErasureColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                "$14, $15)",
            {e.id, e.account_id, e.subject, e.state, e.media_erased, e.usage_deidentified,
             e.created_ms, SqlNullable(e.keys_destroyed_ms), SqlNullable(e.purged_ms), e.scope,
             e.target, e.cause, e.blob_id, SqlNullable(e.audit_seq), e.audit_hash}));
}

Status SqlMetadataTx::UpdateErasure(const ErasureRecord& e) {
  LETHE_RETURN_IF_ERROR(ExecOne(
      "UPDATE erasures SET subject = $2, state = $3, media_erased = $4, usage_deidentified = $5, "
      "keys_destroyed_ms = $6, purged_ms = $7, blob_id = $8 WHERE id = $1",
      {e.id, e.subject, e.state, e.media_erased, e.usage_deidentified,
       SqlNullable(e.keys_destroyed_ms), SqlNullable(e.purged_ms), e.blob_id}));
  if (e.subject.empty()) forget_ = true;  // the reference it held must leave no copy
  return Status::Ok();
}

Result<ErasureRecord> SqlMetadataTx::FindErasure(const std::string& account_id,
                                                 const std::string& id) {
  return FirstRow<ErasureRecord>(
      Query(std::string("SELECT ") + kErasureColumns +
                " FROM erasures WHERE id = $1 AND ($2 = '' OR account_id = $2)",
            {id, account_id}),
      ErasureFromRow, "erasure");
}

Result<std::vector<ErasureRecord>> SqlMetadataTx::ListErasures(const ErasureQuery& q) {
  // Newest first; ids are random, so the cursor is the (created_ms, id) of
  // the erasure named by before_id.
  return AllRows<ErasureRecord>(
      Query(
          std::string("SELECT ") + kErasureColumns +
              " FROM erasures e WHERE account_id = $1 AND (CAST($2 AS TEXT) IS NULL OR target = $2)"
              " AND (CAST($3 AS TEXT) IS NULL OR (created_ms, id) < (SELECT created_ms, id FROM "
              "erasures"
              "   WHERE id = $3 AND account_id = $1)) ORDER BY created_ms DESC, id DESC LIMIT $4",
          {q.account_id, SqlNullable(q.target), SqlNullable(q.before_id), int64_t{q.limit}}),
      ErasureFromRow);
}

Result<std::vector<ErasureRecord>> SqlMetadataTx::ListHeldErasures(const std::string& account_id) {
  return AllRows<ErasureRecord>(
      Query(std::string("SELECT ") + kErasureColumns +
                " FROM erasures WHERE state = 'held' AND ($1 = '' OR account_id = $1)"
                " ORDER BY created_ms, id",
            {account_id}),
      ErasureFromRow);
}

Status SqlMetadataTx::SetAccountRetention(const std::string& account_id,
                                          std::optional<int64_t> retention_days) {
  LETHE_RETURN_IF_ERROR(ExecOne("UPDATE accounts SET retention_days = $2 WHERE id = $1",
                                {account_id, SqlNullable(retention_days)}));
  // Media that chose no retention of its own follows the account's.
  std::optional<int64_t> ms;
  if (retention_days) ms = *retention_days * 86'400'000;
  return StatusOf(
      Query("UPDATE media SET expires_ms = CASE WHEN CAST($2 AS BIGINT) IS NULL THEN NULL ELSE "
            "created_ms + $2 END, "
            "expiry_from_account = CASE WHEN CAST($2 AS BIGINT) IS NULL THEN 0 ELSE 1 END "
            "WHERE account_id = $1 AND (expiry_from_account = 1 OR expires_ms IS NULL)",
            {account_id, SqlNullable(ms)}));
}

Status SqlMetadataTx::DeidentifyUsageEvent(int64_t seq, const std::string& ip,
                                           const std::string& browser_version) {
  LETHE_RETURN_IF_ERROR(
      ExecOne("UPDATE usage_events SET end_user = '', ip = $2, browser_version = $3 WHERE seq = $1",
              {seq, ip, browser_version}));
  forget_ = true;
  return Status::Ok();
}

Status SqlMetadataTx::InsertOutboxMessage(const OutboxRecord& m) {
  return StatusOf(
      Query("INSERT INTO outbox (id, recipient, subject, body, created_ms, sent_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {m.id, m.recipient, m.subject, m.body, m.created_ms, SqlNullable(m.sent_ms)}));
}

Status SqlMetadataTx::MarkOutboxSent(const std::string& id, int64_t sent_ms) {
  LETHE_RETURN_IF_ERROR(
      ExecOne("UPDATE outbox SET sent_ms = $2, body = '' WHERE id = $1", {id, sent_ms}));
  forget_ = true;  // the body may hold a code or personal data
  return Status::Ok();
}

Result<OutboxRecord> SqlMetadataTx::FindOutboxMessage(const std::string& id) {
  return FirstRow<OutboxRecord>(
      Query("SELECT id, recipient, subject, body, created_ms, sent_ms FROM outbox WHERE id = $1",
            {id}),
      OutboxFromRow, "message");
}

}  // namespace lethe
