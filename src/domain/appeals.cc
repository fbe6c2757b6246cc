#include "domain/appeals.h"

#include "common/utf8.h"
#include "crypto/secret_hash.h"

namespace lethe {
namespace {

Status CheckText(const std::string& what, const std::string& text, size_t max) {
  if (text.empty() || text.size() > max || !IsValidUtf8(text)) {
    return Status::InvalidArgument(
        "invalid-field", what + " must be UTF-8 text of 1 to " + std::to_string(max) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

Result<AppealRecord> Appeals::File(const std::string& customer_id, const std::string& account_id,
                                   const std::string& decision_id, const std::string& statement,
                                   const RequestOrigin& origin) {
  if (account_id.empty() && decision_id.empty()) {
    return Status::InvalidArgument("invalid-field", "account_id or decision_id is required");
  }
  LETHE_RETURN_IF_ERROR(CheckText("statement", statement, kMaxStatement));
  AppealRecord a;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    // The decision, found through the customer's own accounts only.
    std::vector<AccountRecord> accounts;
    if (!account_id.empty()) {
      LETHE_ASSIGN_OR_RETURN(AccountRecord acc, tx.FindAccount(customer_id, account_id));
      accounts.push_back(std::move(acc));
    } else {
      LETHE_ASSIGN_OR_RETURN(accounts, tx.ListAccounts(customer_id));
    }
    std::optional<AbuseDecisionRecord> decision;
    for (const AccountRecord& acc : accounts) {
      if (!decision_id.empty()) {
        auto found = tx.FindAbuseDecision(acc.id, decision_id);
        if (found.ok()) decision = *found;
        if (!found.ok() && found.status().code() != Status::Code::kNotFound) return found.status();
      } else {
        LETHE_ASSIGN_OR_RETURN(auto decisions, tx.ListAbuseDecisions(acc.id));
        for (const AbuseDecisionRecord& d : decisions) {
          if (d.state == "suspended") decision = d;
        }
        if (!decision) {
          return Status::AlreadyExists("not-suspended",
                                       "the account is not suspended: there is nothing to appeal");
        }
      }
      if (decision) break;
    }
    if (!decision) return Status::NotFound("decision not found");
    if (decision->state != "suspended") {
      return Status::AlreadyExists(
          "not-suspended", "the decision is no longer in force: there is nothing to appeal");
    }
    LETHE_ASSIGN_OR_RETURN(auto earlier, tx.ListAppeals(decision->id));
    if (!earlier.empty()) {
      return Status::AlreadyExists("appeal-exists", "the decision was appealed already (" +
                                                        earlier.front().id + ", " +
                                                        earlier.front().state + ")");
    }
    a = AppealRecord{};
    a.id = RandomId(random_, "apl_");
    a.decision_id = decision->id;
    a.account_id = decision->account_id;
    a.customer_id = customer_id;
    a.statement = statement;
    a.state = "open";
    a.created_ms = clock_.NowMillis();
    LETHE_RETURN_IF_ERROR(tx.InsertAppeal(a));
    return audit_.Record(tx, Actor::Customer(customer_id), "appeal.file", a.id, a.account_id,
                         origin);
  }));
  return a;
}

Result<std::vector<AppealRecord>> Appeals::ListOpen() { return store_.ListOpenAppeals(kMaxListed); }

Result<AppealRecord> Appeals::Get(const std::string& id) { return store_.FindAppeal(id); }

Result<AppealRecord> Appeals::Decide(const std::string& staff_id, const std::string& id,
                                     const std::string& outcome, const std::string& reason,
                                     const RequestOrigin& origin) {
  if (outcome != "uphold" && outcome != "reinstate") {
    return Status::InvalidArgument("invalid-field", "outcome must be \"uphold\" or \"reinstate\"");
  }
  LETHE_RETURN_IF_ERROR(CheckText("reason", reason, kMaxReason));
  AppealRecord a;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(a, tx.FindAppeal(id));
    if (a.state != "open") {
      return Status::AlreadyExists("appeal-decided", "the appeal was decided already: " + a.state);
    }
    LETHE_ASSIGN_OR_RETURN(AbuseDecisionRecord decision,
                           tx.FindAbuseDecision(a.account_id, a.decision_id));
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, tx.FindAccountById(a.account_id));
    LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, tx.FindCustomer(a.customer_id));
    const bool reinstate = outcome == "reinstate";
    a.state = reinstate ? "reinstated" : "upheld";
    a.decided_ms = clock_.NowMillis();
    a.decided_by = staff_id;
    a.reason = reason;
    LETHE_RETURN_IF_ERROR(tx.UpdateAppeal(a));
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, Actor::Staff(staff_id), "appeal." + outcome, a.id, a.account_id, origin));
    if (reinstate && decision.state == "suspended") {
      LETHE_RETURN_IF_ERROR(suspensions_.Lift(tx, decision, staff_id, origin));
    }
    std::string text =
        "A member of our staff has reviewed your appeal " + a.id + " of decision " + decision.id +
        " on your account \"" + account.name + "\" (" + account.id + ").\n\n" +
        (reinstate ? "Outcome: the suspension is lifted. The account's API token and keys work "
                     "again.\n"
                   : "Outcome: the suspension stays in force.\n") +
        "Reason given: " + reason + "\n";
    return StatusOf(
        outbox_.Send(tx, customer.email,
                     std::string("Your appeal was ") + (reinstate ? "granted" : "refused"), text));
  }));
  return a;
}

}  // namespace lethe
