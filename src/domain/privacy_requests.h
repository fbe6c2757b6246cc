// PrivacyRequests: data-subject requests (RGT-1..4) and their legal clocks
// (RGT-2). A request is about an end user of one of the customer's accounts
// (Lethe as processor: the customer attests to the subject's identity) or
// about the customer itself (Lethe as controller: verified by a one-time
// code mailed through the outbox: 8 digits, single use, 15 minutes, kept
// only as a keyed digest, five wrong codes lock the request). A request
// made by an authorized agent carries the agent's written permission
// (sealed under the subject's key chain, so erasing the subject makes it
// unreadable too) and waits for the subject's own confirmation: the code
// for a customer, the customer relaying the end user's confirmation for an
// end user. An end user's own request from the privacy center that no
// customer attested is verified like a customer's, with a code mailed to
// the address the person gave (which is then the end-user reference).
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
#include "crypto/keyed_id.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/domain_events.h"
#include "domain/key_ring.h"
#include "domain/outbox.h"
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
  // An end user's own request from the privacy center, which no customer
  // attested: `end_user` is the email address the person gave, and a code
  // mailed there verifies it, as a customer's own request is verified.
  bool verify_by_mail = false;
  // An authorized agent: their name and written permission (the document's
  // bytes, up to kMaxAgentDocument). Empty name: no agent.
  std::string agent_name;
  std::string agent_document;
};

// What Verify() was given: the mailed code, or (for an end user's request
// made by an agent) the customer relaying the end user's confirmation.
struct VerificationForm {
  std::string code;
  bool subject_confirmed = false;
};

class PrivacyRequests {
 public:
  static constexpr int64_t kCodeLifetimeMs = 15 * 60 * 1000;
  static constexpr int kMaxCodeFailures = 5;
  static constexpr size_t kMaxAgentDocument = 4 << 20;

  PrivacyRequests(MetadataStore& store, AuditLog& audit, Outbox& outbox, KeyRing& keys,
                  const KeyedIds& ids, const Clock& clock, Random& random)
      : store_(store),
        audit_(audit),
        outbox_(outbox),
        keys_(keys),
        ids_(ids),
        clock_(clock),
        random_(random) {}

  // Records a request with its due dates, audited "privacy_request.<state>"
  // by `actor` for each step; a customer's own request mails its code in the
  // same transaction. InvalidArgument("invalid-field") for an unknown type
  // or jurisdiction, an empty or oversized end user, an end-user request
  // without the customer's attestation, or an agent without a permission
  // document; NotFound for an account that is not the customer's;
  // Unprocessable("subject-erased") for an end user already erased.
  Result<PrivacyRequestRecord> Submit(const PrivacyRequestForm& form, const Actor& actor,
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
                                          const std::string& new_due, const Actor& actor,
                                          const RequestOrigin& origin);

  // Verifies an identity_unverified request: with the mailed code, or for
  // an agent's end-user request with the subject's confirmation. A wrong
  // code counts (and commits) even though the call fails. Returns the
  // verified request; FailedPrecondition("invalid-transition") unless it
  // waits for verification (a used code is gone with it);
  // PermissionDenied("request-locked") after kMaxCodeFailures wrong codes;
  // Unprocessable("code-expired") or ("code-invalid"); InvalidArgument
  // when the form lacks what the request needs; NotFound.
  Result<PrivacyRequestRecord> Verify(const std::string& customer_id, const std::string& id,
                                      const VerificationForm& form, const Actor& actor,
                                      const RequestOrigin& origin);
  // Mails a fresh code (the old one stops working), for a request waiting
  // for one. Wrong codes keep counting. FailedPrecondition
  // ("invalid-transition") for a request that takes no code or no longer
  // waits; PermissionDenied("request-locked"); NotFound.
  Status ResendCode(const std::string& customer_id, const std::string& id, const Actor& actor,
                    const RequestOrigin& origin);
  // The agent's permission document, opened. NotFound when the request has
  // none; FailedPrecondition("key-destroyed") once the subject is erased.
  Result<std::string> AgentDocument(const std::string& customer_id, const std::string& id);

  // Moves `r` to `state` in `tx` as Transition does for a caller that
  // already holds the request (fulfilment), writing the step and the row.
  Status Advance(MetadataTx& tx, PrivacyRequestRecord& r, const std::string& state,
                 const Actor& actor, const std::string& reason, const RequestOrigin& origin);

  // The reminder job: mails the customer about each open request due
  // within 7 days that had no reminder, marking it reminded in the same
  // transaction. Returns how many went out.
  Result<int> SendReminders(int limit);

  // The request and its history. NotFound unless it is the customer's.
  Result<PrivacyRequestRecord> Get(const std::string& customer_id, const std::string& id);
  Result<std::vector<PrivacyRequestStep>> History(const std::string& customer_id,
                                                  const std::string& id);
  // The customer's open requests due on or before `due_before` (a date;
  // "" for every request), soonest due first.
  Result<std::vector<PrivacyRequestRecord>> List(const std::string& customer_id,
                                                 const std::string& due_before);

  // Told of "privacy_request.due_soon" with each reminder about a request
  // that names an account (null: no one).
  void SetEvents(DomainEvents* events) { events_ = events; }

 private:
  DomainEvents* events_ = nullptr;
  Status Step(MetadataTx& tx, PrivacyRequestRecord& r, const std::string& state, const Actor& actor,
              const std::string& reason, const RequestOrigin& origin);
  // Sets a fresh code on `r` and mails it to the customer, in `tx`.
  Status MailCode(MetadataTx& tx, PrivacyRequestRecord& r);
  std::string CodeDigest(const PrivacyRequestRecord& r, const std::string& code) const;
  // The owner of the key that seals `r`'s agent document.
  static std::pair<std::string, std::string> SealOwner(const PrivacyRequestRecord& r);
  Result<std::string> SealDocument(const PrivacyRequestRecord& r, const std::string& document);

  MetadataStore& store_;
  AuditLog& audit_;
  Outbox& outbox_;
  KeyRing& keys_;
  const KeyedIds& ids_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
