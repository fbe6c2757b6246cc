// MediaReadAhead on real SQLite files and a real blob directory: files come
// back whole, byte-identical and in order; a tampered file fails with
// DataLoss after the pieces before it; and dropping it mid-way (a client
// that hangs up) stops its thread instead of hanging.
#include "domain/media_read_ahead.h"

#include <gtest/gtest.h>

#include <fstream>

#include "crypto/chunked_cipher.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class MediaReadAheadTest : public DomainFixture {
 protected:
  std::vector<uint8_t> Bytes(size_t size, uint8_t salt) {
    std::vector<uint8_t> data(size);
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>((i * 37) ^ (i >> 11) ^ salt);
    const uint8_t head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    std::copy(std::begin(head), std::end(head), data.begin());
    return data;
  }

  MediaRecord Upload(const Principal& who, const std::vector<uint8_t>& data) {
    auto ingest = media_->BeginIngest(who, "video/mp4", origin_);
    EXPECT_TRUE(ingest.ok()) << ingest.status().ToString();
    EXPECT_TRUE((*ingest)->Append(data).ok());
    auto m = (*ingest)->Commit(MediaFields{});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  }

  std::string BlobPath(const MediaRecord& m) {
    return dir_.File("media/blobs/" + m.blob_id.substr(m.blob_id.size() - 2) + "/" + m.blob_id);
  }
};

TEST_F(MediaReadAheadTest, ReadsEachFileWholeAndInOrder) {
  Principal who = MakeAccount("a@x.io");
  // Sizes around the piece size, so pieces end inside and at file ends.
  std::vector<std::vector<uint8_t>> originals = {
      Bytes(MediaReadAhead::kPieceBytes * 2 + 17, 1), Bytes(100, 2),
      Bytes(MediaReadAhead::kPieceBytes, 3), Bytes(5 * MediaReadAhead::kPieceBytes + 1, 4)};
  std::vector<MediaRecord> files;
  for (const auto& data : originals) files.push_back(Upload(who, data));

  MediaReadAhead ahead(*media_, files);
  std::vector<std::vector<uint8_t>> got(files.size());
  MediaReadAhead::Piece piece;
  for (size_t i = 0; i < files.size(); ++i) {
    for (;;) {
      ASSERT_TRUE(ahead.Next(piece).ok());
      ASSERT_EQ(piece.file, i);
      if (piece.end) break;
      ASSERT_GT(piece.size, 0u);
      ASSERT_LE(piece.size, MediaReadAhead::kPieceBytes);
      got[i].insert(got[i].end(), piece.bytes.begin(), piece.bytes.begin() + piece.size);
    }
  }
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(got[i], originals[i]) << "file " << i;
  // Past the last file is a caller's bug, answered, not hung on.
  EXPECT_EQ(ahead.Next(piece).code(), Status::Code::kInternal);
}

TEST_F(MediaReadAheadTest, ATamperedFileFailsWithDataLossAfterTheFilesBeforeIt) {
  Principal who = MakeAccount("a@x.io");
  auto good = Bytes(3 * kChunkPlainBytes, 5);
  MediaRecord first = Upload(who, good);
  MediaRecord second = Upload(who, Bytes(3 * kChunkPlainBytes, 6));
  {
    std::fstream f(BlobPath(second), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(kChunkSealedBytes + 5);
    char c;
    f.get(c);
    f.seekp(kChunkSealedBytes + 5);
    f.put(static_cast<char>(c ^ 1));
  }
  MediaReadAhead ahead(*media_, {first, second});
  MediaReadAhead::Piece piece;
  std::vector<uint8_t> got;
  Status failure;
  for (int steps = 0; steps < 100; ++steps) {
    Status st = ahead.Next(piece);
    if (!st.ok()) {
      failure = st;
      break;
    }
    if (piece.file == 0 && !piece.end) {
      got.insert(got.end(), piece.bytes.begin(), piece.bytes.begin() + piece.size);
    }
  }
  EXPECT_EQ(got, good);  // the file before the tampered one came through whole
  EXPECT_EQ(failure.code(), Status::Code::kDataLoss);
  EXPECT_EQ(ahead.Next(piece).code(), Status::Code::kDataLoss);  // and stays failed
}

TEST_F(MediaReadAheadTest, DroppingItMidwayStopsItsThread) {
  Principal who = MakeAccount("a@x.io");
  std::vector<MediaRecord> files;
  for (uint8_t i = 0; i < 3; ++i) files.push_back(Upload(who, Bytes(4 << 20, i)));
  for (int taken = 0; taken < 3; ++taken) {
    auto ahead = std::make_unique<MediaReadAhead>(*media_, files);
    MediaReadAhead::Piece piece;
    for (int i = 0; i < taken; ++i) ASSERT_TRUE(ahead->Next(piece).ok());
    ahead.reset();  // joins: the reader waits for a free buffer, and is told to stop
  }
}

}  // namespace
}  // namespace lethe
