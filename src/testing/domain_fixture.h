// DomainFixture: the domain services wired to real SQLite files and a real
// blob directory in a temp dir, with a manual clock. No mocks. A test that
// sets metadata_on_postgres_ (in its constructor) keeps the metadata in a
// fresh PostgreSQL database instead (testing/test_postgres.h).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "adapters/local/local_blob_store.h"
#include "adapters/postgres/pg_database.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "domain/accounts.h"
#include "domain/audit_log.h"
#include "domain/customers.h"
#include "domain/key_ring.h"
#include "domain/media_library.h"
#include "testing/temp_dir.h"
#include "testing/test_postgres.h"

namespace lethe {

class DomainFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<SqlDatabase> meta_db;
    if (metadata_on_postgres_) {
      auto created = TestPostgres::Create();
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      pg_ = std::move(*created);
      auto opened = PgDatabase::Open(pg_->conninfo());
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      meta_db = std::move(*opened);
    } else {
      auto opened = SqliteDatabase::Open(dir_.File("lethe.db"));
      ASSERT_TRUE(opened.ok());
      meta_db = std::move(*opened);
    }
    auto meta = SqlMetadataStore::Open(std::move(meta_db), clock_);
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    metadata_ = std::move(*meta);
    auto key_conn = SqliteDatabase::Open(dir_.File("keys.db"));
    ASSERT_TRUE(key_conn.ok());
    auto keys = SqlKeyStore::Open(std::move(*key_conn), clock_);
    ASSERT_TRUE(keys.ok());
    keys_ = std::move(*keys);
    auto blobs = LocalBlobStore::OpenAt(dir_.File("media"));
    ASSERT_TRUE(blobs.ok());
    blobs_ = std::move(*blobs);
    master_.fill(7);
    audit_ = std::make_unique<AuditLog>(*metadata_, clock_, random_);
    customers_ = std::make_unique<Customers>(*metadata_, *audit_, clock_, random_,
                                             CustomerOptions{PasswordCost::Minimum()});
    accounts_ = std::make_unique<Accounts>(*metadata_, *audit_, clock_, random_);
    ring_ = std::make_unique<KeyRing>(master_, *keys_, random_);
    ids_ = std::make_unique<KeyedIds>(master_);
    media_ = std::make_unique<MediaLibrary>(*metadata_, *blobs_, *ring_, *audit_, *ids_, clock_,
                                            random_, uint64_t{64} << 20);
  }

  // A signed-up customer with one account; returns the account's principal.
  Principal MakeAccount(const std::string& email) {
    SignupForm form{"Ada", email, "correct horse battery", "US", "1990-01-01"};
    auto signup = customers_->SignUp(form, origin_);
    EXPECT_TRUE(signup.ok()) << signup.status().ToString();
    auto account = accounts_->Create(signup->customer.id, "app", "us", origin_);
    EXPECT_TRUE(account.ok());
    return Principal{account->account, account->account.id};
  }

  bool metadata_on_postgres_ = false;
  TempDir dir_;
  std::unique_ptr<TestPostgres> pg_;  // before metadata_: dropped once the store is closed
  ManualClock clock_{1'795'000'000'000};
  SystemRandom random_;
  Key master_;
  RequestOrigin origin_{"req_test", "127.0.0.1", "bot", "curl", "8.0", "en-US", "US"};
  std::unique_ptr<SqlMetadataStore> metadata_;
  std::unique_ptr<SqlKeyStore> keys_;
  std::unique_ptr<LocalBlobStore> blobs_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Customers> customers_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<KeyRing> ring_;
  std::unique_ptr<KeyedIds> ids_;
  std::unique_ptr<MediaLibrary> media_;
};

}  // namespace lethe
