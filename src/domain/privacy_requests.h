// PrivacyRequests: data-subject requests (RGT-1..4) and their legal clocks
// (RGT-2). A request is about an end user of one of the customer's accounts
// (Lethe as processor: the customer attests to the subject's identity) or
// about the customer itself (Lethe as controller: verified by a code, not
// built yet, so such a request waits as identity_unverified).
//
// States: received -> identity_unverified -> verified -> in_progress, ending
// in completed or denied (with a reason); verified, in_progress and
// extended may be extended once, before the due date passes, to a date no
// later than the law allows (legal_clock.h). Every step lands in the
// request's own history and in the audit chain, in one transaction.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

struct PrivacyRequestForm {
  std::string customer_id;
  std::string account_id;  // the end user's account; "" for the customer's own request
  std::string end_user;    // "" for the customer's own request
  std::string type;
  std::string jurisdiction;
  bool attested = false;  // the customer vouches for the end user's identity
};

class PrivacyRequests {
 public:
  PrivacyRequests(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random)
      : store_(store), audit_(audit), clock_(clock), random_(random) {}

  // Records a request with its due dates, audited "privacy_request.submit"
  // by `actor`. InvalidArgument("invalid-field") for an unknown type or
  // jurisdiction, an empty or oversized end user, or an end-user request
  // without the customer's attestation; NotFound for an account that is not
  // the customer's.
  Result<PrivacyRequestRecord> Submit(const PrivacyRequestForm& form, const std::string& actor,
                                      const RequestOrigin& origin);

  // Moves request `id` of `customer_id` to `state`, audited
  // "privacy_request.<state>". `reason` is required to deny or extend;
  // `new_due` ("YYYY-MM-DD") only to extend. FailedPrecondition
  // ("invalid-transition") for a move the lifecycle does not allow, a
  // second extension, or an extension after the due date; InvalidArgument
  // for a missing reason or a new due date not after the current one or
  // past the law's limit; NotFound for an unknown request.
  Result<PrivacyRequestRecord> Transition(const std::string& customer_id, const std::string& id,
                                          const std::string& state, const std::string& reason,
                                          const std::string& new_due, const std::string& actor,
                                          const RequestOrigin& origin);

  // The request and its history. NotFound unless it is the customer's.
  Result<PrivacyRequestRecord> Get(const std::string& customer_id, const std::string& id);
  Result<std::vector<PrivacyRequestStep>> History(const std::string& customer_id,
                                                  const std::string& id);
  // The customer's open requests due on or before `due_before` (a date;
  // "" for every request), soonest due first.
  Result<std::vector<PrivacyRequestRecord>> List(const std::string& customer_id,
                                                 const std::string& due_before);

 private:
  Status Step(MetadataTx& tx, PrivacyRequestRecord& r, const std::string& state,
              const std::string& actor, const std::string& reason, const RequestOrigin& origin);

  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
