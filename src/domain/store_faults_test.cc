// A failing metadata store (FaultyMetadataStore) gives the caller a clean
// error and leaves nothing half-written: no record without its blob, no
// blob without its record, an intact audit chain, no lost usage events.
#include <gtest/gtest.h>

#include "domain/media_library.h"
#include "domain/usage_ledger.h"
#include "testing/domain_fixture.h"
#include "testing/faulty_metadata_store.h"

namespace lethe {
namespace {

class StoreFaultsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    who_ = MakeAccount("faults@example.com");
    faulty_ = std::make_unique<FaultyMetadataStore>(*metadata_);
    audit_on_faulty_ = std::make_unique<AuditLog>(*faulty_, clock_, random_);
    media_on_faulty_ = std::make_unique<MediaLibrary>(*faulty_, *blobs_, *ring_, *audit_on_faulty_,
                                                      *ids_, clock_, random_, uint64_t{64} << 20);
  }
  Result<MediaRecord> Upload() {
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    png.resize(4096, 7);
    LETHE_ASSIGN_OR_RETURN(auto ingest, media_on_faulty_->BeginIngest(who_, "image/png", origin_));
    LETHE_RETURN_IF_ERROR(ingest->Append(png));
    return ingest->Commit({});
  }
  size_t MediaCount() {
    MediaQuery q;
    q.account_id = who_.account.id;
    q.limit = 100;
    return metadata_->ListMedia(q)->size();
  }
  size_t BlobCount() { return blobs_->List()->size(); }

  Principal who_;
  std::unique_ptr<FaultyMetadataStore> faulty_;
  std::unique_ptr<AuditLog> audit_on_faulty_;
  std::unique_ptr<MediaLibrary> media_on_faulty_;
};

TEST_F(StoreFaultsTest, AFailedCommitLeavesNeitherRecordNorBlob) {
  for (Status fault : {Status::Internal("disk I/O error"),
                       Status::InsufficientStorage("the database volume is full")}) {
    faulty_->FailNth("Commit", 1, fault);
    auto failed = Upload();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), fault.code());
    EXPECT_EQ(MediaCount(), 0u);
    EXPECT_EQ(BlobCount(), 0u) << "the blob of a failed upload was left behind";
  }
  EXPECT_TRUE(audit_->Verify()->intact);
  auto ok = Upload();
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(MediaCount(), 1u);
  EXPECT_EQ(BlobCount(), 1u);
}

TEST_F(StoreFaultsTest, AFailedDeleteKeepsTheMediaWhole) {
  auto m = Upload();
  ASSERT_TRUE(m.ok());
  faulty_->FailNth("Commit", 1, Status::Internal("disk I/O error"));
  Status st =
      media_on_faulty_->Remove(who_.account.id, m->id, who_.actor(), "media.delete", origin_);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  // Still listed, still readable to the last byte.
  ASSERT_EQ(MediaCount(), 1u);
  auto reader = media_->Open(*m, 0, m->bytes - 1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<uint8_t> buf(8192);
  uint64_t total = 0;
  for (;;) {
    auto n = (*reader)->Read(buf);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    total += *n;
  }
  EXPECT_EQ(total, static_cast<uint64_t>(m->bytes));
  ASSERT_TRUE(
      media_on_faulty_->Remove(who_.account.id, m->id, who_.actor(), "media.delete", origin_).ok());
  EXPECT_EQ(MediaCount(), 0u);
  EXPECT_EQ(BlobCount(), 0u);
}

// A commit whose sync failed has still happened: the upload's record is in
// the store, so its bytes must stay; a delete's record is gone, so no cached
// copy may keep serving it.
TEST_F(StoreFaultsTest, ACommitWhoseSyncFailedKeepsRecordAndBytesTogether) {
  // The 1st sync of an upload is its blob intent's, the 2nd its record's.
  faulty_->FailNth("Synced", 2, Status::Internal("fdatasync: EIO"));
  auto up = Upload();
  EXPECT_EQ(up.status().code(), Status::Code::kInternal);
  ASSERT_EQ(MediaCount(), 1u);
  EXPECT_EQ(BlobCount(), 1u) << "the bytes of a committed record were removed";
  MediaQuery q;
  q.account_id = who_.account.id;
  q.limit = 10;
  MediaRecord m = metadata_->ListMedia(q)->front();
  auto reader = media_on_faulty_->Open(m, 0, m.bytes - 1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();

  ASSERT_TRUE(media_on_faulty_->Get(who_.account.id, m.id).ok());  // cached now
  faulty_->FailNth("Synced", 1, Status::Internal("fdatasync: EIO"));
  EXPECT_EQ(
      media_on_faulty_->Remove(who_.account.id, m.id, who_.actor(), "media.delete", origin_).code(),
      Status::Code::kInternal);
  EXPECT_EQ(media_on_faulty_->Get(who_.account.id, m.id).status().code(), Status::Code::kNotFound);
}

TEST_F(StoreFaultsTest, UsageEventsWaitOutAFailingStore) {
  UsageLedger ledger(*faulty_, clock_, random_);
  faulty_->FailAll("Commit", Status::Internal("disk I/O error"));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ledger.Record(who_, "", origin_, "GET", "/r", 200).ok());
  EXPECT_EQ(ledger.WritePending().code(), Status::Code::kUnavailable);
  faulty_->FailAll("Commit", Status::Ok());
  ASSERT_TRUE(ledger.WritePending().ok());
  UsageQuery q;
  q.account_id = who_.account.id;
  q.limit = 100;
  EXPECT_EQ(metadata_->ListUsageEvents(q)->size(), 10u);
}

}  // namespace
}  // namespace lethe
