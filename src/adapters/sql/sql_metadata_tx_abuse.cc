// SqlMetadataTx, continued: automated abuse decisions (ADM-1): signals,
// decisions, appeals, and the counts of usage events the signals measure.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kSignalColumns =
    "id, account_id, kind, observed, baseline_milli, trigger_level, score, window_ms, detail, "
    "observed_ms, decision_id";

AbuseSignalRecord SignalFromRow(const SqlRow& r) {
  AbuseSignalRecord s;
  s.id = SqlText(r[0]);
  s.account_id = SqlText(r[1]);
  s.kind = SqlText(r[2]);
  s.observed = SqlInt(r[3]);
  s.baseline_milli = SqlInt(r[4]);
  s.trigger = SqlInt(r[5]);
  s.score = SqlInt(r[6]);
  s.window_ms = SqlInt(r[7]);
  s.detail = SqlText(r[8]);
  s.observed_ms = SqlInt(r[9]);
  s.decision_id = SqlText(r[10]);
  return s;
}

constexpr const char* kDecisionColumns =
    "id, account_id, customer_id, score, threshold, state, created_ms, lifted_ms, lifted_by";

AbuseDecisionRecord DecisionFromRow(const SqlRow& r) {
  AbuseDecisionRecord d;
  d.id = SqlText(r[0]);
  d.account_id = SqlText(r[1]);
  d.customer_id = SqlText(r[2]);
  d.score = SqlInt(r[3]);
  d.threshold = SqlInt(r[4]);
  d.state = SqlText(r[5]);
  d.created_ms = SqlInt(r[6]);
  d.lifted_ms = SqlOptInt(r[7]);
  d.lifted_by = SqlText(r[8]);
  return d;
}

constexpr const char* kAppealColumns =
    "id, decision_id, account_id, customer_id, statement, state, created_ms, decided_ms, "
    "decided_by, reason";

AppealRecord AppealFromRow(const SqlRow& r) {
  AppealRecord a;
  a.id = SqlText(r[0]);
  a.decision_id = SqlText(r[1]);
  a.account_id = SqlText(r[2]);
  a.customer_id = SqlText(r[3]);
  a.statement = SqlText(r[4]);
  a.state = SqlText(r[5]);
  a.created_ms = SqlInt(r[6]);
  a.decided_ms = SqlOptInt(r[7]);
  a.decided_by = SqlText(r[8]);
  a.reason = SqlText(r[9]);
  return a;
}

std::string Select(const char* columns, const char* rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

}  // namespace

Status SqlMetadataTx::InsertAbuseSignal(const AbuseSignalRecord& s) {
  return StatusOf(Query(std::string("INSERT INTO abuse_signals (") + kSignalColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        {s.id, s.account_id, s.kind, s.observed, s.baseline_milli, s.trigger,
                         s.score, s.window_ms, s.detail, s.observed_ms, s.decision_id}));
}

Status SqlMetadataTx::AttachAbuseSignals(const std::string& decision_id,
                                         const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    LETHE_RETURN_IF_ERROR(
        ExecOne("UPDATE abuse_signals SET decision_id = $2 WHERE id = $1 AND account_id = "
                "(SELECT account_id FROM abuse_decisions WHERE id = $2)",
                {id, decision_id}));
  }
  return Status::Ok();
}

Result<std::vector<AbuseSignalRecord>> SqlMetadataTx::ListAbuseSignals(
    const std::string& account_id, int64_t since_ms) {
  return AllRows<AbuseSignalRecord>(
      Query(Select(kSignalColumns,
                   "FROM abuse_signals WHERE account_id = $1 AND observed_ms >= $2"
                   " ORDER BY observed_ms, id"),
            {account_id, since_ms}),
      SignalFromRow);
}

Result<std::vector<AbuseSignalRecord>> SqlMetadataTx::ListDecisionSignals(
    const std::string& decision_id) {
  return AllRows<AbuseSignalRecord>(
      Query(Select(kSignalColumns,
                   "FROM abuse_signals WHERE decision_id = $1 AND decision_id <> ''"
                   " ORDER BY observed_ms, id"),
            {decision_id}),
      SignalFromRow);
}

Status SqlMetadataTx::InsertAbuseDecision(const AbuseDecisionRecord& d) {
  return StatusOf(Query(std::string("INSERT INTO abuse_decisions (") + kDecisionColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        {d.id, d.account_id, d.customer_id, d.score, d.threshold, d.state,
                         d.created_ms, SqlNullable(d.lifted_ms), d.lifted_by}));
}

