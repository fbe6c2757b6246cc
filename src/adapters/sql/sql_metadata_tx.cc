#include "adapters/sql/sql_metadata_tx.h"

#include <algorithm>
#include <cctype>

#include "adapters/sql/sql_listings.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

std::string EmailKey(const std::string& email) {
  std::string k = email;
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return k;
}

constexpr const char* kCustomerColumns =
    "id, name, email, password_hash, country, birth_date, company, job_title, use_case, phone, "
    "created_ms, closed_ms, closure_stage, closure_cause";

CustomerRecord CustomerFromRow(const SqlRow& r) {
  CustomerRecord c;
  c.id = SqlText(r[0]);
  c.name = SqlText(r[1]);
  c.email = SqlText(r[2]);
  c.password_hash = SqlText(r[3]);
  c.country = SqlText(r[4]);
  c.birth_date = SqlText(r[5]);
  c.company = SqlOptText(r[6]);
  c.job_title = SqlOptText(r[7]);
  c.use_case = SqlOptText(r[8]);
  c.phone = SqlOptText(r[9]);
  c.created_ms = SqlInt(r[10]);
  c.closed_ms = SqlOptInt(r[11]);
  c.closure_stage = static_cast<int>(SqlInt(r[12]));
  c.closure_cause = SqlText(r[13]);
  return c;
}

constexpr const char* kAccountColumns =
    "id, customer_id, name, region, token_digest, created_ms, retention_days, closed_ms";

AccountRecord AccountFromRow(const SqlRow& r) {
  return AccountRecord{SqlText(r[0]), SqlText(r[1]), SqlText(r[2]),   SqlText(r[3]),
                       SqlText(r[4]), SqlInt(r[5]),  SqlOptInt(r[6]), SqlOptInt(r[7])};
}

ApiKeyRecord ApiKeyFromRow(const SqlRow& r) {
  return ApiKeyRecord{SqlText(r[0]), SqlText(r[1]),   SqlText(r[2]),
                      SqlInt(r[3]),  SqlOptInt(r[4]), SqlText(r[5])};
}

UsageEvent UsageFromRow(const SqlRow& r) {
  UsageEvent e;
  e.seq = SqlInt(r[0]);
  e.id = SqlText(r[1]);
  e.time_ms = SqlInt(r[2]);
  e.account_id = SqlText(r[3]);
  e.credential_id = SqlText(r[4]);
  e.end_user = SqlText(r[5]);
  e.ip = SqlText(r[6]);
  e.device_type = SqlText(r[7]);
  e.browser = SqlText(r[8]);
  e.browser_version = SqlText(r[9]);
  e.language = SqlText(r[10]);
  e.country = SqlText(r[11]);
  e.method = SqlText(r[12]);
  e.route = SqlText(r[13]);
  e.status = static_cast<int>(SqlInt(r[14]));
  return e;
}

constexpr const char* kAuditColumns =
    "seq, id, time_ms, actor, action, target, account_id, ip, request_id, prev_hash, hash";

AuditEvent AuditFromRow(const SqlRow& r) {
  AuditEvent e;
  e.seq = SqlInt(r[0]);
  e.id = SqlText(r[1]);
  e.time_ms = SqlInt(r[2]);
  e.actor = SqlText(r[3]);
  e.action = SqlText(r[4]);
  e.target = SqlText(r[5]);
  e.account_id = SqlText(r[6]);
  e.ip = SqlText(r[7]);
  e.request_id = SqlText(r[8]);
  e.prev_hash = SqlText(r[9]);
  e.hash = SqlText(r[10]);
  return e;
}

