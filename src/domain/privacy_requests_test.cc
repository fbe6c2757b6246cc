#include "domain/privacy_requests.h"

#include <gtest/gtest.h>

#include "adapters/mail/file_mailer.h"
#include "domain/job_queue.h"
#include "domain/outbox.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class PrivacyRequestsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    auto mailer = FileMailer::Open(dir_.File("mail"), clock_);
    ASSERT_TRUE(mailer.ok());
    mailer_ = std::move(*mailer);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, *mailer_, clock_, random_,
                                       "privacy@lethe.test");
    requests_ = std::make_unique<PrivacyRequests>(*metadata_, *audit_, *outbox_, *ring_, *ids_,
                                                  clock_, random_);
    who_ = MakeAccount("rights@example.com");
  }
  PrivacyRequestForm AboutEndUser(std::string type, std::string jurisdiction) {
    PrivacyRequestForm f;
    f.customer_id = who_.account.customer_id;
    f.account_id = who_.account.id;
    f.end_user = "eu-1";
    f.type = std::move(type);
    f.jurisdiction = std::move(jurisdiction);
    f.attested = true;
    return f;
  }
  std::unique_ptr<FileMailer> mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<PrivacyRequests> requests_;
  Principal who_;
};

// The fixture's clock reads 2026-11-18 (a Wednesday).
TEST_F(PrivacyRequestsTest, AnAttestedEndUserRequestIsVerifiedWithItsClocks_RGT2) {
  auto gdpr = requests_->Submit(AboutEndUser("access", "gdpr"), Actor::Customer("cus_x"), origin_);
  ASSERT_TRUE(gdpr.ok()) << gdpr.status().ToString();
  EXPECT_EQ(gdpr->state, "verified");
  EXPECT_EQ(gdpr->subject_kind, "end_user");
  EXPECT_EQ(gdpr->due, "2026-12-18");
  EXPECT_EQ(gdpr->latest_due, "2027-02-18");
  EXPECT_EQ(gdpr->acknowledge_by, "");
  auto ccpa = requests_->Submit(AboutEndUser("erasure", "ccpa"), Actor::Customer("cus_x"), origin_);
  ASSERT_TRUE(ccpa.ok());
  EXPECT_EQ(ccpa->acknowledge_by, "2026-12-02");
  EXPECT_EQ(ccpa->due, "2027-01-02");
  auto history = requests_->History(who_.account.customer_id, gdpr->id);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].state, "received");
  EXPECT_EQ((*history)[1].state, "verified");
  auto last = metadata_->LastAuditEvent();
  EXPECT_EQ((*last)->action, "privacy_request.verified");
}

// The privacy center's own request: no attestation, a code mailed to the
// address the person gave, which only that code (not the customer's word)
// verifies.
TEST_F(PrivacyRequestsTest, AnEndUsersOwnRequestWaitsForTheCodeMailedToThem_RGT2) {
  PrivacyRequestForm f = AboutEndUser("access", "gdpr");
  f.attested = false;
  f.verify_by_mail = true;
  f.end_user = "not an address";
  EXPECT_EQ(requests_->Submit(f, Actor::System("lethe:privacy-center"), origin_).status().reason(),
            "invalid-field");
  f.end_user = "person@example.org";
  f.attested = true;
  EXPECT_EQ(requests_->Submit(f, Actor::System("lethe:privacy-center"), origin_).status().reason(),
            "invalid-field")
      << "attested or verified by mail, not both";
  f.attested = false;
  auto r = requests_->Submit(f, Actor::System("lethe:privacy-center"), origin_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "identity_unverified");
  EXPECT_EQ(r->subject_kind, "end_user");
  EXPECT_EQ(r->subject, "person@example.org");
  EXPECT_FALSE(r->code_digest.empty());
  // The customer cannot vouch for it instead of the code.
  VerificationForm relayed;
  relayed.subject_confirmed = true;
  EXPECT_EQ(requests_->Verify(r->customer_id, r->id, relayed, Actor::Customer("cus_x"), origin_)
                .status()
                .reason(),
            "invalid-field");
  VerificationForm wrong;
  wrong.code = "not-the-code";
  EXPECT_EQ(requests_->Verify(r->customer_id, r->id, wrong, Actor::Customer("cus_x"), origin_)
                .status()
                .reason(),
            "code-invalid");
  EXPECT_TRUE(requests_->ResendCode(r->customer_id, r->id, Actor::System("x"), origin_).ok());
  EXPECT_EQ(requests_->Get(r->customer_id, r->id)->code_failures, 1);
}

