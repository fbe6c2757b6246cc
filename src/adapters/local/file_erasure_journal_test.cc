#include "adapters/local/file_erasure_journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/temp_dir.h"

namespace lethe {
namespace {

TEST(FileErasureJournalTest, AppendsSurviveReopeningAndATornLineIsSkipped) {
  TempDir dir;
  std::string path = dir.path() + "/erasure.journal";
  {
    FileErasureJournal j(path);
    ASSERT_TRUE(j.ReadAll().ok());
    EXPECT_TRUE(j.ReadAll()->empty());
    ASSERT_TRUE(j.Append({"era_1", "end_user", "kh_a", "kh_b", 10}).ok());
    ASSERT_TRUE(j.Append({"era_2", "media", "kh_a", "kh_c", 20}).ok());
  }
  std::ofstream(path, std::ios::app) << "{\"erasure\":\"era_3\",\"sco";  // torn
  FileErasureJournal j(path);
  auto all = j.ReadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].erasure_id, "era_1");
  EXPECT_EQ((*all)[0].scope, "end_user");
  EXPECT_EQ((*all)[1].target, "kh_c");
  EXPECT_EQ((*all)[1].at_ms, 20);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

}  // namespace
}  // namespace lethe
