// Issue 9 (tus), SEC-1: a resumable upload is sealed part by part, resumes
// from its acknowledged offset, becomes a media only when complete, and
// leaves no plaintext or stray blob behind.
#include "domain/resumable_uploads.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crypto/secret_hash.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

std::vector<uint8_t> Mp4Bytes(size_t size) {
  std::vector<uint8_t> data(size);
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>((i * 131) ^ (i >> 9) ^ 0x5a);
  const uint8_t head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  std::copy(std::begin(head), std::end(head), data.begin());
  return data;
}

class ResumableUploadsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    uploads_ = std::make_unique<ResumableUploads>(*metadata_, *blobs_, *ring_, *media_, clock_,
                                                  random_, uint64_t{64} << 20);
    who_ = MakeAccount("t@x.io");
  }

  // Sends data[from, to) as one part; Finish()es it unless `cut`.
  Result<UploadRecord> Send(const UploadRecord& u, const std::vector<uint8_t>& data, size_t from,
                            size_t to, bool cut = false,
                            std::optional<std::string> sha = std::nullopt) {
    LETHE_ASSIGN_OR_RETURN(
        auto part,
        uploads_->BeginPart(who_, nullptr, u.id, static_cast<int64_t>(from), sha, origin_));
    for (size_t at = from; at < to; at += 7000) {
      LETHE_RETURN_IF_ERROR(part->Append({data.data() + at, std::min<size_t>(7000, to - at)}));
    }
    if (cut) {
      part->Keep();
      return uploads_->Find(who_, nullptr, u.id);
    }
    return part->Finish();
  }

  size_t BlobCount() {
    size_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_.File("media/blobs"))) {
      if (e.is_regular_file()) ++n;
    }
    return n;
  }

  bool AnyFileHolds(const std::vector<uint8_t>& needle) {
    std::string want(needle.begin(), needle.end());
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (all.find(want) != std::string::npos) return true;
    }
    return false;
  }

  std::unique_ptr<ResumableUploads> uploads_;
  Principal who_;
};

TEST_F(ResumableUploadsTest, PartsResumeAndCompleteIntoTheSameBytes_SEC1) {
  auto data = Mp4Bytes(3 * kChunkPlainBytes + 1234);
  NewUpload spec;
  spec.length = static_cast<int64_t>(data.size());
  spec.content_type = "video/mp4";
  spec.fields.end_user = "eu_1";
  auto u = uploads_->Create(who_, nullptr, spec);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  // A part that ends mid-chunk is acknowledged whole.
  auto a = Send(*u, data, 0, 100'001);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->offset, 100'001);
  std::vector<uint8_t> sample(data.begin() + 50'000, data.begin() + 50'064);
  EXPECT_FALSE(AnyFileHolds(sample)) << "no plaintext of a partial upload at rest";
  // The wrong offset moves nothing.
  EXPECT_EQ(Send(*u, data, 0, 10).status().reason(), "upload-offset-mismatch");
  // A cut part keeps what arrived.
  auto b = Send(*u, data, 100'001, 150'000, /*cut=*/true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->offset, 150'000);
  auto c = Send(*u, data, 150'000, data.size());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->media_id.has_value());
  auto m = media_->Get(who_.account.id, *c->media_id);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->sha256, Sha256Hex(data));
  EXPECT_EQ(m->end_user, "eu_1");
  EXPECT_EQ(BlobCount(), 1u) << "the parts went; the media's blob stays";
}

TEST_F(ResumableUploadsTest, AChecksumMismatchDiscardsThePart) {
  auto data = Mp4Bytes(90'000);
  auto u =
      uploads_->Create(who_, nullptr, NewUpload{static_cast<int64_t>(data.size()), "", {}, ""});
  ASSERT_TRUE(u.ok());
  auto bad = Send(*u, data, 0, 70'000, false, std::string(64, '0'));
  EXPECT_EQ(bad.status().reason(), "checksum-mismatch");
  EXPECT_EQ(uploads_->Find(who_, nullptr, u->id)->offset, 0);
  EXPECT_EQ(BlobCount(), 0u);
  std::vector<uint8_t> piece(data.begin(), data.begin() + 70'000);
  auto good = Send(*u, data, 0, 70'000, false, Sha256Hex(piece));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->offset, 70'000);
}

TEST_F(ResumableUploadsTest, ARefusedCompletionLeavesTheUploadWhereItWas) {
  std::vector<uint8_t> text(80'000, 'a');  // not a media type the sniffer takes
  auto u =
      uploads_->Create(who_, nullptr, NewUpload{static_cast<int64_t>(text.size()), "", {}, ""});
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(Send(*u, text, 0, 40'000).ok());
  auto last = Send(*u, text, 40'000, text.size());
  EXPECT_EQ(last.status().code(), Status::Code::kUnsupportedMedia);
  EXPECT_EQ(uploads_->Find(who_, nullptr, u->id)->offset, 40'000);
  EXPECT_EQ(BlobCount(), 1u) << "only the first part";
}

TEST_F(ResumableUploadsTest, ExpiredUploadsArePurgedWithTheirParts) {
  auto data = Mp4Bytes(90'000);
  auto u =
      uploads_->Create(who_, nullptr, NewUpload{static_cast<int64_t>(data.size()), "", {}, ""});
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(Send(*u, data, 0, 70'000).ok());
  EXPECT_EQ(*uploads_->PurgeExpired(), 0);
  clock_.Advance(kUploadDefaultTtlMs);
  EXPECT_EQ(uploads_->Find(who_, nullptr, u->id).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*uploads_->PurgeExpired(), 1);
  EXPECT_EQ(BlobCount(), 0u);
  EXPECT_EQ(metadata_->FindUpload(who_.account.id, u->id).status().code(), Status::Code::kNotFound);
}

TEST_F(ResumableUploadsTest, AnotherAccountSeesNothing) {
  auto u = uploads_->Create(who_, nullptr, NewUpload{10, "", {}, ""});
  ASSERT_TRUE(u.ok());
  Principal other = MakeAccount("o@x.io");
  EXPECT_EQ(uploads_->Find(other, nullptr, u->id).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(uploads_->Terminate(other, nullptr, u->id).code(), Status::Code::kNotFound);
  EXPECT_TRUE(uploads_->Find(who_, nullptr, u->id).ok());
}

}  // namespace
}  // namespace lethe
