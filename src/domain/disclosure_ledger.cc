#include "domain/disclosure_ledger.h"

#include <algorithm>
#include <iterator>

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

template <size_t N>
bool OneOf(const std::string& value, const char* const (&list)[N]) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

// A cursor is "<at_ms>.<id>" of the last row of a page.
std::string CursorOf(const DisclosureRecord& r) { return std::to_string(r.at_ms) + "." + r.id; }

Result<std::pair<int64_t, std::string>> ParseCursor(const std::string& cursor) {
  if (cursor.empty()) return std::pair<int64_t, std::string>{0, ""};
  size_t dot = cursor.find('.');
  auto bad = Status::InvalidArgument("invalid-field", "cursor is not one this API gave");
  if (dot == std::string::npos || dot == 0 || dot + 1 == cursor.size() || dot > 18) return bad;
  int64_t at = 0;
  for (size_t i = 0; i < dot; ++i) {
    if (cursor[i] < '0' || cursor[i] > '9') return bad;
    at = at * 10 + (cursor[i] - '0');
  }
  return std::pair<int64_t, std::string>{at, cursor.substr(dot + 1)};
}

}  // namespace

Result<DisclosureRecord> DisclosureLedger::Record(MetadataTx& tx, const Disclosure& d,
                                                  const Actor& actor, const RequestOrigin& origin) {
  if (d.recipient.empty() || d.purpose.empty() || d.what.empty()) {
    return Status::InvalidArgument("invalid-field",
                                   "a disclosure needs a recipient, a purpose and what was sent");
  }
  if (!OneOf(d.recipient_kind, kRecipientKinds)) {
    return Status::InvalidArgument("invalid-field", "unknown recipient kind");
  }
  if (!OneOf(d.legal_basis, kLegalBases)) {
    return Status::InvalidArgument("invalid-field", "unknown legal basis");
  }
  LETHE_ASSIGN_OR_RETURN(AccountRecord account, tx.FindAccountById(d.account_id));
  DisclosureRecord row{
      RandomId(random_, "dsc_"),
      account.customer_id,
      d.account_id,
      d.recipient,
      d.recipient_kind,
      d.purpose,
      d.legal_basis,
      d.categories,
      d.end_user.empty() ? d.keyed_end_user : ids_.Of("end_user", d.account_id, d.end_user),
      d.what,
      d.reference,
      clock_.NowMillis(),
      d.withheld};
  LETHE_RETURN_IF_ERROR(tx.InsertDisclosure(row));
  LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, "disclosure.record", row.id,
                                      d.withheld ? "" : row.account_id, origin));
  return row;
}

Result<DisclosurePage> DisclosureLedger::List(MetadataReader& reader,
                                              const std::string& customer_id,
                                              const std::string& account_id,
                                              const std::string& cursor, int limit) {
  if (limit < 1 || limit > kMaxPage) {
    return Status::InvalidArgument("invalid-field",
                                   "limit must be 1 to " + std::to_string(kMaxPage));
  }
  LETHE_ASSIGN_OR_RETURN(auto after, ParseCursor(cursor));
  LETHE_RETURN_IF_ERROR(StatusOf(reader.FindAccount(customer_id, account_id)));
  DisclosurePage page;
  LETHE_ASSIGN_OR_RETURN(page.items, reader.ListDisclosures(account_id, after, limit));
  if (static_cast<int>(page.items.size()) == limit) page.next = CursorOf(page.items.back());
  return page;
}

}  // namespace lethe
