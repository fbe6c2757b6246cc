#include "domain/suspensions.h"

#include <algorithm>
#include <mutex>

#include "common/time_format.h"
#include "crypto/secret_hash.h"

namespace lethe {
namespace {

std::string SuspensionMail(const AccountRecord& account, const AbuseDecisionRecord& d,
                           const std::vector<AbuseSignalRecord>& counted) {
  // Short lines first: the ids a reader (or a script) looks for.
  std::string text =
      "Your account \"" + account.name + "\" was suspended automatically.\n\n" +
      "Account: " + account.id + "\nDecision: " + d.id + "\nAt: " + FormatRfc3339(d.created_ms) +
      "\n\n" + "Why: our automated checks found the following, which add up to a score of " +
      std::to_string(d.score) + " where the limit is " + std::to_string(d.threshold) + ":\n";
  for (const AbuseSignalRecord& s : counted) {
    text += "  - " + DescribeSignal(s) + " (score " + std::to_string(s.score) + ")\n";
  }
  text +=
      "\nWhile the suspension lasts, requests made with this account's API token or keys are "
      "refused. Your console sign-in still works.\n\n"
      "If you think this is wrong, ask for a person to review it with the decision id above:\n"
      "POST " +
      std::string(Suspensions::kAppealPath) + "\n\nThe full explanation:\nGET /v1/accounts/" +
      account.id + "/decisions/" + d.id + "\n";
  return text;
}

}  // namespace

Status Suspensions::Load() {
  LETHE_RETURN_IF_ERROR(Reload());
  return Status::Ok();
}

Status Suspensions::Reload() {
  LETHE_ASSIGN_OR_RETURN(std::vector<AbuseDecisionRecord> in_force, store_.ListSuspensions());
  std::map<std::string, std::string> fresh;
  for (const AbuseDecisionRecord& d : in_force) fresh[d.account_id] = d.id;
  std::unique_lock lock(mu_);
  suspended_ = std::move(fresh);
  loaded_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

void Suspensions::Remember(const std::string& account_id, const std::string& decision_id) {
  std::unique_lock lock(mu_);
  suspended_[account_id] = decision_id;
}

void Suspensions::Forget(const std::string& account_id) {
  std::unique_lock lock(mu_);
  suspended_.erase(account_id);
}

Status Suspensions::Check(const std::string& account_id) {
  bool stale;
  {
    std::shared_lock lock(mu_);
    stale = lifetime_.count() > 0 && std::chrono::steady_clock::now() - loaded_ >= lifetime_;
  }
  if (stale) LETHE_RETURN_IF_ERROR(Reload());
  std::shared_lock lock(mu_);
  auto it = suspended_.find(account_id);
  if (it == suspended_.end()) return Status::Ok();
  Status refused(Status::Code::kPermissionDenied, "account-suspended",
                 "this account is suspended by automated decision " + it->second +
                     "; its holder may appeal for human review");
  refused.With("decision_id", it->second)
      .With("decision", "/v1/accounts/" + account_id + "/decisions/" + it->second)
      .With("appeal", kAppealPath);
  return refused;
}

Result<int64_t> Suspensions::ResetTime(const std::string& account_id) {
  LETHE_ASSIGN_OR_RETURN(std::vector<AbuseDecisionRecord> decisions,
                         store_.ListAbuseDecisions(account_id));
  int64_t reset = 0;
  for (const AbuseDecisionRecord& d : decisions) reset = std::max(reset, d.lifted_ms.value_or(0));
  return reset;
}

Result<std::optional<AbuseDecisionRecord>> Suspensions::Decide(const std::string& account_id) {
  const AbuseRules& rules = signals_.rules();
  std::optional<AbuseDecisionRecord> made;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    made.reset();
    const int64_t now = clock_.NowMillis();
    LETHE_ASSIGN_OR_RETURN(std::vector<AbuseDecisionRecord> decisions,
                           tx.ListAbuseDecisions(account_id));
    int64_t since = now - rules.decision_window.count();
    for (const AbuseDecisionRecord& d : decisions) {
      if (d.state == "suspended") return Status::Ok();  // one in force is enough
      since = std::max(since, d.lifted_ms.value_or(0));
    }
    LETHE_ASSIGN_OR_RETURN(std::vector<AbuseSignalRecord> recent,
                           tx.ListAbuseSignals(account_id, since));
    std::erase_if(recent, [](const AbuseSignalRecord& s) { return !s.decision_id.empty(); });
    // The highest score of each kind: one finding measured twice is not
    // two findings.
    std::map<std::string, int64_t> best;
    for (const AbuseSignalRecord& s : recent) best[s.kind] = std::max(best[s.kind], s.score);
    int64_t sum = 0;
    for (const auto& [kind, score] : best) sum += score;
    if (sum < rules.threshold) return Status::Ok();

    LETHE_ASSIGN_OR_RETURN(AccountRecord account, tx.FindAccountById(account_id));
    if (account.closed_ms) return Status::Ok();
    LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, tx.FindCustomer(account.customer_id));
    AbuseDecisionRecord d;
    d.id = RandomId(random_, "dec_");
    d.account_id = account_id;
    d.customer_id = account.customer_id;
    d.score = sum;
    d.threshold = rules.threshold;
    d.state = "suspended";
    d.created_ms = now;
    LETHE_RETURN_IF_ERROR(tx.InsertAbuseDecision(d));
    std::vector<std::string> ids;
    for (const AbuseSignalRecord& s : recent) ids.push_back(s.id);
    LETHE_RETURN_IF_ERROR(tx.AttachAbuseSignals(d.id, ids));
    LETHE_RETURN_IF_ERROR(audit_.Record(tx, Actor::System(kActor), "abuse.suspend", d.id,
                                        account_id, RequestOrigin{}));
    LETHE_RETURN_IF_ERROR(
        StatusOf(outbox_.Send(tx, customer.email, "Your account " + account.name + " is suspended",
                              SuspensionMail(account, d, recent))));
    if (events_) {
      LETHE_RETURN_IF_ERROR(
          events_->Emit(tx, {"account.suspended", account_id, "", {{"decision_id", d.id}}}));
    }
    tx.AfterCommit([this, account_id, id = d.id] { Remember(account_id, id); });
    made = d;
    return Status::Ok();
  }));
  return made;
}

