// SqlMetadataTx, continued: data-subject requests (RGT-1..4) and export links.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kRequestColumns =
    "id, customer_id, account_id, subject_kind, subject, type, jurisdiction, state, received_ms, "
    "acknowledge_by, due, latest_due, extended, reason, code_digest, code_expires_ms, "
    "code_failures, agent_name, agent_document, subject_confirmed, reminded, outcome";

constexpr const char* kLimitColumns =
    "id, account_id, subject, kind, request_id, since_ms, lift_notice";

PrivacyRequestRecord RequestFromRow(const SqlRow& r) {
  PrivacyRequestRecord p;
  p.id = SqlText(r[0]);
  p.customer_id = SqlText(r[1]);
  p.account_id = SqlText(r[2]);
  p.subject_kind = SqlText(r[3]);
  p.subject = SqlText(r[4]);
  p.type = SqlText(r[5]);
  p.jurisdiction = SqlText(r[6]);
  p.state = SqlText(r[7]);
  p.received_ms = SqlInt(r[8]);
  p.acknowledge_by = SqlText(r[9]);
  p.due = SqlText(r[10]);
  p.latest_due = SqlText(r[11]);
  p.extended = SqlInt(r[12]) != 0;
  p.reason = SqlText(r[13]);
  p.code_digest = SqlText(r[14]);
  p.code_expires_ms = SqlInt(r[15]);
  p.code_failures = static_cast<int>(SqlInt(r[16]));
  p.agent_name = SqlText(r[17]);
  p.agent_document = SqlText(r[18]);
  p.subject_confirmed = SqlInt(r[19]) != 0;
  p.reminded = SqlInt(r[20]) != 0;
  p.outcome = SqlText(r[21]);
  return p;
}

ProcessingLimitRecord LimitFromRow(const SqlRow& r) {
  return ProcessingLimitRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]), SqlText(r[3]),
                               SqlText(r[4]), SqlInt(r[5]),  SqlText(r[6])};
}

PrivacyRequestStep StepFromRow(const SqlRow& r) {
  return PrivacyRequestStep{SqlText(r[0]), SqlInt(r[1]),  SqlText(r[2]),
                            SqlInt(r[3]),  SqlText(r[4]), SqlText(r[5])};
}

}  // namespace

Status SqlMetadataTx::InsertPrivacyRequest(const PrivacyRequestRecord& p) {
  return StatusOf(
      Query(std::string("INSERT INTO privacy_requests (") + kRequestColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                "$17, $18, $19, $20, $21, $22)",
            {p.id,
             p.customer_id,
             p.account_id,
             p.subject_kind,
             p.subject,
             p.type,
             p.jurisdiction,
             p.state,
             p.received_ms,
             p.acknowledge_by,
             p.due,
             p.latest_due,
             int64_t{p.extended},
             p.reason,
             p.code_digest,
             p.code_expires_ms,
             int64_t{p.code_failures},
             p.agent_name,
             p.agent_document,
             int64_t{p.subject_confirmed},
             int64_t{p.reminded},
             p.outcome}));
}

Status SqlMetadataTx::UpdatePrivacyRequest(const PrivacyRequestRecord& p) {
  return ExecOne(
      "UPDATE privacy_requests SET state = $2, due = $3, extended = $4, reason = $5, "
      "code_digest = $6, code_expires_ms = $7, code_failures = $8, agent_name = $9, "
      "agent_document = $10, subject_confirmed = $11, reminded = $12, outcome = $13 WHERE id = $1",
      {p.id, p.state, p.due, int64_t{p.extended}, p.reason, p.code_digest, p.code_expires_ms,
       int64_t{p.code_failures}, p.agent_name, p.agent_document, int64_t{p.subject_confirmed},
       int64_t{p.reminded}, p.outcome});
}

Status SqlMetadataTx::AppendPrivacyRequestStep(const PrivacyRequestStep& s) {
  return StatusOf(
      Query("INSERT INTO privacy_request_steps (request_id, state, at_ms, actor, reason) "
            "VALUES ($1, $2, $3, $4, $5)",
            {s.request_id, s.state, s.at_ms, s.actor, s.reason}));
}

Result<PrivacyRequestRecord> SqlMetadataTx::FindPrivacyRequest(const std::string& customer_id,
                                                               const std::string& id) {
  return FirstRow<PrivacyRequestRecord>(
      Query(std::string("SELECT ") + kRequestColumns +
                " FROM privacy_requests WHERE id = $1 AND customer_id = $2",
            {id, customer_id}),
      RequestFromRow, "privacy request");
}

Result<std::vector<PrivacyRequestStep>> SqlMetadataTx::ListPrivacyRequestSteps(
    const std::string& request_id) {
  return AllRows<PrivacyRequestStep>(
      Query("SELECT request_id, seq, state, at_ms, actor, reason FROM privacy_request_steps "
            "WHERE request_id = $1 ORDER BY seq",
            {request_id}),
      StepFromRow);
}

Status SqlMetadataTx::InsertExportLink(const ExportLinkRecord& l) {
  return StatusOf(Query(
      "INSERT INTO export_links (token_digest, customer_id, request_id, account_id, end_user, "
      "jurisdiction, created_ms, expires_ms, used_ms) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {l.token_digest, l.customer_id, l.request_id, l.account_id, l.end_user, l.jurisdiction,
       l.created_ms, l.expires_ms, SqlNullable(l.used_ms)}));
}

Status SqlMetadataTx::MarkExportLinkUsed(const std::string& token_digest, int64_t used_ms) {
  return ExecOne("UPDATE export_links SET used_ms = $2 WHERE token_digest = $1 AND used_ms IS NULL",
                 {token_digest, used_ms});
}

