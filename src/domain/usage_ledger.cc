#include "domain/usage_ledger.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "crypto/secret_hash.h"

namespace lethe {

UsageLedger::UsageLedger(MetadataStore& store, const Clock& clock, Random& random)
    : store_(store), clock_(clock), random_(random) {}

UsageLedger::~UsageLedger() {
  Status st = WritePending();
  if (!st.ok()) std::cerr << "lethe: usage events lost at shutdown: " << st.ToString() << "\n";
}

Status UsageLedger::WritePending() {
  std::lock_guard write(write_mu_);
  std::vector<UsageEvent> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return Status::Ok();
  // Telemetry: one commit per batch, durable against a process crash.
  Status st = store_.Transact([&](MetadataTx& tx) { return tx.InsertUsageEvents(batch); },
                              Durability::kProcessCrash);
  if (st.ok()) return st;
  // Keep the batch, ahead of newer events, for the next try. Only a queue
  // past kMaxPending drops events, oldest first, and says so.
  std::lock_guard lock(mu_);
  pending_.insert(pending_.begin(), std::make_move_iterator(batch.begin()),
                  std::make_move_iterator(batch.end()));
  if (pending_.size() > kMaxPending) {
    size_t excess = pending_.size() - kMaxPending;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(excess));
    std::cerr << "lethe: usage queue full: " << excess << " events dropped\n";
  }
  return Status::Unavailable("usage events are not being written: " + st.message());
}

Status UsageLedger::Record(const Principal& who, const std::string& end_user,
                           const RequestOrigin& origin, const std::string& method,
                           const std::string& route, int status) {
  UsageEvent e;
  e.id = RandomId(random_, "evt_");
  e.time_ms = clock_.NowMillis();
  e.account_id = who.account.id;
  e.credential_id = who.credential_id;
  e.end_user = end_user;
  e.ip = origin.ip;
  e.device_type = origin.device_type;
  e.browser = origin.browser;
  e.browser_version = origin.browser_version;
  e.language = origin.language;
  e.country = origin.country;
  e.method = method;
  e.route = route;
  e.status = status;
  std::lock_guard lock(mu_);
  pending_.push_back(std::move(e));
  return Status::Ok();
}

Result<UsagePage> UsageLedger::List(UsageQuery query) {
  query.limit = std::clamp(query.limit, 1, kMaxUsagePage);
  LETHE_RETURN_IF_ERROR(Flush());
  UsagePage page;
  LETHE_ASSIGN_OR_RETURN(page.events, store_.ListUsageEvents(query));
  if (static_cast<int>(page.events.size()) == query.limit) {
    page.next_after_seq = page.events.back().seq;
  }
  return page;
}

}  // namespace lethe
