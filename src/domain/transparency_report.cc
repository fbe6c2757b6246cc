#include "domain/transparency_report.h"

#include "common/time_format.h"
#include "domain/legal_requests.h"

namespace lethe {

Result<TransparencyCounts> TransparencyReport::ForYear(int year) {
  if (year < kFirstYear || year > kLastYear) {
    return Status::InvalidArgument("invalid-field", "year must be 2000 to 9999");
  }
  constexpr int64_t kDayMs = 86'400'000;
  const int64_t from = DaysFromCivil({year, 1, 1}) * kDayMs;
  const int64_t to = DaysFromCivil({year + 1, 1, 1}) * kDayMs;
  LETHE_ASSIGN_OR_RETURN(std::vector<LegalRequestTally> tallies,
                         reader_.CountLegalRequests(from, to));
  TransparencyCounts out;
  out.year = year;
  for (const char* type : LegalRequests::kAuthorityTypes) {
    auto& row = out.by_authority[type];
    for (const char* decision : LegalRequests::kDecisions) row[decision] = 0;
    row["pending"] = 0;
  }
  for (const LegalRequestTally& t : tallies) {
    out.by_authority[t.authority_type][t.decision.empty() ? "pending" : t.decision] += t.count;
    out.total += t.count;
  }
  return out;
}

}  // namespace lethe
