#include "domain/processing_gate.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr ProcessingUse kUses[] = {ProcessingUse::kStream, ProcessingUse::kShareLink,
                                   ProcessingUse::kThirdPartyExport, ProcessingUse::kProcessing,
                                   ProcessingUse::kControllerDelivery};

// The table of what each limit refuses, use by use (RGT-1, RGT-3).
TEST(ProcessingGateRulesTest, EachLimitRefusesItsUsesOnly) {
  struct Row {
    const char* kind;
    bool stream, link, export_, processing, controller;
  };
  // Delivery to the customer's own endpoint is refused by a restriction
  // only: it is no disclosure to a third party.
  const Row rows[] = {{"restriction", true, true, true, true, true},
                      {"objection", false, false, true, true, false},
                      {"opt_out_of_sale_or_sharing", false, false, true, false, false},
                      {"limit_sensitive", false, false, false, true, false},
                      {"unknown-kind", true, true, true, true, true}};
  for (const Row& r : rows) {
    SCOPED_TRACE(r.kind);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kStream), r.stream);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kShareLink), r.link);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kThirdPartyExport), r.export_);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kProcessing), r.processing);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kControllerDelivery), r.controller);
  }
  EXPECT_TRUE(IsLimitingRequestType("restriction"));
  EXPECT_FALSE(IsLimitingRequestType("access"));
}

class ProcessingGateTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    consents_ = std::make_unique<ConsentLedger>(*metadata_, *audit_, *ids_, clock_, random_);
    gate_ = std::make_unique<ProcessingGate>(*metadata_, *consents_);
  }
  void Limit(const std::string& account, const std::string& subject, const std::string& kind) {
    static int n = 0;
    std::string id = "plm_" + std::to_string(++n);
    ASSERT_TRUE(
        metadata_
            ->Transact([&](MetadataTx& tx) {
              return tx.InsertProcessingLimit({id, account, subject, kind, "prq_" + id, 1, ""});
            })
            .ok());
  }
  // A ledger entry for end user `subject` of `account`, written straight
  // to the store (these accounts exist only in the gate's eyes).
  void Consent(const std::string& account, const std::string& subject, const std::string& purpose,
               const std::string& decision = "opt_in", int64_t version = 0) {
    static int n = 0;
    ConsentRecord c{0,
                    "cns_" + std::to_string(++n),
                    "cus_x",
                    account,
                    consents_->EndUser(account, subject).subject,
                    purpose,
                    decision,
                    "api",
                    clock_.NowMillis(),
                    version,
                    "req_t"};
    ASSERT_TRUE(metadata_->Transact([&](MetadataTx& tx) { return tx.AppendConsent(c); }).ok());
  }
  void OptInToEverything(const std::string& account, const std::string& subject) {
    Consent(account, subject, "analytics");
    Consent(account, subject, "third_party_sharing");
  }

  std::unique_ptr<ConsentLedger> consents_;
  std::unique_ptr<ProcessingGate> gate_;
};

TEST_F(ProcessingGateTest, ARestrictedSubjectIsRefusedEveryUseOthersNone_RGT1) {
  ProcessingGate& gate = *gate_;
  Limit("acc_a", "eu-1", "restriction");
  // Consent does not lift a restriction; the others have given theirs.
  OptInToEverything("acc_a", "eu-1");
  OptInToEverything("acc_a", "eu-2");
  OptInToEverything("acc_b", "eu-1");
  for (ProcessingUse use : kUses) {
    Status st = gate.Admit("acc_a", "eu-1", use);
    EXPECT_EQ(st.code(), Status::Code::kPermissionDenied) << ProcessingUseName(use);
    EXPECT_EQ(st.reason(), "processing-restricted");
    // Another end user, the same reference in another account, and media
    // without an end user pass.
    EXPECT_TRUE(gate.Admit("acc_a", "eu-2", use).ok());
    EXPECT_TRUE(gate.Admit("acc_b", "eu-1", use).ok());
    EXPECT_TRUE(gate.Admit("acc_a", "", use).ok());
  }
}

