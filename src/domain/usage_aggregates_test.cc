// SHR-6: aggregates publish no group of fewer than k people, and nothing
// published lets one be derived: not a total minus the other cells, not one
// dimension against another, not one date range against an overlapping one.
#include "domain/usage_aggregates.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr int64_t kDay0 = 20'500;  // days since the epoch

// One person's events: on `day`, from `country`, with `browser`.
struct Visit {
  int64_t day;
  std::string person, country, browser;
  int64_t events;
};

std::vector<UsageTally> Tallies(std::vector<Visit> visits) {
  std::sort(visits.begin(), visits.end(), [](const Visit& a, const Visit& b) {
    return std::tie(a.day, a.country, a.browser, a.person) <
           std::tie(b.day, b.country, b.browser, b.person);
  });
  std::vector<UsageTally> out;
  for (const Visit& v : visits) out.push_back({v.day, v.country, v.browser, v.person, v.events});
  return out;
}

std::map<std::string, int64_t> AsMap(const std::vector<AggregateCell>& cells) {
  std::map<std::string, int64_t> out;
  for (const auto& c : cells) out[c.value] = c.events;
  return out;
}

int64_t Sum(const AggregateDimension& d) {
  int64_t n = d.other;
  for (const auto& c : d.cells) n += c.events;
  return n;
}

// The people behind each part of a one-day dimension, from the ground
// truth: a published cell's, and the pooled rest's.
void ExpectPartsOfK(const std::vector<Visit>& visits, const AggregateDimension& d, bool country,
                    int k) {
  auto value = [&](const Visit& v) {
    const std::string& s = country ? v.country : v.browser;
    return s.empty() ? std::string("unknown") : s;
  };
  std::set<std::string> published;
  for (const auto& c : d.cells) published.insert(c.value);
  std::map<std::string, std::set<std::string>> people;
  std::set<std::string> pooled;
  int64_t pooled_events = 0;
  for (const Visit& v : visits) {
    if (published.contains(value(v))) {
      people[value(v)].insert(v.person);
    } else {
      pooled.insert(v.person);
      pooled_events += v.events;
    }
  }
  for (const auto& [cell, who] : people) {
    EXPECT_GE(who.size(), static_cast<size_t>(k)) << "published cell " << cell;
  }
  EXPECT_EQ(pooled_events, d.other);
  if (pooled_events > 0) EXPECT_GE(pooled.size(), static_cast<size_t>(k)) << "other";
}

TEST(UsageAggregatesTest, OnePersonFromARareCountryIsNeverPublishedOrDerivable_SHR6) {
  std::vector<Visit> visits;
  for (int i = 0; i < 12; ++i)
    visits.push_back({kDay0, "us" + std::to_string(i), "US", "Chrome", 3});
  visits.push_back({kDay0, "rare", "IS", "Firefox", 5});
  UsageAggregate a = UsageAggregates::Compute(Tallies(visits), 10);
  // The day has 13 people: published whole.
  ASSERT_EQ(a.by_day.size(), 1u);
  EXPECT_EQ(a.events, 41);
  // IS alone would be 1 person; pooled with US (the next smallest), the
  // total minus the US cell can no longer give it: neither is published.
  EXPECT_TRUE(a.by_country.cells.empty());
  EXPECT_EQ(a.by_country.other, 41);
  EXPECT_TRUE(a.by_browser.cells.empty());
  EXPECT_EQ(a.by_browser.other, 41);
  ExpectPartsOfK(visits, a.by_country, true, 10);
  ExpectPartsOfK(visits, a.by_browser, false, 10);

  // With ten people from DE, the rare one hides among them in "other".
  for (int i = 0; i < 10; ++i)
    visits.push_back({kDay0, "de" + std::to_string(i), "DE", "Firefox", 2});
  a = UsageAggregates::Compute(Tallies(visits), 10);
  EXPECT_EQ(AsMap(a.by_country.cells), (std::map<std::string, int64_t>{{"US", 36}}));
  EXPECT_EQ(a.by_country.other, 25);  // DE (10 people) + IS (1)
  EXPECT_EQ(AsMap(a.by_browser.cells),
            (std::map<std::string, int64_t>{{"Chrome", 36}, {"Firefox", 25}}));
  EXPECT_EQ(a.by_browser.other, 0);
  ExpectPartsOfK(visits, a.by_country, true, 10);
  ExpectPartsOfK(visits, a.by_browser, false, 10);
  // One person's many events are still one person.
  std::vector<Visit> loud = {{kDay0, "solo", "FR", "Safari", 1000}};
  for (int i = 0; i < 9; ++i) loud.push_back({kDay0, "p" + std::to_string(i), "US", "Chrome", 1});
  a = UsageAggregates::Compute(Tallies(loud), 11);
  EXPECT_TRUE(a.by_day.empty()) << "10 people, however many events, are fewer than 11";
  EXPECT_EQ(a.events, 0);
  a = UsageAggregates::Compute(Tallies(loud), 10);
  EXPECT_EQ(a.events, 1009);
  EXPECT_TRUE(a.by_country.cells.empty()) << "FR is one person, whatever their event count";
  EXPECT_EQ(a.by_country.other, 1009);
}

