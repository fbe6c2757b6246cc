// SqlMetadataTx, continued: staff members, their sessions, access grants
// and the access log (USE-6, USE-4, SEC-2).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kStaffColumns =
    "id, name, role, created_ms, disabled_ms, password_hash, totp_seed, totp_last_step";

StaffRecord StaffFromRow(const SqlRow& r) {
  StaffRecord s;
  s.id = SqlText(r[0]);
  s.name = SqlText(r[1]);
  s.role = SqlText(r[2]);
  s.created_ms = SqlInt(r[3]);
  s.disabled_ms = SqlOptInt(r[4]);
  s.password_hash = SqlText(r[5]);
  s.totp_seed = SqlText(r[6]);
  s.totp_last_step = SqlInt(r[7]);
  return s;
}

constexpr const char* kSessionColumns =
    "token_digest, staff_id, created_ms, expires_ms, revoked_ms";

StaffSessionRecord SessionFromRow(const SqlRow& r) {
  return StaffSessionRecord{SqlText(r[0]), SqlText(r[1]), SqlInt(r[2]), SqlInt(r[3]),
                            SqlOptInt(r[4])};
}

constexpr const char* kGrantColumns =
    "id, staff_id, account_id, purpose, ticket, scopes, created_ms, expires_ms, revoked_ms, "
    "revoked_by";

AccessGrantRecord GrantFromRow(const SqlRow& r) {
  AccessGrantRecord g;
  g.id = SqlText(r[0]);
  g.staff_id = SqlText(r[1]);
  g.account_id = SqlText(r[2]);
  g.purpose = SqlText(r[3]);
  g.ticket = SqlText(r[4]);
  g.scopes = SqlText(r[5]);
  g.created_ms = SqlInt(r[6]);
  g.expires_ms = SqlInt(r[7]);
  g.revoked_ms = SqlOptInt(r[8]);
  g.revoked_by = SqlText(r[9]);
  return g;
}

constexpr const char* kLogColumns =
    "id, account_id, at_ms, staff_id, grant_id, purpose, ticket, kind, method, route, path";

AccessLogEntry LogFromRow(const SqlRow& r) {
  AccessLogEntry e;
  e.id = SqlText(r[0]);
  e.account_id = SqlText(r[1]);
  e.at_ms = SqlInt(r[2]);
  e.staff_id = SqlText(r[3]);
  e.grant_id = SqlText(r[4]);
  e.purpose = SqlText(r[5]);
  e.ticket = SqlText(r[6]);
  e.kind = SqlText(r[7]);
  e.method = SqlText(r[8]);
  e.route = SqlText(r[9]);
  e.path = SqlText(r[10]);
  return e;
}

}  // namespace

Status SqlMetadataTx::InsertStaff(const StaffRecord& s) {
  // token_digest is the retired permanent token of version 6: a value no
  // token hashes to, unique per member.
  return StatusOf(
      Query(std::string("INSERT INTO staff (") + kStaffColumns +
                ", token_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'none:' || $1)",
            {s.id, s.name, s.role, s.created_ms, SqlNullable(s.disabled_ms), s.password_hash,
             s.totp_seed, s.totp_last_step}));
}

Status SqlMetadataTx::SetStaffTotpStep(const std::string& staff_id, int64_t step) {
  return ExecOne("UPDATE staff SET totp_last_step = $2 WHERE id = $1", {staff_id, step});
}

Result<StaffRecord> SqlMetadataTx::FindStaff(const std::string& id) {
  return FirstRow<StaffRecord>(
      Query(std::string("SELECT ") + kStaffColumns + " FROM staff WHERE id = $1", {id}),
      StaffFromRow, "staff");
}

Status SqlMetadataTx::InsertStaffSession(const StaffSessionRecord& s) {
  return StatusOf(
      Query(std::string("INSERT INTO staff_sessions (") + kSessionColumns +
                ") VALUES ($1, $2, $3, $4, $5)",
            {s.token_digest, s.staff_id, s.created_ms, s.expires_ms, SqlNullable(s.revoked_ms)}));
}

