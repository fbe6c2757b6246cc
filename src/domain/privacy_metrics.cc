#include "domain/privacy_metrics.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>

#include "common/time_format.h"

namespace lethe {

namespace {

constexpr std::array<const char*, 8> kOrder = {"access",
                                               "portability",
                                               "rectification",
                                               "erasure",
                                               "restriction",
                                               "objection",
                                               "opt_out_of_sale_or_sharing",
                                               "limit_sensitive"};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

}  // namespace

Result<std::vector<RequestTypeMetrics>> AnnualPrivacyMetrics(MetadataReader& store, int year) {
  if (year < 1970 || year > 9999) {
    return Status::InvalidArgument("invalid-field", "the year must be 1970 to 9999");
  }
  const int64_t from = DaysFromCivil(CivilDate{year, 1, 1}) * 86'400'000;
  const int64_t to = DaysFromCivil(CivilDate{year + 1, 1, 1}) * 86'400'000;
  LETHE_ASSIGN_OR_RETURN(std::vector<PrivacyRequestRecord> requests,
                         store.ListPrivacyRequestsReceived(from, to));
  std::map<std::string, RequestTypeMetrics> by_type;
  std::map<std::string, std::vector<double>> days;
  for (const PrivacyRequestRecord& r : requests) {
    RequestTypeMetrics& m = by_type[r.type];
    m.type = r.type;
    ++m.received;
    if (r.state != "completed" && r.state != "denied") {
      ++m.open;
      continue;
    }
    (r.state == "completed" ? m.completed : m.denied)++;
    LETHE_ASSIGN_OR_RETURN(std::vector<PrivacyRequestStep> steps,
                           store.ListPrivacyRequestSteps(r.id));
    for (const PrivacyRequestStep& s : steps) {
      if (s.state == r.state) {
        days[r.type].push_back(static_cast<double>(s.at_ms - r.received_ms) / 86'400'000.0);
        break;
      }
    }
  }
  std::vector<RequestTypeMetrics> out;
  for (const char* type : kOrder) {
    auto it = by_type.find(type);
    if (it == by_type.end()) continue;
    RequestTypeMetrics m = it->second;
    const std::vector<double>& d = days[type];
    m.median_days = Median(d);
    m.mean_days = d.empty() ? 0 : std::accumulate(d.begin(), d.end(), 0.0) / d.size();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace lethe
