#include "domain/webhooks.h"

#include <algorithm>
#include <boost/json.hpp>
#include <iterator>

#include "common/time_format.h"
#include "crypto/secret_hash.h"
#include "crypto/webhook_signature.h"

namespace lethe {
namespace {

constexpr int kMaxEvents = 16;

bool KnownEvent(const std::string& type) {
  return std::find(std::begin(Webhooks::kEventTypes), std::end(Webhooks::kEventTypes), type) !=
         std::end(Webhooks::kEventTypes);
}

bool Subscribed(const WebhookRecord& w, const std::string& type) {
  size_t pos = 0;
  while (pos <= w.events.size()) {
    size_t comma = w.events.find(',', pos);
    if (comma == std::string::npos) comma = w.events.size();
    if (w.events.compare(pos, comma - pos, type) == 0) return true;
    pos = comma + 1;
  }
  return false;
}

// The key's slot in the account's key hierarchy: bound as associated data,
// so a wrapped secret copied to another webhook does not open.
std::string SecretSlot(const std::string& webhook_id) { return "webhook-secret:" + webhook_id; }

// Refusals of the gate that a later attempt would meet again.
bool Permanent(const Status& st) {
  const std::string& r = st.reason();
  return r == "processing-restricted" || r == "transfer-refused" || r == "region-mismatch" ||
         r == "invalid-url" || r == "https-required" || r == "key-destroyed";
}

RequestOrigin JobOrigin(const JobRecord& job) {
  return RequestOrigin{job.id, "", "", "", "", "", ""};
}

}  // namespace

Webhooks::Webhooks(MetadataStore& store, KeyRing& keys, Transfers& transfers, JobQueue& jobs,
                   AuditLog& audit, const Clock& clock, Random& random)
    : store_(store),
      keys_(keys),
      transfers_(transfers),
      jobs_(jobs),
      audit_(audit),
      clock_(clock),
      random_(random) {
  jobs_.Handle(kJobKind, [this](const JobRecord& job) { return Deliver(job); });
}

std::chrono::milliseconds Webhooks::RetryDelay(int64_t attempts) {
  std::chrono::milliseconds delay = kFirstRetry;
  for (int64_t i = 1; i < attempts && delay < kMaxRetryGap; ++i) delay *= 2;
  return std::min<std::chrono::milliseconds>(delay, kMaxRetryGap);
}

Result<NewWebhook> Webhooks::Register(const std::string& customer_id, const std::string& account_id,
                                      const std::string& url,
                                      const std::vector<std::string>& events,
                                      const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  if (events.empty() || events.size() > kMaxEvents) {
    return Status::InvalidArgument("invalid-field", "events must name at least one event type");
  }
  std::string joined;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!KnownEvent(events[i])) {
      return Status::InvalidArgument(
          "invalid-field",
          "events must be among media.created, media.deleted, media.rendition_ready, "
          "erasure.completed, privacy_request.due_soon, account.suspended");
    }
    if (std::find(events.begin(), events.begin() + i, events[i]) != events.begin() + i) {
      return Status::InvalidArgument("invalid-field", "events must not repeat");
    }
    joined += (joined.empty() ? "" : ",") + events[i];
  }
  // The SSRF guard, with the host resolved now; each delivery checks again.
  LETHE_RETURN_IF_ERROR(StatusOf(transfers_.VetEndpoint(url)));

  NewWebhook out;
  WebhookRecord& w = out.webhook;
  w.id = RandomId(random_, "whk_");
  w.customer_id = customer_id;
  w.account_id = account_id;
  w.url = url;
  w.events = joined;
  w.created_ms = clock_.NowMillis();
  Key secret = GenerateKey(random_);
  KeyWiper wipe(secret);
  LETHE_ASSIGN_OR_RETURN(w.wrapped_secret,
                         keys_.WrapDataKey(account_id, "", SecretSlot(w.id), secret));
  out.secret = WebhookSecretText(secret);
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(auto existing, tx.ListWebhooks(account_id));
    if (existing.size() >= static_cast<size_t>(kMaxPerAccount)) {
      return Status::FailedPrecondition(
          "too-many-webhooks",
          "an account has at most " + std::to_string(kMaxPerAccount) + " webhooks");
    }
    LETHE_RETURN_IF_ERROR(tx.InsertWebhook(w));
    return audit_.Record(tx, Actor::Customer(customer_id), "webhook.register", w.id, account_id,
                         origin);
  }));
  return out;
}

Result<std::vector<WebhookRecord>> Webhooks::List(const std::string& customer_id,
                                                  const std::string& account_id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  return store_.ListWebhooks(account_id);
}

Status Webhooks::Remove(const std::string& customer_id, const std::string& account_id,
                        const std::string& id, const RequestOrigin& origin) {
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccount(customer_id, account_id)));
    LETHE_RETURN_IF_ERROR(tx.DeleteWebhook(account_id, id));
    return audit_.Record(tx, Actor::Customer(customer_id), "webhook.delete", id, account_id,
                         origin);
  });
}

Result<std::vector<WebhookDeliveryView>> Webhooks::Deliveries(const std::string& customer_id,
                                                              const std::string& account_id,
                                                              const std::string& id, int limit) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindWebhook(account_id, id)));
  LETHE_ASSIGN_OR_RETURN(auto deliveries, store_.ListWebhookDeliveries(id, limit));
  std::vector<WebhookDeliveryView> out;
  for (WebhookDeliveryRecord& d : deliveries) {
    WebhookDeliveryView v;
    LETHE_ASSIGN_OR_RETURN(v.attempts, store_.ListWebhookAttempts(d.id));
    d.end_user.clear();  // a view never shows it
    v.delivery = std::move(d);
    out.push_back(std::move(v));
  }
  return out;
}

