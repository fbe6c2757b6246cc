// SqlMetadataTx, continued: SMS as a second factor (ACC-4): the sealed
// phone number of a customer and the keyed digests of the codes sent.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kFactorColumns = "customer_id, sealed_phone, created_ms, confirmed_ms";

SmsFactorRecord FactorFromRow(const SqlRow& r) {
  return SmsFactorRecord{SqlText(r[0]), SqlText(r[1]), SqlInt(r[2]), SqlOptInt(r[3])};
}

constexpr const char* kCodeColumns =
    "scope, customer_id, code_digest, sent_ms, expires_ms, window_start_ms, sends, failures";

SmsCodeRecord CodeFromRow(const SqlRow& r) {
  return SmsCodeRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]), SqlInt(r[3]),
                       SqlInt(r[4]),  SqlInt(r[5]),  SqlInt(r[6]),  SqlInt(r[7])};
}

}  // namespace

Result<SmsFactorRecord> SqlMetadataTx::FindSmsFactor(const std::string& customer_id) {
  return FirstRow<SmsFactorRecord>(
      Query(std::string("SELECT ") + kFactorColumns + " FROM sms_factors WHERE customer_id = $1",
            {customer_id}),
      FactorFromRow, "SMS factor");
}

Result<SmsCodeRecord> SqlMetadataTx::FindSmsCode(const std::string& scope) {
  return FirstRow<SmsCodeRecord>(
      Query(std::string("SELECT ") + kCodeColumns + " FROM sms_codes WHERE scope = $1", {scope}),
      CodeFromRow, "SMS code");
}

Status SqlMetadataTx::PutSmsFactor(const SmsFactorRecord& f) {
  forget_ = true;  // a replaced number leaves no copy of its sealed form behind
  return StatusOf(
      Query(std::string("INSERT INTO sms_factors (") + kFactorColumns +
                ") VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO UPDATE SET"
                " sealed_phone = excluded.sealed_phone,"
                " created_ms = excluded.created_ms,"
                " confirmed_ms = excluded.confirmed_ms",
            {f.customer_id, f.sealed_phone, f.created_ms, SqlNullable(f.confirmed_ms)}));
}

Status SqlMetadataTx::DeleteSmsFactor(const std::string& customer_id) {
  for (const char* sql : {"DELETE FROM sms_factors WHERE customer_id = $1",
                          "DELETE FROM sms_codes WHERE customer_id = $1"}) {
    LETHE_RETURN_IF_ERROR(StatusOf(Query(sql, {customer_id})));
  }
  forget_ = true;
  return Status::Ok();
}

Status SqlMetadataTx::PutSmsCode(const SmsCodeRecord& c) {
  return StatusOf(Query(std::string("INSERT INTO sms_codes (") + kCodeColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (scope) DO"
                            " UPDATE SET customer_id = excluded.customer_id,"
                            " code_digest = excluded.code_digest, sent_ms = excluded.sent_ms,"
                            " expires_ms = excluded.expires_ms,"
                            " window_start_ms = excluded.window_start_ms,"
                            " sends = excluded.sends, failures = excluded.failures",
                        {c.scope, c.customer_id, c.code_digest, c.sent_ms, c.expires_ms,
                         c.window_start_ms, c.sends, c.failures}));
}

Status SqlMetadataTx::DeleteSmsCode(const std::string& scope) {
  return StatusOf(Query("DELETE FROM sms_codes WHERE scope = $1", {scope}));
}

}  // namespace lethe