// Codec names (libavcodec's, e.g. "h264") joined by commas.
std::vector<std::string> SplitCodecs(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    out.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::optional<std::string> JoinCodecs(const std::vector<std::string>& codecs) {
  if (codecs.empty()) return std::nullopt;
  std::string out;
  for (const std::string& c : codecs) out += (out.empty() ? "" : ",") + c;
  return out;
}

MediaRecord MediaFromRow(const SqlRow& r) {
  MediaRecord m;
  m.seq = SqlInt(r[0]);
  m.id = SqlText(r[1]);
  m.account_id = SqlText(r[2]);
  m.end_user = SqlText(r[3]);
  m.kind = SqlText(r[4]);
  m.content_type = SqlText(r[5]);
  m.bytes = SqlInt(r[6]);
  m.sha256 = SqlText(r[7]);
  m.title = SqlText(r[8]);
  m.created_ms = SqlInt(r[9]);
  m.expires_ms = SqlOptInt(r[10]);
  m.blob_id = SqlText(r[11]);
  m.wrapped_key = SqlText(r[12]);
  m.expiry_from_account = SqlInt(r[13]) != 0;
  m.duration_ms = SqlOptInt(r[14]);
  m.width = SqlOptInt(r[15]);
  m.height = SqlOptInt(r[16]);
  m.codecs = SplitCodecs(SqlOptText(r[17]).value_or(""));
  m.frame_rate = SqlOptText(r[18]);
  m.rotation = SqlOptInt(r[19]);
  return m;
}

}  // namespace

Result<std::vector<SqlRow>> SqlMetadataTx::Query(const std::string& sql,
                                                 const std::vector<SqlValue>& params) {
  return conn_.Query(sql, params);
}

Status SqlMetadataTx::ExecOne(const std::string& sql, const std::vector<SqlValue>& params) {
  LETHE_RETURN_IF_ERROR(conn_.Query(sql, params));
  if (conn_.ChangedRows() == 0) return Status::NotFound("record not found");
  return Status::Ok();
}

std::string SqlMetadataTx::ClaimLock() const {
  return conn_.dialect() == SqlDialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
}

void SqlMetadataTx::AfterCommit(std::function<void()> fn) {
  after_commit_.push_back(std::move(fn));
}

void SqlMetadataTx::AfterCommitOnce(const void* key, std::function<void()> fn) {
  for (const auto& [k, at] : once_) {
    if (k == key) {
      after_commit_[at] = std::move(fn);
      return;
    }
  }
  once_.emplace_back(key, after_commit_.size());
  after_commit_.push_back(std::move(fn));
}

// ---- customers ----

Status SqlMetadataTx::InsertCustomer(const CustomerRecord& c) {
  return StatusOf(Query(
      "INSERT INTO customers (id, name, email, email_key, password_hash, country, birth_date, "
      "company, job_title, use_case, phone, created_ms) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {c.id, c.name, c.email, EmailKey(c.email), c.password_hash, c.country, c.birth_date,
       SqlNullable(c.company), SqlNullable(c.job_title), SqlNullable(c.use_case),
       SqlNullable(c.phone), c.created_ms}));
}

Status SqlMetadataTx::UpdateCustomer(const CustomerRecord& c) {
  Status st = ExecOne(
      "UPDATE customers SET name = $2, email = $3, email_key = $4, password_hash = $5, "
      "company = $6, job_title = $7, use_case = $8, phone = $9, country = $10, birth_date = $11, "
      "closed_ms = $12, closure_stage = $13, closure_cause = $14 WHERE id = $1",
      {c.id, c.name, c.email, EmailKey(c.email), c.password_hash, SqlNullable(c.company),
       SqlNullable(c.job_title), SqlNullable(c.use_case), SqlNullable(c.phone), c.country,
       c.birth_date, SqlNullable(c.closed_ms), int64_t{c.closure_stage}, c.closure_cause});
  if (st.ok()) forget_ = true;  // the old values are personal data
  return st;
}

Result<CustomerRecord> SqlMetadataTx::FindCustomer(const std::string& id) {
  return FirstRow<CustomerRecord>(
      Query(std::string("SELECT ") + kCustomerColumns + " FROM customers WHERE id = $1", {id}),
      CustomerFromRow, "customer");
}

