#include "domain/closures.h"

#include <limits>

namespace lethe {

namespace {
constexpr int64_t kDay = 86'400'000;
constexpr int kEnd = 3;  // past every stage
}  // namespace

Status RetentionClasses::Check() const {
  for (int64_t d : {other_days, support_days, crm_days, invoice_days}) {
    if (d < 0 || d > 36500) {
      return Status::InvalidArgument("invalid-field", "retention classes must be 0 to 36500 days");
    }
  }
  if (other_days > crm_days) {
    return Status::InvalidArgument("invalid-field", "the crm class must outlast the other class");
  }
  return Status::Ok();
}

Result<ErasureRecord> Closures::Close(const Actor& actor, const AccountRecord& account,
                                      const std::string& cause, const RequestOrigin& origin) {
  if (account.closed_ms) {
    ErasureQuery q;
    q.account_id = account.id;
    q.target = erasures_.TargetOf("account", account.id, account.id);
    q.limit = 1;
    LETHE_ASSIGN_OR_RETURN(auto found, erasures_.List(q));
    if (!found.empty()) return found.front();
  }
  const int64_t now = clock_.NowMillis();
  auto erased = erasures_.EraseAccount(actor, account.id, cause, origin, [&](MetadataTx& tx) {
    LETHE_ASSIGN_OR_RETURN(AccountRecord a, tx.FindAccountById(account.id));
    if (a.closed_ms) return Status::FailedPrecondition("account-closed", "the account is closed");
    a.closed_ms = now;
    // No token digest is ever this: the old token stops matching at once.
    a.token_digest = "closed:" + a.id;
    LETHE_ASSIGN_OR_RETURN(auto keys, tx.ListApiKeys(a.id));
    for (const ApiKeyRecord& k : keys) LETHE_RETURN_IF_ERROR(tx.DeleteApiKey(a.id, k.id));
    return tx.UpdateAccount(a);
  });
  accounts_.ForgetCached(account.id);  // even on error: a commit may have happened
  return erased;
}

Result<ErasureRecord> Closures::CloseAccount(const std::string& customer_id,
                                             const std::string& account_id,
                                             const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord account, store_.FindAccount(customer_id, account_id));
  return Close(Actor::Customer(customer_id), account, "closure", origin);
}

Result<ErasureRecord> Closures::Receipt(const std::string& customer_id,
                                        const std::string& account_id,
                                        const std::string& erasure_id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  return erasures_.Get(account_id, erasure_id);
}

Result<CustomerClosure> Closures::CloseAll(const Actor& actor, const std::string& customer_id,
                                           const std::string& cause, const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, store_.FindCustomer(customer_id));
  CustomerClosure out;
  LETHE_ASSIGN_OR_RETURN(auto accounts, store_.ListAccounts(customer_id));
  for (const AccountRecord& a : accounts) {
    LETHE_ASSIGN_OR_RETURN(ErasureRecord e, Close(actor, a, cause, origin));
    out.erasures.push_back(std::move(e));
  }
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(CustomerRecord c, tx.FindCustomer(customer_id));
    if (c.closed_ms && c.closure_cause == cause) {
      out.closed_ms = *c.closed_ms;
      return Status::Ok();
    }
    if (!c.closed_ms) c.closed_ms = clock_.NowMillis();
    c.closure_cause = cause;
    c.password_hash.clear();  // access ends for good
    out.closed_ms = *c.closed_ms;
    LETHE_RETURN_IF_ERROR(tx.UpdateCustomer(c));
    LETHE_RETURN_IF_ERROR(tx.DeleteSessionsOf(customer_id));
    return audit_.Record(tx, actor, cause == "underage" ? "customer.underage" : "customer.close",
                         customer_id, "", origin);
  }));
  return out;
}

Result<CustomerClosure> Closures::CloseCustomer(const std::string& customer_id,
                                                const RequestOrigin& origin) {
  return CloseAll(Actor::Customer(customer_id), customer_id, "closure", origin);
}

Result<CustomerClosure> Closures::RemoveUnderage(const Actor& actor, const std::string& account_id,
                                                 const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(AccountRecord account, store_.FindAccountById(account_id));
  LETHE_ASSIGN_OR_RETURN(CustomerClosure closure,
                         CloseAll(actor, account.customer_id, "underage", origin));
  LETHE_ASSIGN_OR_RETURN(CustomerRecord c, store_.FindCustomer(account.customer_id));
  // Nothing about a child is kept: the "other" class goes now, the CRM
  // record with the next enforcement once the purges have run.
  if (c.closure_stage < kOtherClassApplied) LETHE_RETURN_IF_ERROR(ApplyOther(c));
  return closure;
}

