// The statements of the metadata store's paged listings (media, usage
// events) and of the media lookup by id, built for the filters a query
// has: each listing reads O(page) rows through an index, however large the
// table (bench/scale.py measures it at 1 and 10 million media).
//
// A filter the query lacks is left out of the text rather than written
// NULL-tolerantly (`$n IS NULL OR col = $n`): a prepared statement is
// planned for any binding (PostgreSQL switches to such a generic plan after
// five runs; SQLite plans once), so a NULL-tolerant filter could not use
// the index of its column. Each combination of filters is therefore a
// statement of its own, parameters numbered without gaps (PostgreSQL needs
// the type of every $n up to the last).
//
// Exposed for SqlMetadataTx, for the test that pins their query plans on
// both engines (sql_listings_test.cc), and for the benches.
#pragma once

#include <string>
#include <vector>

#include "adapters/sql/sql_connection.h"
#include "ports/records.h"

namespace lethe {

// A statement and the values of its $1..$n.
struct SqlStatement {
  std::string sql;
  std::vector<SqlValue> params;

  // Appends `text`, then the placeholder ("$n") of `value` as the next
  // parameter.
  void Append(const std::string& text, SqlValue value);
};

// The columns every media statement selects, in MediaFromRow's order, and
// every usage statement, in UsageFromRow's (sql_metadata_tx.cc).
extern const char* const kMediaColumns;
extern const char* const kUsageColumns;

// The page of `q`, oldest first (ascending seq), without tags. Driven by
// the index of the most selective filter present: the end user's
// (account_id, end_user, seq), else the tag's (media_tags: account_id,
// tag, media_seq), else the account's (account_id, seq); the other filters
// are checked on the rows it yields. A media tagged twice with q.tag is
// listed once.
SqlStatement MediaListing(const MediaQuery& q);

// The media `media_id` of `account_id` (by the unique index on id).
SqlStatement MediaLookup(const std::string& account_id, const std::string& media_id);

// The page of `q`, oldest first: by (account_id, end_user, seq) when
// q.end_user is set, else by (account_id, seq); the time bounds are
// checked on the rows it yields.
SqlStatement UsageListing(const UsageQuery& q);

}  // namespace lethe
