// AccessGrants (USE-4) on real SQLite files with a manual clock: the 72-hour
// limit and the rest of the bad input, expiry, revocation (by the holder or
// an admin), scopes, and that every use is logged with the grant.
#include "domain/access_grants.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class AccessGrantsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    grants_ = std::make_unique<AccessGrants>(*metadata_, *audit_, clock_, random_);
    account_ = MakeAccount("owner@x.io");
  }
  GrantForm Form(int64_t hours = 4) {
    return GrantForm{account_.account.id, "debugging", "SUP-1", {"media"}, hours};
  }
  Result<AccessGrantRecord> Use(const StaffPrincipal& who, GrantScope scope = GrantScope::kMedia) {
    return grants_->Use(who, account_.account.id, scope,
                        {"GET", "/v1/staff/x/{id}", "/v1/staff/x/" + account_.account.id});
  }
  std::vector<AccessLogEntry> Log() {
    return *metadata_->ListAccessLog(account_.account.id, std::nullopt, 100);
  }

  std::unique_ptr<AccessGrants> grants_;
  Principal account_;
  StaffPrincipal sam_{"stf_sam", "Sam", StaffRole::kSupport};
  StaffPrincipal ada_{"stf_ada", "Ada", StaffRole::kAdmin};
};

TEST_F(AccessGrantsTest, BadInputIsRefusedAndMakesNothing_USE4) {
  auto refused = [&](GrantForm f) {
    auto made = grants_->Create(sam_, f, origin_);
    return made.ok() ? std::string("made") : made.status().reason();
  };
  GrantForm f = Form();
  f.purpose = "";
  EXPECT_EQ(refused(f), "invalid-field");
  f.purpose = "curiosity";
  EXPECT_EQ(refused(f), "invalid-field");
  f = Form();
  f.ticket = "";
  EXPECT_EQ(refused(f), "invalid-field");
  EXPECT_EQ(refused(Form(73)), "invalid-field") << "at most 72 hours";
  EXPECT_EQ(refused(Form(0)), "invalid-field");
  EXPECT_EQ(refused(Form(-5)), "invalid-field");
  f = Form();
  f.scopes = {};
  EXPECT_EQ(refused(f), "invalid-field");
  f.scopes = {"media", "galaxy"};
  EXPECT_EQ(refused(f), "invalid-field");
  f = Form();
  f.account_id = "acc_unknown";
  EXPECT_EQ(refused(f), "not-found");
  EXPECT_TRUE(grants_->ListOwn(sam_, 10)->empty());
  EXPECT_TRUE(Log().empty());
  EXPECT_EQ(Use(sam_).status().reason(), "no-access-grant");
}

TEST_F(AccessGrantsTest, AGrantOpensItsScopeUntilItExpiresAt72HoursAtMost_USE4) {
  auto made = grants_->Create(sam_, Form(72), origin_);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->id.rfind("grt_", 0), 0u);
  EXPECT_EQ(made->expires_ms - made->created_ms, 72LL * 3600 * 1000);
  auto used = Use(sam_);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(used->id, made->id);
  // Another scope, another member, another account: no.
  EXPECT_EQ(Use(sam_, GrantScope::kLegal).status().reason(), "no-access-grant");
  EXPECT_EQ(Use(ada_).status().reason(), "no-access-grant") << "an admin needs a grant too";
  Principal other = MakeAccount("other@x.io");
  EXPECT_EQ(grants_->Use(sam_, other.account.id, GrantScope::kMedia, {"GET", "/r", "/p"})
                .status()
                .reason(),
            "no-access-grant");
  clock_.Advance(72LL * 3600 * 1000 - 1);
  EXPECT_TRUE(Use(sam_).ok());
  clock_.Advance(1);
  EXPECT_EQ(Use(sam_).status().code(), Status::Code::kPermissionDenied) << "expired";
  EXPECT_EQ(grants_->Revoke(sam_, made->id, origin_).status().reason(), "grant-not-active");
}

TEST_F(AccessGrantsTest, RevokedGrantsOpenNothingAndOnlyTheHolderOrAnAdminRevokes_USE4) {
  auto mine = grants_->Create(sam_, Form(), origin_);
  ASSERT_TRUE(mine.ok());
  StaffPrincipal lee{"stf_lee", "Lee", StaffRole::kLegal};
  EXPECT_EQ(grants_->Revoke(lee, mine->id, origin_).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(grants_->Revoke(sam_, "grt_nothing", origin_).status().code(), Status::Code::kNotFound);
  auto revoked = grants_->Revoke(sam_, mine->id, origin_);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_by, sam_.id);
  EXPECT_EQ(Use(sam_).status().reason(), "no-access-grant");
  EXPECT_EQ(grants_->Revoke(sam_, mine->id, origin_).status().reason(), "grant-not-active");
  // An admin revokes anyone's.
  clock_.Advance(1);
  auto again = grants_->Create(sam_, Form(), origin_);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(grants_->Revoke(ada_, again->id, origin_).ok());
  EXPECT_EQ(Use(sam_).status().reason(), "no-access-grant");
  auto own = grants_->ListOwn(sam_, 10);
  ASSERT_EQ(own->size(), 2u);
  EXPECT_EQ((*own)[0].revoked_by, ada_.id);
}

TEST_F(AccessGrantsTest, EveryUseIsLoggedWithItsGrantAndOnlyTheOwnerReadsTheLog_USE4) {
  auto made = grants_->Create(sam_, Form(), origin_);
  ASSERT_TRUE(made.ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Use(sam_).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(Use(sam_).ok());
  EXPECT_FALSE(Use(sam_, GrantScope::kAudit).ok());
  auto log = grants_->Log(account_.account.customer_id, account_.account.id, std::nullopt, 10);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 3u) << "two uses and the grant; the refusal is not a use";
  EXPECT_EQ((*log)[0].kind, "request");
  EXPECT_EQ((*log)[0].grant_id, made->id);
  EXPECT_EQ((*log)[0].ticket, "SUP-1");
  EXPECT_EQ((*log)[0].route, "/v1/staff/x/{id}");
  EXPECT_GT((*log)[0].at_ms, (*log)[1].at_ms);
  EXPECT_EQ((*log)[2].kind, "grant.create");
  Principal other = MakeAccount("other@x.io");
  EXPECT_EQ(grants_->Log(other.account.customer_id, account_.account.id, std::nullopt, 10)
                .status()
                .code(),
            Status::Code::kNotFound);
}

}  // namespace
}  // namespace lethe
