// Appeals (ADM-1): a suspended account's holder asks for a person to review
// the automated decision, and a staff member with the security role
// decides: uphold (the suspension stays) or reinstate (it is lifted at
// once), always with a written reason. One appeal per decision: a second
// one, open or decided, is refused. The filing and the outcome are
// audited; the outcome is mailed to the holder through the outbox.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "domain/suspensions.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

class Appeals {
 public:
  static constexpr int kMaxStatement = 4000;  // characters (bytes of UTF-8)
  static constexpr int kMaxReason = 4000;
  static constexpr int kMaxListed = 500;

  Appeals(MetadataStore& store, Suspensions& suspensions, AuditLog& audit, Outbox& outbox,
          const Clock& clock, Random& random)
      : store_(store),
        suspensions_(suspensions),
        audit_(audit),
        outbox_(outbox),
        clock_(clock),
        random_(random) {}

  // Files customer `customer_id`'s appeal of the decision in force on
  // `account_id`, or of decision `decision_id` (at least one is given; both
  // must agree), audited "appeal.file". Returns the open appeal.
  // InvalidArgument("invalid-field") for a missing or over-long statement
  // or neither id; NotFound for an account or decision not the
  // customer's; AlreadyExists("not-suspended") when the account is not
  // suspended (or the decision no longer in force); AlreadyExists
  // ("appeal-exists") when the decision already has an appeal.
  Result<AppealRecord> File(const std::string& customer_id, const std::string& account_id,
                            const std::string& decision_id, const std::string& statement,
                            const RequestOrigin& origin);

  // Open appeals, any account, oldest first, at most kMaxListed.
  Result<std::vector<AppealRecord>> ListOpen();

  // The appeal `id` (for staff). NotFound if absent.
  Result<AppealRecord> Get(const std::string& id);

  // Staff member `staff_id` decides appeal `id`: outcome "uphold" or
  // "reinstate", with `reason`. Reinstating lifts the suspension. Audited
  // "appeal.uphold" or "appeal.reinstate"; the holder is mailed the outcome
  // and the reason. Returns the decided appeal. InvalidArgument
  // ("invalid-field") for another outcome or an empty or over-long reason;
  // NotFound for an unknown appeal; AlreadyExists("appeal-decided") when
  // it was decided already.
  Result<AppealRecord> Decide(const std::string& staff_id, const std::string& id,
                              const std::string& outcome, const std::string& reason,
                              const RequestOrigin& origin);

 private:
  MetadataStore& store_;
  Suspensions& suspensions_;
  AuditLog& audit_;
  Outbox& outbox_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
