#include "domain/key_ring.h"

#include <gtest/gtest.h>

#include "adapters/sql/sql_key_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

class KeyRingTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqlKeyStore> OpenStore() {
    auto conn = SqliteDatabase::Open(dir_.File("keys.db"));
    EXPECT_TRUE(conn.ok());
    auto store = SqlKeyStore::Open(std::move(*conn), clock_);
    EXPECT_TRUE(store.ok());
    return std::move(*store);
  }

  TempDir dir_;
  ManualClock clock_{1'795'000'000'000};
  SystemRandom random_;
};

TEST_F(KeyRingTest, MasterKeyCheckAcceptsTheSameKeyAndRefusesAnother) {
  Key master;
  master.fill(7);
  {
    auto store = OpenStore();
    KeyRing ring(master, *store, random_);
    ASSERT_TRUE(ring.CheckMasterKey().ok());
    ASSERT_TRUE(ring.WrapDataKey("acc_1", "", "med_1", ring.NewDataKey()).ok());
  }
  {
    auto store = OpenStore();
    KeyRing same(master, *store, random_);
    EXPECT_TRUE(same.CheckMasterKey().ok());
  }
  Key other = master;
  other[31] ^= 1;  // well-formed, one bit off
  auto store = OpenStore();
  KeyRing wrong(other, *store, random_);
  Status st = wrong.CheckMasterKey();
  EXPECT_EQ(st.code(), Status::Code::kFailedPrecondition) << st.ToString();
  EXPECT_EQ(st.reason(), "master-key-mismatch");
}

}  // namespace
}  // namespace lethe
