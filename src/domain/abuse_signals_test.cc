// ADM-1, ACC-11: each signal scores from recorded inputs against the
// account's own norm or a configured limit, on an injected clock; new
// accounts are not scored for their first uploads; a content check flags
// known-bad media inside the upload's own transaction.
#include "domain/abuse_signals.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/abuse_fixture.h"

namespace lethe {
namespace {

using AbuseSignalsTest = AbuseFixture;

TEST(AbuseScoreTest, ScoresFromTheTriggerUpToTheCap_ADM1) {
  EXPECT_EQ(SignalScore(19, 20, 100), 0);
  EXPECT_EQ(SignalScore(20, 20, 100), 50);
  EXPECT_EQ(SignalScore(30, 20, 100), 75);
  EXPECT_EQ(SignalScore(40, 20, 100), 100);
  EXPECT_EQ(SignalScore(4000, 20, 100), 100);
  EXPECT_EQ(SignalScore(5, 0, 100), 0) << "no trigger, no score";
}

TEST_F(AbuseSignalsTest, NewAccountsFirstUploadsNeverScore_ADM1) {
  // No history at all: the norm is the floor (20 an hour here).
  Events(owner_.account.id, 19, clock_.NowMillis() - kHour / 2, clock_.NowMillis());
  auto measured = signals_->Measure(owner_.account.id, 0);
  ASSERT_TRUE(measured.ok()) << measured.status().ToString();
  EXPECT_TRUE(measured->empty());
  EXPECT_TRUE(metadata_->ListAbuseSignals(owner_.account.id, 0)->empty());
}

TEST_F(AbuseSignalsTest, UploadRateFarAboveTheAccountsOwnNormScoresWithItsInputs_ADM1) {
  const int64_t now = clock_.NowMillis();
  // A week of 3 uploads an hour: the norm is 10 x 3 = 30 an hour.
  Events(owner_.account.id, 3 * 168, now - 169 * kHour, now - kHour);
  Events(owner_.account.id, 29, now - kHour / 2, now);
  ASSERT_TRUE(signals_->Measure(owner_.account.id, 0)->empty()) << "under 10x its norm";

  // Failed and other requests are not uploads.
  Events(owner_.account.id, 50, now - kHour / 2, now, kUploadRoute, 413);
  Events(owner_.account.id, 50, now - kHour / 2, now, "/v1/media/{id}", 200);
  ASSERT_TRUE(signals_->Measure(owner_.account.id, 0)->empty());

  Events(owner_.account.id, 31, now - kHour / 2, now);  // 60 in the hour: 2x the trigger
  auto measured = signals_->Measure(owner_.account.id, 0);
  ASSERT_TRUE(measured.ok()) << measured.status().ToString();
  ASSERT_EQ(measured->size(), 1u);
  const AbuseSignalRecord& s = (*measured)[0];
  EXPECT_EQ(s.kind, "upload_rate");
  EXPECT_EQ(s.observed, 60);
  EXPECT_EQ(s.baseline_milli, 3000);
  EXPECT_EQ(s.trigger, 30);
  EXPECT_EQ(s.score, 100);
  EXPECT_EQ(s.observed_ms, now);
  EXPECT_NE(DescribeSignal(s).find("usual rate is 3 an hour"), std::string::npos)
      << DescribeSignal(s);
  auto stored = metadata_->ListAbuseSignals(owner_.account.id, 0);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].id, s.id);
  auto actions = AuditActions(owner_.account.id);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "abuse.signal"), 1);

  // Measured again a minute later: the same finding is not recorded twice.
  clock_.Advance(60'000);
  EXPECT_TRUE(signals_->Measure(owner_.account.id, 0)->empty());
  // An hour on, the spike has left the window.
  clock_.Advance(kHour);
  EXPECT_TRUE(signals_->Measure(owner_.account.id, 0)->empty());
}

TEST_F(AbuseSignalsTest, ActivityBeforeTheResetTimeIsNotCountedAgain_ADM1) {
  const int64_t now = clock_.NowMillis();
  Events(owner_.account.id, 100, now - kHour / 2, now - kHour / 4);
  EXPECT_TRUE(signals_->Measure(owner_.account.id, now - kHour / 8)->empty());
  EXPECT_EQ(signals_->Measure(owner_.account.id, 0)->size(), 1u);
}

