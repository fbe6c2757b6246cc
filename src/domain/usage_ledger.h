// UsageLedger (USE-1, ACC-2, ACC-3): one event for every data-plane request,
// carrying exactly the usage fields the policy names (IP, device type,
// browser and version, language) plus the account, the credential used, the
// end user the request named, the route and the outcome.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

// Recording is write-behind: Record() queues the event and returns; a
// writer thread commits the queue every kFlushInterval (sooner when
// kFlushBatch events wait), one transaction per batch instead of one per
// request. List() and Flush() wait until everything queued before them is
// written, and the destructor writes what is left, so a graceful shutdown
// loses nothing. A SIGKILL can lose at most the last interval's events.
// A failed write is retried every kRetryInterval; only a queue longer than
// kMaxPending drops events (oldest first, logged).
class UsageLedger {
 public:
  static constexpr std::chrono::milliseconds kFlushInterval{5};
  static constexpr size_t kFlushBatch = 2000;
  static constexpr std::chrono::milliseconds kRetryInterval{500};
  static constexpr std::chrono::seconds kFlushTimeout{5};
  static constexpr size_t kMaxPending = 1'000'000;

  UsageLedger(MetadataStore& store, const Clock& clock, Random& random);
  ~UsageLedger();
  UsageLedger(const UsageLedger&) = delete;
  UsageLedger& operator=(const UsageLedger&) = delete;

  // Queues one request's event. Returns OK: write failures are retried by
  // the writer and logged by count, nothing personal.
  Status Record(const Principal& who, const std::string& end_user, const RequestOrigin& origin,
                const std::string& method, const std::string& route, int status);

  // Waits until every event queued so far is written. Returns Unavailable
  // if that takes longer than kFlushTimeout (the store is failing).
  Status Flush();

  // Events of `query.account_id`, oldest first. `query.limit` is clamped to
  // 1..kMaxUsagePage.
  Result<UsagePage> List(UsageQuery query);

 private:
  void WriterLoop();

  MetadataStore& store_;
  const Clock& clock_;
  Random& random_;
  std::mutex mu_;
  std::condition_variable wake_;     // the writer: work or stop
  std::condition_variable written_;  // waiters: a batch landed
  std::vector<UsageEvent> pending_;
  uint64_t queued_ = 0;         // events ever queued
  uint64_t written_count_ = 0;  // events ever written (or dropped on overflow)
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace lethe
