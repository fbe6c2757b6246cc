// DomainFixture: the domain services wired to real SQLite files and a real
// blob directory in a temp dir, with a manual clock. No mocks.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "adapters/local/local_blob_store.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "domain/accounts.h"
#include "domain/audit_log.h"
#include "domain/customers.h"
#include "domain/key_ring.h"
#include "domain/media_library.h"
#include "testing/temp_dir.h"

namespace lethe {

class DomainFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto meta_conn = SqliteDatabase::Open(dir_.File("lethe.db"));
    ASSERT_TRUE(meta_conn.ok());
    auto meta = SqlMetadataStore::Open(std::move(*meta_conn), clock_);
    ASSERT_TRUE(meta.ok());
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

  TempDir dir_;
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
