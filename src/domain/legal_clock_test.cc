#include "domain/legal_clock.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

CivilDate D(const char* text) { return *ParseDate(text); }

TEST(LegalClockTest, MonthsClampToTheLastDayOfShortMonths) {
  struct Case {
    const char* from;
    int months;
    const char* want;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"2026-01-31", 1, "2026-02-28"},
           {"2028-01-31", 1, "2028-02-29"},  // leap year
           {"2100-01-31", 1, "2100-02-28"},  // not a leap year (century)
           {"2000-01-31", 1, "2000-02-29"},  // a leap year (400)
           {"2028-02-29", 1, "2028-03-29"},
           {"2028-02-29", 12, "2029-02-28"},
           {"2026-03-31", 1, "2026-04-30"},
           {"2026-12-15", 1, "2027-01-15"},
           {"2026-11-30", 3, "2027-02-28"},
           {"2026-08-31", 6, "2027-02-28"},
       }) {
    EXPECT_EQ(FormatDate(AddMonths(D(c.from), c.months)), c.want) << c.from << " + " << c.months;
  }
}

TEST(LegalClockTest, WeekdaysAndBusinessDaysSkipWeekends) {
  EXPECT_EQ(Weekday(D("1970-01-01")), 3);  // Thursday
  EXPECT_EQ(Weekday(D("2026-11-30")), 0);  // Monday
  EXPECT_EQ(Weekday(D("2026-12-06")), 6);  // Sunday
  EXPECT_EQ(Weekday(D("1969-12-28")), 6);  // before the epoch
  struct Case {
    const char* from;
    int days;
    const char* want;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"2026-11-30", 10, "2026-12-14"},  // Monday: two whole weeks
           {"2026-12-04", 1, "2026-12-07"},   // Friday -> Monday
           {"2026-12-05", 1, "2026-12-07"},   // Saturday -> Monday
           {"2026-12-06", 10, "2026-12-18"},  // Sunday
           {"2028-02-25", 3, "2028-03-01"},   // across 29 February
           {"2026-12-31", 2, "2027-01-04"},   // across the year
       }) {
    EXPECT_EQ(FormatDate(AddBusinessDays(D(c.from), c.days)), c.want) << c.from;
  }
  EXPECT_EQ(FormatDate(AddDays(D("2028-02-28"), 1)), "2028-02-29");
  EXPECT_EQ(FormatDate(AddDays(D("2027-02-28"), 1)), "2027-03-01");
  EXPECT_EQ(FormatDate(AddDays(D("2026-12-31"), 45)), "2027-02-14");
  EXPECT_EQ(FormatDate(AddDays(D("2027-01-01"), -1)), "2026-12-31");
}

TEST(LegalClockTest, GdprIsOneMonthExtendableByTwoAndNeverEndsOnAWeekend_RGT2) {
  struct Case {
    const char* received;
    const char* due;
    const char* latest;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"2026-01-31", "2026-03-02", "2026-04-30"},  // 28 Feb 2026 is a Saturday
           {"2028-01-31", "2028-02-29", "2028-05-01"},  // 29 Feb 2028 is a Tuesday; 30 Apr a Sunday
           {"2026-11-30", "2026-12-30", "2027-03-01"},  // 28 Feb 2027 is a Sunday
           {"2026-03-14", "2026-04-14", "2026-06-15"},  // 14 June 2026 is a Sunday
       }) {
    auto d = DeadlinesFor("gdpr", D(c.received));
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->acknowledge_by.has_value());
    EXPECT_EQ(FormatDate(d->due), c.due) << c.received;
    EXPECT_EQ(FormatDate(d->latest_extended_due), c.latest) << c.received;
  }
}

TEST(LegalClockTest, CcpaAcknowledgesIn10BusinessDaysAndAnswersIn45Days_RGT2) {
  auto d = DeadlinesFor("ccpa", D("2026-12-24"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d->acknowledge_by), "2027-01-07");  // weekends skipped, holidays not
  EXPECT_EQ(FormatDate(d->due), "2027-02-07");
  EXPECT_EQ(FormatDate(d->latest_extended_due), "2027-03-24");
  auto leap = DeadlinesFor("ccpa", D("2028-01-20"));
  EXPECT_EQ(FormatDate(leap->due), "2028-03-05");
  EXPECT_EQ(DeadlinesFor("lgpd", D("2026-01-01")).status().reason(), "invalid-field");
}

}  // namespace
}  // namespace lethe
