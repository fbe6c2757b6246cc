#include "domain/erasures.h"

#include <gtest/gtest.h>

#include "adapters/local/file_erasure_journal.h"
#include "common/time_format.h"
#include "domain/legal_holds.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

TEST(ErasuresTest, CoarsensAddressesAndVersions_USE7) {
  EXPECT_EQ(CoarsenIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(CoarsenIp("127.0.0.1"), "127.0.0.0");
  EXPECT_EQ(CoarsenIp("2001:db8:1:2:3:4:5:6"), "2001:db8:1::");
  EXPECT_EQ(CoarsenIp("2001:db8::5"), "2001:db8::");
  EXPECT_EQ(CoarsenIp("::1"), "::");
  EXPECT_EQ(CoarsenIp("not an address"), "");
  EXPECT_EQ(MajorVersion("120.0.6099.71"), "120");
  EXPECT_EQ(MajorVersion("17"), "17");
  EXPECT_EQ(MajorVersion(""), "");
}

// Erasures on real SQLite files and a real blob directory.
class ErasuresDomainTest : public DomainFixture {
 protected:
  std::string CustomerOf(const Principal& who) { return who.account.customer_id; }
  void SetUp() override {
    DomainFixture::SetUp();
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    journal_ = std::make_unique<FileErasureJournal>(dir_.File("erasure.journal"));
    erasures_ = std::make_unique<Erasures>(*metadata_, *media_, *ring_, *jobs_, *audit_, *ids_,
                                           *journal_, clock_, random_);
  }
  Result<MediaRecord> Ingest(const Principal& who, MediaFields fields = {}) {
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    png.resize(4096, 7);
    LETHE_ASSIGN_OR_RETURN(auto ingest, media_->BeginIngest(who, "image/png", origin_));
    LETHE_RETURN_IF_ERROR(ingest->Append(png));
    return ingest->Commit(fields);
  }
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<FileErasureJournal> journal_;
  std::unique_ptr<Erasures> erasures_;
};

// USE-5: the sweep erases expired media through the erasure path: record
// (and with it the data key) and blob gone, an audit event that names the
// media only by keyed hash, a receipt, a journal line.
TEST_F(ErasuresDomainTest, ExpiredMediaIsSweptWithAReceipt_USE5) {
  Principal who = MakeAccount("retention@example.com");
  MediaFields brief;
  brief.expiration_days = 1;
  auto gone = Ingest(who, brief);
  auto kept = Ingest(who);
  ASSERT_TRUE(gone.ok() && kept.ok());
  EXPECT_EQ(*erasures_->ExpireDue(100), 0);
  clock_.Advance(24 * 3600 * 1000LL);
  EXPECT_EQ(*erasures_->ExpireDue(100), 1);
  EXPECT_EQ(*blobs_->List(), std::vector<std::string>{kept->blob_id});
  EXPECT_EQ(metadata_->FindMedia(who.account.id, gone->id).status().code(),
            Status::Code::kNotFound);
  auto last = metadata_->LastAuditEvent();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->action, "media.expire");
  EXPECT_EQ((*last)->actor, "lethe:retention");
  std::string target = erasures_->TargetOf("media", who.account.id, gone->id);
  EXPECT_EQ((*last)->target, target);
  EXPECT_EQ(*erasures_->ExpireDue(100), 0);

  ErasureQuery q;
  q.account_id = who.account.id;
  auto list = erasures_->List(q);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].cause, "retention");
  EXPECT_EQ((*list)[0].scope, "media");
  EXPECT_EQ((*list)[0].target, target);
  EXPECT_EQ((*list)[0].media_erased, 1);
  EXPECT_TRUE((*list)[0].keys_destroyed_ms.has_value());
  clock_.Advance(Erasures::kPurgeDelay.count());
  EXPECT_EQ(*jobs_->RunDue(), 1);
  auto done = erasures_->Get(who.account.id, (*list)[0].id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, "done");
  EXPECT_TRUE(done->purged_ms.has_value());
  auto stored = metadata_->FindErasure("", done->id);
  EXPECT_TRUE(stored->subject.empty() && stored->blob_id.empty());
  auto journal = journal_->ReadAll();
  ASSERT_EQ(journal->size(), 1u);
  EXPECT_EQ((*journal)[0].target, target);
  EXPECT_EQ((*journal)[0].scope, "media");
}

// USE-5: an account's default retention applies to its media that chose
// none, the existing ones too, and follows changes; media with its own
// expiry keeps it.
TEST_F(ErasuresDomainTest, AccountRetentionCoversMediaWithoutItsOwn_USE5) {
  Principal who = MakeAccount("default@example.com");
  auto before = Ingest(who);
  MediaFields own;
  own.expiration_days = 365;
  auto keeps_own = Ingest(who, own);
  ASSERT_TRUE(before.ok() && keeps_own.ok());
  EXPECT_FALSE(before->expires_ms.has_value());
  Accounts::Patch patch;
  patch.retention_days = std::optional<int64_t>(30);
  ASSERT_TRUE(accounts_->Update(CustomerOf(who), who.account.id, patch, origin_).ok());
  auto after = Ingest(who);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->expiry_from_account);
  EXPECT_EQ(*after->expires_ms, after->created_ms + 30LL * 86'400'000);
  clock_.Advance(29 * 86'400'000LL);
  EXPECT_EQ(*erasures_->ExpireDue(100), 0);
  clock_.Advance(1 * 86'400'000LL);
  EXPECT_EQ(*erasures_->ExpireDue(100), 2);  // `before` and `after`
  EXPECT_TRUE(media_->Get(who.account.id, keeps_own->id).ok());
  // Removing the default frees media that had only the account's expiry.
  auto later = Ingest(who);
  patch.retention_days = std::optional<int64_t>();
  ASSERT_TRUE(accounts_->Update(CustomerOf(who), who.account.id, patch, origin_).ok());
  clock_.Advance(400 * 86'400'000LL);
  EXPECT_EQ(*erasures_->ExpireDue(100), 1);  // keeps_own only
  EXPECT_TRUE(media_->Get(who.account.id, later->id).ok());
  for (int64_t bad : {0, -1, 36501}) {
    patch.retention_days = std::optional<int64_t>(bad);
    EXPECT_EQ(accounts_->Update(CustomerOf(who), who.account.id, patch, origin_).status().reason(),
              "invalid-field");
  }
}

