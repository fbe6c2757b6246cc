#include "domain/usage_aggregates.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/time_format.h"
#include "domain/legal_clock.h"

namespace lethe {
namespace {

constexpr int64_t kDayMs = 86'400'000;

struct Group {
  int64_t events = 0;
  std::set<std::string> people;
};

// Rule 2 for one dimension of one day: adds the published cells to
// `totals` and the pooled cell to `other`.
void Publish(const std::map<std::string, Group>& cells, size_t k,
             std::map<std::string, int64_t>& totals, int64_t& other) {
  std::vector<const std::pair<const std::string, Group>*> order;
  for (const auto& cell : cells) order.push_back(&cell);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    if (a->second.people.size() != b->second.people.size()) {
      return a->second.people.size() < b->second.people.size();
    }
    if (a->second.events != b->second.events) return a->second.events < b->second.events;
    return a->first < b->first;
  });
  std::set<std::string> pool;
  int64_t pooled = 0;
  size_t next = 0;
  auto take = [&] {
    pool.insert(order[next]->second.people.begin(), order[next]->second.people.end());
    pooled += order[next]->second.events;
    ++next;
  };
  while (next < order.size() && order[next]->second.people.size() < k) take();
  // Complementary suppression. It ends with `pool` empty or of k people:
  // taking every cell pools the whole day, which has k people (rule 1).
  while (!pool.empty() && pool.size() < k && next < order.size()) take();
  for (; next < order.size(); ++next) totals[order[next]->first] += order[next]->second.events;
  other += pooled;
}

std::vector<AggregateCell> Cells(const std::map<std::string, int64_t>& totals) {
  std::vector<AggregateCell> out;
  for (const auto& [value, events] : totals) out.push_back({value, events});
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.events > b.events; });
  return out;
}

std::string Known(const std::string& value) { return value.empty() ? "unknown" : value; }

}  // namespace

UsageAggregate UsageAggregates::Compute(const std::vector<UsageTally>& tallies, int k) {
  UsageAggregate out;
  out.k = k;
  const size_t min_people = static_cast<size_t>(k);
  std::map<std::string, int64_t> countries, browsers;
  for (size_t i = 0; i < tallies.size();) {
    const int64_t day = tallies[i].day;
    Group all;
    std::map<std::string, Group> by_country, by_browser;
    for (; i < tallies.size() && tallies[i].day == day; ++i) {
      const UsageTally& t = tallies[i];
      for (Group* g : {&all, &by_country[Known(t.country)], &by_browser[Known(t.browser)]}) {
        g->events += t.events;
        g->people.insert(t.person);
      }
    }
    if (all.people.size() < min_people) continue;  // rule 1
    out.by_day.push_back({FormatDate(DateOf(day * kDayMs)), all.events});
    out.events += all.events;
    Publish(by_country, min_people, countries, out.by_country.other);
    Publish(by_browser, min_people, browsers, out.by_browser.other);
  }
  out.by_country.cells = Cells(countries);
  out.by_browser.cells = Cells(browsers);
  return out;
}

Result<UsageAggregate> UsageAggregates::For(const std::string& customer_id,
                                            const std::string& account_id,
                                            const AggregateQuery& query) {
  if (query.k < kMinK || query.k > kMaxK) {
    return Status::InvalidArgument("invalid-field", "k must be 2 to 1000000");
  }
  auto bad_date = [](const char* name) {
    return Status::InvalidArgument("invalid-field", std::string(name) + " must be YYYY-MM-DD");
  };
  CivilDate to = DateOf(clock_.NowMillis());
  if (!query.to.empty()) {
    auto parsed = ParseDate(query.to);
    if (!parsed) return bad_date("to");
    to = *parsed;
  }
  CivilDate from = AddDays(to, -(kDefaultDays - 1));
  if (!query.from.empty()) {
    auto parsed = ParseDate(query.from);
    if (!parsed) return bad_date("from");
    from = *parsed;
  }
  const int64_t first = DaysFromCivil(from), last = DaysFromCivil(to);
  if (first > last) return Status::InvalidArgument("invalid-field", "from is after to");
  if (last - first + 1 > kMaxDays) {
    return Status::InvalidArgument("invalid-field", "a range is at most 366 days");
  }
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  LETHE_RETURN_IF_ERROR(usage_.Flush());
  LETHE_ASSIGN_OR_RETURN(std::vector<UsageTally> tallies,
                         store_.TallyUsage(account_id, first * kDayMs, (last + 1) * kDayMs));
  UsageAggregate out = Compute(tallies, query.k);
  out.from = FormatDate(from);
  out.to = FormatDate(to);
  return out;
}

}  // namespace lethe
