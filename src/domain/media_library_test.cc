// USE-2, SEC-1: media is stored encrypted, read back exactly, range by
// range, and never half-written.
#include "domain/media_library.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "testing/domain_fixture.h"
#include "testing/faulty_blob_store.h"

namespace lethe {
namespace {

std::vector<uint8_t> Mp4Bytes(size_t size) {
  std::vector<uint8_t> data(size);
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>((i * 131) ^ (i >> 9));
  const uint8_t head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  std::copy(std::begin(head), std::end(head), data.begin());
  return data;
}

class MediaLibraryTest : public DomainFixture {
 protected:
  Result<MediaRecord> Ingest(const Principal& who, const std::vector<uint8_t>& data,
                             MediaFields fields = {}, size_t piece = 10'000) {
    auto ingest = media_->BeginIngest(who, "video/mp4", origin_);
    if (!ingest.ok()) return ingest.status();
    for (size_t off = 0; off < data.size(); off += piece) {
      size_t n = std::min(piece, data.size() - off);
      LETHE_RETURN_IF_ERROR((*ingest)->Append({data.data() + off, n}));
    }
    return (*ingest)->Commit(fields);
  }

  std::vector<uint8_t> ReadRange(const MediaRecord& m, uint64_t first, uint64_t last) {
    auto reader = media_->Open(m, first, last);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    std::vector<uint8_t> out;
    std::vector<uint8_t> buf(100'003);
    for (;;) {
      auto n = (*reader)->Read(buf);
      EXPECT_TRUE(n.ok()) << n.status().ToString();
      if (!n.ok() || *n == 0) break;
      out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(*n));
    }
    return out;
  }

  std::string BlobPath(const MediaRecord& m) {
    return dir_.File("media/blobs/" + m.blob_id.substr(m.blob_id.size() - 2) + "/" + m.blob_id);
  }
};

TEST_F(MediaLibraryTest, RoundTripsWholeAndRanges) {
  Principal who = MakeAccount("a@x.io");
  auto data = Mp4Bytes(3 * kChunkPlainBytes + 777);
  auto m = Ingest(who, data, MediaFields{"user-1", "Title", std::vector<std::string>{"t"}, 30});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->kind, "video");
  EXPECT_EQ(m->bytes, static_cast<int64_t>(data.size()));
  EXPECT_EQ(m->sha256, Sha256Hex(data));
  EXPECT_EQ(*m->expires_ms, m->created_ms + 30LL * 86'400'000);
  EXPECT_EQ(ReadRange(*m, 0, data.size() - 1), data);
  for (auto [first, last] : {std::pair<uint64_t, uint64_t>{0, 0},
                             {kChunkPlainBytes - 1, kChunkPlainBytes},
                             {100, 2 * kChunkPlainBytes + 5},
                             {data.size() - 1, data.size() - 1}}) {
    std::vector<uint8_t> want(data.begin() + static_cast<ptrdiff_t>(first),
                              data.begin() + static_cast<ptrdiff_t>(last + 1));
    EXPECT_EQ(ReadRange(*m, first, last), want) << first << "-" << last;
  }
}

TEST_F(MediaLibraryTest, RefusesBytesThatDoNotMatchTheDeclaredType) {
  Principal who = MakeAccount("a@x.io");
  auto ingest = media_->BeginIngest(who, "image/png", origin_);
  ASSERT_TRUE(ingest.ok());
  auto data = Mp4Bytes(4096);
  EXPECT_EQ((*ingest)->Append(data).code(), Status::Code::kUnsupportedMedia);
  EXPECT_FALSE((*ingest)->Commit({}).ok());
  ingest->reset();
  EXPECT_TRUE(blobs_->List()->empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir_.File("media/incoming")));
}

