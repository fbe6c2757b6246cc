// LegalRequests (SHR-4): requests from authorities for an account's data.
// Staff with the security or legal role record each one (the authority and
// its type, the legal basis cited, the scope: an account or one of its end
// users, the data categories asked for), then decide it: comply, object or
// partial, with what was disclosed and when.
//
// The customer is told through the outbox, in the transaction that records
// the request, unless a non-disclosure order is recorded with it. An order
// must have an end date (staff record the date the order names, or its
// next review, and extend it with SetNonDisclosure when a court does); the
// notice then goes out once the order ends (SendDueNotices, run
// periodically), telling the request and its decision in one message. A
// decision taken after the customer was told is mailed as well.
//
// Every disclosure (a comply or partial decision) is written to the
// DisclosureLedger in the decision's transaction. While an order runs the
// ledger row is withheld from the customer and shown in the transaction
// that sends the notice. Every staff action is audited; while an order
// runs, the events stay off the account's trail (as for non-disclosure
// legal holds), so nothing the customer can read reveals the request early.
//
// An end user is kept only as the keyed reference KeyedIds::Of("end_user",
// account_id, ref), as legal holds keep it: the record outlives the end
// user's erasure without naming them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/keyed_id.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/disclosure_ledger.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "domain/staff.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// What staff record when a request arrives.
struct LegalRequestForm {
  std::string account_id;
  std::string end_user;                           // "" for the whole account
  std::string authority;                          // 1..200 bytes
  std::string authority_type;                     // see LegalRequests::kAuthorityTypes
  std::string legal_basis;                        // 1..500 bytes
  std::string reference;                          // 0..200 bytes: the authority's case reference
  std::string categories;                         // 1..200 bytes: what data is asked for
  std::optional<int64_t> received_ms;             // default now; not in the future
  std::optional<int64_t> nondisclosure_until_ms;  // an order's end; in the future
};

// What staff decide.
struct LegalDecisionForm {
  std::string decision;                 // see LegalRequests::kDecisions
  std::string note;                     // 0..2000 bytes, staff only
  std::string disclosed;                // what was handed over; required to comply or
                                        // partly comply, refused with an objection
  std::optional<int64_t> disclosed_ms;  // default now; not in the future
};

class LegalRequests {
 public:
  static constexpr const char* kAuthorityTypes[] = {"law_enforcement", "court", "regulator",
                                                    "other"};
  static constexpr const char* kDecisions[] = {"comply", "object", "partial"};
  // The actor of notices sent when an order ends.
  static constexpr const char* kSweepActor = "lethe:legal-requests";
  static constexpr int kMaxList = 500;

  static StaffRoles Roles() { return {StaffRole::kSecurity, StaffRole::kLegal}; }

  LegalRequests(MetadataStore& store, AuditLog& audit, Outbox& outbox, DisclosureLedger& ledger,
                const KeyedIds& ids, const Clock& clock, Random& random)
      : store_(store),
        audit_(audit),
        outbox_(outbox),
        ledger_(ledger),
        ids_(ids),
        clock_(clock),
        random_(random) {}

  // Records a request, audited "legal_request.record", and notifies the
  // customer unless an order is given. Returns the record.
  // PermissionDenied without a security or legal role; InvalidArgument
  // ("invalid-field") for a bad field or date; NotFound for an unknown
  // account or an end user of whom the account holds nothing.
  Result<LegalRequestRecord> Record(const StaffPrincipal& who, const LegalRequestForm& form,
                                    const RequestOrigin& origin);

  // Decides request `id` once, audited "legal_request.decide"; a comply
  // or partial decision writes its disclosure ledger row. Returns the
  // record. PermissionDenied as for Record; NotFound for an unknown id;
  // InvalidArgument("invalid-field") for an unknown decision, a missing
  // or refused `disclosed`, a bad date; AlreadyExists("conflict") once
  // decided.
  Result<LegalRequestRecord> Decide(const StaffPrincipal& who, const std::string& id,
                                    const LegalDecisionForm& form, const RequestOrigin& origin);

  // Records or extends request `id`'s non-disclosure order to `until_ms`,
  // audited "legal_request.nondisclosure". Errors as for Decide, and
  // FailedPrecondition("already-notified") once the customer was told (an
  // order cannot be shortened either: InvalidArgument).
  Result<LegalRequestRecord> SetNonDisclosure(const StaffPrincipal& who, const std::string& id,
                                              int64_t until_ms, const RequestOrigin& origin);

  // The account the legal request `id` is on, for the access-grant check of
  // staff routes that name it (USE-4). NotFound for an unknown id.
  Result<std::string> AccountOf(const std::string& id);

  // One request, audited "legal_request.read". Errors as for Decide.
  Result<LegalRequestRecord> Get(const StaffPrincipal& who, const std::string& id,
                                 const RequestOrigin& origin);
  // Up to `limit` (1..kMaxList) requests on `account_id` ("" for all),
  // newest first, audited "legal_request.list".
  Result<std::vector<LegalRequestRecord>> List(const StaffPrincipal& who,
                                               const std::string& account_id, int limit,
                                               const RequestOrigin& origin);

  // Notifies, as kSweepActor, up to `limit` customers whose request's order
  // has ended, and shows its withheld ledger rows. Returns how many.
  Result<int> SendDueNotices(int limit);

  // Whether the customer may not be told yet.
  bool Gagged(const LegalRequestRecord& r) const;

 private:
  Status CheckScope(MetadataTx& tx, const LegalRequestForm& form);
  // Queues the full notice of `r` to its customer in `tx` and marks it sent.
  Status Notify(MetadataTx& tx, LegalRequestRecord& r, const Actor& actor,
                const RequestOrigin& origin);
  std::string AuditAccount(const LegalRequestRecord& r) const;

  MetadataStore& store_;
  AuditLog& audit_;
  Outbox& outbox_;
  DisclosureLedger& ledger_;
  const KeyedIds& ids_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
