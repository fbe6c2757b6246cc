// SqlMetadataTx, continued: the consent ledger, policy versions and
// unsubscribe tokens (issue 12: ACC-5, SEC-5, SEC-6, SHR-7).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kConsentColumns =
    "seq, id, customer_id, account_id, subject, purpose, decision, source, at_ms, "
    "policy_version, request_id";

ConsentRecord ConsentFromRow(const SqlRow& r) {
  ConsentRecord c;
  c.seq = SqlInt(r[0]);
  c.id = SqlText(r[1]);
  c.customer_id = SqlText(r[2]);
  c.account_id = SqlText(r[3]);
  c.subject = SqlText(r[4]);
  c.purpose = SqlText(r[5]);
  c.decision = SqlText(r[6]);
  c.source = SqlText(r[7]);
  c.at_ms = SqlInt(r[8]);
  c.policy_version = SqlInt(r[9]);
  c.request_id = SqlText(r[10]);
  return c;
}

PolicyVersionRecord PolicyFromRow(const SqlRow& r) {
  return PolicyVersionRecord{SqlInt(r[0]), SqlText(r[1]), SqlInt(r[2]), SqlInt(r[3]) != 0,
                             SqlInt(r[4])};
}

}  // namespace

Status SqlMetadataTx::AppendConsent(const ConsentRecord& c) {
  // The seq is the store's: the ledger's order is the order of commits.
  return StatusOf(
      Query("INSERT INTO consents (id, customer_id, account_id, subject, purpose, decision, "
            "source, at_ms, policy_version, request_id) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            {c.id, c.customer_id, c.account_id, c.subject, c.purpose, c.decision, c.source, c.at_ms,
             c.policy_version, c.request_id}));
}

Result<std::vector<ConsentRecord>> SqlMetadataTx::ListConsents(const std::string& account_id,
                                                               const std::string& subject) {
  return AllRows<ConsentRecord>(
      Query(std::string("SELECT ") + kConsentColumns +
                " FROM consents WHERE account_id = $1 AND subject = $2 ORDER BY seq",
            {account_id, subject}),
      ConsentFromRow);
}

Status SqlMetadataTx::InsertPolicyVersion(const PolicyVersionRecord& v) {
  return StatusOf(
      Query("INSERT INTO policy_versions (version, text, effective_ms, material, published_ms) "
            "VALUES ($1, $2, $3, $4, $5)",
            {v.version, v.text, v.effective_ms, int64_t{v.material ? 1 : 0}, v.published_ms}));
}

Result<std::vector<PolicyVersionRecord>> SqlMetadataTx::ListPolicyVersions() {
  return AllRows<PolicyVersionRecord>(
      Query("SELECT version, text, effective_ms, material, published_ms FROM policy_versions "
            "ORDER BY version",
            {}),
      PolicyFromRow);
}

Status SqlMetadataTx::InsertUnsubscribeToken(const UnsubscribeTokenRecord& t) {
  return StatusOf(
      Query("INSERT INTO unsubscribe_tokens (token_digest, customer_id, message_id, created_ms) "
            "VALUES ($1, $2, $3, $4)",
            {t.token_digest, t.customer_id, t.message_id, t.created_ms}));
}

Result<UnsubscribeTokenRecord> SqlMetadataTx::FindUnsubscribeToken(
    const std::string& token_digest) {
  return FirstRow<UnsubscribeTokenRecord>(
      Query("SELECT token_digest, customer_id, message_id, created_ms FROM unsubscribe_tokens "
            "WHERE token_digest = $1",
            {token_digest}),
      [](const SqlRow& r) {
        return UnsubscribeTokenRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]), SqlInt(r[3])};
      },
      "unsubscribe token");
}

}  // namespace lethe
