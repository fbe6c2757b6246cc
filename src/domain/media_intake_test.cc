// The account's scrub setting as an upload sees it (media_intake.h): read
// once, as the upload starts, through the store the library uses; an
// unreadable setting fails the upload rather than guess.
#include "domain/media_intake.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/consent_ledger.h"
#include "domain/processing_gate.h"
#include "media/media_tools_test.h"
#include "testing/domain_fixture.h"
#include "testing/faulty_metadata_store.h"

namespace lethe {
namespace {

class MediaIntakeTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    who_ = MakeAccount("intake@example.com");
    faulty_ = std::make_unique<FaultyMetadataStore>(*metadata_);
    consents_ = std::make_unique<ConsentLedger>(*metadata_, *audit_, *ids_, clock_, random_);
    gate_ = std::make_unique<ProcessingGate>(*metadata_, *consents_);
    intake_ = std::make_unique<MediaIntake>(*gate_, IntakeLimits{});
    library_ = std::make_unique<MediaLibrary>(*faulty_, *blobs_, *ring_, *audit_, *ids_, clock_,
                                              random_, uint64_t{64} << 20);
    library_->SetIntake(intake_.get());
  }

  // A QuickTime clip as a phone writes it, with its location in text
  // (©xyz), so that the bytes show whether it was stored.
  std::vector<uint8_t> PhoneMov() {
    const std::string source = testing_media::PhoneClipSource(dir_.File("base.mov"));
    EXPECT_FALSE(source.empty()) << "ffmpeg cannot make the clip";
    const std::string mov = dir_.File("phone.mov");
    EXPECT_TRUE(testing_media::Ffmpeg(source + "-metadata location=+48.8583+002.2945/ " + mov));
    return testing_media::ReadFile(mov);
  }

  size_t Intents() { return metadata_->ListBlobIntents(100)->size(); }

  std::string Stored(const MediaRecord& m) {
    auto reader = media_->Open(m, 0, static_cast<uint64_t>(m.bytes) - 1);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return "";
    std::string out(static_cast<size_t>(m.bytes), '\0');
    auto n =
        (*reader)->Read(std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()));
    EXPECT_TRUE(n.ok() && *n == out.size());
    return out;
  }

  Status SetScrub(bool on) {
    return metadata_->Transact(
        [&](MetadataTx& tx) { return tx.SetAccountScrub(who_.account.id, on); });
  }

  Principal who_;
  std::unique_ptr<FaultyMetadataStore> faulty_;
  std::unique_ptr<ConsentLedger> consents_;
  std::unique_ptr<ProcessingGate> gate_;
  std::unique_ptr<MediaIntake> intake_;
  std::unique_ptr<MediaLibrary> library_;
};

// The blanking as the bytes come in and the scrub at commit follow one
// answer: turning scrubbing off mid-upload applies to the next upload, and
// this one is scrubbed whole (before, a second read at commit put the
// location back).
TEST_F(MediaIntakeTest, AnUploadFollowsTheScrubSettingItStartedWith_USE3) {
  const std::vector<uint8_t> phone = PhoneMov();
  ASSERT_NE(std::string(phone.begin(), phone.end()).find("48.8583"), std::string::npos);
  auto ingest = library_->BeginIngest(who_, "video/quicktime", origin_);
  ASSERT_TRUE(ingest.ok()) << ingest.status().ToString();
  ASSERT_TRUE((*ingest)->Append(phone).ok());
  ASSERT_TRUE(SetScrub(false).ok());
  auto m = (*ingest)->Commit({});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(faulty_->calls("FindAccountScrub"), 1);
  EXPECT_EQ(Stored(*m).find("48.8583"), std::string::npos) << "the location was stored";

  // The next upload sees the setting off and keeps the file as sent.
  ingest = library_->BeginIngest(who_, "video/quicktime", origin_);
  ASSERT_TRUE(ingest.ok()) << ingest.status().ToString();
  ASSERT_TRUE((*ingest)->Append(phone).ok());
  m = (*ingest)->Commit({});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(faulty_->calls("FindAccountScrub"), 2);
  EXPECT_EQ(Stored(*m), std::string(phone.begin(), phone.end()));
}

TEST_F(MediaIntakeTest, AnUnreadableScrubSettingFailsTheUploadBeforeAnythingIsStored) {
  const size_t intents = Intents();  // a fresh store holds the '*' one
  faulty_->FailNth("FindAccountScrub", 1, Status::Unavailable("database is locked"));
  auto ingest = library_->BeginIngest(who_, "video/quicktime", origin_);
  ASSERT_FALSE(ingest.ok()) << "the upload went on without knowing whether to scrub";
  EXPECT_EQ(ingest.status().code(), Status::Code::kUnavailable);  // 503, as any store error
  EXPECT_EQ(ingest.status().reason(), "unavailable");
  EXPECT_NE(ingest.status().message().find("scrub setting"), std::string::npos)
      << ingest.status().message();
  EXPECT_TRUE(blobs_->List()->empty());
  EXPECT_EQ(Intents(), intents);
  // Readable again: uploads go on.
  const std::vector<uint8_t> phone = PhoneMov();
  ingest = library_->BeginIngest(who_, "video/quicktime", origin_);
  ASSERT_TRUE(ingest.ok()) << ingest.status().ToString();
  ASSERT_TRUE((*ingest)->Append(phone).ok());
  auto m = (*ingest)->Commit({});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(Stored(*m).find("48.8583"), std::string::npos);
}

}  // namespace
}  // namespace lethe
