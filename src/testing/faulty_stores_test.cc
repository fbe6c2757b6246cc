// The fault-injecting wrappers fail exactly the call they were told to, once,
// count every call, and otherwise pass everything through.
#include <gtest/gtest.h>

#include "adapters/local/local_blob_store.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "testing/faulty_blob_store.h"
#include "testing/faulty_key_store.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class FaultyBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto local = LocalBlobStore::OpenAt(dir_.File("media"));
    ASSERT_TRUE(local.ok());
    store_ = std::make_unique<FaultyBlobStore>(std::move(*local));
  }
  TempDir dir_;
  std::unique_ptr<FaultyBlobStore> store_;
};

TEST_F(FaultyBlobStoreTest, FailsTheNthCallOnceAndCountsAll) {
  auto writer = store_->Create("blb_nth");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(Bytes("a")).ok());  // before arming: not counted in nth
  store_->FailNth(BlobOp::kAppend, 2, Status::Internal("EIO"));
  EXPECT_EQ(store_->pending(), 1u);
  EXPECT_TRUE((*writer)->Append(Bytes("b")).ok());
  EXPECT_EQ((*writer)->Append(Bytes("c")).code(), Status::Code::kInternal);
  EXPECT_TRUE((*writer)->Append(Bytes("d")).ok());
  EXPECT_EQ(store_->pending(), 0u);
  EXPECT_EQ(store_->calls(BlobOp::kAppend), 4u);
  EXPECT_EQ(store_->calls(BlobOp::kCreate), 1u);
  ASSERT_TRUE((*writer)->Commit().ok());
  // A failure "before" never reached the disk: "c" is missing.
  auto reader = store_->Open("blb_nth");
  ASSERT_TRUE(reader.ok());
  std::string back(3, '\0');
  ASSERT_TRUE((*reader)->ReadAt(0, {reinterpret_cast<uint8_t*>(back.data()), 3}).ok());
  EXPECT_EQ(back, "abd");
  EXPECT_EQ(store_->calls(BlobOp::kReadAt), 1u);
}

TEST_F(FaultyBlobStoreTest, StatusesPassThroughAndEveryOperationCanFail) {
  store_->FailNth(BlobOp::kCreate, 1, Status::InsufficientStorage("ENOSPC"));
  EXPECT_EQ(store_->Create("blb_x").status().code(), Status::Code::kInsufficientStorage);
  store_->FailNth(BlobOp::kList, 1, Status::Internal("EIO"));
  EXPECT_FALSE(store_->List().ok());
  EXPECT_TRUE(store_->List().ok());
  store_->FailNth(BlobOp::kRemoveIncomplete, 1, Status::Internal("EIO"));
  EXPECT_FALSE(store_->RemoveIncomplete().ok());
  store_->FailNth(BlobOp::kOpen, 1, Status::Internal("EIO"));
  EXPECT_EQ(store_->Open("blb_none").status().code(), Status::Code::kInternal);
  EXPECT_EQ(store_->Open("blb_none").status().code(), Status::Code::kNotFound);
  store_->FailNth(BlobOp::kRemove, 1, Status::Internal("EIO"));
  EXPECT_EQ(store_->Remove("blb_none").code(), Status::Code::kInternal);
  EXPECT_EQ(store_->Remove("blb_none").code(), Status::Code::kNotFound);
  store_->FailNth(BlobOp::kRemoveMany, 1, Status::Internal("EIO"));
  EXPECT_EQ(store_->RemoveMany({"blb_none"}).code(), Status::Code::kInternal);
  EXPECT_TRUE(store_->RemoveMany({"blb_none"}).ok());
}

TEST_F(FaultyBlobStoreTest, AfterModeLetsTheCallTakeEffect) {
  auto writer = store_->Create("blb_after");
  ASSERT_TRUE(writer.ok());
  store_->FailNth(BlobOp::kCommit, 1, Status::Internal("fsync dir: EIO"), FaultMode::kAfter);
  EXPECT_EQ((*writer)->Commit().code(), Status::Code::kInternal);
  // The rename happened: this is the state a caller must clean up.
  EXPECT_TRUE(store_->Open("blb_after").ok());
  store_->FailNth(BlobOp::kCommit, 5, Status::Internal("never"));
  store_->Disarm();
  EXPECT_EQ(store_->pending(), 0u);
}

TEST(FaultyKeyStoreTest, FailsTheNthWrite) {
  TempDir dir;
  ManualClock clock(1'700'000'000'000);
  auto conn = SqliteDatabase::Open(dir.File("keys.db"));
  ASSERT_TRUE(conn.ok());
  auto sql = SqlKeyStore::Open(std::move(*conn), clock);
  ASSERT_TRUE(sql.ok());
  FaultyKeyStore keys(std::move(*sql));
  keys.FailNth(KeyOp::kPutIfAbsent, 2, Status::Internal("EIO"));
  EXPECT_TRUE(keys.PutIfAbsent("subject/a/1", "k1").ok());
  EXPECT_EQ(keys.PutIfAbsent("subject/a/2", "k2").status().code(), Status::Code::kInternal);
  EXPECT_EQ(keys.Get("subject/a/2").status().code(), Status::Code::kNotFound);
  keys.FailNth(KeyOp::kPutIfAbsent, 1, Status::Internal("EIO"), FaultMode::kAfter);
  EXPECT_FALSE(keys.PutIfAbsent("subject/a/3", "k3").ok());
  EXPECT_EQ(*keys.Get("subject/a/3"), "k3");
  keys.FailNth(KeyOp::kDestroy, 1, Status::Internal("EIO"));
  EXPECT_FALSE(keys.Destroy("subject/a/1").ok());
  EXPECT_EQ(*keys.Get("subject/a/1"), "k1");
  EXPECT_EQ(keys.calls(KeyOp::kPutIfAbsent), 3u);
  EXPECT_EQ(keys.calls(KeyOp::kGet), 3u);
  EXPECT_EQ(keys.calls(KeyOp::kDestroy), 1u);
}

}  // namespace
}  // namespace lethe
