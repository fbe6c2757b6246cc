#include "domain/backups.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "adapters/local/file_backup_key_store.h"
#include "adapters/local/local_backup_vault.h"
#include "adapters/local/local_blob_store.h"
#include "adapters/sqlite/sqlite_snapshots.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

bool AnyFileContains(const std::string& dir, const std::string& needle) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ReadAll(e.path()).find(needle) != std::string::npos) return true;
  }
  return false;
}

// Memory-only anchor for the restore side.
class MemoryAnchor final : public AuditAnchor {
 public:
  Status Save(const AuditHead& head) override {
    head_ = head;
    return Status::Ok();
  }
  Result<std::optional<AuditHead>> Load() override { return head_; }
  std::optional<AuditHead> head_;
};

class BackupsTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    auto keys = FileBackupKeyStore::Open(dir_.File("backup-keys"));
    ASSERT_TRUE(keys.ok());
    backup_keys_ = std::move(*keys);
    auto vault = LocalBackupVault::Open(dir_.File("backups"));
    ASSERT_TRUE(vault.ok());
    vault_ = std::move(*vault);
    epochs_ = std::make_unique<BackupEpochs>(master_, *backup_keys_, clock_, random_);
    snapshots_ = std::make_unique<SqliteSnapshots>(dir_.path());
    backups_ = std::make_unique<Backups>(*epochs_, *snapshots_, *blobs_, *vault_, nullptr,
                                         BackupSource{dir_.path(), "", ""}, clock_, random_);
  }

  // Restores `path` into a fresh directory under the fixture's.
  Status RestoreInto(const std::string& path, const std::string& name) {
    auto backup = OpenLocalBackup(path);
    if (!backup.ok()) return backup.status();
    fs::create_directories(dir_.File(name));
    LocalDirSink files(dir_.File(name));
    auto blobs = LocalBlobStore::OpenAt(dir_.File(name + "/media"));
    if (!blobs.ok()) return blobs.status();
    MemoryAnchor anchor;
    return StatusOf(RestoreBackup(*epochs_, **backup, files, **blobs, anchor));
  }

  std::unique_ptr<FileBackupKeyStore> backup_keys_;
  std::unique_ptr<LocalBackupVault> vault_;
  std::unique_ptr<BackupEpochs> epochs_;
  std::unique_ptr<SqliteSnapshots> snapshots_;
  std::unique_ptr<Backups> backups_;
};

TEST_F(BackupsTest, NoPlaintextInTheBackupYetItRestores) {
  const std::string marker = "PlaintextMarker-7f3a9c";
  SignupForm form{marker, "marker@example.com", "correct horse battery", "US", "1990-01-01"};
  ASSERT_TRUE(customers_->SignUp(form, origin_).ok());
  ASSERT_TRUE(AnyFileContains(dir_.path(), marker)) << "the check proves nothing";

  auto made = backups_->Create();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->manifest.epoch, BackupEpochs::EpochOf(clock_.NowMillis()));
  ASSERT_GE(made->manifest.files.size(), 2u);
  EXPECT_FALSE(AnyFileContains(made->path, marker));
  EXPECT_FALSE(AnyFileContains(made->path, "SQLite format 3"));

  ASSERT_TRUE(RestoreInto(made->path, "restored").ok());
  EXPECT_NE(ReadAll(dir_.File("restored/lethe.db")).find(marker), std::string::npos);
}

TEST_F(BackupsTest, AFlippedByteIsRefused) {
  auto made = backups_->Create();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  std::string victim = made->path + "/keys.db";
  std::string bytes = ReadAll(victim);
  ASSERT_FALSE(bytes.empty());
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(victim, std::ios::binary | std::ios::trunc) << bytes;
  Status restored = RestoreInto(made->path, "restored");
  EXPECT_EQ(restored.reason(), "backup-damaged") << restored.ToString();
  EXPECT_NE(restored.message().find("keys.db"), std::string::npos);
}

TEST_F(BackupsTest, ADestroyedEpochMakesTheBackupUnreadable) {
  auto made = backups_->Create();
  ASSERT_TRUE(made.ok());
  clock_.Advance(int64_t{31} * 86'400'000);
  auto later = backups_->Create();  // destroys the expired epoch first
  ASSERT_TRUE(later.ok());
  EXPECT_NE(later->manifest.epoch, made->manifest.epoch);
  Status old = RestoreInto(made->path, "old");
  EXPECT_EQ(old.reason(), "backup-epoch-destroyed") << old.ToString();
  EXPECT_TRUE(RestoreInto(later->path, "new").ok());
}

TEST_F(BackupsTest, CreateIfDueWaitsForThePeriod) {
  auto first = backups_->CreateIfDue(3'600'000);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->has_value());
  auto soon = backups_->CreateIfDue(3'600'000);
  ASSERT_TRUE(soon.ok());
  EXPECT_FALSE(soon->has_value());
  clock_.Advance(3'600'000);
  auto later = backups_->CreateIfDue(3'600'000);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->has_value());
}

}  // namespace
}  // namespace lethe