Result<int64_t> SqlMetadataTx::DeleteExportLinksExpiredBefore(int64_t before_ms) {
  LETHE_RETURN_IF_ERROR(
      StatusOf(Query("DELETE FROM export_links WHERE expires_ms < $1", {before_ms})));
  int64_t deleted = conn_.ChangedRows();
  if (deleted > 0) forget_ = true;  // a link names its end user
  return deleted;
}

Result<ExportLinkRecord> SqlMetadataTx::FindExportLink(const std::string& token_digest) {
  return FirstRow<ExportLinkRecord>(
      Query("SELECT token_digest, customer_id, request_id, account_id, end_user, jurisdiction, "
            "created_ms, expires_ms, used_ms FROM export_links WHERE token_digest = $1",
            {token_digest}),
      [](const SqlRow& r) {
        return ExportLinkRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]),
                                SqlText(r[3]), SqlText(r[4]), SqlText(r[5]),
                                SqlInt(r[6]),  SqlInt(r[7]),  SqlOptInt(r[8])};
      },
      "export link");
}

Result<std::vector<PrivacyRequestRecord>> SqlMetadataTx::ListPrivacyRequests(
    const std::string& customer_id, const std::string& due_before) {
  return AllRows<PrivacyRequestRecord>(
      Query(std::string("SELECT ") + kRequestColumns +
                " FROM privacy_requests WHERE customer_id = $1"
                " AND ($2 = '' OR (due <= $2 AND state NOT IN ('completed', 'denied')))"
                " ORDER BY due, id",
            {customer_id, due_before}),
      RequestFromRow);
}

Result<std::vector<PrivacyRequestRecord>> SqlMetadataTx::ListUnremindedRequestsDue(
    const std::string& due, int limit) {
  return AllRows<PrivacyRequestRecord>(
      Query(std::string("SELECT ") + kRequestColumns +
                " FROM privacy_requests WHERE due <= $1 AND reminded = 0"
                " AND state NOT IN ('completed', 'denied') ORDER BY due, id LIMIT $2",
            {due, int64_t{limit}}),
      RequestFromRow);
}

Result<std::vector<PrivacyRequestRecord>> SqlMetadataTx::ListPrivacyRequestsReceived(
    int64_t from_ms, int64_t to_ms) {
  return AllRows<PrivacyRequestRecord>(
      Query(std::string("SELECT ") + kRequestColumns +
                " FROM privacy_requests WHERE received_ms >= $1 AND received_ms < $2"
                " ORDER BY received_ms, id",
            {from_ms, to_ms}),
      RequestFromRow);
}

Result<std::vector<ProcessingLimitRecord>> SqlMetadataTx::ListProcessingLimits(
    const std::string& account_id, const std::string& subject) {
  return AllRows<ProcessingLimitRecord>(
      Query(std::string("SELECT ") + kLimitColumns +
                " FROM processing_limits WHERE account_id = $1 AND subject = $2"
                " ORDER BY since_ms, id",
            {account_id, subject}),
      LimitFromRow);
}

Result<ProcessingLimitRecord> SqlMetadataTx::FindProcessingLimitOf(const std::string& request_id) {
  return FirstRow<ProcessingLimitRecord>(Query(std::string("SELECT ") + kLimitColumns +
                                                   " FROM processing_limits WHERE request_id = $1",
                                               {request_id}),
                                         LimitFromRow, "processing limit");
}

Status SqlMetadataTx::InsertProcessingLimit(const ProcessingLimitRecord& l) {
  return StatusOf(
      Query(std::string("INSERT INTO processing_limits (") + kLimitColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {l.id, l.account_id, l.subject, l.kind, l.request_id, l.since_ms, l.lift_notice}));
}

Status SqlMetadataTx::UpdateProcessingLimit(const ProcessingLimitRecord& l) {
  return ExecOne("UPDATE processing_limits SET lift_notice = $2 WHERE id = $1",
                 {l.id, l.lift_notice});
}

Status SqlMetadataTx::DeleteProcessingLimit(const std::string& id) {
  return ExecOne("DELETE FROM processing_limits WHERE id = $1", {id});
}

Result<int64_t> SqlMetadataTx::ForgetSubjectRecords(const std::string& account_id,
                                                    const std::string& end_user,
                                                    const std::string& replacement) {
  int64_t changed = 0;
  LETHE_RETURN_IF_ERROR(StatusOf(
      Query("DELETE FROM export_links WHERE account_id = $1 AND ($2 = '' OR end_user = $2)",
            {account_id, end_user})));
  changed += conn_.ChangedRows();
  LETHE_RETURN_IF_ERROR(StatusOf(
      Query("DELETE FROM processing_limits WHERE account_id = $1 AND ($2 = '' OR subject = $2)",
            {account_id, end_user})));
  changed += conn_.ChangedRows();
  LETHE_RETURN_IF_ERROR(StatusOf(
      Query("UPDATE privacy_requests SET subject = $3, agent_document = '' WHERE account_id = $1 "
            "AND subject_kind = 'end_user' AND ($2 = '' OR subject = $2)",
            {account_id, end_user, replacement})));
  changed += conn_.ChangedRows();
  LETHE_RETURN_IF_ERROR(StatusOf(
      Query("UPDATE webhook_deliveries SET end_user = '' WHERE account_id = $1 AND end_user <> '' "
            "AND ($2 = '' OR end_user = $2)",
            {account_id, end_user})));
  if (conn_.ChangedRows() > 0) forget_ = true;  // the reference must leave no copy
  changed += conn_.ChangedRows();
  return changed;
}

}  // namespace lethe
