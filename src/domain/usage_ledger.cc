#include "domain/usage_ledger.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "crypto/secret_hash.h"

namespace lethe {

UsageLedger::UsageLedger(MetadataStore& store, const Clock& clock, Random& random)
    : store_(store), clock_(clock), random_(random), writer_([this] { WriterLoop(); }) {}

UsageLedger::~UsageLedger() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void UsageLedger::WriterLoop() {
  std::unique_lock lock(mu_);
  bool backing_off = false;
  for (;;) {
    wake_.wait_for(lock, backing_off ? kRetryInterval : kFlushInterval, [this, backing_off] {
      return stop_ || (!backing_off && pending_.size() >= kFlushBatch);
    });
    if (!pending_.empty()) {
      std::vector<UsageEvent> batch;
      batch.swap(pending_);
      lock.unlock();
      // Telemetry: one commit per batch, durable against a process crash.
      Status st = store_.Transact([&](MetadataTx& tx) { return tx.InsertUsageEvents(batch); },
                                  Durability::kProcessCrash);
      lock.lock();
      backing_off = !st.ok();
      if (st.ok()) {
        written_count_ += batch.size();
        written_.notify_all();
      } else {
        // Keep the batch, ahead of newer events, and try again shortly. Only
        // a queue past kMaxPending drops events, oldest first, and says so.
        std::cerr << "lethe: " << batch.size()
                  << " usage events not written yet, retrying: " << st.ToString() << "\n";
        pending_.insert(pending_.begin(), std::make_move_iterator(batch.begin()),
                        std::make_move_iterator(batch.end()));
        if (pending_.size() > kMaxPending) {
          size_t excess = pending_.size() - kMaxPending;
          pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(excess));
          written_count_ += excess;
          std::cerr << "lethe: usage queue full: " << excess << " events dropped\n";
        }
      }
      if (stop_ && backing_off) return;  // shutting down with the store failing
    }
    if (stop_ && pending_.empty()) return;
  }
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
  ++queued_;
  if (pending_.size() >= kFlushBatch) wake_.notify_one();
  return Status::Ok();
}

Status UsageLedger::Flush() {
  std::unique_lock lock(mu_);
  uint64_t target = queued_;
  wake_.notify_one();
  if (!written_.wait_for(lock, kFlushTimeout, [&] { return written_count_ >= target; })) {
    return Status::Unavailable("usage events are not being written; try again");
  }
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