// SEC-1: nothing of the plaintext is on disk.
TEST_F(MediaLibraryTest, PlaintextNeverReachesTheDisk) {
  Principal who = MakeAccount("a@x.io");
  std::vector<uint8_t> data = Mp4Bytes(16);
  const std::string marker = "LETHE-PLAINTEXT-MARKER-0123456789";
  for (int i = 0; i < 4000; ++i) data.insert(data.end(), marker.begin(), marker.end());
  ASSERT_TRUE(Ingest(who, data).ok());
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(marker), std::string::npos) << entry.path();
  }
}

TEST_F(MediaLibraryTest, TamperedBlobFailsCleanly) {
  Principal who = MakeAccount("a@x.io");
  auto data = Mp4Bytes(2 * kChunkPlainBytes + 10);
  auto m = Ingest(who, data);
  ASSERT_TRUE(m.ok());
  {
    std::fstream f(BlobPath(*m), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kChunkSealedBytes + 5);  // inside the second chunk
    char c;
    f.seekg(kChunkSealedBytes + 5);
    f.get(c);
    f.seekp(kChunkSealedBytes + 5);
    f.put(static_cast<char>(c ^ 1));
  }
  // The first chunk alone still reads: only needed chunks are decrypted.
  std::vector<uint8_t> first(data.begin(), data.begin() + 100);
  EXPECT_EQ(ReadRange(*m, 0, 99), first);
  auto reader = media_->Open(*m, 0, data.size() - 1);
  ASSERT_TRUE(reader.ok());
  std::vector<uint8_t> buf(data.size());
  Status failure;
  for (;;) {
    auto n = (*reader)->Read(buf);
    if (!n.ok()) {
      failure = n.status();
      break;
    }
    if (*n == 0) break;
  }
  EXPECT_EQ(failure.code(), Status::Code::kDataLoss);
}

// The key hierarchy: destroying an end user's key makes their media
// unreadable, and other end users' media stays readable.
TEST_F(MediaLibraryTest, DestroyingASubjectKeyShredsOnlyThatSubject) {
  Principal who = MakeAccount("a@x.io");
  auto data = Mp4Bytes(5000);
  auto gone = Ingest(who, data, MediaFields{"alice", {}, {}, {}});
  auto kept = Ingest(who, data, MediaFields{"bob", {}, {}, {}});
  ASSERT_TRUE(gone.ok() && kept.ok());
  ASSERT_TRUE(ring_->DestroySubjectKey(who.account.id, "alice").ok());
  EXPECT_EQ(media_->Open(*gone, 0, 10).status().reason(), "key-destroyed");
  EXPECT_EQ(ReadRange(*kept, 0, data.size() - 1), data);
}

TEST_F(MediaLibraryTest, ChangingTheEndUserRewrapsTheKey) {
  Principal who = MakeAccount("a@x.io");
  auto data = Mp4Bytes(5000);
  auto m = Ingest(who, data, MediaFields{"alice", {}, {}, {}});
  ASSERT_TRUE(m.ok());
  auto moved = media_->Update(who, m->id, MediaFields{"carol", "t", {}, {}}, origin_);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  ASSERT_TRUE(ring_->DestroySubjectKey(who.account.id, "alice").ok());
  EXPECT_EQ(ReadRange(*moved, 0, data.size() - 1), data);  // no longer alice's
}

// The first start after schema v12 (the intent '*') sweeps every blob
// without a record once, for the orphans of an older version.
TEST_F(MediaLibraryTest, RecoveryRemovesOrphansAndKeepsCommittedMedia) {
  Principal who = MakeAccount("a@x.io");
  auto m = Ingest(who, Mp4Bytes(5000));
  ASSERT_TRUE(m.ok());
  // A crash after the blob was committed but before its record was.
  auto orphan = blobs_->Create("blb_orphan00");
  ASSERT_TRUE((*orphan)->Append(Mp4Bytes(100)).ok());
  ASSERT_TRUE((*orphan)->Commit().ok());
  { std::ofstream(dir_.File("media/incoming/blb_half.1.1")) << "half"; }
  EXPECT_EQ(*media_->Recover(), 2);
  EXPECT_EQ(*blobs_->List(), std::vector<std::string>{m->blob_id});
  EXPECT_TRUE(media_->Open(*m, 0, 10).ok());
}

