// UsageLedger (USE-1, ACC-2, ACC-3): one event for every data-plane request,
// carrying exactly the usage fields the policy names (IP, device type,
// browser and version, language) plus the account, the credential used, the
// end user the request named, the route and the outcome.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/accounts.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

inline constexpr int kMaxUsagePage = 1000;

struct UsagePage {
  std::vector<UsageEvent> events;
  std::optional<int64_t> next_after_seq;  // set when more may follow
};

// Recording is write-behind: Record() queues the event and returns; the
// server's JobRunner calls WritePending() every kFlushInterval, one
// transaction per batch instead of one per request. List() and Flush()
// write what is queued before they read, and the destructor writes what is
// left, so a graceful shutdown loses nothing. A SIGKILL can lose at most
// the last interval's events. A failed write keeps its batch queued for the
// next call (the runner backs off); only a queue longer than kMaxPending
// drops events (oldest first, logged).
class UsageLedger {
 public:
  static constexpr std::chrono::milliseconds kFlushInterval{5};
  static constexpr size_t kMaxPending = 1'000'000;

  UsageLedger(MetadataStore& store, const Clock& clock, Random& random);
  ~UsageLedger();
  UsageLedger(const UsageLedger&) = delete;
  UsageLedger& operator=(const UsageLedger&) = delete;

  // Queues one request's event. Returns OK: write failures are retried and
  // logged by count, nothing personal.
  Status Record(const Principal& who, const std::string& end_user, const RequestOrigin& origin,
                const std::string& method, const std::string& route, int status);

  // Writes every event queued so far in one transaction (durable against a
  // process crash). Returns the store's error, the events staying queued.
  Status WritePending();

  // Waits until every event queued before the call is written. Returns the
  // store's error if that cannot be done now.
  Status Flush() { return WritePending(); }

  // Events of `query.account_id`, oldest first. `query.limit` is clamped to
  // 1..kMaxUsagePage.
  Result<UsagePage> List(UsageQuery query);

 private:
  MetadataStore& store_;
  const Clock& clock_;
  Random& random_;
  std::mutex write_mu_;  // one batch in flight: a Flush waits for it
  std::mutex mu_;        // the queue
  std::vector<UsageEvent> pending_;
};

}  // namespace lethe