TEST_F(AbuseSignalsTest, BurstsOfWrongKeySecretsScoreWithinTheirWindow_ACC11) {
  rules_.auth_failures = 10;
  Rebuild();
  for (int i = 0; i < 9; ++i) signals_->NoteFailedKey(owner_.account.id);
  EXPECT_TRUE(signals_->Measure(owner_.account.id, 0)->empty());
  signals_->NoteFailedKey(owner_.account.id);
  auto measured = signals_->Measure(owner_.account.id, 0);
  ASSERT_EQ(measured->size(), 1u);
  EXPECT_EQ((*measured)[0].kind, "auth_failures");
  EXPECT_EQ((*measured)[0].observed, 10);
  EXPECT_EQ((*measured)[0].score, 50);
  EXPECT_EQ((*measured)[0].window_ms, 10 * 60'000);
  auto candidates = signals_->Candidates();
  ASSERT_TRUE(candidates.ok());
  EXPECT_EQ(*candidates, std::vector<std::string>{owner_.account.id});
  // Past the window the failures are forgotten.
  clock_.Advance(11 * 60'000);
  EXPECT_TRUE(signals_->Measure(owner_.account.id, 0)->empty());
  EXPECT_TRUE(signals_->Candidates()->empty());
}

TEST_F(AbuseSignalsTest, ManyEndUsersFromOneAddressScore_ADM1) {
  const int64_t now = clock_.NowMillis();
  Events(owner_.account.id, 49, now - kHour / 2, now, "/v1/media/{id}", 200, "203.0.113.7", "eu_");
  EXPECT_TRUE(signals_->Measure(owner_.account.id, 0)->empty());
  Events(owner_.account.id, 60, now - kHour / 2, now, "/v1/media/{id}", 200, "203.0.113.8", "fu_");
  auto measured = signals_->Measure(owner_.account.id, 0);
  ASSERT_EQ(measured->size(), 1u);
  EXPECT_EQ((*measured)[0].kind, "end_users_per_ip");
  EXPECT_EQ((*measured)[0].observed, 60);
  EXPECT_EQ((*measured)[0].trigger, 50);
  EXPECT_EQ((*measured)[0].score, 60);
  EXPECT_EQ((*measured)[0].detail, "203.0.113.8");
}

TEST_F(AbuseSignalsTest, KnownBadHashesFlagMediaInTheUploadTransaction_ADM1) {
  const std::string bytes(3000, 'x');
  std::vector<uint8_t> data(bytes.begin(), bytes.end());
  const uint8_t head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  std::copy(std::begin(head), std::end(head), data.begin());
  // The digest of these bytes, learned from a first (clean) upload.
  auto upload = [&]() {
    auto ingest = media_->BeginIngest(owner_, "video/mp4", origin_);
    EXPECT_TRUE(ingest.ok()) << ingest.status().ToString();
    EXPECT_TRUE((*ingest)->Append(data).ok());
    auto m = (*ingest)->Commit(MediaFields{});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  };
  media_->SetEvents(signals_.get());
  MediaRecord clean = upload();
  EXPECT_TRUE(metadata_->ListAbuseSignals(owner_.account.id, 0)->empty()) << "no check yet";

  const std::string list = dir_.File("bad.txt");
  std::ofstream(list) << "# known-bad\n\n" << clean.sha256 << "\n";
  auto checks = KnownBadHashes::Load(list);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  EXPECT_EQ((*checks)->size(), 1u);
  std::vector<std::string> woken;
  signals_->AddCheck(checks->get());
  signals_->OnFlagged([&](const std::string& account) { woken.push_back(account); });
  MediaRecord bad = upload();
  auto stored = metadata_->ListAbuseSignals(owner_.account.id, 0);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].kind, "content_flag");
  EXPECT_EQ((*stored)[0].score, 100);
  EXPECT_NE((*stored)[0].detail.find(bad.id), std::string::npos);
  EXPECT_EQ(woken, std::vector<std::string>{owner_.account.id});
  EXPECT_EQ(*signals_->Candidates(), std::vector<std::string>{owner_.account.id});

  std::ofstream(list) << clean.sha256 << "\nnot-a-digest\n";
  auto refused = KnownBadHashes::Load(list);
  EXPECT_EQ(refused.status().reason(), "bad-hash-list");
  EXPECT_NE(refused.status().message().find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace lethe
