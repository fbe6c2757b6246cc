// Suspensions (ADM-1): the automated decision and what it enforces. When
// the scores of an account's recent signals (one per kind, the highest,
// not yet counted in a decision) sum to AbuseRules::threshold or more, the
// account is suspended: a decision (`dec_`) records the sum, the threshold
// and which signals it counted; the holder is mailed the reasons in plain
// words through the outbox; the `account.suspended` event goes to the
// account's webhooks; each step is audited, all in one transaction.
//
// While a decision is in force the data plane refuses the account (Check:
// 403 `account-suspended`, naming the decision and where to appeal). The
// suspended accounts are held in memory, loaded at start and changed after
// each commit here, so the check costs no store read. Several servers on
// one store (issue 13) reload them when older than SetCacheLifetime().
//
// Lifting a decision is a person's act (Appeals); signals from before it
// are not counted again.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/abuse_signals.h"
#include "domain/audit_log.h"
#include "domain/domain_events.h"
#include "domain/outbox.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// A decision with what it rests on, for the holder and for staff.
struct DecisionExplained {
  AbuseDecisionRecord decision;
  std::vector<AbuseSignalRecord> signals;
  std::vector<AppealRecord> appeals;
};

class Suspensions {
 public:
  static constexpr const char* kActor = "lethe:abuse";
  static constexpr const char* kAppealPath = "/v1/appeals";

  // `events` (may be null) receives "account.suspended".
  Suspensions(MetadataStore& store, AbuseSignals& signals, AuditLog& audit, Outbox& outbox,
              const Clock& clock, Random& random, DomainEvents* events = nullptr)
      : store_(store),
        signals_(signals),
        audit_(audit),
        outbox_(outbox),
        clock_(clock),
        random_(random),
        events_(events) {}

  // Reads the decisions in force. Before serving; Internal on a store error.
  Status Load();
  void SetCacheLifetime(std::chrono::milliseconds lifetime) { lifetime_ = lifetime; }

  // OK when `account_id` may use the data plane; PermissionDenied with
  // reason "account-suspended" (members decision_id, decision, appeal)
  // while a decision is in force. Internal if a due reload fails.
  Status Check(const std::string& account_id);

  // Sums the account's uncounted signals and suspends it when the sum
  // reaches the threshold. Returns the new decision, nullopt when none was
  // made (below the threshold, or already suspended); the store's error.
  Result<std::optional<AbuseDecisionRecord>> Decide(const std::string& account_id);

  // The runner's task: measures every candidate account that is not
  // suspended and decides on it. Returns how many it suspended.
  Result<int> Sweep();

  // The time signals of `account_id` start counting from: the last lift of
  // a decision, or 0.
  Result<int64_t> ResetTime(const std::string& account_id);

  // The account's decisions, newest first; NotFound for another
  // customer's account.
  Result<std::vector<AbuseDecisionRecord>> List(const std::string& customer_id,
                                                const std::string& account_id);
  // One decision with its signals and appeals; NotFound for an unknown
  // decision or another customer's account.
  Result<DecisionExplained> Explain(const std::string& customer_id, const std::string& account_id,
                                    const std::string& decision_id);

  // Records in `tx` that `decision` was lifted by `staff_id`, audited
  // "abuse.reinstate"; the account is served again once `tx` commits.
  Status Lift(MetadataTx& tx, AbuseDecisionRecord decision, const std::string& staff_id,
              const RequestOrigin& origin);

 private:
  Status Reload();
  void Remember(const std::string& account_id, const std::string& decision_id);
  void Forget(const std::string& account_id);

  MetadataStore& store_;
  AbuseSignals& signals_;
  AuditLog& audit_;
  Outbox& outbox_;
  const Clock& clock_;
  Random& random_;
  DomainEvents* events_;
  std::chrono::milliseconds lifetime_{0};  // 0: only changes here move it
  std::shared_mutex mu_;
  std::map<std::string, std::string> suspended_;  // account -> decision in force
  std::chrono::steady_clock::time_point loaded_ = std::chrono::steady_clock::now();
};

}  // namespace lethe