Status SqlMetadataTx::UpdateAbuseDecision(const AbuseDecisionRecord& d) {
  return ExecOne(
      "UPDATE abuse_decisions SET state = $2, lifted_ms = $3, lifted_by = $4 WHERE id = $1",
      {d.id, d.state, SqlNullable(d.lifted_ms), d.lifted_by});
}

Result<AbuseDecisionRecord> SqlMetadataTx::FindAbuseDecision(const std::string& account_id,
                                                             const std::string& id) {
  return FirstRow<AbuseDecisionRecord>(
      Query(Select(kDecisionColumns, "FROM abuse_decisions WHERE id = $1 AND account_id = $2"),
            {id, account_id}),
      DecisionFromRow, "decision");
}

Result<std::vector<AbuseDecisionRecord>> SqlMetadataTx::ListAbuseDecisions(
    const std::string& account_id) {
  return AllRows<AbuseDecisionRecord>(
      Query(Select(kDecisionColumns,
                   "FROM abuse_decisions WHERE account_id = $1 ORDER BY created_ms DESC, id DESC"),
            {account_id}),
      DecisionFromRow);
}

Result<std::vector<AbuseDecisionRecord>> SqlMetadataTx::ListSuspensions() {
  return AllRows<AbuseDecisionRecord>(
      Query(Select(kDecisionColumns,
                   "FROM abuse_decisions WHERE state = 'suspended' ORDER BY created_ms, id"),
            {}),
      DecisionFromRow);
}

Status SqlMetadataTx::InsertAppeal(const AppealRecord& a) {
  return StatusOf(Query(std::string("INSERT INTO appeals (") + kAppealColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        {a.id, a.decision_id, a.account_id, a.customer_id, a.statement, a.state,
                         a.created_ms, SqlNullable(a.decided_ms), a.decided_by, a.reason}));
}

Status SqlMetadataTx::UpdateAppeal(const AppealRecord& a) {
  return ExecOne(
      "UPDATE appeals SET state = $2, decided_ms = $3, decided_by = $4, reason = $5 "
      "WHERE id = $1",
      {a.id, a.state, SqlNullable(a.decided_ms), a.decided_by, a.reason});
}

Result<AppealRecord> SqlMetadataTx::FindAppeal(const std::string& id) {
  return FirstRow<AppealRecord>(Query(Select(kAppealColumns, "FROM appeals WHERE id = $1"), {id}),
                                AppealFromRow, "appeal");
}

Result<std::vector<AppealRecord>> SqlMetadataTx::ListAppeals(const std::string& decision_id) {
  return AllRows<AppealRecord>(
      Query(Select(kAppealColumns, "FROM appeals WHERE decision_id = $1 ORDER BY created_ms, id"),
            {decision_id}),
      AppealFromRow);
}

Result<std::vector<AppealRecord>> SqlMetadataTx::ListOpenAppeals(int limit) {
  return AllRows<AppealRecord>(
      Query(Select(kAppealColumns,
                   "FROM appeals WHERE state = 'open' ORDER BY created_ms, id LIMIT $1"),
            {int64_t{limit}}),
      AppealFromRow);
}

Result<int64_t> SqlMetadataTx::CountUsageEvents(const std::string& account_id,
                                                const std::string& method, const std::string& route,
                                                int64_t since_ms, int64_t until_ms) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT COUNT(*) FROM usage_events WHERE account_id = $1 AND method = $2"
                       " AND route = $3 AND time_ms >= $4 AND time_ms < $5 AND status >= 200"
                       " AND status < 300",
                       {account_id, method, route, since_ms, until_ms}));
  return rows.empty() ? int64_t{0} : SqlInt(rows[0][0]);
}

Result<std::optional<IpEndUsers>> SqlMetadataTx::TopIpEndUsers(const std::string& account_id,
                                                               int64_t since_ms) {
  LETHE_ASSIGN_OR_RETURN(auto rows,
                         Query("SELECT ip, COUNT(DISTINCT end_user) AS n FROM usage_events"
                               " WHERE account_id = $1 AND time_ms >= $2 AND end_user <> ''"
                               " GROUP BY ip ORDER BY n DESC, ip LIMIT 1",
                               {account_id, since_ms}));
  if (rows.empty()) return std::optional<IpEndUsers>();
  return std::optional<IpEndUsers>(IpEndUsers{SqlText(rows[0][0]), SqlInt(rows[0][1])});
}

Result<std::vector<std::string>> SqlMetadataTx::ListActiveAccounts(int64_t since_ms) {
  return AllRows<std::string>(
      Query("SELECT DISTINCT account_id FROM usage_events WHERE time_ms >= $1 ORDER BY account_id",
            {since_ms}),
      [](const SqlRow& r) { return SqlText(r[0]); });
}

}  // namespace lethe