Result<std::vector<CustomerRecord>> SqlMetadataTx::ListClosedCustomers(int64_t closed_before_ms,
                                                                       int below_stage, int limit) {
  return AllRows<CustomerRecord>(
      Query(std::string("SELECT ") + kCustomerColumns +
                " FROM customers WHERE closed_ms IS NOT NULL"
                " AND (closed_ms <= $1 OR closure_cause = 'underage')"
                " AND closure_stage < $2 ORDER BY closed_ms, id LIMIT $3",
            {closed_before_ms, int64_t{below_stage}, int64_t{limit}}),
      CustomerFromRow);
}

Result<std::vector<CustomerRecord>> SqlMetadataTx::ListOpenCustomers(const std::string& after_id,
                                                                     int limit) {
  return AllRows<CustomerRecord>(
      Query(std::string("SELECT ") + kCustomerColumns +
                " FROM customers WHERE closed_ms IS NULL AND id > $1 ORDER BY id LIMIT $2",
            {after_id, int64_t{limit}}),
      CustomerFromRow);
}

Result<CustomerRecord> SqlMetadataTx::FindCustomerByEmail(const std::string& email) {
  return FirstRow<CustomerRecord>(
      Query(std::string("SELECT ") + kCustomerColumns + " FROM customers WHERE email_key = $1",
            {EmailKey(email)}),
      CustomerFromRow, "customer");
}

// ---- sessions: sql_metadata_tx_sessions.cc ----

// ---- accounts ----

Status SqlMetadataTx::InsertAccount(const AccountRecord& a) {
  return StatusOf(
      Query("INSERT INTO accounts (id, customer_id, name, region, token_digest, created_ms, "
            "retention_days) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {a.id, a.customer_id, a.name, a.region, a.token_digest, a.created_ms,
             SqlNullable(a.retention_days)}));
}

Status SqlMetadataTx::UpdateAccount(const AccountRecord& a) {
  // Region is fixed for life (XFR-1): it is not among the updated columns.
  return ExecOne(
      "UPDATE accounts SET name = $3, token_digest = $4, retention_days = $5, closed_ms = $6 "
      "WHERE id = $1 AND customer_id = $2",
      {a.id, a.customer_id, a.name, a.token_digest, SqlNullable(a.retention_days),
       SqlNullable(a.closed_ms)});
}

Result<AccountRecord> SqlMetadataTx::FindAccount(const std::string& customer_id,
                                                 const std::string& account_id) {
  return FirstRow<AccountRecord>(Query(std::string("SELECT ") + kAccountColumns +
                                           " FROM accounts WHERE id = $1 AND customer_id = $2",
                                       {account_id, customer_id}),
                                 AccountFromRow, "account");
}

Result<AccountRecord> SqlMetadataTx::FindAccountById(const std::string& account_id) {
  return FirstRow<AccountRecord>(
      Query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = $1",
            {account_id}),
      AccountFromRow, "account");
}

Result<AccountRecord> SqlMetadataTx::FindAccountByToken(const std::string& token_digest) {
  return FirstRow<AccountRecord>(
      Query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE token_digest = $1",
            {token_digest}),
      AccountFromRow, "account");
}

Result<std::vector<AccountRecord>> SqlMetadataTx::ListAccounts(const std::string& customer_id) {
  return AllRows<AccountRecord>(
      Query(std::string("SELECT ") + kAccountColumns +
                " FROM accounts WHERE customer_id = $1 ORDER BY created_ms, id",
            {customer_id}),
      AccountFromRow);
}

// ---- API keys ----

Status SqlMetadataTx::InsertApiKey(const ApiKeyRecord& k) {
  return StatusOf(Query(
      "INSERT INTO api_keys (id, account_id, secret_digest, created_ms) VALUES ($1, $2, $3, $4)",
      {k.id, k.account_id, k.secret_digest, k.created_ms}));
}

