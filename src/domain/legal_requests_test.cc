// SHR-4: legal requests are recorded and decided by security or legal
// staff; the customer is told at once, or when a non-disclosure order ends
// (once); every disclosure lands in the ledger, withheld from the customer
// while the order runs; the transparency report counts the year.
#include "domain/legal_requests.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/mail/file_mailer.h"
#include "common/time_format.h"
#include "domain/transparency_report.h"
#include "domain/usage_ledger.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr int64_t kDayMs = 86'400'000;

class LegalRequestsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    auto files = FileMailer::Open(dir_.File("mail"), clock_);
    ASSERT_TRUE(files.ok());
    mailer_ = std::move(*files);
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, *mailer_, clock_, random_,
                                       "noreply@lethe.test");
    ledger_ = std::make_unique<DisclosureLedger>(*audit_, *ids_, clock_, random_);
    staff_ = std::make_unique<Staff>(*metadata_, *audit_, *ring_, clock_, random_,
                                     PasswordCost::Minimum());
    requests_ = std::make_unique<LegalRequests>(*metadata_, *audit_, *outbox_, *ledger_, *ids_,
                                                clock_, random_);
    owner_ = MakeAccount("owner@x.io");
    security_ = Member(StaffRole::kSecurity);
  }

  StaffPrincipal Member(StaffRole role) {
    auto added = staff_->Add("Sam", role, origin_);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return StaffPrincipal{added->staff.id, added->staff.name, role};
  }

  LegalRequestForm Form() {
    LegalRequestForm f;
    f.account_id = owner_.account.id;
    f.authority = "Metropolitan Police";
    f.authority_type = "law_enforcement";
    f.legal_basis = "Production order, PACE 1984 Sch. 1";
    f.reference = "CASE-881";
    f.categories = "account metadata";
    return f;
  }

  LegalDecisionForm Comply() {
    LegalDecisionForm d;
    d.decision = "comply";
    d.disclosed = "account record and 3 usage events";
    return d;
  }

  // The mails delivered so far that name `needle`.
  int MailsNaming(const std::string& needle) {
    EXPECT_TRUE(jobs_->RunDue().ok());
    int n = 0;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(dir_.File("mail"), ec)) {
      std::ifstream in(f.path());
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find(needle) != std::string::npos) ++n;
    }
    return n;
  }

  std::vector<DisclosureRecord> CustomerLedger() {
    auto page = ledger_->List(*metadata_, owner_.account.customer_id, owner_.account.id, "", 100);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<DisclosureRecord>{};
  }

  std::unique_ptr<FileMailer> mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<DisclosureLedger> ledger_;
  std::unique_ptr<Staff> staff_;
  std::unique_ptr<LegalRequests> requests_;
  Principal owner_;
  StaffPrincipal security_;
};

TEST_F(LegalRequestsTest, WithoutAnOrderTheCustomerIsToldAndTheDisclosureIsInTheLedger_SHR4) {
  auto r = requests_->Record(security_, Form(), origin_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id.rfind("lrq_", 0), 0u);
  EXPECT_TRUE(r->notified_ms.has_value());
  EXPECT_EQ(MailsNaming(r->id), 1);
  EXPECT_EQ(MailsNaming("CASE-881"), 0) << "the case reference is staff only";

  auto decided = requests_->Decide(security_, r->id, Comply(), origin_);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->decision, "comply");
  EXPECT_EQ(MailsNaming(r->id), 2) << "the decision is mailed too";
  auto rows = CustomerLedger();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recipient, "Metropolitan Police");
  EXPECT_EQ(rows[0].recipient_kind, "authority");
  EXPECT_EQ(rows[0].legal_basis, "legal_obligation");
  EXPECT_EQ(rows[0].what, "account record and 3 usage events");
  EXPECT_EQ(rows[0].reference, r->id);
  EXPECT_EQ(requests_->Decide(security_, r->id, Comply(), origin_).status().reason(), "conflict");
}

