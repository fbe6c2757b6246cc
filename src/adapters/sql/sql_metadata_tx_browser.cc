// SqlMetadataTx, continued: what browsers need (issue 9), the accounts'
// allowed origins and delegated upload tokens.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

// Lists are stored joined by a newline: origins, kinds and tags are
// checked text that holds none.
std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += '\n';
    out += item;
  }
  return out;
}

std::vector<std::string> Split(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t nl = joined.find('\n', start);
    out.push_back(joined.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) return out;
    start = nl + 1;
  }
}

constexpr const char* kUploadTokenColumns =
    "id, digest, account_id, end_user, max_bytes, kinds, title, tags, uses_left, created_ms, "
    "expires_ms";

UploadTokenRecord UploadTokenFromRow(const SqlRow& r) {
  UploadTokenRecord t;
  t.id = SqlText(r[0]);
  t.digest = SqlText(r[1]);
  t.account_id = SqlText(r[2]);
  t.end_user = SqlText(r[3]);
  t.max_bytes = SqlInt(r[4]);
  t.kinds = Split(SqlText(r[5]));
  t.title = SqlOptText(r[6]);
  if (auto tags = SqlOptText(r[7])) t.tags = Split(*tags);
  t.uses_left = SqlInt(r[8]);
  t.created_ms = SqlInt(r[9]);
  t.expires_ms = SqlInt(r[10]);
  return t;
}

}  // namespace

Result<std::vector<std::string>> SqlMetadataTx::FindAccountOrigins(const std::string& account_id) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT origins FROM account_origins WHERE account_id = $1", {account_id}));
  if (rows.empty()) return std::vector<std::string>{};
  return Split(SqlText(rows[0][0]));
}

Status SqlMetadataTx::SetAccountOrigins(const std::string& account_id,
                                        const std::vector<std::string>& origins) {
  if (origins.empty()) {
    return StatusOf(Query("DELETE FROM account_origins WHERE account_id = $1", {account_id}));
  }
  return StatusOf(
      Query("INSERT INTO account_origins (account_id, origins) VALUES ($1, $2) "
            "ON CONFLICT (account_id) DO UPDATE SET origins = excluded.origins",
            {account_id, Join(origins)}));
}

Result<UploadTokenRecord> SqlMetadataTx::FindUploadToken(const std::string& digest) {
  return FirstRow<UploadTokenRecord>(
      Query(std::string("SELECT ") + kUploadTokenColumns + " FROM upload_tokens WHERE digest = $1",
            {digest}),
      UploadTokenFromRow, "upload token");
}

Result<std::vector<UploadTokenRecord>> SqlMetadataTx::ListUploadTokens(
    const std::string& account_id, int64_t now_ms, int limit) {
  return AllRows<UploadTokenRecord>(
      Query(std::string("SELECT ") + kUploadTokenColumns +
                " FROM upload_tokens WHERE account_id = $1 AND expires_ms > $2 "
                "ORDER BY created_ms DESC, id LIMIT $3",
            {account_id, now_ms, static_cast<int64_t>(limit)}),
      UploadTokenFromRow);
}

Status SqlMetadataTx::InsertUploadToken(const UploadTokenRecord& t) {
  SqlValue tags = t.tags ? SqlValue(Join(*t.tags)) : SqlValue();
  return StatusOf(Query(
      "INSERT INTO upload_tokens (id, digest, account_id, end_user, max_bytes, kinds, title, tags, "
      "uses_left, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      {t.id, t.digest, t.account_id, t.end_user, t.max_bytes, Join(t.kinds), SqlNullable(t.title),
       tags, t.uses_left, t.created_ms, t.expires_ms}));
}

Status SqlMetadataTx::SpendUploadToken(const std::string& id, int64_t valid_at_ms) {
  // The condition and the decrement are one statement: the database's
  // write lock (SQLite) or row lock and serializable check (PostgreSQL)
  // let only one of two racing spends of the last use through.
  LETHE_RETURN_IF_ERROR(
      ExecOne("UPDATE upload_tokens SET uses_left = uses_left - 1 "
              "WHERE id = $1 AND uses_left > 0 AND expires_ms > $2",
              {id, valid_at_ms}));
  LETHE_ASSIGN_OR_RETURN(
      auto gone,
      Query("DELETE FROM upload_tokens WHERE id = $1 AND uses_left = 0 RETURNING id", {id}));
  if (!gone.empty()) forget_ = true;  // the row named an end user
  return Status::Ok();
}

Status SqlMetadataTx::DeleteUploadToken(const std::string& account_id, const std::string& id) {
  LETHE_RETURN_IF_ERROR(
      ExecOne("DELETE FROM upload_tokens WHERE id = $1 AND account_id = $2", {id, account_id}));
  forget_ = true;
  return Status::Ok();
}

Result<int64_t> SqlMetadataTx::DeleteUploadTokensBefore(int64_t before_ms) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows,
      Query("DELETE FROM upload_tokens WHERE expires_ms < $1 RETURNING id", {before_ms}));
  if (!rows.empty()) forget_ = true;
  return static_cast<int64_t>(rows.size());
}

Result<int64_t> SqlMetadataTx::DeleteUploadTokensOf(const std::string& account_id,
                                                    const std::optional<std::string>& end_user) {
  LETHE_ASSIGN_OR_RETURN(auto rows,
                         Query("DELETE FROM upload_tokens WHERE account_id = $1 AND "
                               "(CAST($2 AS TEXT) IS NULL OR end_user = $2) RETURNING id",
                               {account_id, SqlNullable(end_user)}));
  if (!rows.empty()) forget_ = true;
  return static_cast<int64_t>(rows.size());
}

}  // namespace lethe
