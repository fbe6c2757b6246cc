// MarketingMail (ACC-5): the only way a marketing message leaves Lethe.
// Marketing is off for every customer until the consent ledger holds an
// opt-in for "marketing"; the ledger is checked twice, when a campaign is
// queued and again right before each message is handed to the mailer, so
// an opt-out between the two still stops it. A message withheld either
// time is counted and audited "marketing.withheld", never sent.
//
// Every marketing mail carries a one-click unsubscribe (RFC 8058):
// "List-Unsubscribe: <{base}/v1/unsubscribe?token=...>" and
// "List-Unsubscribe-Post: List-Unsubscribe=One-Click". The token is made
// when the message is delivered (so no secret waits in the outbox), 256
// random bits stored only as their SHA-256 digest; POSTing it records an
// opt-out with source "mail".
//
// Messages sit in the outbox like any other (body dropped once sent) but
// run on a job kind of their own, whose handler checks consent first.
#pragma once

#include <atomic>
#include <string>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/consent_ledger.h"
#include "domain/job_queue.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/mailer.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

class MarketingMail {
 public:
  static constexpr const char* kJobKind = "mail.marketing";
  static constexpr size_t kMaxSubjectBytes = 200;
  static constexpr size_t kMaxBodyBytes = 256 << 10;

  // Registers the delivery handler with `jobs`. `from` is the sender;
  // `public_url` the base of unsubscribe links (e.g. "https://lethe.example").
  MarketingMail(MetadataStore& store, JobQueue& jobs, Mailer& mailer, ConsentLedger& consents,
                AuditLog& audit, const Clock& clock, Random& random, std::string from,
                std::string public_url);

  struct Campaign {
    int queued = 0;    // consenting customers, one message each
    int withheld = 0;  // customers without a current opt-in
  };
  // Queues `subject` and `text` for every open customer whose marketing
  // consent is current, audited "marketing.queued" or "marketing.withheld"
  // per customer by `actor`. InvalidArgument("invalid-field") for an empty
  // or oversized subject or body, or a subject that is not one line.
  Result<Campaign> SendToAll(const std::string& subject, const std::string& text,
                             const Actor& actor, const RequestOrigin& origin);

  // RFC 8058 one-click: records an opt-out of marketing (source "mail")
  // for the token's customer, unless marketing is already off for it;
  // audited. NotFound for a token that was never issued. Safe to repeat.
  Status Unsubscribe(const std::string& token, const RequestOrigin& origin);

  // The base of unsubscribe links, when it is known only once the server
  // listens (a port chosen by the system). Call before serving.
  void SetPublicUrl(std::string public_url) { public_url_ = std::move(public_url); }

  // Marketing messages withheld at delivery since start (an opt-out after
  // queueing): for tests and metrics.
  int64_t withheld_at_delivery() const { return withheld_at_delivery_; }

 private:
  Status Deliver(const JobRecord& job);

  MetadataStore& store_;
  JobQueue& jobs_;
  Mailer& mailer_;
  ConsentLedger& consents_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  std::string from_;
  std::string public_url_;
  std::atomic<int64_t> withheld_at_delivery_{0};
};

}  // namespace lethe
