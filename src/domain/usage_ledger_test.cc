// USE-1: every recorded request is listed, and a shutdown loses none.
#include "domain/usage_ledger.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class UsageLedgerTest : public DomainFixture {};

TEST_F(UsageLedgerTest, ListSeesEverythingRecordedBefore) {
  Principal who = MakeAccount("a@x.io");
  UsageLedger ledger(*metadata_, clock_, random_);
  for (int i = 0; i < 250; ++i) {
    ASSERT_TRUE(ledger.Record(who, "eu-" + std::to_string(i % 3), origin_, "GET", "/r", 200).ok());
  }
  UsageQuery q;
  q.account_id = who.account.id;
  q.limit = 1000;
  auto page = ledger.List(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), 250u);
  EXPECT_EQ(page->events.front().end_user, "eu-0");
  EXPECT_EQ(page->events.back().ip, "127.0.0.1");
}

TEST_F(UsageLedgerTest, DestructionWritesWhatIsQueued) {
  Principal who = MakeAccount("a@x.io");
  {
    UsageLedger ledger(*metadata_, clock_, random_);
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE(ledger.Record(who, "", origin_, "GET", "/r", 200).ok());
  }
  UsageQuery q;
  q.account_id = who.account.id;
  q.limit = 1000;
  EXPECT_EQ(metadata_->ListUsageEvents(q)->size(), 100u);
}

TEST_F(UsageLedgerTest, RevokedKeyStopsAtOnceDespiteTheCache) {
  // ACC-2, SEC-2: the credential cache never outlives a revocation.
  SignupForm form{"Ada", "k@x.io", "correct horse battery", "US", "1990-01-01"};
  auto signup = customers_->SignUp(form, origin_);
  ASSERT_TRUE(signup.ok());
  auto account = accounts_->Create(signup->customer.id, "app", "us", origin_);
  auto key = accounts_->CreateKey(signup->customer.id, account->account.id, origin_);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(accounts_->AuthenticateKey(key->key.id, key->secret).ok());  // now cached
  ASSERT_TRUE(accounts_->AuthenticateToken(account->api_token).ok());      // now cached
  ASSERT_TRUE(
      accounts_->RevokeKey(signup->customer.id, account->account.id, key->key.id, origin_).ok());
  EXPECT_EQ(accounts_->AuthenticateKey(key->key.id, key->secret).status().code(),
            Status::Code::kUnauthenticated);
  ASSERT_TRUE(accounts_->RotateToken(signup->customer.id, account->account.id, origin_).ok());
  EXPECT_EQ(accounts_->AuthenticateToken(account->api_token).status().code(),
            Status::Code::kUnauthenticated);
  EXPECT_EQ(accounts_->AuthenticateKey(key->key.id, "lsk_wrong").status().code(),
            Status::Code::kUnauthenticated);
}

}  // namespace
}  // namespace lethe
