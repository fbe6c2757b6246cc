#include "adapters/local/local_blob_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/temp_dir.h"

namespace lethe {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(LocalBlobStore, BlobIsInvisibleUntilCommitted) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  ASSERT_TRUE(store.ok());
  auto writer = (*store)->Create("blb_abc");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(Bytes("hello ")).ok());
  ASSERT_TRUE((*writer)->Append(Bytes("world")).ok());
  EXPECT_EQ((*store)->Open("blb_abc").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE((*store)->List()->empty());
  ASSERT_TRUE((*writer)->Commit().ok());
  auto reader = (*store)->Open("blb_abc");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->size(), 11u);
  std::string out(5, '\0');
  ASSERT_TRUE((*reader)->ReadAt(6, {reinterpret_cast<uint8_t*>(out.data()), 5}).ok());
  EXPECT_EQ(out, "world");
  EXPECT_EQ((*reader)->ReadAt(8, {reinterpret_cast<uint8_t*>(out.data()), 5}).code(),
            Status::Code::kDataLoss);
  EXPECT_EQ(*(*store)->List(), std::vector<std::string>{"blb_abc"});
}

TEST(LocalBlobStore, AbandonedWriterLeavesNothing) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  {
    auto writer = (*store)->Create("blb_gone");
    ASSERT_TRUE((*writer)->Append(Bytes("partial")).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.File("media/incoming")));
  EXPECT_TRUE((*store)->List()->empty());
}

TEST(LocalBlobStore, RemoveIncompleteSweepsCrashLeftovers) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  // What a crash mid-write leaves: a temp file nobody will finish.
  { std::ofstream(dir.File("media/incoming/blb_x.123.0")) << "half"; }
  EXPECT_EQ(*(*store)->RemoveIncomplete(), 1);
  EXPECT_TRUE(std::filesystem::is_empty(dir.File("media/incoming")));
}

TEST(LocalBlobStore, RefusesIdsThatCouldEscapeTheStore) {
  TempDir dir;
  auto store = LocalBlobStore::OpenAt(dir.File("media"));
  EXPECT_FALSE((*store)->Create("../../etc/x").ok());
  EXPECT_FALSE((*store)->Create("a/b").ok());
  EXPECT_EQ((*store)->Open("../lethe.db").status().code(), Status::Code::kNotFound);
  EXPECT_EQ((*store)->Remove("..").code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace lethe
