#include "domain/processing_gate.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr ProcessingUse kUses[] = {ProcessingUse::kStream, ProcessingUse::kShareLink,
                                   ProcessingUse::kThirdPartyExport, ProcessingUse::kProcessing};

// The table of what each limit refuses, use by use (RGT-1, RGT-3).
TEST(ProcessingGateRulesTest, EachLimitRefusesItsUsesOnly) {
  struct Row {
    const char* kind;
    bool stream, link, export_, processing;
  };
  const Row rows[] = {{"restriction", true, true, true, true},
                      {"objection", false, false, true, true},
                      {"opt_out_of_sale_or_sharing", false, false, true, false},
                      {"limit_sensitive", false, false, false, true},
                      {"unknown-kind", true, true, true, true}};
  for (const Row& r : rows) {
    SCOPED_TRACE(r.kind);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kStream), r.stream);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kShareLink), r.link);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kThirdPartyExport), r.export_);
    EXPECT_EQ(LimitRefuses(r.kind, ProcessingUse::kProcessing), r.processing);
  }
  EXPECT_TRUE(IsLimitingRequestType("restriction"));
  EXPECT_FALSE(IsLimitingRequestType("access"));
}

class ProcessingGateTest : public DomainFixture {
 protected:
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
};

TEST_F(ProcessingGateTest, ARestrictedSubjectIsRefusedEveryUseOthersNone_RGT1) {
  ProcessingGate gate(*metadata_);
  Limit("acc_a", "eu-1", "restriction");
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
  ProcessingGate gate(*metadata_);
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

}  // namespace
}  // namespace lethe
