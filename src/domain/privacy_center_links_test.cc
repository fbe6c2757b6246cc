#include "domain/privacy_center_links.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace lethe {
namespace {

Key KeyOf(uint8_t fill) {
  Key k;
  k.fill(fill);
  return k;
}

TEST(PrivacyCenterLinksTest, OpensWhatItIssuedUntilItExpires) {
  ManualClock clock(1'700'000'000'000);
  PrivacyCenterLinks links(KeyOf(7), clock);
  std::string token = links.Issue("acc_1", "user-é 42", 60'000);
  Result<PrivacyCenterLink> link = links.Open(token);
  ASSERT_TRUE(link.ok()) << link.status().message();
  EXPECT_EQ(link->account_id, "acc_1");
  EXPECT_EQ(link->end_user, "user-é 42");
  EXPECT_EQ(link->expires_ms, 1'700'000'060'000);
  clock.Advance(59'999);
  EXPECT_TRUE(links.Open(token).ok());
  clock.Advance(1);
  Result<PrivacyCenterLink> late = links.Open(token);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(late.status().reason(), "link-expired");
}

TEST(PrivacyCenterLinksTest, RefusesATamperedPayloadOrSignature) {
  ManualClock clock(1'700'000'000'000);
  PrivacyCenterLinks links(KeyOf(7), clock);
  std::string token = links.Issue("acc_1", "alice", 60'000);
  size_t dot = token.find('.');
  // The same signature over another end user, another account, a later expiry.
  for (const std::string& payload :
       {std::string("acc_1\nmallory\n1700000060000"), std::string("acc_2\nalice\n1700000060000"),
        std::string("acc_1\nalice\n1800000060000")}) {
    std::string forged = Base64UrlEncode(std::string_view(payload)) + token.substr(dot);
    EXPECT_EQ(links.Open(forged).status().reason(), "link-invalid") << payload;
  }
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(links.Open(flipped).status().reason(), "link-invalid");
  for (const std::string& junk :
       {std::string(""), std::string("."), std::string("abc"), token.substr(0, dot),
        std::string("!!.") + token.substr(dot + 1)}) {
    EXPECT_EQ(links.Open(junk).status().reason(), "link-invalid") << junk;
  }
}

TEST(PrivacyCenterLinksTest, AnotherMasterKeyDoesNotOpenIt) {
  ManualClock clock(1'700'000'000'000);
  PrivacyCenterLinks ours(KeyOf(7), clock);
  PrivacyCenterLinks theirs(KeyOf(8), clock);
  EXPECT_EQ(theirs.Open(ours.Issue("acc_1", "alice", 60'000)).status().reason(), "link-invalid");
}

}  // namespace
}  // namespace lethe
