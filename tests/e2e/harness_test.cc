// Self-tests of the e2e harness: it must report a server that cannot start
// instead of hanging, and its helpers must behave.
#include "harness.h"

#include <gtest/gtest-spi.h>

namespace lethe::e2e {
namespace {

void StartWithBadFlag() {
  ServerProcess s(std::vector<std::string>{"--no-such-flag-for-lethe"});
  EXPECT_FALSE(s.ok());
}

TEST(HarnessTest, ReportsAServerThatFailsToStart) {
  EXPECT_NONFATAL_FAILURE(StartWithBadFlag(), "did not print its listening line");
}

TEST(HarnessTest, Helpers) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("key_1:s3cret"), "a2V5XzE6czNjcmV0");
  auto t = ParseRfc3339("2026-11-29T22:53:28.123Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(Rfc3339Millis(*t), "2026-11-29T22:53:28.123Z");
  EXPECT_FALSE(ParseRfc3339("2026-11-29 22:53:28Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-11-29T22:53:28.123").has_value());
  EXPECT_EQ(DateYearsAgo(0, 0), TodayUtc());
  EXPECT_EQ(Lower("AbC-Ü"), "abc-Ü");
}

}  // namespace
}  // namespace lethe::e2e