Status Closures::ApplyOther(const CustomerRecord& closed) {
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(CustomerRecord c, tx.FindCustomer(closed.id));
    LETHE_ASSIGN_OR_RETURN(int64_t logins, tx.DeleteLoginEventsOf(c.id));
    (void)logins;
    c.birth_date.clear();
    c.country.clear();
    c.company.reset();
    c.job_title.reset();
    c.use_case.reset();
    c.phone.reset();
    c.closure_stage = kOtherClassApplied;
    LETHE_RETURN_IF_ERROR(tx.UpdateCustomer(c));
    return audit_.Record(tx, Actor::System("lethe:retention"), "customer.retention.other", c.id, "",
                         RequestOrigin{"retention", "", "", "", "", "", ""});
  });
}

Status Closures::ApplyCrm(const CustomerRecord& c) {
  // The accounts' rows go with the customer's, so their purges must be done.
  LETHE_ASSIGN_OR_RETURN(auto accounts, store_.ListAccounts(c.id));
  for (const AccountRecord& a : accounts) {
    ErasureQuery q;
    q.account_id = a.id;
    q.target = erasures_.TargetOf("account", a.id, a.id);
    q.limit = 1;
    LETHE_ASSIGN_OR_RETURN(auto found, erasures_.List(q));
    if (found.empty() || found.front().state != "done") {
      return Status::FailedPrecondition("purge-pending", "an account purge has not finished");
    }
  }
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(StatusOf(tx.DeleteClosedCustomer(c.id)));
    return audit_.Record(tx, Actor::System("lethe:retention"), "customer.retention.crm", c.id, "",
                         RequestOrigin{"retention", "", "", "", "", "", ""});
  });
}

Result<int> Closures::EnforceRetention(int limit) {
  const int64_t now = clock_.NowMillis();
  int applied = 0;
  LETHE_ASSIGN_OR_RETURN(auto other, store_.ListClosedCustomers(now - classes_.other_days * kDay,
                                                                kOtherClassApplied, limit));
  for (const CustomerRecord& c : other) {
    LETHE_RETURN_IF_ERROR(ApplyOther(c));
    ++applied;
  }
  LETHE_ASSIGN_OR_RETURN(auto crm, store_.ListClosedCustomers(now - classes_.crm_days * kDay,
                                                              kCrmClassApplied, limit));
  for (const CustomerRecord& c : crm) {
    if (c.closure_stage < kOtherClassApplied) continue;  // next round, in order
    Status st = ApplyCrm(c);
    if (st.reason() == "purge-pending") continue;
    LETHE_RETURN_IF_ERROR(st);
    ++applied;
  }
  return applied;
}

Result<std::vector<PlanEntry>> RetentionPlan(MetadataStore& store, const RetentionClasses& classes,
                                             const std::optional<std::string>& account_id) {
  std::vector<CustomerRecord> customers;
  std::optional<AccountRecord> only;
  if (account_id) {
    LETHE_ASSIGN_OR_RETURN(AccountRecord a, store.FindAccountById(*account_id));
    LETHE_ASSIGN_OR_RETURN(CustomerRecord c, store.FindCustomer(a.customer_id));
    customers.push_back(std::move(c));
    only = std::move(a);
  } else {
    LETHE_ASSIGN_OR_RETURN(
        customers, store.ListClosedCustomers(std::numeric_limits<int64_t>::max(), kEnd, 100000));
  }
  std::vector<PlanEntry> plan;
  for (const CustomerRecord& c : customers) {
    const bool underage = c.closure_cause == "underage";
    auto due = [&](int64_t days) -> std::optional<int64_t> {
      if (!c.closed_ms) return std::nullopt;
      return *c.closed_ms + (underage ? 0 : days) * kDay;
    };
    LETHE_ASSIGN_OR_RETURN(int64_t logins, store.CountLoginEventsOf(c.id));
    auto add = [&](const std::string& account, const std::string& cls, const std::string& what,
                   int64_t days, bool done) {
      plan.push_back(PlanEntry{c.id, account, cls, what, due(days), underage ? 0 : days, done});
    };
    if (only) {
      bool closed = only->closed_ms.has_value();
      add(only->id, "content", "media, keys; usage events de-identified", 0, closed);
    }
    add("", "other",
        std::to_string(logins) +
            " login events; birth date, country, company, job title, "
            "use case, phone",
        classes.other_days, c.closure_stage >= kOtherClassApplied);
    add("", "support", "0 support messages (none are stored)", classes.support_days, false);
    add("", "crm", "name, email, account names", classes.crm_days,
        c.closure_stage >= kCrmClassApplied);
    add("", "invoices", "0 invoices (none are stored)", classes.invoice_days, false);
  }
  return plan;
}

}  // namespace lethe