std::vector<std::string> IntentIds(MetadataStore& store) {
  auto intents = store.ListBlobIntents(100);
  EXPECT_TRUE(intents.ok());
  std::vector<std::string> ids;
  for (const BlobIntent& i : intents.ok() ? *intents : std::vector<BlobIntent>{}) {
    ids.push_back(i.blob_id);
  }
  return ids;
}

// Later starts look only at the blob intents, never at a listing of the
// store (S3 with a million objects): O(pending) work. Ingests and removals
// leave no intent behind when they finish, whichever way.
TEST_F(MediaLibraryTest, RecoveryLooksOnlyAtBlobIntents) {
  ASSERT_TRUE(media_->Recover().ok());  // the one full sweep
  EXPECT_TRUE(IntentIds(*metadata_).empty());
  Principal who = MakeAccount("a@x.io");
  auto m = Ingest(who, Mp4Bytes(5000));
  auto removed = Ingest(who, Mp4Bytes(6000));
  ASSERT_TRUE(m.ok() && removed.ok());
  {
    auto abandoned = media_->BeginIngest(who, "video/mp4", origin_);
    ASSERT_TRUE(abandoned.ok());
    ASSERT_TRUE((*abandoned)->Append(Mp4Bytes(200'000)).ok());
    EXPECT_EQ(IntentIds(*metadata_).size(), 1u) << "no intent while a blob is being written";
  }
  ASSERT_TRUE(media_
                  ->Remove(who.account.id, removed->id, Actor::Credential("key_act"),
                           "media.delete", origin_)
                  .ok());
  EXPECT_TRUE(IntentIds(*metadata_).empty()) << "a finished ingest or removal left its intent";
  EXPECT_EQ(*blobs_->List(), std::vector<std::string>{m->blob_id});

  auto put = [&](const std::string& id) {
    auto w = blobs_->Create(id);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(Mp4Bytes(100)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  };
  auto intend = [&](const std::string& id) {
    ASSERT_TRUE(
        metadata_->Transact([&](MetadataTx& tx) { return tx.InsertBlobIntent(id, 1, ""); }).ok());
  };
  // A crash after the blob was committed, before its record: both.
  intend("blb_orphan00");
  put("blb_orphan00");
  // A crash before the first byte: an intent and no blob.
  intend("blb_neverwritten");
  // An intent whose blob has a record (it went with the insert, so this
  // cannot happen; if it did, the blob must stay).
  intend(m->blob_id);
  // A blob nobody announced: recovery does not go looking for it.
  put("blb_stray000");
  { std::ofstream(dir_.File("media/incoming/blb_half.1.1")) << "half"; }

  auto local = LocalBlobStore::OpenAt(dir_.File("media"));
  ASSERT_TRUE(local.ok());
  FaultyBlobStore counting(std::move(*local));
  MediaLibrary library(*metadata_, counting, *ring_, *audit_, *ids_, clock_, random_, 1 << 20);
  auto recovered = library.Recover();
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(*recovered, 2);  // blb_orphan00 and the temp file
  EXPECT_EQ(counting.calls(BlobOp::kList), 0u) << "recovery listed the blob store";
  EXPECT_EQ(counting.calls(BlobOp::kRemove), 2u);  // the two unreferenced intents
  std::vector<std::string> left = *blobs_->List();
  std::sort(left.begin(), left.end());
  std::vector<std::string> expected{m->blob_id, "blb_stray000"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(left, expected);
  EXPECT_TRUE(IntentIds(*metadata_).empty());
  EXPECT_EQ(ReadRange(*m, 0, 4999), Mp4Bytes(5000));
}

// A blob that cannot be removed after its record is gone keeps its intent,
// and the next start removes it.
TEST_F(MediaLibraryTest, AFailedBlobRemovalIsFinishedByRecovery) {
  ASSERT_TRUE(media_->Recover().ok());
  auto local = LocalBlobStore::OpenAt(dir_.File("media"));
  ASSERT_TRUE(local.ok());
  FaultyBlobStore faulty(std::move(*local));
  MediaLibrary library(*metadata_, faulty, *ring_, *audit_, *ids_, clock_, random_, 1 << 20);
  Principal who = MakeAccount("a@x.io");
  auto ingest = library.BeginIngest(who, "video/mp4", origin_);
  ASSERT_TRUE(ingest.ok());
  ASSERT_TRUE((*ingest)->Append(Mp4Bytes(5000)).ok());
  auto m = (*ingest)->Commit({});
  ASSERT_TRUE(m.ok());
  ingest->reset();
  faulty.FailNth(BlobOp::kRemove, 1, Status::Internal("EIO"));
  ASSERT_TRUE(
      library.Remove(who.account.id, m->id, Actor::Credential("key_act"), "media.delete", origin_)
          .ok());
  EXPECT_EQ(IntentIds(*metadata_), std::vector<std::string>{m->blob_id});
  EXPECT_EQ(*blobs_->List(), std::vector<std::string>{m->blob_id});
  EXPECT_EQ(*library.Recover(), 1);
  EXPECT_TRUE(blobs_->List()->empty());
  EXPECT_TRUE(IntentIds(*metadata_).empty());
}

// With a minimum age (several servers on one store, issue 13), recovery
// leaves a young intent alone (it may be another server's deletion in
// flight) and finishes it once it is old enough.
TEST_F(MediaLibraryTest, RecoveryWithAMinimumAgeLeavesYoungIntentsAlone) {
  ASSERT_TRUE(media_->Recover().ok());
  auto local = LocalBlobStore::OpenAt(dir_.File("media"));
  ASSERT_TRUE(local.ok());
  FaultyBlobStore faulty(std::move(*local));
  MediaLibrary library(*metadata_, faulty, *ring_, *audit_, *ids_, clock_, random_, 1 << 20);
  Principal who = MakeAccount("a@x.io");
  auto m = Ingest(who, Mp4Bytes(5000));
  ASSERT_TRUE(m.ok());
  faulty.FailNth(BlobOp::kRemove, 1, Status::Internal("EIO"));
  ASSERT_TRUE(
      library.Remove(who.account.id, m->id, Actor::Credential("key_act"), "media.delete", origin_)
          .ok());
  EXPECT_EQ(IntentIds(*metadata_), std::vector<std::string>{m->blob_id});
  const std::chrono::milliseconds hour = std::chrono::hours(1);
  EXPECT_EQ(*library.Recover({hour, true}), 0);
  EXPECT_EQ(IntentIds(*metadata_), std::vector<std::string>{m->blob_id});
  EXPECT_EQ(*blobs_->List(), std::vector<std::string>{m->blob_id});
  clock_.Advance(hour.count());
  EXPECT_EQ(*library.Recover({hour, true}), 1);
  EXPECT_TRUE(blobs_->List()->empty());
  EXPECT_TRUE(IntentIds(*metadata_).empty());
}

// A server restarted on its data directory is the same instance: it takes
// back its own young intents at once, and leaves a live peer's young ones
// for the minimum age (issue 13).
TEST_F(MediaLibraryTest, RecoveryTakesBackItsOwnInstancesYoungIntentsAtOnce) {
  ASSERT_TRUE(media_->Recover().ok());
  for (const char* id : {"blb_mine0000", "blb_peers000"}) {
    auto w = blobs_->Create(id);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(Mp4Bytes(100)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  ASSERT_TRUE(metadata_
                  ->Transact([&](MetadataTx& tx) -> Status {
                    LETHE_RETURN_IF_ERROR(
                        tx.InsertBlobIntent("blb_mine0000", clock_.NowMillis(), "ins_mine"));
                    return tx.InsertBlobIntent("blb_peers000", clock_.NowMillis(), "ins_peer");
                  })
                  .ok());
  MediaLibrary library(*metadata_, *blobs_, *ring_, *audit_, *ids_, clock_, random_, 1 << 20);
  library.SetInstance("ins_mine");
  const std::chrono::milliseconds hour = std::chrono::hours(1);
  EXPECT_EQ(*library.Recover({hour, false}), 1);
  EXPECT_EQ(IntentIds(*metadata_), std::vector<std::string>{"blb_peers000"});
  EXPECT_EQ(*blobs_->List(), std::vector<std::string>{"blb_peers000"});
}

// With a cache lifetime, a record changed behind the library's back (by
// another server on the same store) is read again once the lifetime ends.
TEST_F(MediaLibraryTest, ACacheLifetimeBoundsHowLongARecordIsServedFromMemory) {
  Principal who = MakeAccount("a@x.io");
  auto m = Ingest(who, Mp4Bytes(100));
  ASSERT_TRUE(m.ok());
  MediaLibrary other(*metadata_, *blobs_, *ring_, *audit_, *ids_, clock_, random_, 1 << 20);
  other.SetCacheLifetime(std::chrono::milliseconds(100));
  ASSERT_TRUE(other.Get(who.account.id, m->id).ok());  // cached there
  ASSERT_TRUE(
      media_->Remove(who.account.id, m->id, Actor::Credential("key_act"), "media.delete", origin_)
          .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(other.Get(who.account.id, m->id).status().code(), Status::Code::kNotFound);
}

TEST_F(MediaLibraryTest, AnotherAccountCannotSeeMedia) {
  Principal a = MakeAccount("a@x.io");
  Principal b = MakeAccount("b@x.io");
  auto m = Ingest(a, Mp4Bytes(100));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(media_->Get(b.account.id, m->id).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(media_->Remove(b.account.id, m->id, b.actor(), "media.delete", origin_).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(media_->Get(a.account.id, m->id).ok());
}

TEST_F(MediaLibraryTest, SizeLimitStopsTheIngest) {
  Principal who = MakeAccount("a@x.io");
  MediaLibrary small(*metadata_, *blobs_, *ring_, *audit_, *ids_, clock_, random_, 1000);
  auto ingest = small.BeginIngest(who, "video/mp4", origin_);
  ASSERT_TRUE(ingest.ok());
  auto data = Mp4Bytes(1001);
  EXPECT_TRUE((*ingest)->Append({data.data(), 1000}).ok());
  EXPECT_EQ((*ingest)->Append({data.data() + 1000, 1}).code(), Status::Code::kTooLarge);
}

// USE-5: retention. Expired media is NotFound and unlisted at once (the
// sweep is Erasures::ExpireDue, tested in erasures_test.cc).
TEST_F(MediaLibraryTest, ExpiredMediaVanishesAtOnce) {
  Principal who = MakeAccount("retention@example.com");
  MediaFields brief;
  brief.expiration_days = 1;
  auto gone = Ingest(who, Mp4Bytes(50'000), brief);
  auto kept = Ingest(who, Mp4Bytes(40'000));
  ASSERT_TRUE(gone.ok() && kept.ok());
  ASSERT_TRUE(media_->Get(who.account.id, gone->id).ok());  // now cached
  clock_.Advance(24 * 3600 * 1000LL);
  EXPECT_EQ(media_->Get(who.account.id, gone->id).status().code(), Status::Code::kNotFound);
  MediaQuery q;
  q.account_id = who.account.id;
  q.limit = 1;
  auto first = media_->List(q);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->items.empty());               // the expired one filled the page...
  ASSERT_TRUE(first->next_after_seq.has_value());  // ...and the listing goes on
  q.after_seq = first->next_after_seq;
  EXPECT_EQ(media_->List(q)->items.size(), 1u);
}

}  // namespace
}  // namespace lethe
