// Actor: who did something, carried through the domain into the audit
// chain (SEC-1) as a typed value rather than free text. There are four
// kinds: a customer (a person signed in to the customer plane), an account
// credential (the account's token or one of its API keys), a staff member,
// and the system itself (a background task or an operator's command line).
//
// The audit chain stores an actor as its text: the id for the first three
// kinds (cus_..., acc_... or key_..., stf_...), whose prefix already names
// the kind, and the task name for the system ("lethe:retention"). That is
// the form events were written in before the type existed, so chains
// written earlier still verify, and FromAuditText reads either back.
#pragma once

#include <string>
#include <string_view>

namespace lethe {

class Actor {
 public:
  enum class Kind { kCustomer, kCredential, kStaff, kSystem };

  // A customer by id (cus_...).
  static Actor Customer(std::string customer_id) {
    return Actor(Kind::kCustomer, std::move(customer_id));
  }
  // An account credential: the account id for its token (acc_...), or the
  // API key id (key_...).
  static Actor Credential(std::string credential_id) {
    return Actor(Kind::kCredential, std::move(credential_id));
  }
  // A staff member by id (stf_...).
  static Actor Staff(std::string staff_id) { return Actor(Kind::kStaff, std::move(staff_id)); }
  // The system: a background task or a command, named "lethe:<task>".
  static Actor System(std::string task) { return Actor(Kind::kSystem, std::move(task)); }

  // The actor an audit event's text names: by its id prefix, else system.
  static Actor FromAuditText(std::string_view text);

  Kind kind() const { return kind_; }
  // The id, or the task name for the system.
  const std::string& id() const { return id_; }
  // What the audit chain stores: the id (see above).
  const std::string& audit_text() const { return id_; }
  // "customer", "credential", "staff" or "system".
  std::string_view kind_name() const;

  bool operator==(const Actor& other) const = default;

 private:
  Actor(Kind kind, std::string id) : kind_(kind), id_(std::move(id)) {}

  Kind kind_;
  std::string id_;
};

}  // namespace lethe
