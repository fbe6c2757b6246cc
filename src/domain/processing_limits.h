// ProcessingLimits: placing and lifting the limits that privacy requests
// put on a subject's data (restriction, objection, CCPA opt-outs); the
// ProcessingGate enforces them.
//
// GDPR Art. 18(3) wants the subject told before a restriction is lifted.
// Lifting therefore happens in two steps: BeginLift queues the notice in
// the outbox and a job, in one transaction; the job removes the limit only
// once the outbox has handed the notice to the mail relay, retrying with
// the queue's backoff until then. Until that moment the gate still refuses.
#pragma once

#include <string>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/job_queue.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

class ProcessingLimits {
 public:
  static constexpr const char* kLiftJob = "processing_limit.lift";

  // Registers the lift handler with `jobs`.
  ProcessingLimits(MetadataStore& store, JobQueue& jobs, Outbox& outbox, AuditLog& audit,
                   const Clock& clock, Random& random);

  // Places the limit that request `r` (a restriction, objection or opt-out
  // type) asks for, in `tx`, audited "processing_limit.place". Returns the
  // limit; AlreadyExists if the request already placed one.
  Result<ProcessingLimitRecord> Place(MetadataTx& tx, const PrivacyRequestRecord& r,
                                      const Actor& actor, const RequestOrigin& origin);

  // Starts lifting the limit request `r` placed: mails `notify_to` the
  // notice `text` and queues the job that lifts the limit once the notice
  // is sent, audited "processing_limit.lift_requested". NotFound when the
  // request placed no limit that is in force; FailedPrecondition
  // ("invalid-transition") when lifting has already begun.
  Status BeginLift(MetadataTx& tx, const PrivacyRequestRecord& r, const std::string& notify_to,
                   const std::string& text, const Actor& actor, const RequestOrigin& origin);

 private:
  // The job: Unavailable (retry later) until the notice is sent, then
  // removes the limit, audited "processing_limit.lifted".
  Status FinishLift(const JobRecord& job);

  MetadataStore& store_;
  JobQueue& jobs_;
  Outbox& outbox_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