TEST(UsageAggregatesTest, ADayOfFewerThanKPeopleIsInNoCount_SHR6) {
  std::vector<Visit> visits;
  for (int i = 0; i < 4; ++i) visits.push_back({kDay0, "p" + std::to_string(i), "US", "Chrome", 7});
  UsageAggregate a = UsageAggregates::Compute(Tallies(visits), 5);
  EXPECT_EQ(a.events, 0);
  EXPECT_TRUE(a.by_day.empty());
  EXPECT_EQ(Sum(a.by_country), 0);
  EXPECT_EQ(Sum(a.by_browser), 0);
  visits.push_back({kDay0, "p4", "US", "Chrome", 7});
  a = UsageAggregates::Compute(Tallies(visits), 5);
  EXPECT_EQ(a.events, 35);
  EXPECT_EQ(AsMap(a.by_country.cells), (std::map<std::string, int64_t>{{"US", 35}}));
}

// Random data, many k: every part of every dimension of every day holds k
// people; every dimension adds up to the same total; a range is the sum of
// its days, so overlapping ranges differ by whole published days.
TEST(UsageAggregatesTest, RandomDataNeverYieldsAGroupSmallerThanK_SHR6) {
  std::mt19937 gen(20261130);
  const std::vector<std::string> countries = {"US", "DE", "FR", "IS", "NZ", "", "BR"};
  const std::vector<std::string> browsers = {"Chrome", "Firefox", "Safari", "Edge", ""};
  for (int round = 0; round < 300; ++round) {
    const int k = 2 + static_cast<int>(gen() % 11);
    std::vector<Visit> visits;
    const int people = static_cast<int>(gen() % 40);
    for (int p = 0; p < people; ++p) {
      // Skewed: the first values are common, the last rare.
      const int64_t day = kDay0 + static_cast<int64_t>(gen() % 3);
      std::string c = countries[std::min<size_t>(gen() % 10, countries.size() - 1)];
      std::string b = browsers[std::min<size_t>(gen() % 7, browsers.size() - 1)];
      visits.push_back({day, "p" + std::to_string(p), c, b, 1 + static_cast<int64_t>(gen() % 9)});
      if (gen() % 4 == 0) {  // the same person again, elsewhere
        visits.push_back({day, "p" + std::to_string(p), countries[gen() % countries.size()],
                          browsers[gen() % browsers.size()], 1});
      }
    }
    UsageAggregate range = UsageAggregates::Compute(Tallies(visits), k);
    EXPECT_EQ(Sum(range.by_country), range.events);
    EXPECT_EQ(Sum(range.by_browser), range.events);
    int64_t days_total = 0;
    for (const auto& d : range.by_day) days_total += d.events;
    EXPECT_EQ(days_total, range.events);

    std::map<std::string, int64_t> countries_sum, browsers_sum;
    int64_t country_other = 0, browser_other = 0, events = 0;
    for (int64_t day = kDay0; day < kDay0 + 3; ++day) {
      std::vector<Visit> of_day;
      for (const Visit& v : visits) {
        if (v.day == day) of_day.push_back(v);
      }
      UsageAggregate one = UsageAggregates::Compute(Tallies(of_day), k);
      std::set<std::string> people_of_day;
      for (const Visit& v : of_day) people_of_day.insert(v.person);
      if (people_of_day.size() < static_cast<size_t>(k)) {
        EXPECT_EQ(one.events, 0);
        continue;
      }
      ExpectPartsOfK(of_day, one.by_country, true, k);
      ExpectPartsOfK(of_day, one.by_browser, false, k);
      for (const auto& [v, n] : AsMap(one.by_country.cells)) countries_sum[v] += n;
      for (const auto& [v, n] : AsMap(one.by_browser.cells)) browsers_sum[v] += n;
      country_other += one.by_country.other;
      browser_other += one.by_browser.other;
      events += one.events;
    }
    // The range is exactly its days: [d0, d2] minus [d0, d1] is day d2's
    // published parts, never a suppressed cell.
    EXPECT_EQ(AsMap(range.by_country.cells), countries_sum);
    EXPECT_EQ(AsMap(range.by_browser.cells), browsers_sum);
    EXPECT_EQ(range.by_country.other, country_other);
    EXPECT_EQ(range.by_browser.other, browser_other);
    EXPECT_EQ(range.events, events);
    if (HasFailure()) {
      ADD_FAILURE() << "round " << round << " k " << k;
      break;
    }
  }
}