Result<ApiKeyRecord> SqlMetadataTx::FindApiKey(const std::string& key_id) {
  return FirstRow<ApiKeyRecord>(Query("SELECT id, account_id, secret_digest, created_ms, "
                                      "last_used_ms, last_used_ip FROM api_keys "
                                      "WHERE id = $1",
                                      {key_id}),
                                ApiKeyFromRow, "key");
}

Result<std::vector<ApiKeyRecord>> SqlMetadataTx::ListApiKeys(const std::string& account_id) {
  return AllRows<ApiKeyRecord>(Query("SELECT id, account_id, secret_digest, created_ms, "
                                     "last_used_ms, last_used_ip FROM api_keys "
                                     "WHERE account_id = $1 ORDER BY created_ms, id",
                                     {account_id}),
                               ApiKeyFromRow);
}

Status SqlMetadataTx::DeleteApiKey(const std::string& account_id, const std::string& key_id) {
  return ExecOne("DELETE FROM api_keys WHERE id = $1 AND account_id = $2", {key_id, account_id});
}

Status SqlMetadataTx::TouchApiKey(const std::string& key_id, int64_t used_ms,
                                  const std::string& ip) {
  return StatusOf(Query("UPDATE api_keys SET last_used_ms = $2, last_used_ip = $3 WHERE id = $1",
                        {key_id, used_ms, ip}));
}

// ---- events ----

Status SqlMetadataTx::InsertLoginEvent(const LoginEvent& e) {
  return StatusOf(Query(
      "INSERT INTO login_events (id, customer_id, time_ms, ip, browser, browser_version, "
      "language, country) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {e.id, e.customer_id, e.time_ms, e.ip, e.browser, e.browser_version, e.language, e.country}));
}

Status SqlMetadataTx::InsertUsageEvents(const std::vector<UsageEvent>& events) {
  for (const UsageEvent& e : events) {
    LETHE_RETURN_IF_ERROR(Query(
        "INSERT INTO usage_events (id, time_ms, account_id, credential_id, end_user, ip, "
        "device_type, browser, browser_version, language, country, method, route, status) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        {e.id, e.time_ms, e.account_id, e.credential_id, e.end_user, e.ip, e.device_type, e.browser,
         e.browser_version, e.language, e.country, e.method, e.route, int64_t{e.status}}));
  }
  return Status::Ok();
}

Result<std::vector<UsageEvent>> SqlMetadataTx::ListUsageEvents(const UsageQuery& q) {
  // One statement per combination of filters: see sql_listings.h.
  SqlStatement s = UsageListing(q);
  return AllRows<UsageEvent>(Query(s.sql, s.params), UsageFromRow);
}

// ---- audit ----

Result<std::optional<AuditEvent>> SqlMetadataTx::LastAuditEvent() {
  // The head is read to append after it (AuditLog::Record): one writer of
  // the chain at a time, reading the newest head, so that two never take the
  // same seq. A no-op on read snapshots.
  LETHE_RETURN_IF_ERROR(conn_.LockTableForWrite("audit_events"));
  LETHE_ASSIGN_OR_RETURN(auto rows, Query(std::string("SELECT ") + kAuditColumns +
                                              " FROM audit_events ORDER BY seq DESC LIMIT 1",
                                          {}));
  if (rows.empty()) return std::optional<AuditEvent>();
  return std::optional<AuditEvent>(AuditFromRow(rows[0]));
}

Status SqlMetadataTx::AppendAuditEvent(const AuditEvent& e) {
  return StatusOf(
      Query("INSERT INTO audit_events (seq, id, time_ms, actor, action, target, account_id, ip, "
            "request_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            {e.seq, e.id, e.time_ms, e.actor, e.action, e.target, e.account_id, e.ip, e.request_id,
             e.prev_hash, e.hash}));
}

