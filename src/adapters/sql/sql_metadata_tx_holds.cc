// SqlMetadataTx, continued: legal holds (USE-6).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kHoldColumns =
    "id, account_id, scope, subject, reason, matter, ends_ms, non_disclosure, placed_by, "
    "placed_ms, released_by, released_ms";

HoldRecord HoldFromRow(const SqlRow& r) {
  HoldRecord h;
  h.id = SqlText(r[0]);
  h.account_id = SqlText(r[1]);
  h.scope = SqlText(r[2]);
  h.subject = SqlText(r[3]);
  h.reason = SqlText(r[4]);
  h.matter = SqlText(r[5]);
  h.ends_ms = SqlOptInt(r[6]);
  h.non_disclosure = SqlInt(r[7]) != 0;
  h.placed_by = SqlText(r[8]);
  h.placed_ms = SqlInt(r[9]);
  h.released_by = SqlText(r[10]);
  h.released_ms = SqlOptInt(r[11]);
  return h;
}

}  // namespace

Status SqlMetadataTx::InsertHold(const HoldRecord& h) {
  return StatusOf(Query(std::string("INSERT INTO legal_holds (") + kHoldColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        {h.id, h.account_id, h.scope, h.subject, h.reason, h.matter,
                         SqlNullable(h.ends_ms), int64_t{h.non_disclosure ? 1 : 0}, h.placed_by,
                         h.placed_ms, h.released_by, SqlNullable(h.released_ms)}));
}

Status SqlMetadataTx::UpdateHold(const HoldRecord& h) {
  return ExecOne("UPDATE legal_holds SET released_by = $2, released_ms = $3 WHERE id = $1",
                 {h.id, h.released_by, SqlNullable(h.released_ms)});
}

Result<HoldRecord> SqlMetadataTx::FindHold(const std::string& id) {
  return FirstRow<HoldRecord>(
      Query(std::string("SELECT ") + kHoldColumns + " FROM legal_holds WHERE id = $1", {id}),
      HoldFromRow, "legal hold");
}

Result<std::vector<HoldRecord>> SqlMetadataTx::ListHolds(const std::string& account_id) {
  return AllRows<HoldRecord>(Query(std::string("SELECT ") + kHoldColumns +
                                       " FROM legal_holds WHERE account_id = $1"
                                       " ORDER BY placed_ms, id",
                                   {account_id}),
                             HoldFromRow);
}

Result<std::optional<HoldRecord>> SqlMetadataTx::FindCoveringHold(
    const std::string& account_id, const std::string& end_user_subject, const std::string& media_id,
    int64_t now_ms) {
  LETHE_ASSIGN_OR_RETURN(
      std::vector<HoldRecord> rows,
      AllRows<HoldRecord>(
          Query(std::string("SELECT ") + kHoldColumns +
                    " FROM legal_holds WHERE account_id = $1 AND released_ms IS NULL"
                    " AND (ends_ms IS NULL OR ends_ms > $4)"
                    " AND (scope = 'account'"
                    " OR (scope = 'end_user' AND $2 <> '' AND subject = $2)"
                    " OR (scope = 'media' AND $3 <> '' AND subject = $3))"
                    " ORDER BY placed_ms, id LIMIT 1",
                {account_id, end_user_subject, media_id, now_ms}),
          HoldFromRow));
  if (rows.empty()) return std::optional<HoldRecord>();
  return std::optional<HoldRecord>(std::move(rows[0]));
}

Result<std::vector<HoldRecord>> SqlMetadataTx::ListLapsedHolds(int64_t now_ms, int limit) {
  return AllRows<HoldRecord>(Query(std::string("SELECT ") + kHoldColumns +
                                       " FROM legal_holds WHERE released_ms IS NULL"
                                       " AND ends_ms IS NOT NULL AND ends_ms <= $1"
                                       " ORDER BY ends_ms, id LIMIT $2",
                                   {now_ms, int64_t{limit}}),
                             HoldFromRow);
}

}  // namespace lethe
