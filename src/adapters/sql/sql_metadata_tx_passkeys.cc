// SqlMetadataTx, continued: passkeys (issue 15, v29), the WebAuthn
// credentials of customers and staff, and their ceremonies' challenges.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kPasskeyColumns =
    "id, owner_kind, owner_id, credential_id, cose_alg, public_key, sign_count, name, created_ms,"
    " last_used_ms";

PasskeyRecord PasskeyFromRow(const SqlRow& r) {
  return PasskeyRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]), SqlText(r[3]), SqlInt(r[4]),
                       SqlText(r[5]), SqlInt(r[6]),  SqlText(r[7]), SqlInt(r[8]),  SqlOptInt(r[9])};
}

constexpr const char* kChallengeColumns =
    "challenge_digest, purpose, owner_kind, owner_id, created_ms, expires_ms, used_ms";

PasskeyChallengeRecord ChallengeFromRow(const SqlRow& r) {
  return PasskeyChallengeRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]),  SqlText(r[3]),
                                SqlInt(r[4]),  SqlInt(r[5]),  SqlOptInt(r[6])};
}

}  // namespace

Result<PasskeyRecord> SqlMetadataTx::FindPasskeyByCredential(const std::string& credential_id) {
  return FirstRow<PasskeyRecord>(
      Query(std::string("SELECT ") + kPasskeyColumns + " FROM passkeys WHERE credential_id = $1",
            {credential_id}),
      PasskeyFromRow, "passkey");
}

Result<std::vector<PasskeyRecord>> SqlMetadataTx::ListPasskeys(const std::string& owner_kind,
                                                               const std::string& owner_id) {
  return AllRows<PasskeyRecord>(
      Query(std::string("SELECT ") + kPasskeyColumns +
                " FROM passkeys WHERE owner_kind = $1 AND owner_id = $2 ORDER BY created_ms, id",
            {owner_kind, owner_id}),
      PasskeyFromRow);
}

Result<PasskeyChallengeRecord> SqlMetadataTx::FindPasskeyChallenge(const std::string& digest) {
  return FirstRow<PasskeyChallengeRecord>(
      Query(std::string("SELECT ") + kChallengeColumns +
                " FROM passkey_challenges WHERE challenge_digest = $1",
            {digest}),
      ChallengeFromRow, "passkey challenge");
}

Status SqlMetadataTx::InsertPasskey(const PasskeyRecord& p) {
  return StatusOf(Query(std::string("INSERT INTO passkeys (") + kPasskeyColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        {p.id, p.owner_kind, p.owner_id, p.credential_id, p.cose_alg, p.public_key,
                         p.sign_count, p.name, p.created_ms, SqlNullable(p.last_used_ms)}));
}

Status SqlMetadataTx::RecordPasskeyUse(const std::string& credential_id, int64_t sign_count,
                                       int64_t used_ms) {
  return ExecOne("UPDATE passkeys SET sign_count = $2, last_used_ms = $3 WHERE credential_id = $1",
                 {credential_id, sign_count, used_ms});
}

Status SqlMetadataTx::DeletePasskey(const std::string& owner_kind, const std::string& owner_id,
                                    const std::string& id) {
  return ExecOne("DELETE FROM passkeys WHERE owner_kind = $1 AND owner_id = $2 AND id = $3",
                 {owner_kind, owner_id, id});
}

Status SqlMetadataTx::InsertPasskeyChallenge(const PasskeyChallengeRecord& c) {
  return StatusOf(Query(std::string("INSERT INTO passkey_challenges (") + kChallengeColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        {c.challenge_digest, c.purpose, c.owner_kind, c.owner_id, c.created_ms,
                         c.expires_ms, SqlNullable(c.used_ms)}));
}

Status SqlMetadataTx::UsePasskeyChallenge(const std::string& digest, int64_t used_ms) {
  return ExecOne(
      "UPDATE passkey_challenges SET used_ms = $2 WHERE challenge_digest = $1 AND used_ms IS NULL",
      {digest, used_ms});
}

Result<int64_t> SqlMetadataTx::DeletePasskeyChallengesBefore(int64_t before_ms) {
  LETHE_ASSIGN_OR_RETURN(auto rows, Query("DELETE FROM passkey_challenges WHERE expires_ms < $1"
                                          " RETURNING challenge_digest",
                                          {before_ms}));
  return static_cast<int64_t>(rows.size());
}

}  // namespace lethe
