// Outbox: mail that a state change must send (a security notice, soon
// verification codes) leaves through here. Send() stores the message in the
// transaction of the change that calls for it, together with a durable job
// that delivers it, so the message goes out exactly when the change
// commits, even across a crash (the transactional outbox pattern).
//
// Delivery runs on the JobQueue: a transient Mailer failure (Unavailable)
// is retried with the queue's exponential backoff, a permanent one (the
// relay refused the message) fails the job for staff to see. A message
// is handed to the Mailer at least once; the file mailer replaces a
// re-sent message, SMTP may deliver a duplicate after a crash. Once sent,
// the stored copy of the body is dropped.
#pragma once

#include <string>

#include "domain/job_queue.h"
#include "ports/clock.h"
#include "ports/mailer.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

class Outbox {
 public:
  static constexpr const char* kJobKind = "mail.deliver";

  // Registers the delivery handler with `jobs`. `from` is the sender
  // address of every message.
  Outbox(MetadataStore& store, JobQueue& jobs, Mailer& mailer, const Clock& clock, Random& random,
         std::string from);

  // Queues a plain-text message to `to` in `tx`. Returns the message id, or
  // the store's error (which rolls the caller's change back with it).
  Result<std::string> Send(MetadataTx& tx, const std::string& to, const std::string& subject,
                           const std::string& text);

 private:
  Status Deliver(const JobRecord& job);

  MetadataStore& store_;
  JobQueue& jobs_;
  Mailer& mailer_;
  const Clock& clock_;
  Random& random_;
  std::string from_;
};

}  // namespace lethe
