// SqlMetadataTx, continued: the disclosure ledger (SHR-1, SHR-3, SHR-4).
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kDisclosureColumns =
    "id, customer_id, account_id, recipient, recipient_kind, purpose, legal_basis, categories, "
    "subject, what, reference, at_ms, withheld";

DisclosureRecord DisclosureFromRow(const SqlRow& r) {
  return DisclosureRecord{SqlText(r[0]),     SqlText(r[1]), SqlText(r[2]),  SqlText(r[3]),
                          SqlText(r[4]),     SqlText(r[5]), SqlText(r[6]),  SqlText(r[7]),
                          SqlText(r[8]),     SqlText(r[9]), SqlText(r[10]), SqlInt(r[11]),
                          SqlInt(r[12]) != 0};
}

}  // namespace

Status SqlMetadataTx::InsertDisclosure(const DisclosureRecord& d) {
  return StatusOf(Query(
      std::string("INSERT INTO disclosures (") + kDisclosureColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {d.id, d.customer_id, d.account_id, d.recipient, d.recipient_kind, d.purpose, d.legal_basis,
       d.categories, d.subject, d.what, d.reference, d.at_ms, int64_t{d.withheld ? 1 : 0}}));
}

Result<std::vector<DisclosureRecord>> SqlMetadataTx::ListDisclosures(
    const std::string& account_id, const std::pair<int64_t, std::string>& after, int limit) {
  return AllRows<DisclosureRecord>(
      Query(std::string("SELECT ") + kDisclosureColumns +
                " FROM disclosures WHERE account_id = $1 AND withheld = 0 AND (at_ms > $2 OR "
                "(at_ms = "
                "$2 AND id > $3)) ORDER BY at_ms, id LIMIT $4",
            {account_id, after.second.empty() ? INT64_MIN : after.first, after.second,
             int64_t{limit}}),
      DisclosureFromRow);
}

Result<int64_t> SqlMetadataTx::RevealDisclosures(const std::string& reference) {
  LETHE_RETURN_IF_ERROR(StatusOf(Query(
      "UPDATE disclosures SET withheld = 0 WHERE reference = $1 AND withheld = 1", {reference})));
  return conn_.ChangedRows();
}

}  // namespace lethe
