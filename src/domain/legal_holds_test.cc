// USE-6: legal holds are placed, listed and released by staff with the
// right role, on a scope that exists; the customer sees them without their
// reason, never a non-disclosure one; release (or the end date) runs the
// release hooks through a durable job; every staff action is audited.
#include "domain/legal_holds.h"

#include <gtest/gtest.h>

#include "crypto/secret_hash.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

std::vector<uint8_t> Mp4Bytes(size_t size) {
  std::vector<uint8_t> data(size, 7);
  const uint8_t head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  std::copy(std::begin(head), std::end(head), data.begin());
  return data;
}

class LegalHoldsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    ids_ = std::make_unique<KeyedIds>(master_);
    staff_ = std::make_unique<Staff>(*metadata_, *audit_, *ring_, clock_, random_,
                                     PasswordCost::Minimum());
    holds_ = std::make_unique<LegalHolds>(*metadata_, *audit_, *jobs_, *ids_, clock_, random_);
    holds_->OnRelease([this](const HoldRecord& h) {
      released_.push_back(h.id);
      return Status::Ok();
    });
    owner_ = MakeAccount("owner@x.io");
    legal_ = Member(StaffRole::kLegal);
  }

  StaffPrincipal Member(StaffRole role) {
    auto added = staff_->Add("Lee", role, origin_);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return StaffPrincipal{added->staff.id, added->staff.name, role};
  }

  MediaRecord Upload(const Principal& who, const std::string& end_user) {
    auto ingest = media_->BeginIngest(who, "video/mp4", origin_);
    EXPECT_TRUE(ingest.ok()) << ingest.status().ToString();
    auto data = Mp4Bytes(2000);
    EXPECT_TRUE((*ingest)->Append(data).ok());
    auto m = (*ingest)->Commit(MediaFields{end_user, "t", std::nullopt, std::nullopt});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  }

  HoldForm Form(const std::string& scope, const std::string& subject = "") {
    HoldForm f;
    f.scope = scope;
    f.account_id = owner_.account.id;
    if (scope == "end_user") f.end_user = subject;
    if (scope == "media") f.media_id = subject;
    f.reason = "litigation: Doe v. App";
    f.matter = "MAT-42";
    return f;
  }

  std::string CoveringId(const std::string& end_user, const std::string& media_id) {
    auto found = holds_->Covering(owner_.account.id, end_user, media_id, clock_.NowMillis());
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && *found ? (*found)->id : "";
  }

  std::vector<AuditEvent> Audit(const std::string& account_id = "") {
    auto events = metadata_->ListAuditEvents(account_id, 0, 1000);
    EXPECT_TRUE(events.ok());
    return *events;
  }

  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<KeyedIds> ids_;
  std::unique_ptr<Staff> staff_;
  std::unique_ptr<LegalHolds> holds_;
  Principal owner_;
  StaffPrincipal legal_;
  std::vector<std::string> released_;
};

TEST_F(LegalHoldsTest, AnEndUserHoldKeepsNoReferenceCoversAndIsReleased_USE6) {
  Upload(owner_, "user-7");
  auto hold = holds_->Place(legal_, Form("end_user", "user-7"), origin_);
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  EXPECT_EQ(hold->subject, ids_->Of("end_user", owner_.account.id, "user-7"));
  EXPECT_EQ(metadata_->FindHold(hold->id)->subject.find("user-7"), std::string::npos);
  EXPECT_EQ(CoveringId("user-7", ""), hold->id);
  EXPECT_EQ(CoveringId("user-8", ""), "");
  EXPECT_EQ(CoveringId("", ""), "");
  EXPECT_EQ(holds_->StateOf(*hold), "active");
  auto seen = holds_->ListForCustomer(owner_.account.customer_id, owner_.account.id);
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);

  auto released = holds_->Release(legal_, hold->id, origin_);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(released->released_by, legal_.id);
  EXPECT_EQ(CoveringId("user-7", ""), "");
  EXPECT_TRUE(released_.empty()) << "hooks run from the durable job";
  ASSERT_TRUE(jobs_->RunDue().ok());
  EXPECT_EQ(released_, std::vector<std::string>{hold->id});
  // Releasing again changes nothing and queues nothing.
  auto again = holds_->Release(legal_, hold->id, origin_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->released_ms, released->released_ms);
  ASSERT_TRUE(jobs_->RunDue().ok());
  EXPECT_EQ(released_.size(), 1u);

  std::vector<std::string> actions;
  for (const AuditEvent& e : Audit(owner_.account.id)) {
    if (e.actor == legal_.id) actions.push_back(e.action + " " + e.target);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"legal_hold.place " + hold->id,
                                               "legal_hold.release " + hold->id}));
  EXPECT_TRUE(audit_->Verify()->intact);
}

