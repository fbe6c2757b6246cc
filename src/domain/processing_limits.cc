#include "domain/processing_limits.h"

#include "crypto/secret_hash.h"
#include "domain/processing_gate.h"

namespace lethe {

ProcessingLimits::ProcessingLimits(MetadataStore& store, JobQueue& jobs, Outbox& outbox,
                                   AuditLog& audit, const Clock& clock, Random& random)
    : store_(store), jobs_(jobs), outbox_(outbox), audit_(audit), clock_(clock), random_(random) {
  jobs_.Handle(kLiftJob, [this](const JobRecord& job) { return FinishLift(job); });
}

Result<ProcessingLimitRecord> ProcessingLimits::Place(MetadataTx& tx, const PrivacyRequestRecord& r,
                                                      const Actor& actor,
                                                      const RequestOrigin& origin) {
  if (!IsLimitingRequestType(r.type)) {
    return Status::InvalidArgument("invalid-field", r.type + " places no processing limit");
  }
  ProcessingLimitRecord l{
      RandomId(random_, "plm_"), r.account_id, r.subject, r.type, r.id, clock_.NowMillis(), ""};
  Status inserted = tx.InsertProcessingLimit(l);
  if (inserted.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("conflict", "the request already placed its limit");
  }
  LETHE_RETURN_IF_ERROR(inserted);
  LETHE_RETURN_IF_ERROR(
      audit_.Record(tx, actor, "processing_limit.place", l.id, r.account_id, origin));
  return l;
}

Status ProcessingLimits::BeginLift(MetadataTx& tx, const PrivacyRequestRecord& r,
                                   const std::string& notify_to, const std::string& text,
                                   const Actor& actor, const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(ProcessingLimitRecord l, tx.FindProcessingLimitOf(r.id));
  if (!l.lift_notice.empty()) {
    return Status::FailedPrecondition("invalid-transition", "the limit is already being lifted");
  }
  LETHE_ASSIGN_OR_RETURN(
      l.lift_notice,
      outbox_.Send(tx, notify_to, "Lethe: a limit on processing will be lifted", text));
  LETHE_RETURN_IF_ERROR(tx.UpdateProcessingLimit(l));
  LETHE_RETURN_IF_ERROR(StatusOf(jobs_.Enqueue(tx, kLiftJob, r.id)));
  return audit_.Record(tx, actor, "processing_limit.lift_requested", l.id, r.account_id, origin);
}

Status ProcessingLimits::FinishLift(const JobRecord& job) {
  return store_.Transact([&](MetadataTx& tx) -> Status {
    Result<ProcessingLimitRecord> found = tx.FindProcessingLimitOf(job.payload);
    if (found.status().code() == Status::Code::kNotFound) return Status::Ok();  // lifted already
    LETHE_ASSIGN_OR_RETURN(ProcessingLimitRecord l, std::move(found));
    LETHE_ASSIGN_OR_RETURN(OutboxRecord notice, tx.FindOutboxMessage(l.lift_notice));
    if (!notice.sent_ms) {
      return Status::Unavailable("the notice to the subject has not gone out yet");
    }
    LETHE_RETURN_IF_ERROR(tx.DeleteProcessingLimit(l.id));
    return audit_.Record(tx, Actor::System("system"), "processing_limit.lifted", l.id, l.account_id,
                         RequestOrigin{});
  });
}

}  // namespace lethe
