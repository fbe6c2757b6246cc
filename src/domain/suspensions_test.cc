// ADM-1: past the threshold an account is suspended with its reasons
// recorded and mailed, the data plane refuses it with a link to appeal,
// and only a security reviewer's decision with a written reason lifts it;
// bad appeals and bad decisions change nothing; every step is audited.
#include "domain/suspensions.h"

#include <gtest/gtest.h>

#include "testing/abuse_fixture.h"

namespace lethe {
namespace {

class SuspensionsTest : public AbuseFixture {
 protected:
  // Signals worth `auth` (failures, 10 = 50) and `users` (end users from
  // one IP, 50 = 50) now.
  void Burst(int failures, int users) {
    for (int i = 0; i < failures; ++i) signals_->NoteFailedKey(owner_.account.id);
    const int64_t now = clock_.NowMillis();
    if (users > 0) {
      Events(owner_.account.id, users, now - kHour / 2, now, "/v1/media/{id}", 200, "198.51.100.4",
             "u" + std::to_string(now) + "_");
    }
  }
  void SetUp() override {
    AbuseFixture::SetUp();
    if (HasFatalFailure()) return;
    rules_.auth_failures = 10;
    Rebuild();
  }
  std::string Customer() { return owner_.account.customer_id; }
};

TEST_F(SuspensionsTest, OneSignalBelowTheThresholdSuspendsNothing_ADM1) {
  Burst(10, 0);  // 50 < 100
  auto swept = suspensions_->Sweep();
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(*swept, 0);
  EXPECT_TRUE(suspensions_->Check(owner_.account.id).ok());
  EXPECT_TRUE(metadata_->ListAbuseDecisions(owner_.account.id)->empty());
}

TEST_F(SuspensionsTest, SummedSignalsPastTheThresholdSuspendWithReasons_ADM1) {
  Burst(10, 55);  // 50 + 55 = 105
  auto swept = suspensions_->Sweep();
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(*swept, 1);
  auto decisions = metadata_->ListAbuseDecisions(owner_.account.id);
  ASSERT_EQ(decisions->size(), 1u);
  const AbuseDecisionRecord d = (*decisions)[0];
  EXPECT_EQ(d.state, "suspended");
  EXPECT_EQ(d.score, 105);
  EXPECT_EQ(d.threshold, 100);
  EXPECT_EQ(d.id.rfind("dec_", 0), 0u);

  Status refused = suspensions_->Check(owner_.account.id);
  EXPECT_EQ(refused.code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(refused.reason(), "account-suspended");
  std::map<std::string, std::string> members(refused.members().begin(), refused.members().end());
  EXPECT_EQ(members["decision_id"], d.id);
  EXPECT_EQ(members["appeal"], "/v1/appeals");
  EXPECT_TRUE(suspensions_->Check("acc_other").ok());

  auto explained = suspensions_->Explain(Customer(), owner_.account.id, d.id);
  ASSERT_TRUE(explained.ok()) << explained.status().ToString();
  ASSERT_EQ(explained->signals.size(), 2u);
  EXPECT_EQ(explained->signals[0].decision_id, d.id);
  EXPECT_EQ(suspensions_->Explain("cus_else", owner_.account.id, d.id).status().code(),
            Status::Code::kNotFound);

  auto mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].decoded["Subject"], "Your account app is suspended");
  EXPECT_NE(mails[0].body.find("wrong API key secret"), std::string::npos) << mails[0].body;
  EXPECT_NE(mails[0].body.find("different end users from one IP"), std::string::npos);
  EXPECT_NE(mails[0].body.find(d.id), std::string::npos);
  EXPECT_NE(mails[0].body.find("/v1/appeals"), std::string::npos);
  auto actions = AuditActions(owner_.account.id);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "abuse.signal"), 2);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "abuse.suspend"), 1);

  // A new server reads the decision in force from the store.
  Rebuild();
  EXPECT_EQ(suspensions_->Check(owner_.account.id).reason(), "account-suspended");
  // Already suspended: nothing more is decided.
  Burst(10, 60);
  EXPECT_EQ(*suspensions_->Sweep(), 0);
}

TEST_F(SuspensionsTest, SignalsOutsideTheDecisionWindowAreNotSummed_ADM1) {
  Burst(10, 0);
  ASSERT_EQ(*suspensions_->Sweep(), 0);
  clock_.Advance(25 * kHour);  // the failures' signal is a day old
  Burst(0, 55);
  EXPECT_EQ(*suspensions_->Sweep(), 0);
  EXPECT_TRUE(suspensions_->Check(owner_.account.id).ok());
}

