// UsageLedger (USE-1, ACC-2, ACC-3): one event for every data-plane request,
// carrying exactly the usage fields the policy names (IP, device type,
// browser and version, language) plus the account, the credential used, the
// end user the request named, the route and the outcome.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/accounts.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

inline constexpr int kMaxUsagePage = 1000;

struct UsagePage {
  std::vector<UsageEvent> events;
  std::optional<int64_t> next_after_seq;  // set when more may follow
};

class UsageLedger {
 public:
  UsageLedger(MetadataStore& store, const Clock& clock, Random& random)
      : store_(store), clock_(clock), random_(random) {}

  // Records one request. Returns Internal if the store fails.
  Status Record(const Principal& who, const std::string& end_user, const RequestOrigin& origin,
                const std::string& method, const std::string& route, int status);

  // Events of `query.account_id`, oldest first. `query.limit` is clamped to
  // 1..kMaxUsagePage.
  Result<UsagePage> List(UsageQuery query);

 private:
  MetadataStore& store_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
