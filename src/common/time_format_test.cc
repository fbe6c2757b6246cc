#include "common/time_format.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(TimeFormat, FormatsAndParsesRoundTrip) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1795994746378), "2026-11-29T23:25:46.378Z");
  for (int64_t ms : {int64_t{0}, int64_t{951782400000}, int64_t{1795994746378}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(ms)), ms);
  }
}

TEST(TimeFormat, ParsesOffsetsAndDates) {
  EXPECT_EQ(ParseRfc3339("2026-11-29T23:00:00+01:00"), ParseRfc3339("2026-11-29T22:00:00Z"));
  EXPECT_EQ(ParseRfc3339("1970-01-02"), 86'400'000);
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-11-29T24:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-11-29T23:00:00"));  // no zone: ambiguous
  EXPECT_FALSE(ParseRfc3339("yesterday"));
}

TEST(TimeFormat, LeapYears) {
  EXPECT_TRUE(ParseDate("2024-02-29"));
  EXPECT_FALSE(ParseDate("2100-02-29"));
  EXPECT_TRUE(ParseDate("2000-02-29"));
}

TEST(TimeFormatTest, HttpDateIsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(FormatHttpDate(1795994746378), "Sun, 29 Nov 2026 23:25:46 GMT");
}

}  // namespace
}  // namespace lethe
