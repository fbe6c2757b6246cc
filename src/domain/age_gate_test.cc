// SEC-4: the age gate.
#include "domain/age_gate.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace lethe {
namespace {

const int64_t kNow = *ParseRfc3339("2026-11-29T12:00:00Z");

TEST(AgeGate, RefusesUnder13Everywhere) {
  EXPECT_EQ(CheckSignupAge("2014-01-01", "US", kNow).reason(), "age-gate");  // 12
  EXPECT_EQ(CheckSignupAge("2013-11-30", "US", kNow).reason(), "age-gate");  // 13 tomorrow
  EXPECT_TRUE(CheckSignupAge("2013-11-29", "US", kNow).ok());                // 13 today
}

TEST(AgeGate, RefusesUnder16InTheEea) {
  EXPECT_EQ(CheckSignupAge("2011-01-01", "DE", kNow).reason(), "age-gate");  // 15
  EXPECT_EQ(CheckSignupAge("2011-01-01", "NO", kNow).reason(), "age-gate");  // EEA, not EU
  EXPECT_TRUE(CheckSignupAge("2011-01-01", "US", kNow).ok());                // 15 in the US
  EXPECT_TRUE(CheckSignupAge("2010-11-29", "FR", kNow).ok());                // 16 today
  EXPECT_EQ(CheckSignupAge("2010-11-30", "FR", kNow).reason(), "age-gate");
}

TEST(AgeGate, LeapDayBirthdaysCountFromMarchFirst) {
  int64_t feb28 = *ParseRfc3339("2027-02-28T12:00:00Z");
  int64_t mar01 = *ParseRfc3339("2027-03-01T00:00:00Z");
  EXPECT_EQ(AgeInYears(2012, 2, 29, feb28), 14);
  EXPECT_EQ(AgeInYears(2012, 2, 29, mar01), 15);
}

TEST(AgeGate, RejectsMalformedAndFutureDates) {
  for (const char* bad : {"2010-13-01", "2010-02-30", "10-01-01", "2010/01/01", "", "2030-01-01"}) {
    EXPECT_EQ(CheckSignupAge(bad, "US", kNow).reason(), "invalid-field") << bad;
  }
}

}  // namespace
}  // namespace lethe