Status SqlMetadataTx::RevokeStaffSession(const std::string& token_digest, int64_t at_ms) {
  return ExecOne(
      "UPDATE staff_sessions SET revoked_ms = COALESCE(revoked_ms, $2) WHERE token_digest = $1",
      {token_digest, at_ms});
}

Result<StaffSessionRecord> SqlMetadataTx::FindStaffSession(const std::string& token_digest) {
  return FirstRow<StaffSessionRecord>(Query(std::string("SELECT ") + kSessionColumns +
                                                " FROM staff_sessions WHERE token_digest = $1",
                                            {token_digest}),
                                      SessionFromRow, "staff session");
}

Status SqlMetadataTx::InsertAccessGrant(const AccessGrantRecord& g) {
  return StatusOf(Query(std::string("INSERT INTO access_grants (") + kGrantColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        {g.id, g.staff_id, g.account_id, g.purpose, g.ticket, g.scopes,
                         g.created_ms, g.expires_ms, SqlNullable(g.revoked_ms), g.revoked_by}));
}

Status SqlMetadataTx::RevokeAccessGrant(const std::string& id, const std::string& by,
                                        int64_t at_ms) {
  return ExecOne("UPDATE access_grants SET revoked_ms = $3, revoked_by = $2 WHERE id = $1",
                 {id, by, at_ms});
}

Result<AccessGrantRecord> SqlMetadataTx::FindAccessGrant(const std::string& id) {
  return FirstRow<AccessGrantRecord>(
      Query(std::string("SELECT ") + kGrantColumns + " FROM access_grants WHERE id = $1", {id}),
      GrantFromRow, "access grant");
}

Result<std::vector<AccessGrantRecord>> SqlMetadataTx::ListAccessGrants(const std::string& staff_id,
                                                                       int limit) {
  return AllRows<AccessGrantRecord>(
      Query(std::string("SELECT ") + kGrantColumns +
                " FROM access_grants WHERE staff_id = $1 ORDER BY created_ms DESC, id DESC"
                " LIMIT $2",
            {staff_id, int64_t{limit}}),
      GrantFromRow);
}

Result<std::vector<AccessGrantRecord>> SqlMetadataTx::ListActiveAccessGrants(
    const std::string& staff_id, const std::string& account_id, int64_t now_ms) {
  return AllRows<AccessGrantRecord>(
      Query(std::string("SELECT ") + kGrantColumns +
                " FROM access_grants WHERE staff_id = $1 AND account_id = $2"
                " AND revoked_ms IS NULL AND expires_ms > $3 ORDER BY created_ms DESC, id DESC",
            {staff_id, account_id, now_ms}),
      GrantFromRow);
}

Status SqlMetadataTx::AppendAccessLog(const AccessLogEntry& e) {
  return StatusOf(Query(std::string("INSERT INTO access_log (") + kLogColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        {e.id, e.account_id, e.at_ms, e.staff_id, e.grant_id, e.purpose, e.ticket,
                         e.kind, e.method, e.route, e.path}));
}

Result<std::vector<AccessLogEntry>> SqlMetadataTx::ListAccessLog(
    const std::string& account_id, const std::optional<std::string>& before_id, int limit) {
  // Ids are random: the cursor is the (at_ms, id) of the entry before_id
  // names, within this account's log only.
  return AllRows<AccessLogEntry>(
      Query(std::string("SELECT ") + kLogColumns +
                " FROM access_log WHERE account_id = $1 AND (CAST($2 AS TEXT) IS NULL OR"
                " (at_ms, id) < (SELECT at_ms, id FROM access_log WHERE id = $2 AND account_id ="
                " $1)) ORDER BY at_ms DESC, id DESC LIMIT $3",
            {account_id, SqlNullable(before_id), int64_t{limit}}),
      LogFromRow);
}

}  // namespace lethe
