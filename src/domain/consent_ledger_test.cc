#include "domain/consent_ledger.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "domain/marketing_mail.h"
#include "domain/policy_versions.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

// A Mailer that keeps what it is handed: the port, implemented in memory.
class KeepingMailer final : public Mailer {
 public:
  Status Send(const MailMessage& m) override {
    sent.push_back(m);
    return Status::Ok();
  }
  std::vector<MailMessage> sent;
};

class ConsentLedgerTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    ledger_ = std::make_unique<ConsentLedger>(*metadata_, *audit_, *ids_, clock_, random_);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ =
        std::make_unique<Outbox>(*metadata_, *jobs_, mailer_, clock_, random_, "n@lethe.test");
    policy_ = std::make_unique<PolicyVersions>(*metadata_, *audit_, *outbox_, clock_);
    marketing_ =
        std::make_unique<MarketingMail>(*metadata_, *jobs_, mailer_, *ledger_, *audit_, clock_,
                                        random_, "m@lethe.test", "https://lethe.test");
  }
  int AuditCount(const std::string& action) {
    auto events = metadata_->ListAuditEvents("", 0, 10000);
    int n = 0;
    for (const AuditEvent& e : *events) n += e.action == action;
    return n;
  }
  void RunJobs() {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(jobs_->RunDue().ok());
  }

  KeepingMailer mailer_;
  std::unique_ptr<ConsentLedger> ledger_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<PolicyVersions> policy_;
  std::unique_ptr<MarketingMail> marketing_;
};

TEST_F(ConsentLedgerTest, RecordsAuditedEntriesUnderTheVersionInForce_SHR7) {
  ASSERT_TRUE(policy_->Seed("v1", 0).ok());
  Principal p = MakeAccount("ledger@example.com");
  ConsentEntry e{p.account.customer_id, p.account.id, "eu-1", "analytics", "opt_in", "api"};
  auto r = ledger_->Record(e, Actor::Credential("acc_lat"), origin_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subject.rfind("kh_", 0), 0u) << "an end user is stored by keyed name";
  EXPECT_EQ(r->policy_version, 1);
  EXPECT_EQ(r->request_id, "req_test");
  EXPECT_EQ(AuditCount("consent.opt_in"), 1);
  auto status = ledger_->Read(p.account.customer_id, p.account.id, "eu-1");
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->history.size(), 1u);
  for (const PurposeState& s : status->purposes) {
    SCOPED_TRACE(s.purpose);
    if (s.purpose == "analytics") {
      EXPECT_EQ(s.state, "granted");
      EXPECT_TRUE(s.allowed);
    } else if (s.optional) {
      EXPECT_EQ(s.state, "not_given");  // off unless consented
      EXPECT_FALSE(s.allowed);
    } else {
      EXPECT_EQ(s.state, "not_required");
      EXPECT_TRUE(s.allowed);
    }
  }
}

TEST_F(ConsentLedgerTest, BadEntriesChangeNothing_SHR7) {
  Principal p = MakeAccount("bad@example.com");
  Principal other = MakeAccount("other@example.com");
  const std::string cus = p.account.customer_id;
  struct Case {
    ConsentEntry e;
    Status::Code code;
    const char* reason;
  };
  const Case cases[] = {
      {{cus, p.account.id, "eu", "astrology", "opt_in", "api"},
       Status::Code::kInvalidArgument,
       "unknown-purpose"},
      {{cus, p.account.id, "eu", "service", "opt_out", "api"},
       Status::Code::kInvalidArgument,
       "purpose-not-optional"},
      {{cus, p.account.id, "eu", "analytics", "maybe", "api"},
       Status::Code::kInvalidArgument,
       "invalid-field"},
      {{cus, p.account.id, "", "analytics", "opt_in", "api"},
       Status::Code::kInvalidArgument,
       "invalid-field"},
      {{cus, other.account.id, "eu", "analytics", "opt_in", "api"}, Status::Code::kNotFound, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.e.purpose + "/" + c.e.decision);
    Status st = StatusOf(ledger_->Record(c.e, Actor::Customer("cus_x"), origin_));
    EXPECT_EQ(st.code(), c.code);
    if (*c.reason) EXPECT_EQ(st.reason(), c.reason);
  }
  EXPECT_TRUE(
      metadata_->ListConsents(p.account.id, ledger_->EndUser(p.account.id, "eu").subject)->empty());
  EXPECT_TRUE(
      metadata_->ListConsents(other.account.id, ledger_->EndUser(other.account.id, "eu").subject)
          ->empty());
  EXPECT_EQ(AuditCount("consent.opt_in") + AuditCount("consent.opt_out"), 0);
}

TEST_F(ConsentLedgerTest, ASignalIsRecordedOncePerSignal_SEC5) {
  Principal p = MakeAccount("gpc@example.com");
  const std::string cus = p.account.customer_id;
  ASSERT_TRUE(ledger_
                  ->Record({cus, p.account.id, "eu", "analytics", "opt_in", "api"},
                           Actor::Customer("cus_x"), origin_)
                  .ok());
  EXPECT_EQ(*ledger_->HonourSignal(cus, p.account.id, "eu", "gpc", origin_), 2);
  EXPECT_EQ(*ledger_->HonourSignal(cus, p.account.id, "eu", "gpc", origin_), 0);
  // DNT is evidence of its own; then it too is recorded once.
  EXPECT_EQ(*ledger_->HonourSignal(cus, p.account.id, "eu", "dnt", origin_), 2);
  EXPECT_EQ(*ledger_->HonourSignal(cus, p.account.id, "eu", "dnt", origin_), 0);
  auto status = ledger_->Read(cus, p.account.id, "eu");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->history.size(), 5u);
  for (const PurposeState& s : status->purposes) {
    if (s.purpose == "analytics" || s.purpose == "third_party_sharing") {
      EXPECT_EQ(s.state, "refused") << s.purpose;
      EXPECT_EQ(s.latest->source, "dnt");
    }
  }
}