TEST_F(ProcessingGateTest, LimitsAddUpAndLiftingOneLeavesTheOther_RGT3) {
  ProcessingGate& gate = *gate_;
  OptInToEverything("acc_a", "eu-1");
  Limit("acc_a", "eu-1", "opt_out_of_sale_or_sharing");
  Limit("acc_a", "eu-1", "limit_sensitive");
  EXPECT_TRUE(gate.Admit("acc_a", "eu-1", ProcessingUse::kStream).ok());
  EXPECT_FALSE(gate.Admit("acc_a", "eu-1", ProcessingUse::kThirdPartyExport).ok());
  EXPECT_FALSE(gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing).ok());
  auto limits = metadata_->ListProcessingLimits("acc_a", "eu-1");
  ASSERT_TRUE(limits.ok());
  ASSERT_EQ(limits->size(), 2u);
  std::string sensitive =
      (*limits)[0].kind == "limit_sensitive" ? (*limits)[0].id : (*limits)[1].id;
  ASSERT_TRUE(
      metadata_->Transact([&](MetadataTx& tx) { return tx.DeleteProcessingLimit(sensitive); })
          .ok());
  EXPECT_TRUE(gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing).ok());
  EXPECT_FALSE(gate.Admit("acc_a", "eu-1", ProcessingUse::kThirdPartyExport).ok());
}

TEST_F(ProcessingGateTest, OptionalUsesNeedAnOptInForTheirPurpose_USE3) {
  ProcessingGate& gate = *gate_;
  // Off unless consented: nothing in the ledger.
  Status st = gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing, "transcription");
  EXPECT_EQ(st.code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(st.reason(), "consent-required");
  EXPECT_EQ(gate.Admit("acc_a", "eu-1", ProcessingUse::kThirdPartyExport).reason(),
            "consent-required");
  EXPECT_TRUE(gate.Admit("acc_a", "eu-1", ProcessingUse::kStream).ok());
  EXPECT_TRUE(gate.Admit("acc_a", "eu-1", ProcessingUse::kShareLink).ok());
  // An opt-in is for its purpose only.
  Consent("acc_a", "eu-1", "analytics");
  EXPECT_TRUE(gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing).ok());
  EXPECT_FALSE(gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing, "transcription").ok());
  EXPECT_FALSE(gate.Admit("acc_a", "eu-1", ProcessingUse::kThirdPartyExport).ok());
  Consent("acc_a", "eu-1", "transcription");
  EXPECT_TRUE(gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing, "transcription").ok());
  // The latest entry wins: an opt-out withdraws it.
  Consent("acc_a", "eu-1", "transcription", "opt_out");
  EXPECT_FALSE(gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing, "transcription").ok());
  EXPECT_EQ(gate.Admit("acc_a", "eu-1", ProcessingUse::kProcessing, "astrology").reason(),
            "unknown-purpose");
}

TEST_F(ProcessingGateTest, AMaterialPolicyVersionSuspendsOlderOptIns_SEC6) {
  const int64_t day = 86'400'000;
  ASSERT_TRUE(metadata_
                  ->Transact([&](MetadataTx& tx) {
                    LETHE_RETURN_IF_ERROR(tx.InsertPolicyVersion({1, "v1", 0, false, 0}));
                    // Material, in force from tomorrow.
                    return tx.InsertPolicyVersion(
                        {2, "v2", clock_.NowMillis() + day, true, clock_.NowMillis()});
                  })
                  .ok());
  Consent("acc_a", "eu-1", "analytics", "opt_in", 1);
  EXPECT_TRUE(gate_->Admit("acc_a", "eu-1", ProcessingUse::kProcessing).ok());
  clock_.Advance(day);
  EXPECT_EQ(gate_->Admit("acc_a", "eu-1", ProcessingUse::kProcessing).reason(), "consent-required");
  Consent("acc_a", "eu-1", "analytics", "opt_in", 2);  // renewed under v2
  EXPECT_TRUE(gate_->Admit("acc_a", "eu-1", ProcessingUse::kProcessing).ok());
}

}  // namespace
}  // namespace lethe
