// SqlMetadataTx, continued: two-factor authentication (ACC-4): TOTP
// factors with their sealed seeds, recovery-code digests and sign-in
// challenges.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kTotpColumns =
    "customer_id, sealed_seed, created_ms, confirmed_ms, last_step";

TotpFactorRecord TotpFromRow(const SqlRow& r) {
  return TotpFactorRecord{SqlText(r[0]), SqlText(r[1]), SqlInt(r[2]), SqlOptInt(r[3]),
                          SqlInt(r[4])};
}

constexpr const char* kChallengeColumns =
    "token_digest, customer_id, created_ms, expires_ms, failures, used_ms";

SignInChallengeRecord ChallengeFromRow(const SqlRow& r) {
  return SignInChallengeRecord{SqlText(r[0]), SqlText(r[1]), SqlInt(r[2]),
                               SqlInt(r[3]),  SqlInt(r[4]),  SqlOptInt(r[5])};
}

}  // namespace

Result<TotpFactorRecord> SqlMetadataTx::FindTotpFactor(const std::string& customer_id) {
  return FirstRow<TotpFactorRecord>(
      Query(std::string("SELECT ") + kTotpColumns + " FROM totp_factors WHERE customer_id = $1",
            {customer_id}),
      TotpFromRow, "TOTP factor");
}

Result<std::vector<RecoveryCodeRecord>> SqlMetadataTx::ListRecoveryCodes(
    const std::string& customer_id) {
  return AllRows<RecoveryCodeRecord>(
      Query("SELECT customer_id, code_digest, used_ms FROM recovery_codes"
            " WHERE customer_id = $1 ORDER BY code_digest",
            {customer_id}),
      [](const SqlRow& r) {
        return RecoveryCodeRecord{SqlText(r[0]), SqlText(r[1]), SqlOptInt(r[2])};
      });
}

Result<SignInChallengeRecord> SqlMetadataTx::FindSignInChallenge(const std::string& token_digest) {
  return FirstRow<SignInChallengeRecord>(
      Query(std::string("SELECT ") + kChallengeColumns +
                " FROM sign_in_challenges WHERE token_digest = $1",
            {token_digest}),
      ChallengeFromRow, "sign-in challenge");
}

Status SqlMetadataTx::PutTotpFactor(const TotpFactorRecord& f) {
  // A pending enrolment started again replaces the old seed: its copy
  // must not linger in the files.
  forget_ = true;
  return StatusOf(Query(
      std::string("INSERT INTO totp_factors (") + kTotpColumns +
          ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer_id) DO UPDATE SET"
          " sealed_seed = excluded.sealed_seed, created_ms = excluded.created_ms,"
          " confirmed_ms = excluded.confirmed_ms,"
          " last_step = excluded.last_step",
      {f.customer_id, f.sealed_seed, f.created_ms, SqlNullable(f.confirmed_ms), f.last_step}));
}

Status SqlMetadataTx::DeleteTwoFactor(const std::string& customer_id) {
  for (const char* sql : {"DELETE FROM totp_factors WHERE customer_id = $1",
                          "DELETE FROM recovery_codes WHERE customer_id = $1",
                          "DELETE FROM sign_in_challenges WHERE customer_id = $1"}) {
    LETHE_RETURN_IF_ERROR(StatusOf(Query(sql, {customer_id})));
  }
  forget_ = true;  // the sealed seed leaves no copy behind
  return Status::Ok();
}

Status SqlMetadataTx::ReplaceRecoveryCodes(const std::string& customer_id,
                                           const std::vector<RecoveryCodeRecord>& codes) {
  LETHE_RETURN_IF_ERROR(
      StatusOf(Query("DELETE FROM recovery_codes WHERE customer_id = $1", {customer_id})));
  for (const RecoveryCodeRecord& c : codes) {
    LETHE_RETURN_IF_ERROR(StatusOf(
        Query("INSERT INTO recovery_codes (customer_id, code_digest, used_ms) VALUES ($1, $2, $3)",
              {customer_id, c.code_digest, SqlNullable(c.used_ms)})));
  }
  forget_ = true;
  return Status::Ok();
}

Status SqlMetadataTx::MarkRecoveryCodeUsed(const std::string& customer_id,
                                           const std::string& code_digest, int64_t used_ms) {
  return ExecOne(
      "UPDATE recovery_codes SET used_ms = $3"
      " WHERE customer_id = $1 AND code_digest = $2 AND used_ms IS NULL",
      {customer_id, code_digest, used_ms});
}

Status SqlMetadataTx::InsertSignInChallenge(const SignInChallengeRecord& c) {
  return StatusOf(Query(std::string("INSERT INTO sign_in_challenges (") + kChallengeColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6)",
                        {c.token_digest, c.customer_id, c.created_ms, c.expires_ms, c.failures,
                         SqlNullable(c.used_ms)}));
}

Status SqlMetadataTx::UpdateSignInChallenge(const SignInChallengeRecord& c) {
  return ExecOne(
      "UPDATE sign_in_challenges SET failures = $2, used_ms = $3 WHERE token_digest = $1",
      {c.token_digest, c.failures, SqlNullable(c.used_ms)});
}

}  // namespace lethe