Result<int> Suspensions::Sweep() {
  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> candidates, signals_.Candidates());
  int suspended = 0;
  for (const std::string& account_id : candidates) {
    {
      std::shared_lock lock(mu_);
      if (suspended_.count(account_id) > 0) continue;
    }
    LETHE_ASSIGN_OR_RETURN(int64_t reset, ResetTime(account_id));
    LETHE_RETURN_IF_ERROR(StatusOf(signals_.Measure(account_id, reset)));
    LETHE_ASSIGN_OR_RETURN(std::optional<AbuseDecisionRecord> made, Decide(account_id));
    if (made) ++suspended;
  }
  return suspended;
}

Result<std::vector<AbuseDecisionRecord>> Suspensions::List(const std::string& customer_id,
                                                           const std::string& account_id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  return store_.ListAbuseDecisions(account_id);
}

Result<DecisionExplained> Suspensions::Explain(const std::string& customer_id,
                                               const std::string& account_id,
                                               const std::string& decision_id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  DecisionExplained out;
  LETHE_ASSIGN_OR_RETURN(out.decision, store_.FindAbuseDecision(account_id, decision_id));
  LETHE_ASSIGN_OR_RETURN(out.signals, store_.ListDecisionSignals(decision_id));
  LETHE_ASSIGN_OR_RETURN(out.appeals, store_.ListAppeals(decision_id));
  return out;
}

Status Suspensions::Lift(MetadataTx& tx, AbuseDecisionRecord decision, const std::string& staff_id,
                         const RequestOrigin& origin) {
  decision.state = "reinstated";
  decision.lifted_ms = clock_.NowMillis();
  decision.lifted_by = staff_id;
  LETHE_RETURN_IF_ERROR(tx.UpdateAbuseDecision(decision));
  LETHE_RETURN_IF_ERROR(audit_.Record(tx, Actor::Staff(staff_id), "abuse.reinstate", decision.id,
                                      decision.account_id, origin));
  tx.AfterCommit([this, account = decision.account_id] { Forget(account); });
  return Status::Ok();
}

}  // namespace lethe
