#include "crypto/link_mac.h"

#include <gtest/gtest.h>

#include <string>

namespace lethe {
namespace {

Key KeyOf(uint8_t fill) {
  Key k;
  k.fill(fill);
  return k;
}

TEST(LinkMac, SignsWhatItVerifiesAndNothingElse) {
  LinkMac mac(KeyOf(7), "lethe/test-links/v1");
  const std::string sig = mac.Sign("acc_1\nmed_1\n1000");
  EXPECT_EQ(sig.size(), 43u) << "base64url of 32 bytes, unpadded";
  EXPECT_TRUE(mac.Verify("acc_1\nmed_1\n1000", sig));
  EXPECT_FALSE(mac.Verify("acc_1\nmed_1\n1001", sig));
  EXPECT_FALSE(mac.Verify("acc_1\nmed_1\n1000", sig.substr(0, 42)));
  EXPECT_FALSE(mac.Verify("acc_1\nmed_1\n1000", ""));
}

// A link of one kind never passes for another's, nor under another master.
TEST(LinkMac, TheLabelAndTheMasterKeyBothChangeTheMac) {
  const std::string message = "acc_1\nsubject\n1000";
  const std::string media = LinkMac(KeyOf(7), "lethe/media-links/v1").Sign(message);
  EXPECT_NE(LinkMac(KeyOf(7), "lethe/privacy-center-links/v1").Sign(message), media);
  EXPECT_NE(LinkMac(KeyOf(8), "lethe/media-links/v1").Sign(message), media);
  EXPECT_EQ(LinkMac(KeyOf(7), "lethe/media-links/v1").Sign(message), media);
}

}  // namespace
}  // namespace lethe
