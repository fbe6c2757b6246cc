// MediaArtifacts on a real metadata store (SQLite, and PostgreSQL in the
// ".../Postgres" instances) and a real blob directory: the account's processing
// settings under concurrent changes.
// Making artifacts (the worker processes) is covered end to end
// (tests/e2e/media_artifacts_test.cc, web_rendition_test.cc).
#include "domain/media_artifacts.h"

#include <gtest/gtest.h>

#include <future>
#include <latch>
#include <string>
#include <vector>

#include "adapters/local/process_media_worker.h"
#include "domain/consent_ledger.h"
#include "domain/processing_gate.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

using SettingsPatch = MediaArtifacts::SettingsPatch;

class MediaArtifactsTest : public DomainFixture, public ::testing::WithParamInterface<bool> {
 protected:
  MediaArtifactsTest() { metadata_on_postgres_ = GetParam(); }

  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    who_ = MakeAccount("artifacts@example.com");
    consents_ = std::make_unique<ConsentLedger>(*metadata_, *audit_, *ids_, clock_, random_);
    gate_ = std::make_unique<ProcessingGate>(*metadata_, *consents_);
    artifacts_ = std::make_unique<MediaArtifacts>(*metadata_, *media_, *blobs_, *ring_, *gate_,
                                                  worker_, clock_);
  }

  Principal who_;
  ProcessMediaWorker worker_{""};  // never started: these tests make no artifact
  std::unique_ptr<ConsentLedger> consents_;
  std::unique_ptr<ProcessingGate> gate_;
  std::unique_ptr<MediaArtifacts> artifacts_;
};

TEST_P(MediaArtifactsTest, ASettingsPatchChangesOnlyTheFieldsItHolds) {
  auto s = artifacts_->UpdateSettings(who_.account.id, SettingsPatch{true, std::nullopt});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->transcription);
  EXPECT_FALSE(s->web_rendition);
  s = artifacts_->UpdateSettings(who_.account.id, SettingsPatch{std::nullopt, true});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->transcription);
  EXPECT_TRUE(s->web_rendition);
  s = artifacts_->UpdateSettings(who_.account.id, SettingsPatch{false, std::nullopt});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto read = artifacts_->Settings(who_.account.id);
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->transcription);
  EXPECT_TRUE(read->web_rendition);
}

// Two clients changing different settings at the same moment (PUT
// /v1/media-processing): each change is read and written in one
// transaction, so neither is lost. Each round sets both fields to the
// opposite of the last round, from two threads released together; a
// change read from a stale copy would leave one field behind.
TEST_P(MediaArtifactsTest, ConcurrentPatchesOfDifferentSettingsBothStick) {
  constexpr int kRounds = 500;
  int lost = 0;
  for (int round = 0; round < kRounds; ++round) {
    const bool on = round % 2 == 0;
    std::latch start(2);
    auto patch = [&](SettingsPatch p) {
      start.arrive_and_wait();
      return artifacts_->UpdateSettings(who_.account.id, p).status();
    };
    auto transcription = std::async(std::launch::async, patch, SettingsPatch{on, std::nullopt});
    auto web = std::async(std::launch::async, patch, SettingsPatch{std::nullopt, on});
    Status a = transcription.get();
    Status b = web.get();
    ASSERT_TRUE(a.ok()) << a.ToString();
    ASSERT_TRUE(b.ok()) << b.ToString();
    auto s = artifacts_->Settings(who_.account.id);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    if (s->transcription != on || s->web_rendition != on) ++lost;
  }
  EXPECT_EQ(lost, 0) << "changes lost in " << lost << " of " << kRounds << " rounds";
}

INSTANTIATE_TEST_SUITE_P(Stores, MediaArtifactsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Postgres" : "Sqlite";
                         });

}  // namespace
}  // namespace lethe
