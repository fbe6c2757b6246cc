// SqlMetadataTx, continued: the recorder's capture notice (issue 15, v30),
// two columns of the account's row.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

// Purpose names are [a-z_]: a comma cannot be part of one.
std::string JoinPurposes(const std::vector<std::string>& purposes) {
  std::string out;
  for (const std::string& p : purposes) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::vector<std::string> SplitPurposes(const std::string& joined) {
  std::vector<std::string> out;
  for (size_t start = 0; start < joined.size();) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    out.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

Result<CaptureNoticeRecord> SqlMetadataTx::FindCaptureNotice(const std::string& account_id) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows,
      Query("SELECT capture_notice, capture_purposes FROM accounts WHERE id = $1", {account_id}));
  if (rows.empty()) return Status::NotFound("account not found");
  CaptureNoticeRecord notice;
  notice.text = SqlText(rows[0][0]);
  notice.purposes = SplitPurposes(SqlText(rows[0][1]));
  return notice;
}

Status SqlMetadataTx::SetCaptureNotice(const std::string& account_id,
                                       const CaptureNoticeRecord& notice) {
  return ExecOne("UPDATE accounts SET capture_notice = $2, capture_purposes = $3 WHERE id = $1",
                 {account_id, notice.text, JoinPurposes(notice.purposes)});
}

}  // namespace lethe