TEST_F(SuspensionsTest, AppealsAndReviewLiftTheSuspension_ADM1) {
  const RequestOrigin origin = origin_;
  // Nothing to appeal yet: a clear refusal that changes nothing.
  auto early = appeals_->File(Customer(), owner_.account.id, "", "why?", origin);
  EXPECT_EQ(early.status().reason(), "not-suspended");
  EXPECT_TRUE(metadata_->ListOpenAppeals(10)->empty());

  Burst(10, 55);
  ASSERT_EQ(*suspensions_->Sweep(), 1);
  const std::string decision = (*metadata_->ListAbuseDecisions(owner_.account.id))[0].id;
  EXPECT_EQ(appeals_->File(Customer(), owner_.account.id, "", "", origin).status().reason(),
            "invalid-field");
  EXPECT_EQ(appeals_->File("cus_else", owner_.account.id, "", "x", origin).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(appeals_->File(Customer(), "", "dec_nope", "x", origin).status().code(),
            Status::Code::kNotFound);
  auto filed = appeals_->File(Customer(), "", decision, "A launch day, not spam.", origin);
  ASSERT_TRUE(filed.ok()) << filed.status().ToString();
  EXPECT_EQ(filed->state, "open");
  EXPECT_EQ(filed->account_id, owner_.account.id);
  EXPECT_EQ(appeals_->File(Customer(), owner_.account.id, "", "again", origin).status().reason(),
            "appeal-exists");
  ASSERT_EQ(appeals_->ListOpen()->size(), 1u);

  // A decision needs a known outcome and a reason; a bad one changes nothing.
  EXPECT_EQ(appeals_->Decide("stf_1", filed->id, "reinstate", "", origin).status().reason(),
            "invalid-field");
  EXPECT_EQ(appeals_->Decide("stf_1", filed->id, "maybe", "r", origin).status().reason(),
            "invalid-field");
  EXPECT_EQ(appeals_->Decide("stf_1", "apl_nope", "uphold", "r", origin).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(appeals_->ListOpen()->size(), 1u);
  EXPECT_FALSE(suspensions_->Check(owner_.account.id).ok());

  auto decided =
      appeals_->Decide("stf_1", filed->id, "reinstate", "Checked: a real launch.", origin);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->state, "reinstated");
  EXPECT_EQ(decided->decided_by, "stf_1");
  EXPECT_TRUE(suspensions_->Check(owner_.account.id).ok());
  EXPECT_EQ(appeals_->Decide("stf_1", filed->id, "uphold", "r", origin).status().reason(),
            "appeal-decided");
  auto explained = suspensions_->Explain(Customer(), owner_.account.id, decision);
  EXPECT_EQ(explained->decision.state, "reinstated");
  EXPECT_EQ(explained->decision.lifted_by, "stf_1");
  ASSERT_EQ(explained->appeals.size(), 1u);
  EXPECT_EQ(explained->appeals[0].reason, "Checked: a real launch.");

  auto actions = AuditActions(owner_.account.id);
  for (const char* step : {"appeal.file", "appeal.reinstate", "abuse.reinstate"}) {
    EXPECT_EQ(std::count(actions.begin(), actions.end(), step), 1) << step;
  }
  auto mails = Mails();
  ASSERT_EQ(mails.size(), 2u);
  bool granted = false;
  for (auto& m : mails) {
    if (m.decoded["Subject"] == "Your appeal was granted") {
      granted = true;
      EXPECT_NE(m.body.find("Checked: a real launch."), std::string::npos);
    }
  }
  EXPECT_TRUE(granted);

  // What the reviewer cleared does not suspend the account again.
  clock_.Advance(60'000);
  EXPECT_EQ(*suspensions_->Sweep(), 0);
  EXPECT_TRUE(suspensions_->Check(owner_.account.id).ok());
  // An appeal of a lifted decision is refused.
  EXPECT_EQ(appeals_->File(Customer(), "", decision, "x", origin).status().reason(),
            "not-suspended");
}

TEST_F(SuspensionsTest, UpheldSuspensionsStay_ADM1) {
  Burst(10, 55);
  ASSERT_EQ(*suspensions_->Sweep(), 1);
  auto filed = appeals_->File(Customer(), owner_.account.id, "", "please", origin_);
  ASSERT_TRUE(filed.ok());
  auto decided = appeals_->Decide("stf_1", filed->id, "uphold", "Spam confirmed.", origin_);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->state, "upheld");
  EXPECT_EQ(suspensions_->Check(owner_.account.id).reason(), "account-suspended");
  EXPECT_EQ(appeals_->File(Customer(), owner_.account.id, "", "again", origin_).status().reason(),
            "appeal-exists");
}

}  // namespace
}  // namespace lethe