TEST_F(ConsentLedgerTest, AMaterialVersionIsAnnouncedFirstAndAsksForRenewal_SEC6) {
  ASSERT_TRUE(policy_->Seed("v1", 0).ok());
  EXPECT_FALSE(*policy_->Seed("again", 0)) << "seeding happens once";
  Principal p = MakeAccount("policy@example.com");
  const std::string cus = p.account.customer_id;
  ASSERT_TRUE(
      ledger_->Record({cus, "", "", "marketing", "opt_in", "portal"}, Actor::Customer(cus), origin_)
          .ok());
  // Material without notice is refused.
  std::string today = FormatRfc3339(clock_.NowMillis()).substr(0, 10);
  EXPECT_EQ(StatusOf(policy_->Publish("v2", today, true, Actor::Staff("stf_x"), origin_)).reason(),
            "notice-required");
  const int64_t day = 86'400'000;
  std::string in_two_days = FormatRfc3339(clock_.NowMillis() + 2 * day).substr(0, 10);
  auto published = policy_->Publish("v2", in_two_days, true, Actor::Staff("stf_x"), origin_);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(published->version.version, 2);
  EXPECT_EQ(published->announced, 1);
  RunJobs();
  ASSERT_EQ(mailer_.sent.size(), 1u);
  EXPECT_NE(mailer_.sent[0].text.find("material"), std::string::npos);
  EXPECT_EQ(policy_->Current()->version, 1);
  EXPECT_TRUE(*ledger_->Allows(ConsentLedger::Customer(cus), "marketing"));
  clock_.Advance(2 * day);
  EXPECT_EQ(policy_->Current()->version, 2);
  EXPECT_FALSE(*ledger_->Allows(ConsentLedger::Customer(cus), "marketing"));
  auto status = ledger_->Read(cus, "", "");
  for (const PurposeState& s : status->purposes) {
    if (s.purpose == "marketing") EXPECT_TRUE(s.renewal_required);
  }
  auto renewed = ledger_->Record({cus, "", "", "marketing", "opt_in", "portal"},
                                 Actor::Customer(cus), origin_);
  EXPECT_EQ(renewed->policy_version, 2);
  EXPECT_TRUE(*ledger_->Allows(ConsentLedger::Customer(cus), "marketing"));
}

TEST_F(ConsentLedgerTest, MarketingGoesOnlyToConsentersWithAOneClickUnsubscribe_ACC5) {
  Principal yes = MakeAccount("yes@example.com");
  Principal no = MakeAccount("no@example.com");
  const std::string cus = yes.account.customer_id;
  ASSERT_TRUE(
      ledger_->Record({cus, "", "", "marketing", "opt_in", "portal"}, Actor::Customer(cus), origin_)
          .ok());
  auto sent = marketing_->SendToAll("News", "Hello", Actor::Staff("stf_1"), origin_);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->queued, 1);
  EXPECT_EQ(sent->withheld, 1);
  EXPECT_EQ(AuditCount("marketing.withheld"), 1);
  RunJobs();
  ASSERT_EQ(mailer_.sent.size(), 1u);
  const MailMessage& m = mailer_.sent[0];
  EXPECT_EQ(m.to, "yes@example.com");
  ASSERT_EQ(m.headers.size(), 2u);
  EXPECT_EQ(m.headers[1].first, "List-Unsubscribe-Post");
  EXPECT_EQ(m.headers[1].second, "List-Unsubscribe=One-Click");
  const std::string prefix = "<https://lethe.test/v1/unsubscribe?token=";
  ASSERT_EQ(m.headers[0].second.rfind(prefix, 0), 0u) << m.headers[0].second;
  std::string token = m.headers[0].second.substr(prefix.size());
  token.pop_back();  // '>'
  EXPECT_EQ(marketing_->Unsubscribe("lun_forged", origin_).code(), Status::Code::kNotFound);
  ASSERT_TRUE(marketing_->Unsubscribe(token, origin_).ok());
  ASSERT_TRUE(marketing_->Unsubscribe(token, origin_).ok());  // one-click may be repeated
  auto history = metadata_->ListConsents("", cus);
  ASSERT_EQ(history->size(), 2u) << "the repeat records nothing";
  EXPECT_EQ(history->back().source, "mail");
  EXPECT_EQ(history->back().decision, "opt_out");
  sent = marketing_->SendToAll("More news", "Hello again", Actor::Staff("stf_1"), origin_);
  EXPECT_EQ(sent->queued, 0);
  EXPECT_EQ(sent->withheld, 2);
  (void)no;
}

TEST_F(ConsentLedgerTest, AnOptOutAfterQueueingStopsDelivery_ACC5) {
  Principal p = MakeAccount("late@example.com");
  const std::string cus = p.account.customer_id;
  ASSERT_TRUE(
      ledger_->Record({cus, "", "", "marketing", "opt_in", "portal"}, Actor::Customer(cus), origin_)
          .ok());
  ASSERT_EQ(marketing_->SendToAll("News", "Hello", Actor::Staff("stf_1"), origin_)->queued, 1);
  ASSERT_TRUE(
      ledger_
          ->Record({cus, "", "", "marketing", "opt_out", "portal"}, Actor::Customer(cus), origin_)
          .ok());
  RunJobs();
  EXPECT_TRUE(mailer_.sent.empty());
  EXPECT_EQ(marketing_->withheld_at_delivery(), 1);
  EXPECT_EQ(AuditCount("marketing.withheld"), 1);
}

}  // namespace
}  // namespace lethe
