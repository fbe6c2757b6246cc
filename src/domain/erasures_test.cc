#include "domain/erasures.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(ErasuresTest, CoarsensAddressesAndVersions_USE7) {
  EXPECT_EQ(CoarsenIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(CoarsenIp("127.0.0.1"), "127.0.0.0");
  EXPECT_EQ(CoarsenIp("2001:db8:1:2:3:4:5:6"), "2001:db8:1::");
  EXPECT_EQ(CoarsenIp("2001:db8::5"), "2001:db8::");
  EXPECT_EQ(CoarsenIp("::1"), "::");
  EXPECT_EQ(CoarsenIp("not an address"), "");
  EXPECT_EQ(MajorVersion("120.0.6099.71"), "120");
  EXPECT_EQ(MajorVersion("17"), "17");
  EXPECT_EQ(MajorVersion(""), "");
}

}  // namespace
}  // namespace lethe