class UsageAggregatesStoreTest : public DomainFixture {};

TEST_F(UsageAggregatesStoreTest, ChecksKDatesAndTheAccountsOwner_SHR6) {
  UsageLedger usage(*metadata_, clock_, random_);
  UsageAggregates aggregates(*metadata_, usage, clock_);
  Principal owner = MakeAccount("agg@x.io");
  const std::string customer = owner.account.customer_id;
  const std::string account = owner.account.id;
  AggregateQuery q;
  q.k = 1;
  EXPECT_EQ(aggregates.For(customer, account, q).status().reason(), "invalid-field");
  q.k = 2;
  EXPECT_TRUE(aggregates.For(customer, account, q).ok());
  q.from = "2026-02-30";
  EXPECT_EQ(aggregates.For(customer, account, q).status().reason(), "invalid-field");
  q.from = "2026-03-02";
  q.to = "2026-03-01";
  EXPECT_EQ(aggregates.For(customer, account, q).status().reason(), "invalid-field");
  q.from = "2024-01-01";
  q.to = "2026-01-01";
  EXPECT_EQ(aggregates.For(customer, account, q).status().reason(), "invalid-field");
  q = AggregateQuery{};
  EXPECT_EQ(aggregates.For("cus_other", account, q).status().code(), Status::Code::kNotFound);

  // Real events through the ledger: ten people, one of them from IS.
  for (int i = 0; i < 10; ++i) {
    RequestOrigin from = origin_;
    from.country = i == 0 ? "IS" : "US";
    ASSERT_TRUE(
        usage.Record(owner, "user-" + std::to_string(i), from, "GET", "/v1/account", 200).ok());
  }
  auto a = aggregates.For(customer, account, q);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->events, 10);
  EXPECT_TRUE(a->by_country.cells.empty()) << "US (9) pooled with IS (1)";
  EXPECT_EQ(a->by_country.other, 10);
  EXPECT_EQ(AsMap(a->by_browser.cells), (std::map<std::string, int64_t>{{"curl", 10}}));
  ASSERT_EQ(a->by_day.size(), 1u);
  EXPECT_EQ(a->by_day[0].value, a->to);
}

}  // namespace
}  // namespace lethe
