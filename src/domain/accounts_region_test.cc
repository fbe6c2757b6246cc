// Accounts in a cell of one region (XFR-1, XFR-2): an account of another
// region is refused before anything is written; the implicit cell of the
// embedded default takes both regions as before.
#include <gtest/gtest.h>

#include "domain/accounts.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class AccountsRegionTest : public DomainFixture {
 protected:
  std::string Customer() {
    SignupForm form{"Ada", "ada@x.io", "correct horse battery", "FR", "1990-01-01"};
    auto signup = customers_->SignUp(form, origin_);
    EXPECT_TRUE(signup.ok()) << signup.status().ToString();
    return signup.ok() ? signup->customer.id : "";
  }
  int64_t AuditEvents() {
    auto verdict = audit_->Verify();
    EXPECT_TRUE(verdict.ok());
    return verdict.ok() ? verdict->events : -1;
  }
};

TEST_F(AccountsRegionTest, ACellRefusesAnAccountOfAnotherRegionAndWritesNothing_XFR2) {
  std::string customer = Customer();
  accounts_->SetHomeRegion("eu");
  int64_t events = AuditEvents();
  auto refused = accounts_->Create(customer, "app", "us", origin_);
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(refused.status().reason(), "cross-region-refused");
  EXPECT_TRUE(accounts_->List(customer)->empty());
  EXPECT_EQ(AuditEvents(), events);
  auto made = accounts_->Create(customer, "app", "eu", origin_);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->account.region, "eu");
  // A bad region is still bad input, whatever the cell.
  EXPECT_EQ(accounts_->Create(customer, "app", "mars", origin_).status().reason(), "invalid-field");
}

TEST_F(AccountsRegionTest, TheImplicitCellTakesBothRegions_XFR1) {
  std::string customer = Customer();
  EXPECT_TRUE(accounts_->Create(customer, "a", "us", origin_).ok());
  EXPECT_TRUE(accounts_->Create(customer, "b", "eu", origin_).ok());
  EXPECT_EQ(accounts_->List(customer)->size(), 2u);
}

}  // namespace
}  // namespace lethe
