#include "common/group_sync.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace lethe {
namespace {

TEST(GroupSyncTest, ConcurrentWritersShareSyncs) {
  std::atomic<int> calls{0};
  GroupSync group([&] {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a slow disk
    return Status::Ok();
  });
  constexpr int kThreads = 16, kEach = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) EXPECT_TRUE(group.WaitDurable(group.Written()).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(group.syncs(), static_cast<uint64_t>(calls.load()));
  // One sync per write would be 320; sharing needs far fewer.
  EXPECT_LT(calls.load(), kThreads * kEach / 2);
}

TEST(GroupSyncTest, AWriteAfterASyncBeganWaitsForTheNextOne) {
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  GroupSync* self = nullptr;
  uint64_t late = 0;
  GroupSync group([&] {
    if (++calls == 1) {
      late = self->Written();  // lands while the first sync runs
      while (!release) std::this_thread::yield();
    }
    return Status::Ok();
  });
  self = &group;
  std::thread first([&] { EXPECT_TRUE(group.WaitDurable(group.Written()).ok()); });
  while (late == 0) std::this_thread::yield();
  release = true;
  first.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(group.WaitDurable(late).ok());
  EXPECT_EQ(calls.load(), 2);  // the first sync did not cover it
}

// fsyncgate: after EIO the kernel may have dropped the dirty pages, so a
// later successful sync proves nothing. Every write fails from then on,
// including one whose own sync would succeed.
TEST(GroupSyncTest, AFailedSyncFailsEveryWriteFromThenOn) {
  bool fail = true;
  GroupSync group([&] { return fail ? Status::Internal("fsync: EIO") : Status::Ok(); });
  uint64_t a = group.Written();
  uint64_t b = group.Written();  // covered by the failing sync, waits later
  EXPECT_EQ(group.WaitDurable(a).code(), Status::Code::kInternal);
  fail = false;
  EXPECT_EQ(group.WaitDurable(group.Written()).code(), Status::Code::kInternal);
  EXPECT_EQ(group.WaitDurable(b).code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace lethe
