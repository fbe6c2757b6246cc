// SqlMetadataTx, continued: sessions, login history and the sign-in
// limiter's state (SEC-2, ACC-11).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kSessionColumns =
    "token_digest, customer_id, created_ms, expires_ms, id, last_used_ms, ip, browser, country";

SessionRecord SessionFromRow(const SqlRow& r) {
  SessionRecord s;
  s.token_digest = SqlText(r[0]);
  s.customer_id = SqlText(r[1]);
  s.created_ms = SqlInt(r[2]);
  s.expires_ms = SqlInt(r[3]);
  s.id = SqlText(r[4]);
  s.last_used_ms = SqlInt(r[5]);
  s.ip = SqlText(r[6]);
  s.browser = SqlText(r[7]);
  s.country = SqlText(r[8]);
  return s;
}

}  // namespace

Status SqlMetadataTx::InsertSession(const SessionRecord& s) {
  return StatusOf(Query(
      "INSERT INTO sessions (token_digest, customer_id, created_ms, expires_ms, id, last_used_ms, "
      "ip, browser, country) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {s.token_digest, s.customer_id, s.created_ms, s.expires_ms, s.id, s.last_used_ms, s.ip,
       s.browser, s.country}));
}

Result<SessionRecord> SqlMetadataTx::FindSession(const std::string& token_digest) {
  return FirstRow<SessionRecord>(
      Query(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE token_digest = $1",
            {token_digest}),
      SessionFromRow, "session");
}

Result<std::vector<SessionRecord>> SqlMetadataTx::ListSessions(const std::string& customer_id) {
  return AllRows<SessionRecord>(
      Query(std::string("SELECT ") + kSessionColumns +
                " FROM sessions WHERE customer_id = $1 ORDER BY created_ms, id",
            {customer_id}),
      SessionFromRow);
}

Status SqlMetadataTx::DeleteSession(const std::string& token_digest) {
  return ExecOne("DELETE FROM sessions WHERE token_digest = $1", {token_digest});
}

Status SqlMetadataTx::DeleteSessionById(const std::string& customer_id, const std::string& id) {
  return ExecOne("DELETE FROM sessions WHERE id = $1 AND customer_id = $2", {id, customer_id});
}

Status SqlMetadataTx::TouchSession(const std::string& token_digest, int64_t used_ms) {
  return ExecOne("UPDATE sessions SET last_used_ms = $2 WHERE token_digest = $1",
                 {token_digest, used_ms});
}

Result<std::vector<LoginEvent>> SqlMetadataTx::ListLoginEvents(const std::string& customer_id,
                                                               int limit) {
  return AllRows<LoginEvent>(
      Query("SELECT id, customer_id, time_ms, ip, browser, browser_version, language, country "
            "FROM login_events WHERE customer_id = $1 ORDER BY time_ms DESC, id DESC LIMIT $2",
            {customer_id, int64_t{limit}}),
      [](const SqlRow& r) {
        return LoginEvent{SqlText(r[0]), SqlText(r[1]), SqlInt(r[2]),  SqlText(r[3]),
                          SqlText(r[4]), SqlText(r[5]), SqlText(r[6]), SqlText(r[7])};
      });
}

Result<SignInThrottleRecord> SqlMetadataTx::FindSignInThrottle(const std::string& key) {
  return FirstRow<SignInThrottleRecord>(
      Query("SELECT throttle_key, failures, last_failure_ms, blocked_until_ms "
            "FROM sign_in_throttles WHERE throttle_key = $1",
            {key}),
      [](const SqlRow& r) {
        return SignInThrottleRecord{SqlText(r[0]), SqlInt(r[1]), SqlInt(r[2]), SqlInt(r[3])};
      },
      "sign-in throttle");
}

Status SqlMetadataTx::PutSignInThrottle(const SignInThrottleRecord& t) {
  return StatusOf(
      Query("INSERT INTO sign_in_throttles (throttle_key, failures, last_failure_ms, "
            "blocked_until_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (throttle_key) DO UPDATE SET "
            "failures = excluded.failures, last_failure_ms = excluded.last_failure_ms, "
            "blocked_until_ms = excluded.blocked_until_ms",
            {t.key, t.failures, t.last_failure_ms, t.blocked_until_ms}));
}

Status SqlMetadataTx::DeleteSignInThrottle(const std::string& key) {
  return StatusOf(Query("DELETE FROM sign_in_throttles WHERE throttle_key = $1", {key}));
}

Result<int64_t> SqlMetadataTx::DeleteSignInThrottlesBefore(int64_t before_ms) {
  LETHE_ASSIGN_OR_RETURN(auto rows,
                         Query("DELETE FROM sign_in_throttles WHERE last_failure_ms < $1 "
                               "RETURNING throttle_key",
                               {before_ms}));
  return static_cast<int64_t>(rows.size());
}

}  // namespace lethe
