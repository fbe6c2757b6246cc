// UsageAggregates (SHR-6): an account's usage-event counts by country, by
// browser and by day, published so that no group of fewer than k people
// can be read from them, or derived from them by subtraction.
//
// Who is a person: the end user a request named, else its IP address (an
// address shared by several people counts them as one, which only makes
// groups look smaller and suppresses more). A group's size is its number
// of distinct people, never of events: one person's thousand requests are
// still a group of one.
//
// The rule, applied to each UTC day on its own:
//   1. A day with fewer than k people is withheld whole: it appears in no
//      count of any dimension, nor in the total.
//   2. In each dimension (country, browser), every cell with fewer than k
//      people goes into one pooled cell, "other". Complementary
//      suppression: while "other" holds someone but fewer than k people,
//      the next smallest cell joins it. "other" is therefore empty or
//      holds at least k people; it is published as one count.
//   3. So each dimension of a published day is a partition of that day's
//      events into parts of k people or more, and every dimension adds up
//      to the same day total (the by-day count).
// A response sums published days. Every count in it, the total and
// "other" included, is a sum of parts of k people or more, and so is any
// difference of two counts in one dimension (total minus the rest is
// another part, never a suppressed cell). Two dimensions are two
// partitions of the same events, released as margins only; subtracting
// one from another reveals nothing finer than a part. Date ranges are
// whole UTC days and each day is decided alone, so two overlapping ranges
// differ by whole published days, never by a suppressed cell.
// The guarantee is for one k: responses asked with a smaller k publish
// smaller groups, which the caller asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/usage_ledger.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

struct AggregateQuery {
  std::string from;  // "YYYY-MM-DD", inclusive; "" for kDefaultDays before `to`
  std::string to;    // "YYYY-MM-DD", inclusive; "" for today (UTC)
  int k = 10;
};

struct AggregateCell {
  std::string value;  // a country code, a browser, a date; "unknown" when not known
  int64_t events = 0;
};

struct AggregateDimension {
  std::vector<AggregateCell> cells;  // most events first
  int64_t other = 0;                 // the pooled cell (0: nothing pooled)
};

struct UsageAggregate {
  std::string from, to;
  int k = 0;
  int64_t events = 0;  // every published day's events
  AggregateDimension by_country;
  AggregateDimension by_browser;
  std::vector<AggregateCell> by_day;  // oldest first; withheld days absent
};

class UsageAggregates {
 public:
  static constexpr int kDefaultK = 10;
  static constexpr int kMinK = 2;
  static constexpr int kMaxK = 1'000'000;
  static constexpr int kDefaultDays = 30;
  static constexpr int kMaxDays = 366;

  // Reads `store`; flushes `usage` first so recent requests count.
  UsageAggregates(MetadataStore& store, UsageLedger& usage, const Clock& clock)
      : store_(store), usage_(usage), clock_(clock) {}

  // The aggregates of account `account_id` of customer `customer_id`.
  // InvalidArgument("invalid-field") for k outside kMinK..kMaxK, a date
  // that is not YYYY-MM-DD, `from` after `to` or a range over kMaxDays;
  // NotFound when the account is not the customer's.
  Result<UsageAggregate> For(const std::string& customer_id, const std::string& account_id,
                             const AggregateQuery& query);

  // The rule above over `tallies` (sorted by day, as TallyUsage returns
  // them). Public for tests.
  static UsageAggregate Compute(const std::vector<UsageTally>& tallies, int k);

 private:
  MetadataStore& store_;
  UsageLedger& usage_;
  const Clock& clock_;
};

}  // namespace lethe
