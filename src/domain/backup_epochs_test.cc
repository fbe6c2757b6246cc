#include "domain/backup_epochs.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/local/file_backup_key_store.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

constexpr int64_t kDay = 86'400'000;
// Noon UTC of a day in 2026.
constexpr int64_t kNoon = 1'796'040'000'000 - 1'796'040'000'000 % kDay + kDay / 2;

class BackupEpochsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    master_.fill(3);
    auto store = FileBackupKeyStore::Open(dir_.File("keys"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  bool KeyFileExists(const std::string& epoch) {
    return std::filesystem::exists(dir_.File("keys/" + epoch + ".key"));
  }

  TempDir dir_;
  ManualClock clock_{kNoon};
  SystemRandom random_;
  Key master_;
  std::unique_ptr<FileBackupKeyStore> store_;
};

TEST_F(BackupEpochsTest, OneKeyPerUtcDay) {
  BackupEpochs epochs(master_, *store_, clock_, random_);
  auto first = epochs.Current();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->epoch, BackupEpochs::EpochOf(kNoon));
  EXPECT_TRUE(KeyFileExists(first->epoch));
  clock_.Advance(kDay / 4);  // same day
  auto again = epochs.Current();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->epoch, first->epoch);
  EXPECT_EQ(again->key, first->key);
  clock_.Advance(kDay);  // next day: rotated
  auto next = epochs.Current();
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next->epoch, first->epoch);
  EXPECT_NE(next->key, first->key);
  auto listed = store_->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
}

TEST_F(BackupEpochsTest, KeysOlderThanTheMaximumAgeAreDestroyed) {
  BackupEpochs epochs(master_, *store_, clock_, random_, 30);
  auto old = epochs.Current();
  ASSERT_TRUE(old.ok());
  clock_.Advance(30 * kDay);  // 30 days old: kept
  auto none = epochs.DestroyExpired();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  EXPECT_TRUE(epochs.Open(old->epoch).ok());
  clock_.Advance(kDay);  // 31 days old: destroyed
  auto today = epochs.Current();
  ASSERT_TRUE(today.ok());
  auto destroyed = epochs.DestroyExpired();
  ASSERT_TRUE(destroyed.ok());
  EXPECT_EQ(*destroyed, 1);
  EXPECT_FALSE(KeyFileExists(old->epoch));
  auto opened = epochs.Open(old->epoch);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().reason(), "backup-epoch-destroyed");
  EXPECT_NE(opened.status().message().find("backup epoch key destroyed: backup unreadable"),
            std::string::npos);
  EXPECT_TRUE(epochs.Open(today->epoch).ok()) << "today's key went too";
  // Destroyed for good: not made again.
  EXPECT_FALSE(store_->Put(old->epoch, {1, 2, 3}).ok());
}

TEST_F(BackupEpochsTest, AnotherMasterKeyCannotOpenAnEpoch) {
  BackupEpochs epochs(master_, *store_, clock_, random_);
  auto current = epochs.Current();
  ASSERT_TRUE(current.ok());
  Key other;
  other.fill(4);
  BackupEpochs stranger(other, *store_, clock_, random_);
  auto opened = stranger.Open(current->epoch);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().reason(), "master-key-mismatch");
  EXPECT_EQ(epochs.Open("2001-01-01").status().code(), Status::Code::kNotFound);
}

TEST_F(BackupEpochsTest, TheStoredKeyIsWrappedNotPlain) {
  BackupEpochs epochs(master_, *store_, clock_, random_);
  auto current = epochs.Current();
  ASSERT_TRUE(current.ok());
  auto wrapped = store_->Get(current->epoch);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->size(), kWrappedKeyBytes);
  std::string stored(wrapped->begin(), wrapped->end());
  std::string key(current->key.begin(), current->key.end());
  EXPECT_EQ(stored.find(key), std::string::npos);
}

}  // namespace
}  // namespace lethe
