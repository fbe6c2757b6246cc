// SqlMetadataTx, continued: the sub-processor registry and customers'
// webhooks with their deliveries and attempts (SHR-2, SHR-3, issue 12).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kSubprocessorColumns =
    "id, version, name, purpose, region, categories, endpoint, retired, changed_by, announced_ms, "
    "effective_ms";

SubprocessorRecord SubprocessorFromRow(const SqlRow& r) {
  SubprocessorRecord s;
  s.id = SqlText(r[0]);
  s.version = SqlInt(r[1]);
  s.name = SqlText(r[2]);
  s.purpose = SqlText(r[3]);
  s.region = SqlText(r[4]);
  s.categories = SqlText(r[5]);
  s.endpoint = SqlText(r[6]);
  s.retired = SqlInt(r[7]) != 0;
  s.changed_by = SqlText(r[8]);
  s.announced_ms = SqlInt(r[9]);
  s.effective_ms = SqlInt(r[10]);
  return s;
}

constexpr const char* kWebhookColumns =
    "id, customer_id, account_id, url, events, wrapped_secret, created_ms";

WebhookRecord WebhookFromRow(const SqlRow& r) {
  return WebhookRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]), SqlText(r[3]),
                       SqlText(r[4]), SqlText(r[5]), SqlInt(r[6])};
}

constexpr const char* kDeliveryColumns =
    "id, webhook_id, account_id, event_type, payload, end_user, state, attempts, created_ms, "
    "next_ms";

WebhookDeliveryRecord DeliveryFromRow(const SqlRow& r) {
  return WebhookDeliveryRecord{SqlText(r[0]), SqlText(r[1]),  SqlText(r[2]), SqlText(r[3]),
                               SqlText(r[4]), SqlText(r[5]),  SqlText(r[6]), SqlInt(r[7]),
                               SqlInt(r[8]),  SqlOptInt(r[9])};
}

constexpr const char* kAttemptColumns =
    "delivery_id, attempt, at_ms, status_code, error, duration_ms";

WebhookAttemptRecord AttemptFromRow(const SqlRow& r) {
  return WebhookAttemptRecord{SqlText(r[0]), SqlInt(r[1]),  SqlInt(r[2]),
                              SqlInt(r[3]),  SqlText(r[4]), SqlInt(r[5])};
}

}  // namespace

Result<std::vector<SubprocessorRecord>> SqlMetadataTx::ListSubprocessorVersions() {
  return AllRows<SubprocessorRecord>(Query(std::string("SELECT ") + kSubprocessorColumns +
                                               " FROM subprocessors ORDER BY id, version",
                                           {}),
                                     SubprocessorFromRow);
}

Status SqlMetadataTx::InsertSubprocessorVersion(const SubprocessorRecord& s) {
  return StatusOf(
      Query(std::string("INSERT INTO subprocessors (") + kSubprocessorColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            {s.id, s.version, s.name, s.purpose, s.region, s.categories, s.endpoint,
             int64_t{s.retired ? 1 : 0}, s.changed_by, s.announced_ms, s.effective_ms}));
}

Result<WebhookRecord> SqlMetadataTx::FindWebhook(const std::string& account_id,
                                                 const std::string& id) {
  return FirstRow<WebhookRecord>(Query(std::string("SELECT ") + kWebhookColumns +
                                           " FROM webhooks WHERE account_id = $1 AND id = $2",
                                       {account_id, id}),
                                 WebhookFromRow, "webhook");
}

Result<std::vector<WebhookRecord>> SqlMetadataTx::ListWebhooks(const std::string& account_id) {
  return AllRows<WebhookRecord>(
      Query(std::string("SELECT ") + kWebhookColumns +
                " FROM webhooks WHERE account_id = $1 ORDER BY created_ms, id",
            {account_id}),
      WebhookFromRow);
}

Status SqlMetadataTx::InsertWebhook(const WebhookRecord& w) {
  return StatusOf(
      Query(std::string("INSERT INTO webhooks (") + kWebhookColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {w.id, w.customer_id, w.account_id, w.url, w.events, w.wrapped_secret, w.created_ms}));
}

Status SqlMetadataTx::DeleteWebhook(const std::string& account_id, const std::string& id) {
  // The deliveries and attempts go with it (ON DELETE CASCADE); the end
  // users pending deliveries named must leave no copy.
  LETHE_RETURN_IF_ERROR(
      ExecOne("DELETE FROM webhooks WHERE account_id = $1 AND id = $2", {account_id, id}));
  forget_ = true;
  return Status::Ok();
}

Result<WebhookDeliveryRecord> SqlMetadataTx::FindWebhookDelivery(const std::string& id) {
  return FirstRow<WebhookDeliveryRecord>(
      Query(std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = $1",
            {id}),
      DeliveryFromRow, "webhook delivery");
}

Result<std::vector<WebhookDeliveryRecord>> SqlMetadataTx::ListWebhookDeliveries(
    const std::string& webhook_id, int limit) {
  return AllRows<WebhookDeliveryRecord>(
      Query(std::string("SELECT ") + kDeliveryColumns +
                " FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_ms DESC, id DESC "
                "LIMIT $2",
            {webhook_id, int64_t{limit}}),
      DeliveryFromRow);
}

Status SqlMetadataTx::InsertWebhookDelivery(const WebhookDeliveryRecord& d) {
  return StatusOf(Query(std::string("INSERT INTO webhook_deliveries (") + kDeliveryColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        {d.id, d.webhook_id, d.account_id, d.event_type, d.payload, d.end_user,
                         d.state, d.attempts, d.created_ms, SqlNullable(d.next_ms)}));
}

Status SqlMetadataTx::UpdateWebhookDelivery(const WebhookDeliveryRecord& d) {
  if (d.end_user.empty()) {
    // Blanking a reference the row held: it must leave no copy behind.
    LETHE_RETURN_IF_ERROR(Query(
        "UPDATE webhook_deliveries SET end_user = '' WHERE id = $1 AND end_user <> ''", {d.id}));
    if (conn_.ChangedRows() > 0) forget_ = true;
  }
  return ExecOne(
      "UPDATE webhook_deliveries SET state = $2, attempts = $3, next_ms = $4, end_user = $5 "
      "WHERE id = $1",
      {d.id, d.state, d.attempts, SqlNullable(d.next_ms), d.end_user});
}

Result<std::vector<WebhookAttemptRecord>> SqlMetadataTx::ListWebhookAttempts(
    const std::string& delivery_id) {
  return AllRows<WebhookAttemptRecord>(
      Query(std::string("SELECT ") + kAttemptColumns +
                " FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt",
            {delivery_id}),
      AttemptFromRow);
}

Status SqlMetadataTx::InsertWebhookAttempt(const WebhookAttemptRecord& a) {
  return StatusOf(
      Query(std::string("INSERT INTO webhook_attempts (") + kAttemptColumns +
                ") VALUES ($1, $2, $3, $4, $5, $6)",
            {a.delivery_id, a.attempt, a.at_ms, a.status_code, a.error, a.duration_ms}));
}

}  // namespace lethe
