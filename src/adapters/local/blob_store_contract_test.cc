// The BlobStore contract (src/ports/blob_store.h), run against every
// backend through a factory: the local directory, S3 (a bucket of its own
// per test on the s3rver that ctest starts; "S3" in the name puts a test in
// the S3 group of CMakeLists.txt), and the
// fault-injecting wrapper with no fault armed (which must change nothing).
// Nothing here may depend on how a backend stores its blobs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/local/local_blob_store.h"
#include "adapters/s3/s3_blob_store.h"
#include "testing/faulty_blob_store.h"
#include "testing/s3_test_env.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

struct BlobBackend {
  std::string name;
  friend void PrintTo(const BlobBackend& b, std::ostream* os) { *os << b.name; }
  std::function<std::unique_ptr<BlobStore>(const TempDir&)> open;
};

std::unique_ptr<BlobStore> OpenLocal(const TempDir& dir) {
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

std::unique_ptr<BlobStore> OpenFaultyLocal(const TempDir& dir) {
  auto local = OpenLocal(dir);
  if (!local) return nullptr;
  return std::make_unique<FaultyBlobStore>(std::move(local));
}

// A fresh bucket on the test S3 server (s3rver); a failure, not a skip, when
// there is none. Parts of the minimum size, and a small read-ahead, so the
// 6 MiB blob below crosses parts and windows.
std::unique_ptr<BlobStore> OpenS3(const TempDir&) {
  auto config = NewTestS3Bucket();
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return nullptr;
  S3BlobStoreOptions options;
  options.part_bytes = 5 << 20;
  options.read_ahead_bytes = 1 << 20;
  auto store = S3BlobStore::Connect(*config, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A deterministic byte pattern that differs at every offset of interest.
std::string Pattern(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return out;
}

class BlobStoreContract : public ::testing::TestWithParam<BlobBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_);
    ASSERT_NE(store_, nullptr);
  }

  // Writes `content` as blob `id` in `pieces` Appends and commits it.
  void Put(const std::string& id, const std::string& content, size_t pieces = 1) {
    auto writer = store_->Create(id);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    size_t step = std::max<size_t>(1, content.size() / pieces);
    for (size_t at = 0; at < content.size(); at += step) {
      ASSERT_TRUE((*writer)->Append(Bytes(content.substr(at, step))).ok());
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }

  // The whole blob, read back in one ReadAt; "<error>" if it cannot be.
  std::string ReadAll(const std::string& id) {
    auto reader = store_->Open(id);
    if (!reader.ok()) return "<" + reader.status().ToString() + ">";
    std::string out((*reader)->size(), '\0');
    Status st = (*reader)->ReadAt(0, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
    return st.ok() ? out : "<" + st.ToString() + ">";
  }

  std::vector<std::string> Listed() {
    auto ids = store_->List();
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    if (!ids.ok()) return {};
    std::sort(ids->begin(), ids->end());
    return *ids;
  }

  TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobStoreContract, VisibleOnlyAfterCommit) {
  auto writer = store_->Create("blb_visible");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(Bytes("hello ")).ok());
  ASSERT_TRUE((*writer)->Append(Bytes("world")).ok());
  EXPECT_EQ(store_->Open("blb_visible").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(Listed().empty());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(ReadAll("blb_visible"), "hello world");
  EXPECT_EQ(Listed(), std::vector<std::string>{"blb_visible"});
}

TEST_P(BlobStoreContract, UncommittedWriterLeavesNothing) {
  {
    auto writer = store_->Create("blb_abandoned");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(Bytes(Pattern(100000, 1))).ok());
  }
  {
    auto untouched = store_->Create("blb_untouched");  // not even one Append
    ASSERT_TRUE(untouched.ok());
  }
  EXPECT_TRUE(Listed().empty());
  EXPECT_EQ(store_->Open("blb_abandoned").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Open("blb_untouched").status().code(), Status::Code::kNotFound);
  auto swept = store_->RemoveIncomplete();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0) << "a destroyed writer left something to sweep";
  // The id was never taken.
  Put("blb_abandoned", "second try");
  EXPECT_EQ(ReadAll("blb_abandoned"), "second try");
}

TEST_P(BlobStoreContract, CommittedIdIsAlreadyExists) {
  Put("blb_taken", "first");
  auto again = store_->Create("blb_taken");
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(ReadAll("blb_taken"), "first");
}

TEST_P(BlobStoreContract, OpenAndRemoveOfAbsentBlobAreNotFound) {
  EXPECT_EQ(store_->Open("blb_never").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Remove("blb_never").code(), Status::Code::kNotFound);
  Put("blb_once", "bytes");
  ASSERT_TRUE(store_->Remove("blb_once").ok());
  EXPECT_EQ(store_->Open("blb_once").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Remove("blb_once").code(), Status::Code::kNotFound);
  EXPECT_TRUE(Listed().empty());
}