Status Webhooks::Emit(MetadataTx& tx, const DomainEvent& event) {
  LETHE_ASSIGN_OR_RETURN(auto hooks, tx.ListWebhooks(event.account_id));
  if (hooks.empty()) return Status::Ok();
  boost::json::object data;
  data["account_id"] = event.account_id;
  for (const auto& [name, value] : event.ids) data[name] = value;
  const int64_t now = clock_.NowMillis();
  for (const WebhookRecord& w : hooks) {
    if (!Subscribed(w, event.type)) continue;
    WebhookDeliveryRecord d;
    d.id = RandomId(random_, "msg_");
    d.webhook_id = w.id;
    d.account_id = event.account_id;
    d.event_type = event.type;
    d.payload = boost::json::serialize(data);
    d.end_user = event.end_user;
    d.state = "pending";
    d.created_ms = now;
    d.next_ms = now;
    LETHE_RETURN_IF_ERROR(tx.InsertWebhookDelivery(d));
    LETHE_RETURN_IF_ERROR(StatusOf(jobs_.Enqueue(tx, kJobKind, d.id)));
  }
  return Status::Ok();
}

Status Webhooks::Deliver(const JobRecord& job) {
  auto found = store_.FindWebhookDelivery(job.payload);
  if (!found.ok()) {
    // The webhook was deleted, and its deliveries with it: nothing to do.
    return found.status().code() == Status::Code::kNotFound ? Status::Ok() : found.status();
  }
  WebhookDeliveryRecord d = std::move(*found);
  if (d.state != "pending") return Status::Ok();  // a job run twice
  // A job run again after its attempt was recorded (a crash before the
  // job was marked done): the next attempt has its own job already.
  if (d.next_ms && *d.next_ms > clock_.NowMillis()) return Status::Ok();
  auto hook = store_.FindWebhook(d.account_id, d.webhook_id);
  if (!hook.ok()) {
    return hook.status().code() == Status::Code::kNotFound ? Status::Ok() : hook.status();
  }

  WebhookAttemptRecord attempt;
  attempt.delivery_id = d.id;
  attempt.attempt = d.attempts + 1;
  attempt.at_ms = clock_.NowMillis();

  // The body: Standard Webhooks' {type, timestamp, data}, ids only, and
  // the end user's reference while the delivery still holds one.
  auto data = boost::json::parse(d.payload);
  if (!d.end_user.empty()) data.as_object()["end_user"] = d.end_user;
  boost::json::object body{{"type", d.event_type},
                           {"timestamp", FormatRfc3339(d.created_ms)},
                           {"data", std::move(data)}};
  std::string text = boost::json::serialize(body);
  std::string timestamp = std::to_string(attempt.at_ms / 1000);

  auto secret = keys_.UnwrapDataKey(d.account_id, "", SecretSlot(hook->id), hook->wrapped_secret);
  if (!secret.ok()) {
    if (secret.status().code() == Status::Code::kInternal) return secret.status();
    attempt.error = secret.status().reason();  // the account's key is gone: so is the hook
    return Record(std::move(d), std::move(attempt), true, "failed");
  }
  Key key = *secret;
  KeyWiper wipe(key);

  TransferRequest t;
  t.account_id = d.account_id;
  t.end_user = d.end_user;
  t.kind = RecipientKind::kCustomerEndpoint;
  t.recipient_id = hook->id;
  t.purpose = "customer_webhook";
  t.legal_basis = "contract";
  if (!d.end_user.empty()) t.categories = {"identifiers"};
  t.what = d.event_type + " event " + d.id + " (" + std::to_string(text.size()) + " bytes)";
  t.reference = d.id;
  t.headers = {{"Content-Type", "application/json"},
               {"webhook-id", d.id},
               {"webhook-timestamp", timestamp},
               {"webhook-signature", WebhookSignature(key, d.id, timestamp, text)}};
  t.body = std::move(text);

  auto sent = transfers_.Send(t, Actor::System(kActor), JobOrigin(job));
  if (!sent.ok()) {
    const Status& st = sent.status();
    if (st.code() == Status::Code::kInternal && st.reason() == "internal") return st;  // store
    attempt.error = st.reason() + ": " + st.message();
    if (Permanent(st)) return Record(std::move(d), std::move(attempt), true, "refused");
  } else {
    attempt.status_code = sent->response.status;
    attempt.duration_ms = sent->duration_ms;
    if (attempt.status_code >= 200 && attempt.status_code < 300) {
      return Record(std::move(d), std::move(attempt), true, "delivered");
    }
    attempt.error = "HTTP " + std::to_string(attempt.status_code);
  }
  return Record(std::move(d), std::move(attempt), false, "");
}

Status Webhooks::Record(WebhookDeliveryRecord d, WebhookAttemptRecord a, bool final_state,
                        const std::string& state) {
  d.attempts = a.attempt;
  std::chrono::milliseconds delay{0};
  if (!final_state) {
    delay = RetryDelay(a.attempt);
    const int64_t deadline =
        d.created_ms + std::chrono::duration_cast<std::chrono::milliseconds>(kRetryWindow).count();
    if (a.at_ms + delay.count() > deadline) {
      final_state = true;
      d.state = "failed";
    }
  } else {
    d.state = state;
  }
  if (final_state) {
    d.next_ms.reset();
    d.end_user.clear();  // no longer needed: it must not outlive the delivery
  } else {
    d.next_ms = a.at_ms + delay.count();
  }
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertWebhookAttempt(a));
    LETHE_RETURN_IF_ERROR(tx.UpdateWebhookDelivery(d));
    if (!final_state) LETHE_RETURN_IF_ERROR(StatusOf(jobs_.Enqueue(tx, kJobKind, d.id, delay)));
    return Status::Ok();
  });
}

}  // namespace lethe
