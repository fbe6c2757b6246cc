// DisclosureLedger on real SQLite files: rows are recorded and audited in
// the caller's transaction (and vanish with it when it rolls back), name an
// end user only by keyed reference, and are read only by the account's
// customer, page by page.
#include "domain/disclosure_ledger.h"

#include <gtest/gtest.h>

#include <set>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class DisclosureLedgerTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    ledger_ = std::make_unique<DisclosureLedger>(*audit_, *ids_, clock_, random_);
  }
  Disclosure Sample(const std::string& account_id) {
    return Disclosure{account_id,          "Transcriber Ltd",  "subprocessor",
                      "transcription",     "consent",          "content",
                      "alice@example.com", "med_1 (10 bytes)", "job_1"};
  }
  std::unique_ptr<DisclosureLedger> ledger_;
};

TEST_F(DisclosureLedgerTest, RecordsInTheCallersTransactionWithAKeyedSubject_SHR3) {
  Principal who = MakeAccount("a@x.io");
  DisclosureRecord row;
  ASSERT_TRUE(metadata_
                  ->Transact([&](MetadataTx& tx) -> Status {
                    LETHE_ASSIGN_OR_RETURN(row, ledger_->Record(tx, Sample(who.account.id),
                                                                Actor::System("system"), origin_));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(row.id.rfind("dsc_", 0), 0u);
  EXPECT_EQ(row.customer_id, who.account.customer_id);
  EXPECT_EQ(row.subject, ids_->Of("end_user", who.account.id, "alice@example.com"));
  EXPECT_EQ(row.subject.find("alice"), std::string::npos);
  EXPECT_EQ(row.at_ms, clock_.NowMillis());
  auto last = metadata_->LastAuditEvent();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->action, "disclosure.record");
  EXPECT_EQ((*last)->target, row.id);

  // A transfer whose transaction fails leaves no row.
  Status failed = metadata_->Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(
        StatusOf(ledger_->Record(tx, Sample(who.account.id), Actor::System("system"), origin_)));
    return Status::Unavailable("the transfer itself failed");
  });
  EXPECT_FALSE(failed.ok());
  auto page = ledger_->List(*metadata_, who.account.customer_id, who.account.id, "", 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, row.id);
}

TEST_F(DisclosureLedgerTest, RefusesIncompleteRowsAndOtherCustomersAccounts) {
  Principal who = MakeAccount("a@x.io");
  Principal other = MakeAccount("b@x.io");
  auto record = [&](Disclosure d) {
    return metadata_->Transact([&](MetadataTx& tx) -> Status {
      return StatusOf(ledger_->Record(tx, d, Actor::System("system"), origin_));
    });
  };
  Disclosure d = Sample(who.account.id);
  d.recipient_kind = "friend";
  EXPECT_EQ(record(d).reason(), "invalid-field");
  d = Sample(who.account.id);
  d.legal_basis = "because";
  EXPECT_EQ(record(d).reason(), "invalid-field");
  d = Sample(who.account.id);
  d.what = "";
  EXPECT_EQ(record(d).reason(), "invalid-field");
  EXPECT_EQ(record(Sample("acc_nope")).code(), Status::Code::kNotFound);
  ASSERT_TRUE(record(Sample(other.account.id)).ok());
  // Another customer's account is absent to this one.
  EXPECT_EQ(
      ledger_->List(*metadata_, who.account.customer_id, other.account.id, "", 10).status().code(),
      Status::Code::kNotFound);
  EXPECT_TRUE(
      ledger_->List(*metadata_, who.account.customer_id, who.account.id, "", 10)->items.empty());
  EXPECT_EQ(
      ledger_->List(*metadata_, who.account.customer_id, who.account.id, "x", 10).status().reason(),
      "invalid-field");
  EXPECT_EQ(
      ledger_->List(*metadata_, who.account.customer_id, who.account.id, "", 0).status().reason(),
      "invalid-field");
}

TEST_F(DisclosureLedgerTest, PagesInTimeOrder) {
  Principal who = MakeAccount("a@x.io");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(metadata_
                    ->Transact([&](MetadataTx& tx) -> Status {
                      return StatusOf(ledger_->Record(tx, Sample(who.account.id),
                                                      Actor::System("system"), origin_));
                    })
                    .ok());
    clock_.Advance(i % 2);  // some rows share a millisecond
  }
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = ledger_->List(*metadata_, who.account.customer_id, who.account.id, cursor, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& r : page->items) seen.push_back(r.id);
    cursor = page->next;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5u);
}

}  // namespace
}  // namespace lethe
