// AbuseSignals (ADM-1, ACC-11): measures an account's activity against its
// own norm and against fixed limits, and records every signal that scores,
// with the inputs its score came from, so a decision built on it can be
// explained from stored facts alone. Four kinds:
//
//   upload_rate       successful uploads in the last hour against the
//                     account's trailing hourly average over 7 days, times
//                     AbuseRules::upload_factor, never below upload_floor
//                     (so a new account's first uploads never score);
//   auth_failures     known API keys of the account presented with a wrong
//                     secret within auth_window (counted in memory when it
//                     happens: a burst is short, and losing it at a restart
//                     only forgives);
//   end_users_per_ip  distinct end users one IP named within ip_window;
//   content_flag      a media object a ContentCheck flagged at upload.
//
// Scores: a signal at its trigger level scores 50, twice the trigger 100
// (linear, capped at AbuseRules::max_signal_score); below it, nothing and
// no row. A content flag scores content_score (100: one is enough).
//
// Threads: NoteFailedKey and the content checks (Emit, inside the upload's
// own transaction) are cheap and run where the event happens; Measure reads
// the usage events and runs on the job runner. Every time comes from the
// injected Clock.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/domain_events.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// What the signals and the decision count. Every field can be set by the
// operator (`lethe serve --abuse-...`); the defaults suit a small host.
struct AbuseRules {
  int64_t threshold = 100;  // summed score that suspends an account
  int64_t max_signal_score = 100;
  int64_t upload_floor = 1000;  // uploads in an hour that never score
  int64_t upload_factor = 10;   // times the account's own hourly norm
  int64_t auth_failures = 20;   // wrong key secrets within auth_window
  std::chrono::milliseconds auth_window{std::chrono::minutes(10)};
  int64_t end_users_per_ip = 1000;  // distinct end users from one IP in ip_window
  std::chrono::milliseconds ip_window{std::chrono::hours(1)};
  int64_t content_score = 100;
  // Signals older than this are not summed into a decision.
  std::chrono::milliseconds decision_window{std::chrono::hours(24)};
};

// The upload route whose successful calls upload_rate counts.
inline constexpr const char* kUploadMethod = "POST";
inline constexpr const char* kUploadRoute = "/v1/media";

// A signal's score: 0 when `observed` is below `trigger`, else
// 50 * observed / trigger, at most `cap`.
int64_t SignalScore(int64_t observed, int64_t trigger, int64_t cap);

// The signal in plain words, for the holder's mail and the explanation.
std::string DescribeSignal(const AbuseSignalRecord& s);

// A check of uploaded content. Runs inside the upload's transaction, so it
// must be quick and must not block (no network).
class ContentCheck {
 public:
  virtual ~ContentCheck() = default;
  // The check's name, recorded with what it flags.
  virtual std::string name() const = 0;
  // Why `media` is flagged, or nullopt when it is not.
  virtual std::optional<std::string> Check(const MediaRecord& media) const = 0;
};

// The built-in check: SHA-256 digests the operator lists as known-bad.
class KnownBadHashes final : public ContentCheck {
 public:
  explicit KnownBadHashes(std::unordered_set<std::string> hashes) : hashes_(std::move(hashes)) {}
  // Reads one lowercase or uppercase hex SHA-256 per line; blank lines and
  // lines starting with '#' are skipped. InvalidArgument("bad-hash-list")
  // for any other line (with its number), Internal if unreadable.
  static Result<std::unique_ptr<KnownBadHashes>> Load(const std::string& path);
  std::string name() const override { return "known-bad-hash"; }
  std::optional<std::string> Check(const MediaRecord& media) const override;
  size_t size() const { return hashes_.size(); }

 private:
  std::unordered_set<std::string> hashes_;  // lowercase hex
};

class AbuseSignals final : public DomainEvents {
 public:
  static constexpr const char* kActor = "lethe:abuse";

  AbuseSignals(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random,
               AbuseRules rules)
      : store_(store), audit_(audit), clock_(clock), random_(random), rules_(rules) {}

  const AbuseRules& rules() const { return rules_; }
  // Adds a content check (not owned; must outlive this). Before serving.
  void AddCheck(const ContentCheck* check) { checks_.push_back(check); }
  // Called after a content flag commits, with the account: the server
  // wakes the decision task with it.
  void OnFlagged(std::function<void(const std::string& account_id)> fn) {
    on_flagged_ = std::move(fn);
  }

  // Counts a wrong secret for one of `account_id`'s keys. Cheap and
  // non-blocking apart from a short lock.
  void NoteFailedKey(const std::string& account_id);

  // DomainEvents: on "media.created", runs the content checks on the new
  // media and records (and audits) a content_flag signal for each flag, in
  // the upload's transaction. Other events are ignored.
  Status Emit(MetadataTx& tx, const DomainEvent& event) override;

  // Measures upload_rate, auth_failures and end_users_per_ip of
  // `account_id` now, counting activity at or after `reset_ms` only (the
  // time a suspension was last lifted: what a reviewer cleared does not
  // count again). Records and audits each signal that scores, unless one
  // of its kind recorded within its window scored as much. Returns what it
  // recorded; the store's error otherwise.
  Result<std::vector<AbuseSignalRecord>> Measure(const std::string& account_id, int64_t reset_ms);

  // Accounts worth measuring now: those with usage events within the
  // longest window, with failures being counted, or flagged since the last
  // call. Sorted, no repeats.
  Result<std::vector<std::string>> Candidates();

 private:
  Status Record(MetadataTx& tx, AbuseSignalRecord& s);

  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  const AbuseRules rules_;
  std::vector<const ContentCheck*> checks_;
  std::function<void(const std::string&)> on_flagged_;
  std::mutex mu_;                                                  // guards failures_ and flagged_
  std::unordered_map<std::string, std::deque<int64_t>> failures_;  // account -> times
  std::unordered_set<std::string> flagged_;
};

}  // namespace lethe
