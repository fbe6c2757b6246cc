// PolicyVersions (SEC-6): the privacy policy's text, stored with a version
// number and the date it takes effect. The version in force at a moment is
// the newest whose effective date has come; consents record it (consent
// ledger), and a *material* version, once in force, asks for fresh consent
// for every purpose whose basis is consent (consent_ledger.h says how).
//
// Every new version is announced to every open customer through the
// outbox in the transaction that stores it; a material one must be
// published before it takes effect (its date after the publishing day), so
// the notice always comes first.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

// The version in force at `now_ms` among `versions`: the newest with
// effective_ms <= now_ms; 0 when none is. NewestMaterialInForce: the same
// among material versions only.
int64_t VersionInForce(const std::vector<PolicyVersionRecord>& versions, int64_t now_ms);
int64_t NewestMaterialInForce(const std::vector<PolicyVersionRecord>& versions, int64_t now_ms);

// The policy text compiled into Lethe (docs/privacy-policy.txt) and the
// date in its "Last Updated:" line as epoch milliseconds (0 if it has none).
const std::string& BundledPolicyText();
int64_t BundledPolicyDate();

class PolicyVersions {
 public:
  static constexpr size_t kMaxTextBytes = 1 << 20;

  PolicyVersions(MetadataStore& store, AuditLog& audit, Outbox& outbox, const Clock& clock)
      : store_(store), audit_(audit), outbox_(outbox), clock_(clock) {}

  // Stores `text` as version 1, effective at `effective_ms`, when no
  // version is stored yet (audited "policy.seed", no announcement: there
  // is nothing it changes). Returns whether it stored it; the store's
  // error otherwise.
  Result<bool> Seed(const std::string& text, int64_t effective_ms);

  // Stores `text` as the next version, effective at the start (UTC) of
  // `effective_date` ("YYYY-MM-DD"), audited "policy.publish", and mails
  // the announcement to every open customer in the same transaction.
  // Returns the version and how many customers were told.
  // InvalidArgument("invalid-field") for empty or oversized non-UTF-8 text
  // or a malformed date, or a date before the newest version's;
  // InvalidArgument("notice-required") for a material version whose date
  // is not after the publishing day.
  struct Published {
    PolicyVersionRecord version;
    int announced = 0;
  };
  Result<Published> Publish(const std::string& text, const std::string& effective_date,
                            bool material, const Actor& actor, const RequestOrigin& origin);

  // The version in force now; NotFound before any is.
  Result<PolicyVersionRecord> Current();
  // Every version, oldest first, those not yet in force too.
  Result<std::vector<PolicyVersionRecord>> All();

 private:
  MetadataStore& store_;
  AuditLog& audit_;
  Outbox& outbox_;
  const Clock& clock_;
};

}  // namespace lethe
