// Closures: ending a customer's relationship with Lethe (ACC-9, ACC-10,
// SEC-4), on a fixed lifecycle.
//
// Closing an account ends its access at once (its token stops matching,
// its API keys are deleted) and erases it: the account key is destroyed in
// the same call, so every end-user key and object under it is unreadable,
// and a job purges its media and de-identifies its usage events (USE-7).
// Closing a customer closes each of its accounts, deletes its sessions and
// password, and starts the clocks of the retention classes, which decide
// what is left and for how long:
//
//   other     (default 60 days)   login events, date of birth, country,
//                                 company, job title, use case, phone
//   support   (default 3 years)   support messages (Lethe stores none yet)
//   crm       (default 7 years)   name, email, account names and ids
//   invoices  (default 10 years)  invoices (Lethe bills nothing yet)
//
// EnforceRetention runs on the job runner and applies each class once its
// time has come. A customer found to be underage (SEC-4) is closed with
// every class at zero: everything goes at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/accounts.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/erasures.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

// Days each class is kept after closure. All must be 0..36500.
struct RetentionClasses {
  int64_t other_days = 60;
  int64_t support_days = 3 * 365;
  int64_t crm_days = 7 * 365;
  int64_t invoice_days = 10 * 365;
  // InvalidArgument("invalid-field") when a value is out of range or the
  // order other <= crm is broken (the CRM record outlives the rest).
  Status Check() const;
};

// CustomerRecord::closure_stage values: what has been applied since closure.
inline constexpr int kOtherClassApplied = 1;
inline constexpr int kCrmClassApplied = 2;

// One line of the retention plan: what goes when.
struct PlanEntry {
  std::string customer_id;
  std::string account_id;  // empty: the customer's own records
  std::string retention_class;
  std::string what;
  std::optional<int64_t> due_ms;  // empty: on closure + days, not closed yet
  int64_t days = 0;
  bool done = false;
};

// What will be deleted when: for the customer owning `account_id` when
// given, else for every closed customer, per class. NotFound for an unknown
// account. Reads only.
Result<std::vector<PlanEntry>> RetentionPlan(MetadataStore& store, const RetentionClasses& classes,
                                             const std::optional<std::string>& account_id);

struct CustomerClosure {
  int64_t closed_ms = 0;
  std::vector<ErasureRecord> erasures;  // one per account
};

class Closures {
 public:
  Closures(MetadataStore& store, Erasures& erasures, Accounts& accounts, AuditLog& audit,
           const Clock& clock, RetentionClasses classes)
      : store_(store),
        erasures_(erasures),
        accounts_(accounts),
        audit_(audit),
        clock_(clock),
        classes_(classes) {}

  // Closes one account of `customer_id`. Returns its erasure (202);
  // NotFound for an account that is not the customer's. Closing a closed
  // account returns the erasure made when it closed.
  Result<ErasureRecord> CloseAccount(const std::string& customer_id, const std::string& account_id,
                                     const RequestOrigin& origin);

  // The receipt `erasure_id` of the customer's account (closed accounts
  // take no credential, so their receipts are read this way). NotFound
  // unless both are the customer's.
  Result<ErasureRecord> Receipt(const std::string& customer_id, const std::string& account_id,
                                const std::string& erasure_id);

  // Closes the customer and all its accounts. NotFound for an unknown one.
  Result<CustomerClosure> CloseCustomer(const std::string& customer_id,
                                        const RequestOrigin& origin);

  // SEC-4: closes the customer of `account_id` as CloseCustomer does, by
  // `actor` (a staff member), and removes its records at once instead of
  // after the retention classes. NotFound for an unknown account.
  Result<CustomerClosure> RemoveUnderage(const Actor& actor, const std::string& account_id,
                                         const RequestOrigin& origin);

  // Applies every retention class whose time has come, for up to `limit`
  // customers per class. Returns how many class steps it applied.
  Result<int> EnforceRetention(int limit);

  Result<std::vector<PlanEntry>> Plan(const std::optional<std::string>& account_id) {
    return RetentionPlan(store_, classes_, account_id);
  }

  const RetentionClasses& classes() const { return classes_; }

 private:
  Result<ErasureRecord> Close(const Actor& actor, const AccountRecord& account,
                              const std::string& cause, const RequestOrigin& origin);
  Result<CustomerClosure> CloseAll(const Actor& actor, const std::string& customer_id,
                                   const std::string& cause, const RequestOrigin& origin);
  Status ApplyOther(const CustomerRecord& c);
  Status ApplyCrm(const CustomerRecord& c);

  MetadataStore& store_;
  Erasures& erasures_;
  Accounts& accounts_;
  AuditLog& audit_;
  const Clock& clock_;
  RetentionClasses classes_;
};

}  // namespace lethe