TEST_F(LegalHoldsTest, AccountAndMediaHoldsCoverTheirScope_USE6) {
  MediaRecord m = Upload(owner_, "user-1");
  MediaRecord other = Upload(owner_, "user-1");
  auto on_media = holds_->Place(legal_, Form("media", m.id), origin_);
  ASSERT_TRUE(on_media.ok()) << on_media.status().ToString();
  EXPECT_EQ(CoveringId("", m.id), on_media->id);
  EXPECT_EQ(CoveringId("user-1", other.id), "");
  auto on_account = holds_->Place(legal_, Form("account"), origin_);
  ASSERT_TRUE(on_account.ok());
  EXPECT_EQ(CoveringId("user-1", other.id), on_account->id);
  EXPECT_EQ(CoveringId("", ""), on_account->id);
  Principal stranger = MakeAccount("stranger@x.io");
  auto theirs = holds_->Covering(stranger.account.id, "user-1", m.id, clock_.NowMillis());
  ASSERT_TRUE(theirs.ok());
  EXPECT_FALSE(theirs->has_value()) << "a hold stays in its account";
  // Inside a transaction, for an erasure to check and record atomically.
  ASSERT_TRUE(metadata_
                  ->Transact([&](MetadataTx& tx) -> Status {
                    auto found =
                        holds_->CoveringTx(tx, owner_.account.id, "", m.id, clock_.NowMillis());
                    if (!found.ok()) return found.status();
                    EXPECT_TRUE(found->has_value());
                    return Status::Ok();
                  })
                  .ok());
}

TEST_F(LegalHoldsTest, NonDisclosureHoldsAreHiddenFromTheCustomerAndItsAuditTrail_USE6) {
  HoldForm secret = Form("account");
  secret.non_disclosure = true;
  auto hidden = holds_->Place(legal_, secret, origin_);
  ASSERT_TRUE(hidden.ok());
  auto seen = holds_->ListForCustomer(owner_.account.customer_id, owner_.account.id);
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen->empty());
  auto trail = accounts_->AuditTrail(owner_.account.customer_id, owner_.account.id, 0, 1000);
  ASSERT_TRUE(trail.ok());
  for (const AuditEvent& e : *trail) {
    EXPECT_NE(e.target, hidden->id) << e.action;
  }
  EXPECT_EQ(Audit().back().target, hidden->id) << "still in the chain";
  EXPECT_EQ(CoveringId("", ""), hidden->id) << "and still in force";
  auto staff_view = holds_->ListForStaff(legal_, owner_.account.id, origin_);
  ASSERT_TRUE(staff_view.ok());
  EXPECT_EQ(staff_view->size(), 1u);
  EXPECT_EQ(Audit().back().action, "legal_hold.list");
  Principal stranger = MakeAccount("stranger@x.io");
  EXPECT_EQ(
      holds_->ListForCustomer(stranger.account.customer_id, owner_.account.id).status().code(),
      Status::Code::kNotFound);
}

