// SqlMetadataTx, continued: media processing settings (issue 14). The
// probe's fields travel with the media rows (sql_metadata_tx.cc).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {

Result<bool> SqlMetadataTx::FindAccountScrub(const std::string& account_id) {
  LETHE_ASSIGN_OR_RETURN(auto rows,
                         Query("SELECT scrub_metadata FROM accounts WHERE id = $1", {account_id}));
  if (rows.empty()) return Status::NotFound("account not found");
  return SqlInt(rows[0][0]) != 0;
}

Status SqlMetadataTx::SetAccountScrub(const std::string& account_id, bool scrub) {
  return ExecOne("UPDATE accounts SET scrub_metadata = $2 WHERE id = $1",
                 {account_id, int64_t{scrub}});
}

}  // namespace lethe
