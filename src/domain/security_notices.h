// SecurityNotices: the security events of ACC-11, told to the customer by
// mail (through the durable outbox) and recorded in the audit chain:
//   - a sign-in from a browser family or a country none of the customer's
//     earlier sign-ins came from;
//   - a burst of failed sign-ins on the customer's email address;
//   - a password change.
// A customer's first sign-in after sign-up has no history to compare with
// and is the baseline: it is not reported. Each method runs inside the
// caller's transaction, so the notice is sent exactly when the event
// commits. With no outbox (unit tests of other parts) only the audit
// entry is written.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

class SecurityNotices {
 public:
  // How many earlier sign-ins a new one is compared with.
  static constexpr int kHistory = 200;

  SecurityNotices(AuditLog& audit, const Clock& clock, Outbox* outbox)
      : audit_(audit), clock_(clock), outbox_(outbox) {}

  // Call before the new sign-in's login event is stored. Mails and audits
  // ("security.new_sign_in_place") when `origin` brings a new browser
  // family or country. Returns the store's error, else OK.
  Status SignedIn(MetadataTx& tx, const CustomerRecord& customer, const RequestOrigin& origin);

  // Mails and audits ("security.failed_sign_ins") `failures` failed sign-ins.
  Status FailureBurst(MetadataTx& tx, const CustomerRecord& customer, const RequestOrigin& origin,
                      int64_t failures);

  // Mails the customer that the password changed and `revoked` other
  // sessions ended (the change itself is audited by the caller).
  Status PasswordChanged(MetadataTx& tx, const CustomerRecord& customer,
                         const RequestOrigin& origin, int64_t revoked);

 private:
  Status Mail(MetadataTx& tx, const CustomerRecord& customer, const std::string& subject,
              const std::string& what, const RequestOrigin& origin);

  AuditLog& audit_;
  const Clock& clock_;
  Outbox* outbox_;
};

}  // namespace lethe
