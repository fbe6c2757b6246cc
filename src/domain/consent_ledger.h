// ConsentLedger (SHR-7, ACC-5, SEC-5, SEC-6): an append-only record of
// every opt-in and opt-out, per subject and purpose. A subject is a
// customer (Lethe as controller) or an end user of one of its accounts
// (Lethe as processor), the latter named by its keyed name
// (KeyedIds::Of("end_user", account, ref)) so the ledger can outlive an
// erasure without holding the reference in clear.
//
// Nothing is ever updated or deleted: a subject's current choice for a
// purpose is its latest entry for it. Each entry records the policy
// version in force when it was given; once a *material* policy version is
// in force, an opt-in given under an earlier version needs renewal and no
// longer allows the use (SEC-6). A purpose whose basis is not consent
// (purposes.h) is always allowed and cannot be recorded here.
//
// Every entry lands with its audit event in one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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

// What a caller asks to record.
struct ConsentEntry {
  std::string customer_id;  // the caller's tenant
  std::string account_id;   // "" when the subject is the customer itself
  std::string end_user;     // the end-user reference; "" for the customer
  std::string purpose;
  std::string decision;  // "opt_in" or "opt_out"
  std::string source;    // "api", "portal", "gpc", "dnt", "mail" or "recorder"
};

// How the ledger names a subject: {"", customer id} for a customer,
// {account id, keyed name} for an end user.
struct ConsentSubject {
  std::string account_id;
  std::string subject;
};

// One purpose's current state for a subject.
struct PurposeState {
  std::string purpose;
  std::string legal_basis;
  bool optional = false;
  // "granted", "refused", "not_given" (never asked: off), or "not_required"
  // for a purpose whose basis is not consent.
  std::string state;
  std::optional<ConsentRecord> latest;  // the entry that decided it
  bool renewal_required = false;        // an opt-in under a version before the material one
  bool allowed = false;                 // what the processing gate concludes
};

struct ConsentStatus {
  std::string subject;                 // as stored: the customer id or the keyed name
  int64_t policy_version = 0;          // in force now
  std::vector<ConsentRecord> history;  // oldest first
  std::vector<PurposeState> purposes;  // in registry order
};

// True for the purposes a GPC or DNT signal opts out of (SEC-5): an opt-in
// to one of them sent with the signal contradicts it, and is refused
// (422 privacy-signal-on) where a person answers for themself.
bool CoveredByPrivacySignal(std::string_view purpose);
// That refusal: Unprocessable("privacy-signal-on").
Status PrivacySignalRefusal();

class ConsentLedger {
 public:
  ConsentLedger(MetadataStore& store, AuditLog& audit, const KeyedIds& ids, const Clock& clock,
                Random& random)
      : store_(store), audit_(audit), ids_(ids), clock_(clock), random_(random) {}

  // The ledger's name for end user `end_user` of `account_id`, and for a
  // customer.
  ConsentSubject EndUser(const std::string& account_id, const std::string& end_user) const;
  static ConsentSubject Customer(const std::string& customer_id) { return {"", customer_id}; }

  // Appends `e`, audited "consent.<decision>" by `actor`, naming the
  // request (origin.request_id). Returns the entry.
  // InvalidArgument("unknown-purpose") for a purpose not in the registry;
  // ("purpose-not-optional") for one whose basis is not consent;
  // ("invalid-field") for a bad decision or source, or an end user that is
  // empty with an account, over 256 bytes or not UTF-8; NotFound when the
  // account is not the customer's.
  Result<ConsentRecord> Record(const ConsentEntry& e, const Actor& actor,
                               const RequestOrigin& origin);
  // The same inside the caller's transaction.
  Result<ConsentRecord> RecordIn(MetadataTx& tx, const ConsentEntry& e, const Actor& actor,
                                 const RequestOrigin& origin);

  // SEC-5: a request naming end user `end_user` of `account_id` carried
  // Global Privacy Control or Do-Not-Track (`signal` "gpc" or "dnt"):
  // records opt-outs of third_party_sharing and analytics with that source
  // and the request's id, except for a purpose whose latest entry already
  // is an opt-out by the same signal. Returns how many entries it added.
  Result<int> HonourSignal(const std::string& customer_id, const std::string& account_id,
                           const std::string& end_user, const std::string& signal,
                           const RequestOrigin& origin);

  // The subject's history and the state of every purpose now. NotFound
  // when the account is not the customer's.
  Result<ConsentStatus> Read(const std::string& customer_id, const std::string& account_id,
                             const std::string& end_user);

  // Whether `purpose` may be used for the subject now (the processing
  // gate): always for a purpose not based on consent; for an optional one
  // only with a current opt-in that needs no renewal. InvalidArgument
  // ("unknown-purpose") for a purpose not in the registry; the store's
  // error when the ledger cannot be read (never allowed by default).
  Result<bool> Allows(const ConsentSubject& who, std::string_view purpose) const;
  // The same, read through `reader` (a transaction).
  Result<bool> AllowsIn(MetadataReader& reader, const ConsentSubject& who,
                        std::string_view purpose) const;

 private:
  // The state of every purpose given a subject's history and the policy
  // versions, at `now_ms`.
  static std::vector<PurposeState> StatesOf(const std::vector<ConsentRecord>& history,
                                            const std::vector<PolicyVersionRecord>& versions,
                                            int64_t now_ms);

  MetadataStore& store_;
  AuditLog& audit_;
  const KeyedIds& ids_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
