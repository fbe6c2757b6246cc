#include "adapters/local/data_dir_lock.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace lethe {
namespace {

TEST(DataDirLockTest, SecondHolderIsRefusedUntilTheFirstReleases) {
  TempDir dir;
  {
    auto first = DataDirLock::Acquire(dir.path());
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    // flock is per open file description: a second open in the same
    // process conflicts just as another process would.
    auto second = DataDirLock::Acquire(dir.path());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_EQ(second.status().reason(), "data-dir-locked");
    EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())),
              std::string::npos)
        << second.status().message();
  }
  auto again = DataDirLock::Acquire(dir.path());
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST(DataDirLockTest, MovedLockStaysHeld) {
  TempDir dir;
  auto first = DataDirLock::Acquire(dir.path());
  ASSERT_TRUE(first.ok());
  DataDirLock moved = std::move(*first);
  EXPECT_FALSE(DataDirLock::Acquire(dir.path()).ok());
}

TEST(DataDirLockTest, MissingDirectoryIsAnError) {
  TempDir dir;
  auto lock = DataDirLock::Acquire(dir.File("absent"));
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace lethe
