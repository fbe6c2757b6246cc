#include "domain/usage_ledger.h"

#include <algorithm>

#include "crypto/secret_hash.h"

namespace lethe {

Status UsageLedger::Record(const Principal& who, const std::string& end_user,
                           const RequestOrigin& origin, const std::string& method,
                           const std::string& route, int status) {
  UsageEvent e;
  e.id = RandomId(random_, "evt_");
  e.time_ms = clock_.NowMillis();
  e.account_id = who.account.id;
  e.credential_id = who.credential_id;
  e.end_user = end_user;
  e.ip = origin.ip;
  e.device_type = origin.device_type;
  e.browser = origin.browser;
  e.browser_version = origin.browser_version;
  e.language = origin.language;
  e.country = origin.country;
  e.method = method;
  e.route = route;
  e.status = status;
  return store_.InsertUsageEvent(e);
}

Result<UsagePage> UsageLedger::List(UsageQuery query) {
  query.limit = std::clamp(query.limit, 1, kMaxUsagePage);
  UsagePage page;
  LETHE_ASSIGN_OR_RETURN(page.events, store_.ListUsageEvents(query));
  if (static_cast<int>(page.events.size()) == query.limit) {
    page.next_after_seq = page.events.back().seq;
  }
  return page;
}

}  // namespace lethe
