// SessionList: a customer's own view of where they are signed in, and the
// way to end those sessions (SEC-2). A listed session shows when it was
// made and last used, and from which IP address, browser and country; it
// is named by a public id (sid_...), never by its token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/customers.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

struct SessionView {
  SessionRecord session;
  bool current = false;  // the session the request came with
};

class SessionList {
 public:
  SessionList(MetadataStore& store, AuditLog& audit, const Clock& clock, const Customers& customers)
      : store_(store), audit_(audit), clock_(clock), customers_(customers) {}

  // The customer's live sessions, oldest first; `current_token` marks
  // the caller's own. Returns the store's error on failure.
  Result<std::vector<SessionView>> List(const std::string& customer_id,
                                        const std::string& current_token);

  // Ends the customer's session `session_id` (audited "session.revoke").
  // NotFound when the customer has no such session: another customer's
  // id is answered the same as an unknown one.
  Status Revoke(const std::string& customer_id, const std::string& session_id,
                const RequestOrigin& origin);

  // Signs out everywhere: ends every session of the customer, the
  // caller's own included (audited "session.revoke_all"). Returns how many.
  Result<int64_t> RevokeAll(const std::string& customer_id, const RequestOrigin& origin);

 private:
  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  const Customers& customers_;
};

}  // namespace lethe