TEST_F(PrivacyRequestsTest, BadInputChangesNothing) {
  auto bad = [&](PrivacyRequestForm f) {
    return requests_->Submit(f, Actor::Customer("cus_x"), origin_).status();
  };
  EXPECT_EQ(bad(AboutEndUser("forget_me", "gdpr")).reason(), "invalid-field");
  EXPECT_EQ(bad(AboutEndUser("access", "lgpd")).reason(), "invalid-field");
  PrivacyRequestForm unattested = AboutEndUser("access", "gdpr");
  unattested.attested = false;
  EXPECT_EQ(bad(unattested).reason(), "invalid-field");
  PrivacyRequestForm other = AboutEndUser("access", "gdpr");
  other.customer_id = "cus_someone_else";
  EXPECT_EQ(bad(other).code(), Status::Code::kNotFound);
  EXPECT_TRUE(requests_->List(who_.account.customer_id, "")->empty());
  EXPECT_EQ(requests_->List(who_.account.customer_id, "soon").status().reason(), "bad-request");
}

TEST_F(PrivacyRequestsTest, TheLifecycleAllowsOneExtensionBeforeTheDueDate_RGT2) {
  const std::string me = who_.account.customer_id;
  auto r = requests_->Submit(AboutEndUser("rectification", "gdpr"), Actor::Customer(me), origin_);
  ASSERT_TRUE(r.ok());
  auto move = [&](const std::string& state, const std::string& reason = "",
                  const std::string& due = "") {
    return requests_->Transition(me, r->id, state, reason, due, Actor::Customer(me), origin_);
  };
  EXPECT_EQ(move("completed").status().reason(), "invalid-transition");  // not started
  EXPECT_EQ(move("denied").status().reason(), "invalid-field");          // no reason
  ASSERT_TRUE(move("in_progress").ok());
  EXPECT_EQ(move("extended", "complex", "2027-03-01").status().reason(), "invalid-field");
  EXPECT_EQ(move("extended", "complex", "2026-12-01").status().reason(), "invalid-field");
  auto extended = move("extended", "many media to review", "2027-01-31");
  ASSERT_TRUE(extended.ok()) << extended.status().ToString();
  EXPECT_EQ(extended->due, "2027-01-31");
  ASSERT_TRUE(move("in_progress").ok());
  EXPECT_EQ(move("extended", "again", "2027-02-10").status().reason(), "invalid-transition");
  ASSERT_TRUE(move("completed").ok());
  EXPECT_EQ(move("in_progress").status().reason(), "invalid-transition");
  auto history = requests_->History(me, r->id);
  ASSERT_EQ(history->size(), 6u);
  EXPECT_EQ((*history)[3].reason, "many media to review");
  EXPECT_EQ(requests_->Get("cus_other", r->id).status().code(), Status::Code::kNotFound);
}

TEST_F(PrivacyRequestsTest, AnExtensionAfterTheDueDateIsRefusedAndListsShowWhatIsAtRisk_RGT2) {
  const std::string me = who_.account.customer_id;
  auto late = requests_->Submit(AboutEndUser("access", "gdpr"), Actor::Customer(me), origin_);
  clock_.Advance(40LL * 86'400'000);
  auto fresh = requests_->Submit(AboutEndUser("access", "gdpr"), Actor::Customer(me), origin_);
  ASSERT_TRUE(late.ok() && fresh.ok());
  EXPECT_EQ(
      requests_
          ->Transition(me, late->id, "extended", "late", "2027-01-20", Actor::Customer(me), origin_)
          .status()
          .reason(),
      "invalid-transition");
  auto at_risk = requests_->List(me, "2026-12-31");
  ASSERT_EQ(at_risk->size(), 1u);
  EXPECT_EQ((*at_risk)[0].id, late->id);
  EXPECT_EQ(requests_->List(me, "")->size(), 2u);
}

}  // namespace
}  // namespace lethe
