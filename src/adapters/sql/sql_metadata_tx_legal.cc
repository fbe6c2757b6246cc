// SqlMetadataTx, continued: legal requests (SHR-4), integrations (SEC-3)
// and the usage tallies behind aggregates (SHR-6).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kLegalRequestColumns =
    "id, customer_id, account_id, subject, authority, authority_type, legal_basis, reference, "
    "categories, received_ms, recorded_by, nondisclosure_until_ms, decision, decision_note, "
    "disclosed, disclosed_ms, decided_by, decided_ms, notified_ms";

LegalRequestRecord LegalRequestFromRow(const SqlRow& r) {
  LegalRequestRecord l;
  l.id = SqlText(r[0]);
  l.customer_id = SqlText(r[1]);
  l.account_id = SqlText(r[2]);
  l.subject = SqlText(r[3]);
  l.authority = SqlText(r[4]);
  l.authority_type = SqlText(r[5]);
  l.legal_basis = SqlText(r[6]);
  l.reference = SqlText(r[7]);
  l.categories = SqlText(r[8]);
  l.received_ms = SqlInt(r[9]);
  l.recorded_by = SqlText(r[10]);
  l.nondisclosure_until_ms = SqlOptInt(r[11]);
  l.decision = SqlText(r[12]);
  l.decision_note = SqlText(r[13]);
  l.disclosed = SqlText(r[14]);
  l.disclosed_ms = SqlOptInt(r[15]);
  l.decided_by = SqlText(r[16]);
  l.decided_ms = SqlOptInt(r[17]);
  l.notified_ms = SqlOptInt(r[18]);
  return l;
}

constexpr const char* kIntegrationColumns =
    "id, account_id, provider, label, sealed_token, created_ms";

IntegrationRecord IntegrationFromRow(const SqlRow& r) {
  return IntegrationRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]),
                           SqlText(r[3]), SqlText(r[4]), SqlInt(r[5])};
}

constexpr int64_t kDayMs = 86'400'000;

}  // namespace

// ---- legal requests ----

Status SqlMetadataTx::InsertLegalRequest(const LegalRequestRecord& l) {
  return StatusOf(Query(
      std::string("INSERT INTO legal_requests (") + kLegalRequestColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
          "$18, $19)",
      {l.id, l.customer_id, l.account_id, l.subject, l.authority, l.authority_type, l.legal_basis,
       l.reference, l.categories, l.received_ms, l.recorded_by,
       SqlNullable(l.nondisclosure_until_ms), l.decision, l.decision_note, l.disclosed,
       SqlNullable(l.disclosed_ms), l.decided_by, SqlNullable(l.decided_ms),
       SqlNullable(l.notified_ms)}));
}

Status SqlMetadataTx::UpdateLegalRequest(const LegalRequestRecord& l) {
  return ExecOne(
      "UPDATE legal_requests SET nondisclosure_until_ms = $2, decision = $3, decision_note = $4, "
      "disclosed = $5, disclosed_ms = $6, decided_by = $7, decided_ms = $8, notified_ms = $9 "
      "WHERE id = $1",
      {l.id, SqlNullable(l.nondisclosure_until_ms), l.decision, l.decision_note, l.disclosed,
       SqlNullable(l.disclosed_ms), l.decided_by, SqlNullable(l.decided_ms),
       SqlNullable(l.notified_ms)});
}

Result<LegalRequestRecord> SqlMetadataTx::FindLegalRequest(const std::string& id) {
  return FirstRow<LegalRequestRecord>(
      Query(std::string("SELECT ") + kLegalRequestColumns + " FROM legal_requests WHERE id = $1",
            {id}),
      LegalRequestFromRow, "legal request");
}

Result<std::vector<LegalRequestRecord>> SqlMetadataTx::ListLegalRequests(
    const std::string& account_id, int limit) {
  return AllRows<LegalRequestRecord>(
      Query(std::string("SELECT ") + kLegalRequestColumns +
                " FROM legal_requests WHERE ($1 = '' OR account_id = $1)"
                " ORDER BY received_ms DESC, id DESC LIMIT $2",
            {account_id, int64_t{limit}}),
      LegalRequestFromRow);
}