TEST_P(BlobStoreContract, RemoveManyRemovesEachNamedBlobAndSkipsAbsentOnes) {
  std::vector<std::string> gone, kept;
  std::map<std::string, std::string> contents;
  for (int i = 0; i < 60; ++i) {
    // Tails vary, so the blobs spread over whatever a backend shards by.
    std::string id = "blb_many" + std::to_string(i) + "q" + std::to_string(i * 7919 % 97);
    contents[id] = "blob " + std::to_string(i);
    Put(id, contents[id]);
    (i % 3 == 0 ? kept : gone).push_back(id);
  }
  std::vector<std::string> asked = gone;
  asked.push_back("blb_never");   // absent: skipped, not an error
  asked.push_back(gone.front());  // twice: the second finds nothing
  ASSERT_TRUE(store_->RemoveMany(asked).ok());
  for (const std::string& id : gone) {
    EXPECT_EQ(store_->Open(id).status().code(), Status::Code::kNotFound) << id;
  }
  for (const std::string& id : kept) EXPECT_EQ(ReadAll(id), contents[id]) << id;
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(Listed(), kept);
  EXPECT_TRUE(store_->RemoveMany({}).ok());
  EXPECT_TRUE(store_->RemoveMany(gone).ok());  // all absent now
  EXPECT_EQ(Listed(), kept);
}

TEST_P(BlobStoreContract, ReadAtOffsetsAndDataLossPastTheEnd) {
  const std::string content = Pattern(10000, 2);
  Put("blb_offsets", content);
  auto reader = store_->Open("blb_offsets");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->size(), content.size());
  for (size_t offset : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{9990}}) {
    std::string out(10, '\0');
    ASSERT_TRUE((*reader)->ReadAt(offset, {reinterpret_cast<uint8_t*>(out.data()), 10}).ok())
        << offset;
    EXPECT_EQ(out, content.substr(offset, 10)) << offset;
  }
  std::string none;
  EXPECT_TRUE((*reader)->ReadAt(content.size(), {reinterpret_cast<uint8_t*>(none.data()), 0}).ok());
  std::string out(10, '\0');
  auto span = std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size());
  EXPECT_EQ((*reader)->ReadAt(9991, span).code(), Status::Code::kDataLoss);  // straddles the end
  EXPECT_EQ((*reader)->ReadAt(10000, span).code(), Status::Code::kDataLoss);
  EXPECT_EQ((*reader)->ReadAt(1 << 20, span).code(), Status::Code::kDataLoss);
  EXPECT_EQ((*reader)->ReadAt(UINT64_MAX - 4, span).code(), Status::Code::kDataLoss);
}

TEST_P(BlobStoreContract, EmptyBlob) {
  Put("blb_empty", "");
  EXPECT_EQ(ReadAll("blb_empty"), "");
  EXPECT_EQ(Listed(), std::vector<std::string>{"blb_empty"});
}

TEST_P(BlobStoreContract, ListNamesEveryCommittedBlobOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back("blb_list" + std::to_string(i) + "x" + std::to_string(i * 7919 % 97));
    Put(ids.back(), "blob " + std::to_string(i));
  }
  auto pending = store_->Create("blb_listpending");  // open, not committed
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE(store_->Remove(ids[5]).ok());
  ids.erase(ids.begin() + 5);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(Listed(), ids);
}

TEST_P(BlobStoreContract, ConcurrentWriters) {
  constexpr int kThreads = 8, kEach = 6;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Interleaved: each thread holds two writers open at a time.
      for (int i = 0; i < kEach; i += 2) {
        std::string a = "blb_c" + std::to_string(t) + "n" + std::to_string(i);
        std::string b = "blb_c" + std::to_string(t) + "n" + std::to_string(i + 1);
        auto wa = store_->Create(a);
        auto wb = store_->Create(b);
        if (!wa.ok() || !wb.ok()) {
          ++failures;
          continue;
        }
        for (int piece = 0; piece < 4; ++piece) {
          if (!(*wa)->Append(Bytes(Pattern(3000, t * 100 + i).substr(piece * 750, 750))).ok() ||
              !(*wb)->Append(Bytes(Pattern(3000, t * 100 + i + 1).substr(piece * 750, 750))).ok()) {
            ++failures;
          }
        }
        if (!(*wb)->Commit().ok() || !(*wa)->Commit().ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::vector<std::string> listed = Listed();
  EXPECT_EQ(listed.size(), size_t{kThreads * kEach});
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      EXPECT_EQ(ReadAll("blb_c" + std::to_string(t) + "n" + std::to_string(i)),
                Pattern(3000, t * 100 + i))
          << t << "/" << i;
    }
  }
}

TEST_P(BlobStoreContract, LargeBlobAcrossManyAppends) {
  // 6 MiB and a bit, in pieces of odd sizes.
  const std::string content = Pattern((6 << 20) + 12345, 3);
  auto writer = store_->Create("blb_large");
  ASSERT_TRUE(writer.ok());
  size_t at = 0, piece = 1;
  while (at < content.size()) {
    size_t n = std::min(content.size() - at, piece * 4099 % (1 << 20) + 1);
    ASSERT_TRUE((*writer)->Append(Bytes(content.substr(at, n))).ok());
    at += n;
    ++piece;
  }
  ASSERT_GT(piece, 10u);
  ASSERT_TRUE((*writer)->Commit().ok());
  auto reader = store_->Open("blb_large");
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->size(), content.size());
  EXPECT_TRUE(ReadAll("blb_large") == content);
  std::string tail(12345, '\0');
  ASSERT_TRUE(
      (*reader)->ReadAt(6 << 20, {reinterpret_cast<uint8_t*>(tail.data()), tail.size()}).ok());
  EXPECT_TRUE(tail == content.substr(6 << 20));
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreContract,
                         ::testing::Values(BlobBackend{"local", OpenLocal},
                                           BlobBackend{"faulty_unarmed_local", OpenFaultyLocal},
                                           BlobBackend{"S3", OpenS3}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace lethe