TEST_F(LegalHoldsTest, OnlyLegalAndAdminMayActAndUnknownScopesAreNotFound_USE6) {
  MediaRecord m = Upload(owner_, "user-1");
  StaffPrincipal support = Member(StaffRole::kSupport);
  StaffPrincipal security = Member(StaffRole::kSecurity);
  StaffPrincipal admin = Member(StaffRole::kAdmin);
  for (const StaffPrincipal& who : {support, security}) {
    EXPECT_EQ(holds_->Place(who, Form("account"), origin_).status().code(),
              Status::Code::kPermissionDenied);
    EXPECT_EQ(holds_->ListForStaff(who, owner_.account.id, origin_).status().code(),
              Status::Code::kPermissionDenied);
  }
  auto placed = holds_->Place(admin, Form("account"), origin_);
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(holds_->Release(support, placed->id, origin_).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_EQ(holds_->Release(legal_, "hld_nope", origin_).status().code(), Status::Code::kNotFound);

  HoldForm unknown_account = Form("account");
  unknown_account.account_id = "acc_nope";
  EXPECT_EQ(holds_->Place(legal_, unknown_account, origin_).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(holds_->Place(legal_, Form("media", "med_nope"), origin_).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(holds_->Place(legal_, Form("end_user", "never-seen"), origin_).status().code(),
            Status::Code::kNotFound);
  Principal stranger = MakeAccount("stranger@x.io");
  MediaRecord theirs = Upload(stranger, "user-1");
  EXPECT_EQ(holds_->Place(legal_, Form("media", theirs.id), origin_).status().code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(holds_->Place(legal_, Form("media", m.id), origin_).ok());
}

TEST_F(LegalHoldsTest, BadFieldsAreInvalid_USE6) {
  Upload(owner_, "user-1");
  std::vector<HoldForm> bad;
  bad.push_back(Form("galaxy"));
  bad.push_back(Form("end_user"));  // no end user
  bad.push_back(Form("media"));     // no media
  HoldForm extra = Form("account");
  extra.end_user = "user-1";
  bad.push_back(extra);
  HoldForm no_reason = Form("account");
  no_reason.reason.clear();
  bad.push_back(no_reason);
  HoldForm no_matter = Form("account");
  no_matter.matter.clear();
  bad.push_back(no_matter);
  HoldForm past = Form("account");
  past.ends_ms = clock_.NowMillis();
  bad.push_back(past);
  HoldForm long_ref = Form("end_user", std::string(257, 'u'));
  bad.push_back(long_ref);
  for (const HoldForm& f : bad) {
    Status st = holds_->Place(legal_, f, origin_).status();
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << f.scope << " " << st.ToString();
    EXPECT_EQ(st.reason(), "invalid-field");
  }
  EXPECT_TRUE(metadata_->ListHolds(owner_.account.id)->empty());
}

TEST_F(LegalHoldsTest, AHoldEndsOnItsDateAndTheSweepRunsTheHooks_USE6) {
  HoldForm form = Form("account");
  form.ends_ms = clock_.NowMillis() + 60'000;
  auto hold = holds_->Place(legal_, form, origin_);
  ASSERT_TRUE(hold.ok());
  EXPECT_EQ(*holds_->SweepLapsed(10), 0);
  EXPECT_EQ(CoveringId("", ""), hold->id);
  clock_.Advance(60'000);
  EXPECT_EQ(CoveringId("", ""), "") << "ended, before any sweep";
  EXPECT_EQ(holds_->StateOf(*metadata_->FindHold(hold->id)), "ended");
  EXPECT_EQ(*holds_->SweepLapsed(10), 1);
  EXPECT_EQ(*holds_->SweepLapsed(10), 0);
  auto swept = metadata_->FindHold(hold->id);
  EXPECT_EQ(swept->released_by, LegalHolds::kSweepActor);
  EXPECT_EQ(holds_->StateOf(*swept), "released");
  EXPECT_EQ(Audit().back().action, "legal_hold.lapse");
  ASSERT_TRUE(jobs_->RunDue().ok());
  EXPECT_EQ(released_, std::vector<std::string>{hold->id});
}

TEST_F(LegalHoldsTest, AFailingHookIsRetriedUntilItSucceeds_USE6) {
  int calls = 0;
  holds_->OnRelease([&](const HoldRecord&) {
    return ++calls == 1 ? Status::Unavailable("erasure side busy") : Status::Ok();
  });
  auto hold = holds_->Place(legal_, Form("account"), origin_);
  ASSERT_TRUE(hold.ok());
  ASSERT_TRUE(holds_->Release(legal_, hold->id, origin_).ok());
  ASSERT_TRUE(jobs_->RunDue().ok());
  EXPECT_EQ(calls, 1);
  clock_.Advance(jobs_->Backoff(1).count());
  ASSERT_TRUE(jobs_->RunDue().ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(released_.size(), 2u) << "every hook runs again on a retry";
}

}  // namespace
}  // namespace lethe