Result<std::vector<LegalRequestRecord>> SqlMetadataTx::ListLegalRequestNoticesDue(int64_t now_ms,
                                                                                  int limit) {
  return AllRows<LegalRequestRecord>(
      Query(std::string("SELECT ") + kLegalRequestColumns +
                " FROM legal_requests WHERE notified_ms IS NULL"
                " AND (nondisclosure_until_ms IS NULL OR nondisclosure_until_ms <= $1)"
                " ORDER BY COALESCE(nondisclosure_until_ms, received_ms), id LIMIT $2",
            {now_ms, int64_t{limit}}),
      LegalRequestFromRow);
}

Result<std::vector<LegalRequestTally>> SqlMetadataTx::CountLegalRequests(int64_t from_ms,
                                                                         int64_t to_ms) {
  return AllRows<LegalRequestTally>(
      Query("SELECT authority_type, decision, COUNT(*) FROM legal_requests"
            " WHERE received_ms >= $1 AND received_ms < $2"
            " GROUP BY authority_type, decision ORDER BY authority_type, decision",
            {from_ms, to_ms}),
      [](const SqlRow& r) {
        return LegalRequestTally{SqlText(r[0]), SqlText(r[1]), SqlInt(r[2])};
      });
}

// ---- integrations ----

Status SqlMetadataTx::InsertIntegration(const IntegrationRecord& i) {
  return StatusOf(Query(std::string("INSERT INTO integrations (") + kIntegrationColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6)",
                        {i.id, i.account_id, i.provider, i.label, i.sealed_token, i.created_ms}));
}

Status SqlMetadataTx::DeleteIntegration(const std::string& account_id, const std::string& id) {
  LETHE_RETURN_IF_ERROR(
      ExecOne("DELETE FROM integrations WHERE account_id = $1 AND id = $2", {account_id, id}));
  forget_ = true;  // the sealed token must leave no copy behind
  return Status::Ok();
}

Result<IntegrationRecord> SqlMetadataTx::FindIntegration(const std::string& account_id,
                                                         const std::string& id) {
  return FirstRow<IntegrationRecord>(
      Query(std::string("SELECT ") + kIntegrationColumns +
                " FROM integrations WHERE account_id = $1 AND id = $2",
            {account_id, id}),
      IntegrationFromRow, "integration");
}

Result<std::vector<IntegrationRecord>> SqlMetadataTx::ListIntegrations(
    const std::string& account_id) {
  return AllRows<IntegrationRecord>(
      Query(std::string("SELECT ") + kIntegrationColumns +
                " FROM integrations WHERE account_id = $1 ORDER BY created_ms, id",
            {account_id}),
      IntegrationFromRow);
}

// ---- usage tallies ----

Result<std::vector<UsageTally>> SqlMetadataTx::TallyUsage(const std::string& account_id,
                                                          int64_t since_ms, int64_t until_ms) {
  // Integer division on BIGINT/INTEGER is the same in both engines; times
  // are never negative. A person is the end user the request named, else
  // its address: the prefixes keep the two apart.
  return AllRows<UsageTally>(
      Query("SELECT time_ms / $4 AS day, country, browser,"
            " CASE WHEN end_user <> '' THEN 'u:' || end_user ELSE 'ip:' || ip END AS person,"
            " COUNT(*) FROM usage_events"
            " WHERE account_id = $1 AND time_ms >= $2 AND time_ms < $3"
            " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
            {account_id, since_ms, until_ms, kDayMs}),
      [](const SqlRow& r) {
        return UsageTally{SqlInt(r[0]), SqlText(r[1]), SqlText(r[2]), SqlText(r[3]), SqlInt(r[4])};
      });
}

}  // namespace lethe
