#include "adapters/sql/sql_listings.h"

namespace lethe {
namespace {

// kMediaColumns with each column prefixed by `alias.`, for the joined
// listing by tag (media_tags has an account_id too).
std::string Qualified(const char* columns, const std::string& alias) {
  std::string out = alias + ".";
  for (const char* p = columns; *p != '\0'; ++p) {
    out += *p;
    if (*p == ' ' && p != columns && p[-1] == ',') out += alias + ".";
  }
  return out;
}

}  // namespace

const char* const kMediaColumns =
    "seq, id, account_id, end_user, kind, content_type, bytes, sha256, title, created_ms, "
    "expires_ms, blob_id, wrapped_key, expiry_from_account, duration_ms, width, height, codecs, "
    "frame_rate, rotation";

const char* const kUsageColumns =
    "seq, id, time_ms, account_id, credential_id, end_user, ip, device_type, browser, "
    "browser_version, language, country, method, route, status";

void SqlStatement::Append(const std::string& text, SqlValue value) {
  params.push_back(std::move(value));
  sql += text + "$" + std::to_string(params.size());
}

SqlStatement MediaListing(const MediaQuery& q) {
  SqlStatement s;
  const int64_t after = q.after_seq.value_or(0);
  if (q.tag && !q.end_user) {
    // Through the tag's index, in media order; the join reaches each media
    // by its primary key. A tag may repeat on one media: only its first
    // position counts.
    const std::string columns = Qualified(kMediaColumns, "m");
    s.Append("SELECT " + columns +
                 " FROM media_tags t JOIN media m ON m.seq = t.media_seq WHERE t.account_id = ",
             q.account_id);
    s.Append(" AND t.tag = ", *q.tag);
    s.Append(" AND t.media_seq > ", after);
    if (q.kind) s.Append(" AND m.kind = ", *q.kind);
    s.Append(
        " AND NOT EXISTS (SELECT 1 FROM media_tags d WHERE d.media_id = t.media_id"
        " AND d.tag = t.tag AND d.position < t.position) ORDER BY t.media_seq LIMIT ",
        int64_t{q.limit});
    return s;
  }
  s.Append(std::string("SELECT ") + kMediaColumns + " FROM media WHERE account_id = ",
           q.account_id);
  if (q.end_user) s.Append(" AND end_user = ", *q.end_user);
  if (q.kind) s.Append(" AND kind = ", *q.kind);
  if (q.tag) {
    // With an end user too: their media, each checked for the tag.
    s.Append(" AND EXISTS (SELECT 1 FROM media_tags t WHERE t.media_id = media.id AND t.tag = ",
             *q.tag);
    s.sql += ")";
  }
  s.Append(" AND seq > ", after);
  s.Append(" ORDER BY seq LIMIT ", int64_t{q.limit});
  return s;
}

SqlStatement MediaLookup(const std::string& account_id, const std::string& media_id) {
  SqlStatement s;
  s.Append(std::string("SELECT ") + kMediaColumns + " FROM media WHERE id = ", media_id);
  s.Append(" AND account_id = ", account_id);
  return s;
}

SqlStatement UsageListing(const UsageQuery& q) {
  SqlStatement s;
  s.Append(std::string("SELECT ") + kUsageColumns + " FROM usage_events WHERE account_id = ",
           q.account_id);
  if (q.end_user) s.Append(" AND end_user = ", *q.end_user);
  if (q.since_ms) s.Append(" AND time_ms >= ", *q.since_ms);
  if (q.until_ms) s.Append(" AND time_ms < ", *q.until_ms);
  s.Append(" AND seq > ", q.after_seq.value_or(0));
  s.Append(" ORDER BY seq LIMIT ", int64_t{q.limit});
  return s;
}

}  // namespace lethe