TEST_F(LegalRequestsTest, AnOrderKeepsEverythingFromTheCustomerUntilItEndsThenOneNotice_SHR4) {
  // An end user the account holds: kept as a keyed reference only.
  ASSERT_TRUE(UsageLedger(*metadata_, clock_, random_)
                  .Record(owner_, "eu-7", origin_, "GET", "/", 200)
                  .ok());
  LegalRequestForm f = Form();
  f.end_user = "eu-7";
  f.nondisclosure_until_ms = clock_.NowMillis() + 90 * kDayMs;
  auto r = requests_->Record(security_, f, origin_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subject, ids_->Of("end_user", owner_.account.id, "eu-7"));
  EXPECT_FALSE(r->notified_ms.has_value());
  ASSERT_TRUE(requests_->Decide(security_, r->id, Comply(), origin_).ok());
  EXPECT_EQ(MailsNaming(r->id), 0);
  EXPECT_TRUE(CustomerLedger().empty()) << "withheld while the order runs";
  auto trail = metadata_->ListAuditEvents(owner_.account.id, 0, 1000);
  ASSERT_TRUE(trail.ok());
  for (const AuditEvent& e : *trail) EXPECT_EQ(e.action.find("legal_request"), std::string::npos);
  for (const AuditEvent& e : *trail) EXPECT_NE(e.action, "disclosure.record");

  // Extended before it ends; the sweep does nothing until then.
  clock_.Advance(80 * kDayMs);
  ASSERT_TRUE(
      requests_->SetNonDisclosure(security_, r->id, clock_.NowMillis() + 30 * kDayMs, origin_)
          .ok());
  EXPECT_EQ(requests_->SetNonDisclosure(security_, r->id, clock_.NowMillis() + kDayMs, origin_)
                .status()
                .reason(),
            "invalid-field")
      << "never shortened";
  clock_.Advance(20 * kDayMs);
  EXPECT_EQ(*requests_->SendDueNotices(10), 0);
  EXPECT_EQ(MailsNaming(r->id), 0);

  clock_.Advance(11 * kDayMs);
  EXPECT_EQ(*requests_->SendDueNotices(10), 1);
  EXPECT_EQ(*requests_->SendDueNotices(10), 0) << "once";
  EXPECT_EQ(MailsNaming(r->id), 1);
  EXPECT_EQ(MailsNaming("Decision: comply"), 1) << "one notice tells the decision too";
  auto rows = CustomerLedger();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].subject, r->subject);
  EXPECT_EQ(requests_->SetNonDisclosure(security_, r->id, clock_.NowMillis() + kDayMs, origin_)
                .status()
                .reason(),
            "already-notified");
}

TEST_F(LegalRequestsTest, RolesFieldsAndScopeAreChecked_SHR4) {
  StaffPrincipal support = Member(StaffRole::kSupport);
  StaffPrincipal admin = Member(StaffRole::kAdmin);
  StaffPrincipal legal = Member(StaffRole::kLegal);
  EXPECT_EQ(requests_->Record(support, Form(), origin_).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(requests_->Record(admin, Form(), origin_).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_TRUE(requests_->Record(legal, Form(), origin_).ok());
  LegalRequestForm f = Form();
  f.authority_type = "journalist";
  EXPECT_EQ(requests_->Record(security_, f, origin_).status().reason(), "invalid-field");
  f = Form();
  f.nondisclosure_until_ms = clock_.NowMillis() - 1;
  EXPECT_EQ(requests_->Record(security_, f, origin_).status().reason(), "invalid-field");
  f = Form();
  f.account_id = "acc_nothere";
  EXPECT_EQ(requests_->Record(security_, f, origin_).status().code(), Status::Code::kNotFound);
  f = Form();
  f.end_user = "never-seen";
  EXPECT_EQ(requests_->Record(security_, f, origin_).status().code(), Status::Code::kNotFound);

  auto r = requests_->Record(security_, Form(), origin_);
  ASSERT_TRUE(r.ok());
  LegalDecisionForm d;
  d.decision = "ignore";
  EXPECT_EQ(requests_->Decide(security_, r->id, d, origin_).status().reason(), "invalid-field");
  d.decision = "comply";
  EXPECT_EQ(requests_->Decide(security_, r->id, d, origin_).status().reason(), "invalid-field")
      << "comply needs what was disclosed";
  d.decision = "object";
  d.disclosed = "everything";
  EXPECT_EQ(requests_->Decide(security_, r->id, d, origin_).status().reason(), "invalid-field");
  d.disclosed.clear();
  d.note = "overbroad: no named end user";
  ASSERT_TRUE(requests_->Decide(security_, r->id, d, origin_).ok());
  EXPECT_TRUE(CustomerLedger().empty()) << "an objection discloses nothing";
  EXPECT_EQ(requests_->Decide(support, r->id, Comply(), origin_).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(requests_->Get(security_, "lrq_nothere", origin_).status().code(),
            Status::Code::kNotFound);
}

TEST_F(LegalRequestsTest, TheTransparencyReportCountsTheYearByTypeAndDecision_SHR4) {
  auto a = requests_->Record(security_, Form(), origin_);
  LegalRequestForm court = Form();
  court.authority_type = "court";
  auto b = requests_->Record(security_, court, origin_);
  auto c = requests_->Record(security_, court, origin_);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_TRUE(requests_->Decide(security_, a->id, Comply(), origin_).ok());
  LegalDecisionForm object;
  object.decision = "object";
  ASSERT_TRUE(requests_->Decide(security_, b->id, object, origin_).ok());
  TransparencyReport report(*metadata_);
  const int year = DateOf(clock_.NowMillis()).year;
  auto counts = report.ForYear(year);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->total, 3);
  EXPECT_EQ(counts->by_authority["law_enforcement"]["comply"], 1);
  EXPECT_EQ(counts->by_authority["court"]["object"], 1);
  EXPECT_EQ(counts->by_authority["court"]["pending"], 1);
  EXPECT_EQ(counts->by_authority["regulator"]["partial"], 0);
  EXPECT_EQ(report.ForYear(year - 1)->total, 0);
  EXPECT_EQ(report.ForYear(1999).status().reason(), "invalid-field");
}

}  // namespace
}  // namespace lethe
