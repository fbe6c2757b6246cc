// Closing customers and accounts (ACC-9, ACC-10), and what the retention
// classes remove afterwards.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {

Status SqlMetadataTx::DeleteSessionsOf(const std::string& customer_id) {
  LETHE_RETURN_IF_ERROR(Query("DELETE FROM sessions WHERE customer_id = $1", {customer_id}));
  forget_ = true;  // sessions name addresses and devices (SEC-2): personal data
  return Status::Ok();
}

Result<int64_t> SqlMetadataTx::DeleteLoginEventsOf(const std::string& customer_id) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows,
      Query("DELETE FROM login_events WHERE customer_id = $1 RETURNING id", {customer_id}));
  if (!rows.empty()) forget_ = true;  // addresses and devices are personal data
  return static_cast<int64_t>(rows.size());
}

Result<int64_t> SqlMetadataTx::DeleteClosedCustomer(const std::string& customer_id) {
  LETHE_ASSIGN_OR_RETURN(auto accounts,
                         Query("DELETE FROM accounts WHERE customer_id = $1 AND closed_ms IS NOT "
                               "NULL RETURNING id",
                               {customer_id}));
  LETHE_ASSIGN_OR_RETURN(
      auto customers,
      Query("DELETE FROM customers WHERE id = $1 AND closed_ms IS NOT NULL RETURNING id",
            {customer_id}));
  if (customers.empty()) return Status::NotFound("no such closed customer");
  // ADM-1 records go with them: an appeal's statement is the customer's.
  for (const SqlRow& account : accounts) {
    LETHE_RETURN_IF_ERROR(
        Query("DELETE FROM abuse_signals WHERE account_id = $1", {SqlText(account[0])}));
  }
  LETHE_RETURN_IF_ERROR(Query("DELETE FROM abuse_decisions WHERE customer_id = $1", {customer_id}));
  LETHE_RETURN_IF_ERROR(Query("DELETE FROM appeals WHERE customer_id = $1", {customer_id}));
  // Passkeys (v29) name no one's device in the clear, but are the customer's.
  LETHE_RETURN_IF_ERROR(
      Query("DELETE FROM passkeys WHERE owner_kind = 'customer' AND owner_id = $1", {customer_id}));
  LETHE_RETURN_IF_ERROR(
      Query("DELETE FROM passkey_challenges WHERE owner_kind = 'customer' AND owner_id = $1",
            {customer_id}));
  forget_ = true;
  return static_cast<int64_t>(accounts.size() + customers.size());
}

Result<int64_t> SqlMetadataTx::CountLoginEventsOf(const std::string& customer_id) {
  LETHE_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT COUNT(*) FROM login_events WHERE customer_id = $1", {customer_id}));
  return rows.empty() ? int64_t{0} : SqlInt(rows[0][0]);
}

}  // namespace lethe
