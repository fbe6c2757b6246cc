// LocalBlobStore beyond the BlobStore contract (blob_store_contract_test.cc
// runs that): what it leaves on disk, crash leftovers, permissions, ids that
// could name a path outside the store, and group commit of directory syncs.
#include "adapters/local/local_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "testing/temp_dir.h"

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

int ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

TEST(LocalBlobStore, AbandonedWriterLeavesNoTempFile) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  ASSERT_TRUE(store.ok());
  {
    auto writer = (*store)->Create("blb_gone");
    ASSERT_TRUE((*writer)->Append(Bytes("partial")).ok());
    EXPECT_FALSE(std::filesystem::is_empty(dir.File("media/incoming")));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.File("media/incoming")));
}

TEST(LocalBlobStore, RemoveIncompleteSweepsCrashLeftovers) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  ASSERT_TRUE(store.ok());
  // What a crash mid-write leaves: a temp file nobody will finish.
  { std::ofstream(dir.File("media/incoming/blb_x.123.0")) << "half"; }
  EXPECT_EQ(*(*store)->RemoveIncomplete(), 1);
  EXPECT_TRUE(std::filesystem::is_empty(dir.File("media/incoming")));
  EXPECT_TRUE((*store)->List()->empty());
}

TEST(LocalBlobStore, OnlyTheOwnerCanReadTheFiles) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  ASSERT_TRUE(store.ok());
  auto writer = (*store)->Create("blb_private");
  ASSERT_TRUE((*writer)->Append(Bytes("sealed bytes")).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(ModeOf(dir.File("media")), 0700);
  EXPECT_EQ(ModeOf(dir.File("media/blobs")), 0700);
  EXPECT_EQ(ModeOf(dir.File("media/incoming")), 0700);
  EXPECT_EQ(ModeOf(dir.File("media/blobs/te")), 0700);
  EXPECT_EQ(ModeOf(dir.File("media/blobs/te/blb_private")), 0600);
}

TEST(LocalBlobStore, RefusesIdsThatCouldEscapeTheStore) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->Create("../../etc/x").ok());
  EXPECT_FALSE((*store)->Create("a/b").ok());
  EXPECT_EQ((*store)->Open("../lethe.db").status().code(), Status::Code::kNotFound);
  EXPECT_EQ((*store)->Remove("..").code(), Status::Code::kNotFound);
}

// Commits from many threads at once, `per_thread` each; `id(t, i)` names
// them. Returns the commits that failed.
template <typename IdFn>
int CommitConcurrently(BlobStore& store, int threads_n, int per_thread, IdFn id) {
  const std::string kilobyte(1024, 'k');
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_n; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto w = store.Create(id(t, i));
        if (!w.ok() || !(*w)->Append(Bytes(kilobyte)).ok() || !(*w)->Commit().ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  return failures.load();
}

// RemoveMany: one fsync per directory it touched, not one per blob.
TEST(LocalBlobStore, RemoveManySyncsEachTouchedDirectoryOnce) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  ASSERT_TRUE(store.ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    // Three shards ("aa", "bb", "cc"), ten blobs in each.
    ids.push_back("blb_m" + std::to_string(i) + std::string(2, static_cast<char>('a' + i % 3)));
    auto writer = (*store)->Create(ids.back());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(Bytes("x")).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  LocalBlobStore::SyncStats before = (*store)->sync_stats();
  ids.push_back("blb_absentzz");  // touches nothing
  ids.push_back("../escape");     // refused, touches nothing
  ASSERT_TRUE((*store)->RemoveMany(ids).ok());
  LocalBlobStore::SyncStats after = (*store)->sync_stats();
  EXPECT_EQ(after.dir_waits - before.dir_waits, 3u);
  EXPECT_EQ(after.dir_fsyncs - before.dir_fsyncs, 3u);
  EXPECT_TRUE((*store)->List()->empty());
  for (const char* shard : {"aa", "bb", "cc"}) {
    EXPECT_TRUE(std::filesystem::is_empty(dir.File("media/blobs/") + shard)) << shard;
  }
}

// Group commit: concurrent commits share directory fsyncs, and each
// committed blob is still listed and readable. (Needs a disk on which an
// fsync takes some time, as /tmp is; on tmpfs the syncs rarely overlap.)
TEST(LocalBlobStore, ConcurrentCommitsShareDirectorySyncs) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  ASSERT_TRUE(store.ok());
  constexpr int kThreads = 16, kEach = 20;
  // Same shard ("zz"): the shard's fsyncs are shared as well as incoming/'s.
  auto same_shard = [](int t, int i) {
    return "blb_s" + std::to_string(t) + "n" + std::to_string(i) + "zz";
  };
  ASSERT_EQ(CommitConcurrently(**store, kThreads, kEach, same_shard), 0);
  LocalBlobStore::SyncStats stats = (*store)->sync_stats();
  std::printf("one shard: %lu commits, %lu directory syncs asked, %lu made\n",
              static_cast<unsigned long>(stats.commits),
              static_cast<unsigned long>(stats.dir_waits),
              static_cast<unsigned long>(stats.dir_fsyncs));
  EXPECT_EQ(stats.commits, uint64_t{kThreads * kEach});
  EXPECT_GE(stats.dir_waits, 2 * stats.commits);  // its shard and incoming/, each
  EXPECT_LT(stats.dir_fsyncs, stats.commits);

  // Shards spread as real ids spread them: incoming/'s fsyncs are shared.
  auto spread = [](int t, int i) {
    return "blb_r" + std::to_string(t) + "n" + std::to_string(i) + char('a' + (t * 7 + i) % 26) +
           char('A' + (t + i * 3) % 26);
  };
  ASSERT_EQ(CommitConcurrently(**store, kThreads, kEach, spread), 0);
  LocalBlobStore::SyncStats after = (*store)->sync_stats();
  uint64_t waits = after.dir_waits - stats.dir_waits;
  uint64_t fsyncs = after.dir_fsyncs - stats.dir_fsyncs;
  std::printf("spread: %d commits, %lu directory syncs asked, %lu made\n", kThreads * kEach,
              static_cast<unsigned long>(waits), static_cast<unsigned long>(fsyncs));
  EXPECT_LT(fsyncs, waits);

  auto listed = (*store)->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), size_t{2 * kThreads * kEach});
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      for (const std::string& id : {same_shard(t, i), spread(t, i)}) {
        auto reader = (*store)->Open(id);
        ASSERT_TRUE(reader.ok()) << id;
        std::string back(1024, '\0');
        ASSERT_TRUE((*reader)->ReadAt(0, {reinterpret_cast<uint8_t*>(back.data()), 1024}).ok());
        EXPECT_EQ(back, std::string(1024, 'k')) << id;
      }
    }
  }
}

}  // namespace
}  // namespace lethe
