// The KeyStore contract, run against every backend (SQLite today).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "adapters/sql/sql_key_store.h"
#include "adapters/sqlite/sqlite_connection.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

class KeyStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = SqliteConnection::Open(dir_.File("keys.db"));
    ASSERT_TRUE(conn.ok());
    auto store = SqlKeyStore::Open(std::move(*conn), clock_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<SqlKeyStore> store_;
};

TEST_F(KeyStoreContract, FirstWriterWins) {
  EXPECT_EQ(*store_->PutIfAbsent("subject/a/1", "first"), "first");
  EXPECT_EQ(*store_->PutIfAbsent("subject/a/1", "second"), "first");
  EXPECT_EQ(*store_->Get("subject/a/1"), "first");
  EXPECT_EQ(store_->Get("subject/a/2").status().code(), Status::Code::kNotFound);
}

// USE-5 groundwork: a destroyed key is gone for good and never re-created.
TEST_F(KeyStoreContract, DestroyedKeysStayDestroyed) {
  const std::string wrapped = "WRAPPED-KEY-MATERIAL-0123456789abcdef";
  ASSERT_TRUE(store_->PutIfAbsent("subject/a/1", wrapped).ok());
  ASSERT_TRUE(store_->Destroy("subject/a/1").ok());
  EXPECT_EQ(store_->Get("subject/a/1").status().reason(), "key-destroyed");
  EXPECT_EQ(store_->PutIfAbsent("subject/a/1", "new").status().reason(), "key-destroyed");
  EXPECT_EQ(store_->Destroy("subject/never").code(), Status::Code::kNotFound);
  store_.reset();  // close, checkpointing the WAL into the main file
  for (const char* name : {"keys.db", "keys.db-wal"}) {
    std::ifstream in(dir_.File(name), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(wrapped), std::string::npos) << name << " still holds the key";
  }
}

}  // namespace
}  // namespace lethe