Result<std::vector<AuditEvent>> SqlMetadataTx::ListAuditEvents(const std::string& account_id,
                                                               int64_t after_seq, int limit) {
  return AllRows<AuditEvent>(
      Query(std::string("SELECT ") + kAuditColumns +
                " FROM audit_events WHERE ($1 = '' OR account_id = $1) AND seq > $2"
                " ORDER BY seq LIMIT $3",
            {account_id, after_seq, int64_t{limit}}),
      AuditFromRow);
}

// ---- media ----

Status SqlMetadataTx::WriteTags(const MediaRecord& m) {
  LETHE_RETURN_IF_ERROR(Query("DELETE FROM media_tags WHERE media_id = $1", {m.id}));
  for (size_t i = 0; i < m.tags.size(); ++i) {
    // The media's account and seq, copied from its row (neither ever
    // changes), index the listing by tag in media order (schema v28).
    LETHE_RETURN_IF_ERROR(
        Query("INSERT INTO media_tags (media_id, tag, position, account_id, media_seq) "
              "SELECT id, CAST($2 AS TEXT), CAST($3 AS BIGINT), account_id, seq FROM media "
              "WHERE id = $1",
              {m.id, m.tags[i], static_cast<int64_t>(i)}));
  }
  return Status::Ok();
}

Status SqlMetadataTx::LoadTags(MediaRecord& m) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT tag FROM media_tags WHERE media_id = $1 ORDER BY position", {m.id}));
  m.tags.clear();
  for (const SqlRow& r : rows) m.tags.push_back(SqlText(r[0]));
  return Status::Ok();
}

Result<int64_t> SqlMetadataTx::InsertMedia(const MediaRecord& m) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows,
      conn_.Query(
          "INSERT INTO media (id, account_id, end_user, kind, content_type, bytes, sha256, title, "
          "created_ms, expires_ms, blob_id, wrapped_key, expiry_from_account, duration_ms, width, "
          "height, codecs, frame_rate, rotation) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
          "$18, $19) RETURNING seq",
          {m.id, m.account_id, m.end_user, m.kind, m.content_type, m.bytes, m.sha256, m.title,
           m.created_ms, SqlNullable(m.expires_ms), m.blob_id, m.wrapped_key,
           int64_t{m.expiry_from_account}, SqlNullable(m.duration_ms), SqlNullable(m.width),
           SqlNullable(m.height), SqlNullable(JoinCodecs(m.codecs)), SqlNullable(m.frame_rate),
           SqlNullable(m.rotation)}));
  LETHE_RETURN_IF_ERROR(WriteTags(m));
  return rows.empty() ? int64_t{0} : SqlInt(rows[0][0]);
}

Status SqlMetadataTx::UpdateMedia(const MediaRecord& m) {
  LETHE_RETURN_IF_ERROR(
      ExecOne("UPDATE media SET title = $3, end_user = $4, wrapped_key = $5, expires_ms = $6, "
              "expiry_from_account = $7 WHERE id = $1 AND account_id = $2",
              {m.id, m.account_id, m.title, m.end_user, m.wrapped_key, SqlNullable(m.expires_ms),
               int64_t{m.expiry_from_account}}));
  LETHE_RETURN_IF_ERROR(WriteTags(m));
  forget_ = true;  // the old title and tags are personal data too
  return Status::Ok();
}

Result<MediaRecord> SqlMetadataTx::FindMedia(const std::string& account_id,
                                             const std::string& media_id) {
  SqlStatement s = MediaLookup(account_id, media_id);
  LETHE_ASSIGN_OR_RETURN(MediaRecord m,
                         FirstRow<MediaRecord>(Query(s.sql, s.params), MediaFromRow, "media"));
  LETHE_RETURN_IF_ERROR(LoadTags(m));
  return m;
}

