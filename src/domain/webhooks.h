// Webhooks: a customer's own HTTPS endpoints, told of events in its
// accounts (issue 12). Registration vets the URL through the transfer
// gate's SSRF guard and makes a signing secret that is shown once and kept
// only wrapped under the account key (KeyRing), so it can sign every
// delivery and dies with the account.
//
// Each event (DomainEvents::Emit, in the transaction of the change) makes
// one delivery per subscribed webhook and queues a durable job for it. The
// job sends through Transfers (recipient kind customer_endpoint), signed
// as Standard Webhooks specify, and records the attempt. A receiver that
// does not answer 2xx is tried again after 30 s, 1, 2, 4 ... minutes (at
// most 4 h apart) for 24 hours from the event, then the delivery fails.
// A delivery the gate refuses (a restricted end user, say) is not retried.
//
// Payloads carry ids only. The end user a media event is about goes in
// its `end_user` field when the delivery is sent: that is personal data
// (a pseudonymous reference), so such a delivery passes the processing
// gate and leaves a disclosure-ledger row; the stored delivery keeps the
// reference only while it may still be sent.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/domain_events.h"
#include "domain/job_queue.h"
#include "domain/key_ring.h"
#include "domain/request_origin.h"
#include "domain/transfers.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

struct NewWebhook {
  WebhookRecord webhook;
  std::string secret;  // whsec_..., shown once
};

struct WebhookDeliveryView {
  WebhookDeliveryRecord delivery;
  std::vector<WebhookAttemptRecord> attempts;
};

class Webhooks final : public DomainEvents {
 public:
  static constexpr const char* kEventTypes[] = {"media.created",
                                                "media.deleted",
                                                "media.rendition_ready",
                                                "erasure.completed",
                                                "privacy_request.due_soon",
                                                "account.suspended"};
  static constexpr const char* kJobKind = "webhook.deliver";
  static constexpr const char* kActor = "lethe:webhooks";
  static constexpr int kMaxPerAccount = 10;
  static constexpr std::chrono::hours kRetryWindow{24};
  static constexpr std::chrono::seconds kFirstRetry{30};
  static constexpr std::chrono::hours kMaxRetryGap{4};

  // Registers the delivery handler with `jobs`.
  Webhooks(MetadataStore& store, KeyRing& keys, Transfers& transfers, JobQueue& jobs,
           AuditLog& audit, const Clock& clock, Random& random);

  // Registers `url` for `events` of account `account_id` of customer
  // `customer_id`, audited "webhook.register". Returns it with its secret.
  // NotFound for another customer's account; InvalidArgument
  // ("invalid-field") for no, unknown or repeated events; the errors of
  // Transfers::VetEndpoint for the URL; FailedPrecondition("too-many-
  // webhooks") past kMaxPerAccount.
  Result<NewWebhook> Register(const std::string& customer_id, const std::string& account_id,
                              const std::string& url, const std::vector<std::string>& events,
                              const RequestOrigin& origin);

  // The account's webhooks, oldest first. NotFound for another's account.
  Result<std::vector<WebhookRecord>> List(const std::string& customer_id,
                                          const std::string& account_id);

  // Deletes a webhook with its deliveries, audited "webhook.delete".
  // NotFound for an unknown id or another's account.
  Status Remove(const std::string& customer_id, const std::string& account_id,
                const std::string& id, const RequestOrigin& origin);

  // A webhook's deliveries, newest first, at most `limit`, each with its
  // attempts. NotFound as Remove.
  Result<std::vector<WebhookDeliveryView>> Deliveries(const std::string& customer_id,
                                                      const std::string& account_id,
                                                      const std::string& id, int limit);

  // DomainEvents: one delivery and job per webhook of the account that
  // subscribed to the event's type.
  Status Emit(MetadataTx& tx, const DomainEvent& event) override;

  // The wait after `attempts` failed attempts (1, 2, ...).
  static std::chrono::milliseconds RetryDelay(int64_t attempts);

 private:
  Status Deliver(const JobRecord& job);
  // Records an attempt and what follows it: the next try, or the end.
  Status Record(WebhookDeliveryRecord d, WebhookAttemptRecord a, bool final_state,
                const std::string& state);

  MetadataStore& store_;
  KeyRing& keys_;
  Transfers& transfers_;
  JobQueue& jobs_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
