// SqlMetadataTx, continued: tus uploads in progress (issue 9, schema v23).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

// Kinds and tags are checked text without newlines.
std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += '\n';
    out += item;
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < joined.size()) {
    size_t nl = joined.find('\n', start);
    if (nl == std::string::npos) nl = joined.size();
    out.push_back(joined.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

constexpr const char* kUploadColumns =
    "id, account_id, end_user, creator, token_digest, length, upload_offset, content_type, "
    "title, tags, max_bytes, kinds, metadata, parts, media_id, created_ms, expires_ms, "
    "web_rendition";

UploadRecord UploadFromRow(const SqlRow& r) {
  UploadRecord u;
  u.id = SqlText(r[0]);
  u.account_id = SqlText(r[1]);
  u.end_user = SqlText(r[2]);
  u.creator = SqlText(r[3]);
  u.token_digest = SqlOptText(r[4]);
  u.length = SqlInt(r[5]);
  u.offset = SqlInt(r[6]);
  u.content_type = SqlText(r[7]);
  u.title = SqlOptText(r[8]);
  if (auto tags = SqlOptText(r[9])) u.tags = SplitLines(*tags);
  u.max_bytes = SqlOptInt(r[10]);
  u.kinds = SplitLines(SqlText(r[11]));
  u.metadata = SqlText(r[12]);
  u.parts = SqlText(r[13]);
  u.media_id = SqlOptText(r[14]);
  u.created_ms = SqlInt(r[15]);
  u.expires_ms = SqlInt(r[16]);
  u.web_rendition = SqlInt(r[17]) != 0;
  return u;
}

std::string Select(const char* where) {
  return std::string("SELECT ") + kUploadColumns + " FROM uploads WHERE " + where;
}

}  // namespace

Result<UploadRecord> SqlMetadataTx::FindUpload(const std::string& account_id,
                                               const std::string& id) {
  return FirstRow<UploadRecord>(Query(Select("id = $1 AND account_id = $2"), {id, account_id}),
                                UploadFromRow, "upload");
}

Result<UploadRecord> SqlMetadataTx::FindUploadByTokenDigest(const std::string& digest) {
  return FirstRow<UploadRecord>(Query(Select("token_digest = $1 LIMIT 1"), {digest}), UploadFromRow,
                                "upload");
}

Result<std::vector<UploadRecord>> SqlMetadataTx::ListUploadsExpiredBefore(int64_t before_ms,
                                                                          int limit) {
  return AllRows<UploadRecord>(Query(Select("expires_ms < $1 ORDER BY expires_ms LIMIT $2"),
                                     {before_ms, static_cast<int64_t>(limit)}),
                               UploadFromRow);
}

Status SqlMetadataTx::InsertUpload(const UploadRecord& u) {
  SqlValue tags = u.tags ? SqlValue(JoinLines(*u.tags)) : SqlValue();
  return StatusOf(
      Query("INSERT INTO uploads (id, account_id, end_user, creator, token_digest, length, "
            "upload_offset, content_type, title, tags, max_bytes, kinds, metadata, parts, "
            "media_id, created_ms, expires_ms, web_rendition) VALUES ($1, $2, $3, $4, $5, $6, $7, "
            "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            {u.id, u.account_id, u.end_user, u.creator, SqlNullable(u.token_digest), u.length,
             u.offset, u.content_type, SqlNullable(u.title), tags, SqlNullable(u.max_bytes),
             JoinLines(u.kinds), u.metadata, u.parts, SqlNullable(u.media_id), u.created_ms,
             u.expires_ms, int64_t{u.web_rendition ? 1 : 0}}));
}

Status SqlMetadataTx::AdvanceUpload(const std::string& id, int64_t expected_offset,
                                    int64_t new_offset, const std::string& parts) {
  // One conditional write: of two PATCHes racing from the same offset, one
  // finds the row moved.
  return ExecOne(
      "UPDATE uploads SET upload_offset = $1, parts = $2 "
      "WHERE id = $3 AND upload_offset = $4 AND media_id IS NULL",
      {new_offset, parts, id, expected_offset});
}

Status SqlMetadataTx::CompleteUpload(const std::string& id, int64_t expected_offset,
                                     const std::string& media_id) {
  return ExecOne(
      "UPDATE uploads SET upload_offset = length, parts = '', media_id = $1 "
      "WHERE id = $2 AND upload_offset = $3 AND media_id IS NULL",
      {media_id, id, expected_offset});
}

Status SqlMetadataTx::DeleteUpload(const std::string& account_id, const std::string& id) {
  LETHE_RETURN_IF_ERROR(
      ExecOne("DELETE FROM uploads WHERE id = $1 AND account_id = $2", {id, account_id}));
  forget_ = true;  // the row named an end user
  return Status::Ok();
}

Result<int64_t> SqlMetadataTx::ExpireUploadsOf(const std::string& account_id,
                                               const std::optional<std::string>& end_user) {
  // expires_ms 0 is before any clock: Find and the purge job both see an
  // expired upload. The end user's name goes now, the row with its parts.
  LETHE_ASSIGN_OR_RETURN(auto rows,
                         Query("UPDATE uploads SET expires_ms = 0, end_user = '' "
                               "WHERE account_id = $1 AND "
                               "(CAST($2 AS TEXT) IS NULL OR end_user = $2) RETURNING id",
                               {account_id, SqlNullable(end_user)}));
  if (!rows.empty()) forget_ = true;
  return static_cast<int64_t>(rows.size());
}

}  // namespace lethe