Result<std::vector<MediaRecord>> SqlMetadataTx::ListMedia(const MediaQuery& q) {
  // One statement per combination of filters: see sql_listings.h.
  SqlStatement s = MediaListing(q);
  LETHE_ASSIGN_OR_RETURN(auto list, AllRows<MediaRecord>(Query(s.sql, s.params), MediaFromRow));
  for (MediaRecord& m : list) LETHE_RETURN_IF_ERROR(LoadTags(m));
  return list;
}

Result<std::vector<MediaRecord>> SqlMetadataTx::ListExpiredMedia(int64_t now_ms, int limit) {
  LETHE_ASSIGN_OR_RETURN(
      auto list, AllRows<MediaRecord>(Query(std::string("SELECT ") + kMediaColumns +
                                                " FROM media WHERE expires_ms IS NOT NULL AND "
                                                "expires_ms <= $1 AND NOT EXISTS (SELECT 1 FROM "
                                                "erasures e WHERE e.state = 'held' AND "
                                                "e.blob_id = media.blob_id) "
                                                "ORDER BY expires_ms LIMIT $2",
                                            {now_ms, int64_t{limit}}),
                                      MediaFromRow));
  for (MediaRecord& m : list) LETHE_RETURN_IF_ERROR(LoadTags(m));
  return list;
}

Status SqlMetadataTx::DeleteMedia(const std::string& account_id, const std::string& media_id) {
  LETHE_RETURN_IF_ERROR(
      ExecOne("DELETE FROM media WHERE id = $1 AND account_id = $2", {media_id, account_id}));
  // Its posters and transcripts go with it (their blobs: MediaLibrary).
  LETHE_RETURN_IF_ERROR(
      StatusOf(Query("DELETE FROM media_artifacts WHERE media_id = $1", {media_id})));
  forget_ = true;
  return Status::Ok();
}

Result<std::vector<std::string>> SqlMetadataTx::ListBlobIds() {
  return AllRows<std::string>(Query("SELECT blob_id FROM media", {}),
                              [](const SqlRow& r) { return SqlText(r[0]); });
}

Result<std::vector<BlobIntent>> SqlMetadataTx::ListBlobIntents(int limit) {
  return AllRows<BlobIntent>(
      Query("SELECT i.blob_id, i.created_ms, i.owner, "
            "CASE WHEN EXISTS (SELECT 1 FROM media m WHERE m.blob_id = i.blob_id) "
            "THEN 1 ELSE 0 END "
            "FROM blob_intents i ORDER BY i.blob_id LIMIT $1",
            {int64_t{limit}}),
      [](const SqlRow& r) {
        return BlobIntent{SqlText(r[0]), SqlInt(r[1]), SqlText(r[2]), SqlInt(r[3]) != 0};
      });
}

Status SqlMetadataTx::InsertBlobIntent(const std::string& blob_id, int64_t created_ms,
                                       const std::string& owner) {
  return StatusOf(
      Query("INSERT INTO blob_intents (blob_id, created_ms, owner) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            {blob_id, created_ms, owner}));
}

Status SqlMetadataTx::DeleteBlobIntents(const std::vector<std::string>& blob_ids) {
  for (const std::string& id : blob_ids) {
    LETHE_RETURN_IF_ERROR(StatusOf(Query("DELETE FROM blob_intents WHERE blob_id = $1", {id})));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SqlMetadataTx::ListAccountIds() {
  return AllRows<std::string>(Query("SELECT id FROM accounts ORDER BY id", {}),
                              [](const SqlRow& r) { return SqlText(r[0]); });
}

Result<std::vector<std::string>> SqlMetadataTx::ListEndUsers(const std::string& account_id) {
  return AllRows<std::string>(
      Query("SELECT end_user FROM media WHERE account_id = $1 AND end_user <> '' UNION "
            "SELECT end_user FROM usage_events WHERE account_id = $1 AND end_user <> '' "
            "ORDER BY 1",
            {account_id}),
      [](const SqlRow& r) { return SqlText(r[0]); });
}

}  // namespace lethe
