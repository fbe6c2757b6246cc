// DisclosureLedger: the record of every transfer of an account's personal
// data out of Lethe (SHR-1, SHR-3, SHR-4): what was sent, to whom, why, on
// what basis and when. The transfer gate writes a row for each transfer to
// a sub-processor or a customer endpoint, and legal requests write one for
// each disclosure to an authority, each in the transaction that decides
// the transfer, so a transfer never happens without its row.
//
// Rows are only ever added. They name an end user only by the keyed
// reference the rest of the store uses, and describe what was sent in ids
// and sizes, never the content. Customers read their accounts' rows.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "crypto/keyed_id.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// A transfer to record. `end_user` is the end user's own id in the account
// ("" when the transfer is not about one end user); the ledger keeps only
// its keyed reference.
struct Disclosure {
  std::string account_id;
  std::string recipient;
  std::string recipient_kind;  // see kRecipientKinds
  std::string purpose;
  std::string legal_basis;  // see kLegalBases
  std::string categories;
  std::string end_user;
  std::string what;
  std::string reference;
  // The end user's keyed reference itself, for a caller that keeps only
  // that (a legal request); used when `end_user` is "".
  std::string keyed_end_user;
  // Kept from the customer while a non-disclosure order runs: the row is
  // written now, shown by MetadataTx::RevealDisclosures(reference) later,
  // and its audit event stays off the account's trail.
  bool withheld = false;
};

// One page of an account's ledger.
struct DisclosurePage {
  std::vector<DisclosureRecord> items;
  std::string next;  // the cursor of the next page; "" after the last
};

class DisclosureLedger {
 public:
  static constexpr const char* kRecipientKinds[] = {"subprocessor", "authority",
                                                    "customer_endpoint", "third_party"};
  static constexpr const char* kLegalBases[] = {"contract", "consent", "legal_obligation",
                                                "legitimate_interest"};
  static constexpr int kMaxPage = 500;

  DisclosureLedger(AuditLog& audit, const KeyedIds& ids, const Clock& clock, Random& random)
      : audit_(audit), ids_(ids), clock_(clock), random_(random) {}

  // Adds the row for `d` in `tx`, audited "disclosure.record" by `actor`.
  // Returns the row. InvalidArgument("invalid-field") for an empty
  // recipient, purpose or `what`, or a kind or basis outside the lists
  // above; NotFound for an unknown account.
  Result<DisclosureRecord> Record(MetadataTx& tx, const Disclosure& d, const Actor& actor,
                                  const RequestOrigin& origin);

  // Up to `limit` (1..kMaxPage) rows of account `account_id` of customer
  // `customer_id`, oldest first, from `cursor` ("" for the start; a page's
  // `next` otherwise). NotFound when the account is not the customer's;
  // InvalidArgument("invalid-field") for a bad limit or cursor.
  Result<DisclosurePage> List(MetadataReader& reader, const std::string& customer_id,
                              const std::string& account_id, const std::string& cursor, int limit);

 private:
  AuditLog& audit_;
  const KeyedIds& ids_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