TEST_F(ErasuresDomainTest, ExpireOnIsADayInTheFuture_USE5) {
  Principal who = MakeAccount("date@example.com");
  MediaFields on;
  on.expire_on = "2026-12-31";  // the fixture's clock is 2026-11-18
  auto m = Ingest(who, on);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m->expires_ms, DaysFromCivil(*ParseDate("2026-12-31")) * 86'400'000LL);
  for (const char* bad : {"2020-01-01", "2026-02-30", "31/12/2026", "2200-01-01"}) {
    on.expire_on = bad;
    EXPECT_EQ(Ingest(who, on).status().reason(), "invalid-field") << bad;
  }
  on.expire_on = "2027-01-01";
  on.expiration_days = 3;
  EXPECT_EQ(Ingest(who, on).status().reason(), "invalid-field");
}

// USE-6: an expiry under a legal hold is recorded once as held, destroys
// nothing, and runs when the hold is released.
TEST_F(ErasuresDomainTest, AHeldExpiryWaitsForTheRelease_USE6) {
  LegalHolds holds(*metadata_, *audit_, *jobs_, *ids_, clock_, random_);
  Erasures gated(*metadata_, *media_, *ring_, *jobs_, *audit_, *ids_, *journal_, clock_, random_,
                 &holds);
  Principal who = MakeAccount("held@example.com");
  MediaFields brief;
  brief.expiration_days = 1;
  brief.end_user = "held-user";
  auto m = Ingest(who, brief);
  ASSERT_TRUE(m.ok());
  StaffPrincipal legal{"stf_legal", "Lee", StaffRole::kLegal};
  HoldForm form;
  form.scope = "end_user";
  form.account_id = who.account.id;
  form.end_user = "held-user";
  form.reason = "litigation";
  form.matter = "MAT-1";
  auto hold = holds.Place(legal, form, origin_);
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  clock_.Advance(2 * 86'400'000LL);
  EXPECT_EQ(*gated.ExpireDue(100), 0);
  EXPECT_EQ(*gated.ExpireDue(100), 0);  // a second sweep adds no second erasure
  ErasureQuery q;
  q.account_id = who.account.id;
  auto list = gated.List(q);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, "held");
  EXPECT_FALSE((*list)[0].keys_destroyed_ms.has_value());
  EXPECT_TRUE(metadata_->FindMedia(who.account.id, m->id).ok()) << "the record is kept";
  EXPECT_EQ(blobs_->List()->size(), 1u);

  ASSERT_TRUE(holds.Release(legal, hold->id, origin_).ok());
  for (int i = 0; i < 3; ++i) {  // the release hook, then the purge
    clock_.Advance(Erasures::kPurgeDelay.count());
    (void)jobs_->RunDue();
  }
  auto done = gated.Get(who.account.id, (*list)[0].id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, "done");
  EXPECT_EQ(done->media_erased, 1);
  EXPECT_EQ(metadata_->FindMedia(who.account.id, m->id).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(blobs_->List()->empty());
}

// Held media never crowd out the rest of the sweep: with a batch of one,
// two held expiries are recorded once each and the third media expires.
TEST_F(ErasuresDomainTest, HeldMediaDoNotStarveTheSweep_USE5_USE6) {
  LegalHolds holds(*metadata_, *audit_, *jobs_, *ids_, clock_, random_);
  Erasures gated(*metadata_, *media_, *ring_, *jobs_, *audit_, *ids_, *journal_, clock_, random_,
                 &holds);
  Principal who = MakeAccount("starve@example.com");
  MediaFields held;
  held.expiration_days = 1;
  held.end_user = "kept-user";
  ASSERT_TRUE(Ingest(who, held).ok());
  ASSERT_TRUE(Ingest(who, held).ok());
  MediaFields free = held;
  free.end_user = "free-user";
  free.expiration_days = 2;  // expires last, so a starved sweep never reaches it
  auto last = Ingest(who, free);
  ASSERT_TRUE(last.ok());
  StaffPrincipal legal{"stf_legal", "Lee", StaffRole::kLegal};
  HoldForm form;
  form.scope = "end_user";
  form.account_id = who.account.id;
  form.end_user = "kept-user";
  form.reason = "litigation";
  form.matter = "MAT-2";
  ASSERT_TRUE(holds.Place(legal, form, origin_).ok());
  clock_.Advance(3 * 86'400'000LL);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(gated.ExpireDue(1).ok());
  EXPECT_EQ(metadata_->FindMedia(who.account.id, last->id).status().code(),
            Status::Code::kNotFound);
  ErasureQuery q;
  q.account_id = who.account.id;
  auto list = gated.List(q);
  int held_count = 0;
  for (const ErasureRecord& e : *list) held_count += e.state == "held";
  EXPECT_EQ(held_count, 2);
  EXPECT_EQ(list->size(), 3u);
}

}  // namespace
}  // namespace lethe
