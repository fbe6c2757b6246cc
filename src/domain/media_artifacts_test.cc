// MediaArtifacts on a real metadata store (SQLite, and PostgreSQL in the
// ".../Postgres" instances) and a real blob directory: the account's processing
// settings under concurrent changes, and reading a stored artifact back.
// Making artifacts (the worker processes) is covered end to end
// (tests/e2e/media_artifacts_test.cc, web_rendition_test.cc).
#include "domain/media_artifacts.h"

#include <gtest/gtest.h>

#include <future>
#include <latch>
#include <string>
#include <vector>

#include "adapters/local/process_media_worker.h"
#include "crypto/chunked_cipher.h"
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

  Result<MediaRecord> Upload() {
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    png.resize(4096, 7);
    LETHE_ASSIGN_OR_RETURN(auto ingest, media_->BeginIngest(who_, "image/png", origin_));
    LETHE_RETURN_IF_ERROR(ingest->Append(png));
    return ingest->Commit({});
  }

  // Seals `plain` into the poster blob of `m` as the worker's output would
  // be, and records the poster ready.
  Status StorePoster(const MediaRecord& m, const std::string& plain) {
    const std::string blob_id = MediaArtifactBlobId(m.blob_id, kArtifactPoster);
    LETHE_ASSIGN_OR_RETURN(
        Key dek, ring_->UnwrapDataKey(m.account_id, m.end_user, m.blob_id, m.wrapped_key));
    KeyWiper wipe(dek);
    LETHE_ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, blobs_->Create(blob_id));
    StreamSealer sealer(dek, blob_id,
                        [&](std::span<const uint8_t> sealed) { return writer->Append(sealed); });
    LETHE_RETURN_IF_ERROR(sealer.Append(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(plain.data()), plain.size())));
    LETHE_RETURN_IF_ERROR(sealer.Finish());
    LETHE_RETURN_IF_ERROR(writer->Commit());
    MediaArtifactRecord a;
    a.media_id = m.id;
    a.kind = std::string(kArtifactPoster);
    a.account_id = m.account_id;
    a.state = "ready";
    a.bytes = static_cast<int64_t>(plain.size());
    return metadata_->Transact([&](MetadataTx& tx) { return tx.UpsertMediaArtifact(a); });
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

TEST_P(MediaArtifactsTest, AReadyArtifactReadsBackUnderTheMediasKey) {
  auto m = Upload();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::string poster(200'000, '\0');  // several sealed chunks
  for (size_t i = 0; i < poster.size(); ++i) poster[i] = static_cast<char>(i * 7 + i / 251);
  ASSERT_TRUE(StorePoster(*m, poster).ok());
  auto read = artifacts_->Read(*m, kArtifactPoster);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(*read == poster);
  auto ready = artifacts_->Ready(*m, kArtifactPoster);
  ASSERT_TRUE(ready.ok());
  auto range = artifacts_->Open(*m, *ready, 70'000, 70'009);
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  std::string ten(10, '\0');
  auto n = (*range)->Read(std::span<uint8_t>(reinterpret_cast<uint8_t*>(ten.data()), ten.size()));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(ten, poster.substr(70'000, 10));
}

// A ready row without its bytes, or with bytes of the wrong length, is
// damage (500 integrity-check-failed), never a 404; the media itself still
// reads.
TEST_P(MediaArtifactsTest, AMissingOrTruncatedArtifactIsDataLoss) {
  auto m = Upload();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(StorePoster(*m, std::string(1000, 'p')).ok());
  const std::string blob_id = MediaArtifactBlobId(m->blob_id, kArtifactPoster);
  ASSERT_TRUE(blobs_->Remove(blob_id).ok());
  auto missing = artifacts_->Read(*m, kArtifactPoster);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kDataLoss);
  EXPECT_EQ(missing.status().message(), "the stored bytes of this poster are missing");

  auto writer = blobs_->Create(blob_id);
  ASSERT_TRUE(writer.ok());
  std::vector<uint8_t> short_blob(SealedSize(1000) - 1, 0);
  ASSERT_TRUE((*writer)->Append(short_blob).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  auto truncated = artifacts_->Read(*m, kArtifactPoster);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), Status::Code::kDataLoss);
  EXPECT_EQ(truncated.status().message(), "stored blob has the wrong length");

  EXPECT_TRUE(media_->Open(*m, 0, static_cast<uint64_t>(m->bytes) - 1).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, MediaArtifactsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Postgres" : "Sqlite";
                         });

}  // namespace
}  // namespace lethe
