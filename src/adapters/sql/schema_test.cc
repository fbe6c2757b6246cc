// Every migration exists for every engine: a version written for SQLite
// alone would leave a PostgreSQL store at the version before it.
#include "adapters/sql/schema.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(MetadataMigrations, EveryVersionIsWrittenForPostgresToo) {
  const auto& sqlite = MetadataMigrations(SqlDialect::kSqlite);
  const auto& postgres = MetadataMigrations(SqlDialect::kPostgres);
  ASSERT_FALSE(sqlite.empty());
  std::vector<int> sqlite_versions, postgres_versions;
  for (const Migration& m : sqlite) sqlite_versions.push_back(m.version);
  for (const Migration& m : postgres) {
    postgres_versions.push_back(m.version);
    EXPECT_FALSE(m.sql.empty()) << "version " << m.version;
    // SQLite-only spellings that PostgreSQL refuses.
    EXPECT_EQ(m.sql.find("AUTOINCREMENT"), std::string::npos) << "version " << m.version;
    EXPECT_EQ(m.sql.find("INSERT OR"), std::string::npos) << "version " << m.version;
  }
  EXPECT_EQ(postgres_versions, sqlite_versions)
      << "a migration lacks its PostgreSQL text (schema.cc: write kVnPostgres beside kVnSqlite)";
}

}  // namespace
}  // namespace lethe
