#include "domain/outbox.h"

#include "crypto/secret_hash.h"

namespace lethe {

Outbox::Outbox(MetadataStore& store, JobQueue& jobs, Mailer& mailer, const Clock& clock,
               Random& random, std::string from)
    : store_(store),
      jobs_(jobs),
      mailer_(mailer),
      clock_(clock),
      random_(random),
      from_(std::move(from)) {
  jobs_.Handle(kJobKind, [this](const JobRecord& job) { return Deliver(job); });
}

Result<std::string> Outbox::Send(MetadataTx& tx, const std::string& to, const std::string& subject,
                                 const std::string& text) {
  OutboxRecord m{RandomId(random_, "msg_"), to, subject, text, clock_.NowMillis(), std::nullopt};
  LETHE_RETURN_IF_ERROR(tx.InsertOutboxMessage(m));
  // The job carries only the message id: the content stays in one place.
  LETHE_RETURN_IF_ERROR(StatusOf(jobs_.Enqueue(tx, kJobKind, m.id)));
  return m.id;
}

Status Outbox::Deliver(const JobRecord& job) {
  LETHE_ASSIGN_OR_RETURN(OutboxRecord m, store_.FindOutboxMessage(job.payload));
  if (m.sent_ms) return Status::Ok();  // a re-run after the send landed
  Status sent = mailer_.Send(MailMessage{m.id, from_, m.recipient, m.subject, m.body});
  if (!sent.ok()) return sent;
  return store_.Transact(
      [&](MetadataTx& tx) { return tx.MarkOutboxSent(m.id, clock_.NowMillis()); });
}

}  // namespace lethe
