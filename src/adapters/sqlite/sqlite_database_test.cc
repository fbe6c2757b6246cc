#include "adapters/sqlite/sqlite_database.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "testing/temp_dir.h"

namespace lethe {
namespace {

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDatabase::Open(dir_.File("t.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Write(Durability::kPowerLoss,
                           [](SqlConnection& c) {
                             return c.ExecScript("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
                           })
                    .ok());
  }
  Status Insert(int k, Durability d = Durability::kPowerLoss) {
    return db_->Write(d, [k](SqlConnection& c) {
      return StatusOf(c.Query("INSERT INTO t (k, v) VALUES ($1, 'x')", {int64_t{k}}));
    });
  }
  int64_t Count() {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](SqlConnection& c) -> Status {
                     LETHE_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM t", {}));
                     n = SqlInt(rows[0][0]);
                     return Status::Ok();
                   })
                    .ok());
    return n;
  }
  off_t WalSize() {
    struct stat st {};
    return ::stat(dir_.File("t.db-wal").c_str(), &st) == 0 ? st.st_size : -1;
  }

  TempDir dir_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteDatabaseTest, ConcurrentDurableCommitsShareWalSyncs) {
  constexpr int kThreads = 16, kEach = 20;
  uint64_t before = db_->wal_syncs();
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!Insert(t * 1000 + i).ok()) ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(Count(), kThreads * kEach);
  uint64_t syncs = db_->wal_syncs() - before;
  std::cout << "[ figures  ] " << kThreads * kEach << " durable commits, " << syncs
            << " WAL syncs\n";
  EXPECT_GE(syncs, 1u);
  EXPECT_LT(syncs, static_cast<uint64_t>(kThreads * kEach));
}

TEST_F(SqliteDatabaseTest, EveryDurableCommitIsSyncedAndTelemetryIsNot) {
  uint64_t before = db_->wal_syncs();
  ASSERT_TRUE(Insert(1).ok());
  EXPECT_EQ(db_->wal_syncs(), before + 1);  // alone, a commit gets its own sync
  ASSERT_TRUE(Insert(2, Durability::kProcessCrash).ok());
  EXPECT_EQ(db_->wal_syncs(), before + 1);
  EXPECT_EQ(Count(), 2);
}

TEST_F(SqliteDatabaseTest, AFailedWriteRollsBack) {
  Status st = db_->Write(Durability::kPowerLoss, [](SqlConnection& c) -> Status {
    LETHE_RETURN_IF_ERROR(c.Query("INSERT INTO t (k, v) VALUES (1, 'x')", {}));
    return Status::Internal("injected");
  });
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_EQ(Count(), 0);
  ASSERT_TRUE(Insert(1).ok());
  EXPECT_EQ(Insert(1).code(), Status::Code::kAlreadyExists);
}

// A reader holding a snapshot neither blocks the writer nor sees its commit.
TEST_F(SqliteDatabaseTest, ReadersRunBesideTheWriter) {
  ASSERT_TRUE(Insert(1).ok());
  std::promise<void> reading, written;
  std::thread reader([&] {
    EXPECT_TRUE(db_->Read([&](SqlConnection& c) -> Status {
                     LETHE_ASSIGN_OR_RETURN(auto a, c.Query("SELECT COUNT(*) FROM t", {}));
                     reading.set_value();
                     written.get_future().wait();
                     LETHE_ASSIGN_OR_RETURN(auto b, c.Query("SELECT COUNT(*) FROM t", {}));
                     EXPECT_EQ(SqlInt(a[0][0]), SqlInt(b[0][0]));  // one snapshot
                     return Status::Ok();
                   })
                    .ok());
  });
  reading.get_future().wait();
  EXPECT_TRUE(Insert(2).ok());
  written.set_value();
  reader.join();
  EXPECT_EQ(Count(), 2);
}

TEST_F(SqliteDatabaseTest, ForgetLeavesAnEmptyWal) {
  ASSERT_TRUE(Insert(1).ok());
  EXPECT_GT(WalSize(), 0);
  ASSERT_TRUE(db_->Forget().ok());
  EXPECT_EQ(WalSize(), 0);
  // The group sync still works on the truncated file.
  ASSERT_TRUE(Insert(2).ok());
  EXPECT_EQ(Count(), 2);
}

}  // namespace
}  // namespace lethe
