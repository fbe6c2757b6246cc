#include "adapters/local/instance_id.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "ports/random.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

TEST(InstanceIdTest, IsMadeOnceAndKeptAcrossRestarts) {
  TempDir dir;
  SystemRandom random;
  auto first = LoadInstanceId(dir.path(), random);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rfind("ins_", 0), 0u);
  EXPECT_EQ(first->size(), 24u);
  auto again = LoadInstanceId(dir.path(), random);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  // Another data directory is another instance.
  TempDir other;
  auto second = LoadInstanceId(other.path(), random);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *first);
}

TEST(InstanceIdTest, ADamagedFileIsRefusedNotReplaced) {
  TempDir dir;
  SystemRandom random;
  { std::ofstream(dir.File("instance.id")) << "ins_short\n"; }
  auto id = LoadInstanceId(dir.path(), random);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().reason(), "bad-instance-id");
  // Replacing it would hand a live peer's claims to this server.
  std::ifstream in(dir.File("instance.id"));
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "ins_short");
}

TEST(InstanceIdTest, ATempFileLeftByACrashDoesNotBlockTheFirstStart) {
  TempDir dir;
  SystemRandom random;
  { std::ofstream(dir.File("instance.id.tmp")) << "ins_"; }
  auto id = LoadInstanceId(dir.path(), random);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  struct stat st;
  EXPECT_NE(::stat(dir.File("instance.id.tmp").c_str(), &st), 0);
}

}  // namespace
}  // namespace lethe
