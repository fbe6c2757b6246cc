// The KeyStore contract, run against every backend: SQLite and PostgreSQL.
// PostgreSQL's proof that a destroyed key leaves no copy reads the table's
// raw pages: pg_key_store_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <ostream>

#include "adapters/postgres/pg_database.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "testing/temp_dir.h"
#include "testing/test_postgres.h"

namespace lethe {
namespace {

struct KeyBackend {
  std::string name;
  friend void PrintTo(const KeyBackend& b, std::ostream* os) { *os << b.name; }
  std::function<std::unique_ptr<KeyStore>(const TempDir&, const Clock&,
                                          std::unique_ptr<TestPostgres>& pg)>
      open;
  bool files_in_dir;  // the store's files are in the TempDir (SQLite)
};

std::unique_ptr<KeyStore> OpenSqliteKeys(const TempDir& dir, const Clock& clock,
                                         std::unique_ptr<TestPostgres>&) {
  auto conn = SqliteDatabase::Open(dir.File("keys.db"));
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  auto store = SqlKeyStore::Open(std::move(*conn), clock);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(*store);
}

std::unique_ptr<KeyStore> OpenPostgresKeys(const TempDir&, const Clock& clock,
                                           std::unique_ptr<TestPostgres>& pg) {
  auto created = TestPostgres::Create();
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  if (!created.ok()) return nullptr;
  pg = std::move(*created);
  auto db = PgDatabase::Open(pg->conninfo(), SqlKeyStore::PostgresOptions());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  auto store = SqlKeyStore::Open(std::move(*db), clock);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(*store);
}

class KeyStoreContract : public ::testing::TestWithParam<KeyBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_, clock_, pg_);
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<TestPostgres> pg_;
  std::unique_ptr<KeyStore> store_;
};

TEST_P(KeyStoreContract, FirstWriterWins) {
  EXPECT_EQ(*store_->PutIfAbsent("subject/a/1", "first"), "first");
  EXPECT_EQ(*store_->PutIfAbsent("subject/a/1", "second"), "first");
  EXPECT_EQ(*store_->Get("subject/a/1"), "first");
  EXPECT_EQ(store_->Get("subject/a/2").status().code(), Status::Code::kNotFound);
}

// USE-5 groundwork: a destroyed key is gone for good and never re-created.
TEST_P(KeyStoreContract, DestroyedKeysStayDestroyed) {
  const std::string wrapped = "WRAPPED-KEY-MATERIAL-0123456789abcdef";
  // Every file of the store's directory, concatenated (SQLite: the database
  // and its write-ahead log).
  auto on_disk = [&] {
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      std::ifstream in(entry.path(), std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  };
  ASSERT_TRUE(store_->PutIfAbsent("subject/a/1", wrapped).ok());
  if (GetParam().files_in_dir) {
    ASSERT_NE(on_disk().find(wrapped), std::string::npos) << "the scan cannot see the key at all";
  }
  ASSERT_TRUE(store_->Destroy("subject/a/1").ok());
  // Gone from disk at once, while the store is still open (crypto-shredding).
  EXPECT_EQ(on_disk().find(wrapped), std::string::npos) << "a copy of the key is still on disk";
  EXPECT_EQ(store_->Get("subject/a/1").status().reason(), "key-destroyed");
  EXPECT_EQ(store_->PutIfAbsent("subject/a/1", "new").status().reason(), "key-destroyed");
  EXPECT_EQ(store_->Destroy("subject/never").code(), Status::Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyStoreContract,
                         ::testing::Values(KeyBackend{"sqlite", OpenSqliteKeys, true},
                                           KeyBackend{"postgres", OpenPostgresKeys, false}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace lethe
