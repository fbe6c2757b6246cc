// PostgreSQL specifics, on a real server (ctest's `postgres` fixture):
// a destroyed key leaves no copy in the key table's pages, the audit
// chain stays one chain with many concurrent writers (on SQLite too),
// uploads racing the poster workers all commit (issue 13), and a lock
// asked for late never lets a transaction commit twice.
#include "adapters/postgres/pg_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "domain/audit_log.h"
#include "ports/random.h"
#include "testing/temp_dir.h"
#include "testing/test_postgres.h"

namespace lethe {
namespace {

class PgKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = TestPostgres::Create();
    ASSERT_TRUE(pg.ok()) << pg.status().ToString();
    pg_ = std::move(*pg);
    auto admin = PgConnection::Open(pg_->conninfo());
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    admin_ = std::move(*admin);
    ASSERT_TRUE(admin_->ExecScript("CREATE EXTENSION IF NOT EXISTS pageinspect").ok());
  }

  // How many of the table's pages hold `needle`, read through the buffer
  // cache (get_raw_page: what the server has now, written out or not).
  int64_t PagesHolding(const std::string& table, const std::string& needle) {
    auto rows = admin_->Query(
        "SELECT count(*) FROM generate_series(0, pg_relation_size($1::text::regclass) / 8192 - 1) "
        "g WHERE position(convert_to($2, 'UTF8') IN get_raw_page($1::text, g::int)) > 0",
        {table, needle});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->empty() ? SqlInt((*rows)[0][0]) : -1;
  }
  // Whether the table's file on disk holds `needle`, after a checkpoint.
  bool FileHolds(const std::string& table, const std::string& needle) {
    EXPECT_TRUE(admin_->ExecScript("CHECKPOINT").ok());
    auto rows = admin_->Query(
        "SELECT position(convert_to($2, 'UTF8') IN "
        "pg_read_binary_file(pg_relation_filepath($1::regclass))) > 0",
        {table, needle});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->empty() && SqlInt((*rows)[0][0]) != 0;
  }

  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<TestPostgres> pg_;
  std::unique_ptr<PgConnection> admin_;
};

// USE-5: after Destroy (which runs Forget), no page of the key table, in
// memory or on disk, holds the wrapped key; before it, both did, so the
// scan can see it.
TEST_F(PgKeyStoreTest, DestroyedKeyLeavesNoCopyInTheTablePages_USE5) {
  auto db = PgDatabase::Open(pg_->conninfo(), SqlKeyStore::PostgresOptions());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto store = SqlKeyStore::Open(std::move(*db), clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string wrapped = "WRAPPED-KEY-MATERIAL-pg-0123456789abcdef";
  // Neighbours before and after it, so the row sits among live ones.
  ASSERT_TRUE((*store)->PutIfAbsent("subject/a/0", "neighbour-key-before").ok());
  ASSERT_TRUE((*store)->PutIfAbsent("subject/a/1", wrapped).ok());
  ASSERT_TRUE((*store)->PutIfAbsent("subject/a/2", "neighbour-key-after").ok());
  ASSERT_EQ(PagesHolding("wrapped_keys", wrapped), 1) << "the scan cannot see the key at all";
  ASSERT_TRUE(FileHolds("wrapped_keys", wrapped)) << "the file scan cannot see the key at all";

  ASSERT_TRUE((*store)->Destroy("subject/a/1").ok());
  EXPECT_EQ(PagesHolding("wrapped_keys", wrapped), 0) << "a dead version still holds the key";
  EXPECT_FALSE(FileHolds("wrapped_keys", wrapped)) << "the table file still holds the key";
  EXPECT_EQ((*store)->Get("subject/a/1").status().reason(), "key-destroyed");
  EXPECT_EQ(*(*store)->Get("subject/a/2"), "neighbour-key-after");
}

// Why the key store rewrites its table: a plain VACUUM (what the metadata
// store's Forget runs) frees a deleted row but leaves its bytes in the
// page's free space. This pins down the limit pg_database.h states (the row
// deleted here is the page's lowest, which compaction does not overwrite).
TEST_F(PgKeyStoreTest, PlainVacuumLeavesTheDeadBytesInThePage) {
  PgOptions plain;
  plain.connections = 1;
  auto db = PgDatabase::Open(pg_->conninfo(), plain);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string secret = "DELETED-ROW-MATERIAL-plain-vacuum";
  ASSERT_TRUE(
      (*db)
          ->Write(
              Durability::kPowerLoss,
              [&](SqlConnection& conn) -> Status {
                LETHE_RETURN_IF_ERROR(conn.ExecScript("CREATE TABLE t (k TEXT, v TEXT)"));
                for (const auto& [k, v] : {std::pair<std::string, std::string>{"a", "first"},
                                           {"b", "second"},
                                           {"c", secret}}) {
                  LETHE_RETURN_IF_ERROR(conn.Query("INSERT INTO t (k, v) VALUES ($1, $2)", {k, v}));
                }
                return Status::Ok();
              })
          .ok());
  ASSERT_EQ(PagesHolding("t", secret), 1);
  ASSERT_TRUE((*db)
                  ->Write(Durability::kPowerLoss,
                          [&](SqlConnection& conn) {
                            return StatusOf(conn.Query("DELETE FROM t WHERE k = 'c'", {}));
                          })
                  .ok());
  ASSERT_TRUE((*db)->Forget().ok());
  EXPECT_EQ(PagesHolding("t", secret), 1) << "plain VACUUM now wipes freed space: revisit";
}

// SEC-1: many threads record audit events at once; the chain stays one
// chain (seq 1..N, each hash over its predecessor), which Verify proves.
struct ChainBackend {
  std::string name;
  friend void PrintTo(const ChainBackend& b, std::ostream* os) { *os << b.name; }
};

// A metadata store on the parameter's backend: SQLite in a temporary
// directory, or a fresh PostgreSQL database (`pgdb_` then counts reruns).
class ConcurrentWriters : public ::testing::TestWithParam<ChainBackend> {
 protected:
  void OpenStore() {
    std::unique_ptr<SqlDatabase> db;
    if (GetParam().name == "postgres") {
      auto created = TestPostgres::Create();
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      pg_ = std::move(*created);
      auto opened = PgDatabase::Open(pg_->conninfo());
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      pgdb_ = opened->get();
      db = std::move(*opened);
    } else {
      auto opened = SqliteDatabase::Open(dir_.File("lethe.db"));
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      db = std::move(*opened);
    }
    store_ = SqlMetadataStore::Open(std::move(db), clock_);
    ASSERT_TRUE(store_.ok()) << store_.status().ToString();
  }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<TestPostgres> pg_;  // dropped after the store closes
  PgDatabase* pgdb_ = nullptr;
  Result<std::unique_ptr<SqlMetadataStore>> store_ = Status::Internal("not opened");
};

class AuditChainWriters : public ConcurrentWriters {};

TEST_P(AuditChainWriters, ConcurrentRecordsKeepOneVerifiableChain_SEC1) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  auto& store = store_;
  auto& clock = clock_;
  auto* pgdb = pgdb_;
  SystemRandom random;
  AuditLog audit(**store, clock, random);

  constexpr int kThreads = 6, kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status st = (*store)->Transact([&](MetadataTx& tx) -> Status {
          // Other work in the transaction before the chain is touched.
          LETHE_RETURN_IF_ERROR(StatusOf(tx.ListAccountIds()));
          LETHE_RETURN_IF_ERROR(audit.Record(tx, Actor::System("thread-" + std::to_string(t)),
                                             "test.append", std::to_string(i), "",
                                             RequestOrigin{}));
          return audit.Record(tx, Actor::System("thread-" + std::to_string(t)), "test.second",
                              std::to_string(i), "", RequestOrigin{});
        });
        if (!st.ok()) {
          ++failures;
          ADD_FAILURE() << st.ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto verdict = audit.Verify();
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  EXPECT_TRUE(verdict->intact) << verdict->first_bad_seq << ": " << verdict->problem;
  EXPECT_EQ(verdict->events, 2 * kThreads * kEach);
  if (pgdb) std::cout << "postgres write reruns: " << pgdb->retries() << "\n";
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditChainWriters,
                         ::testing::Values(ChainBackend{"sqlite"}, ChainBackend{"postgres"}),
                         [](const auto& info) { return info.param.name; });

// Issue 13: an upload's commit (its media, its intent settled, the audit
// chain, its poster queued) racing the poster workers (claim, then the
// artifact and its blob's intent) on a fresh, small database. On
// PostgreSQL each pair used to read an index page the other wrote, and an
// upload could fail to serialize 20 times in a row. Every transaction must
// commit; the reruns are printed for the measurement.
class UploadAndPosterWriters : public ConcurrentWriters {};

TEST_P(UploadAndPosterWriters, UploadsRacingPosterWorkersAllCommit) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  auto& store = store_;
  auto& clock = clock_;
  auto* pgdb = pgdb_;
  SystemRandom random;
  AuditLog audit(**store, clock, random);
  ASSERT_TRUE((*store)
                  ->Transact([&](MetadataTx& tx) -> Status {
                    CustomerRecord c;
                    c.id = "cus_1";
                    c.name = "C";
                    c.email = "c@example.com";
                    c.password_hash = "h";
                    c.country = "US";
                    c.birth_date = "1990-01-01";
                    LETHE_RETURN_IF_ERROR(tx.InsertCustomer(c));
                    return tx.InsertAccount(AccountRecord{"acc_1", "cus_1", "app", "us", "d", 1});
                  })
                  .ok());

  constexpr int kUploaders = 8, kEach = 30, kWorkers = 3;
  std::atomic<int> failures{0}, uploaded{0}, finished{0};
  auto fail = [&](const Status& st) {
    ++failures;
    ADD_FAILURE() << st.ToString();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kUploaders; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "med_" + std::to_string(t) + "_" + std::to_string(i);
        // The intent, as the upload starts (MediaLibrary::NoteBlobIntent).
        Status st = (*store)->Transact(
            [&](MetadataTx& tx) { return tx.InsertBlobIntent("blb_" + id, 1, ""); });
        // Its commit (MediaIngest::Commit, with MediaArtifacts::Emit).
        if (st.ok()) {
          st = (*store)->Transact([&](MetadataTx& tx) -> Status {
            LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccountById("acc_1")));
            MediaRecord m;
            m.id = id;
            m.account_id = "acc_1";
            m.kind = "image";
            m.content_type = "image/png";
            m.blob_id = "blb_" + id;
            m.wrapped_key = "w";
            LETHE_RETURN_IF_ERROR(StatusOf(tx.InsertMedia(m)));
            LETHE_RETURN_IF_ERROR(tx.DeleteBlobIntents({m.blob_id}));
            LETHE_RETURN_IF_ERROR(audit.Record(tx, Actor::System("uploader"), "media.create", id,
                                               "acc_1", RequestOrigin{}));
            LETHE_RETURN_IF_ERROR(StatusOf(tx.FindMedia("acc_1", id)));
            return tx.UpsertMediaArtifact(
                {id, "poster", "acc_1", "pending", 0, 0, std::nullopt, 0, "", 1, 1});
          });
        }
        if (st.ok()) {
          ++uploaded;
        } else {
          fail(st);
        }
      }
    });
  }
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&] {
      while (finished.load() + failures.load() < kUploaders * kEach) {
        std::vector<MediaArtifactRecord> claimed;
        Status st = (*store)->Transact([&](MetadataTx& tx) -> Status {
          LETHE_ASSIGN_OR_RETURN(claimed, tx.ClaimMediaArtifacts(1, 1'000'000, 1, "me"));
          return Status::Ok();
        });
        if (!st.ok()) fail(st);
        if (claimed.empty()) {
          if (uploaded.load() + failures.load() == kUploaders * kEach) break;
          std::this_thread::yield();
          continue;
        }
        MediaArtifactRecord a = claimed.front();
        const std::string blob = "blb_" + a.media_id + "-poster";
        st = (*store)->Transact([&](MetadataTx& tx) { return tx.InsertBlobIntent(blob, 1, ""); });
        if (st.ok()) {
          st = (*store)->Transact([&](MetadataTx& tx) -> Status {
            LETHE_RETURN_IF_ERROR(StatusOf(tx.FindMedia(a.account_id, a.media_id)));
            a.state = "ready";
            a.lease_until_ms.reset();
            LETHE_RETURN_IF_ERROR(tx.UpsertMediaArtifact(a));
            return tx.DeleteBlobIntents({blob});
          });
        }
        if (st.ok()) {
          ++finished;
        } else {
          fail(st);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(uploaded.load(), kUploaders * kEach);
  EXPECT_EQ(finished.load(), kUploaders * kEach);
  auto verdict = audit.Verify();
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  EXPECT_TRUE(verdict->intact);
  if (pgdb) {
    std::cout << "postgres write reruns: " << pgdb->retries() << " for " << kUploaders * kEach
              << " uploads\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, UploadAndPosterWriters,
                         ::testing::Values(ChainBackend{"sqlite"}, ChainBackend{"postgres"}),
                         [](const auto& info) { return info.param.name; });

// A transaction that goes on after its lock request was refused, and
// returns Ok, is rerun with the lock, and what it did without it is not
// committed: the row is written once.
TEST(PgDatabaseWrite, ALockAskedForLateNeverCommitsTheRunWithoutIt) {
  auto pg = TestPostgres::Create();
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  auto db = PgDatabase::Open((*pg)->conninfo());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)
                  ->Write(Durability::kPowerLoss,
                          [](SqlConnection& c) { return c.ExecScript("CREATE TABLE t (n INT)"); })
                  .ok());
  int runs = 0;
  Status st = (*db)->Write(Durability::kPowerLoss, [&](SqlConnection& c) -> Status {
    ++runs;
    LETHE_RETURN_IF_ERROR(StatusOf(c.Query("INSERT INTO t (n) VALUES (1)", {})));
    (void)c.LockTableForWrite("t");  // refused on the first run; ignored
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(runs, 2);
  int64_t count = -1;
  ASSERT_TRUE((*db)
                  ->Read([&](SqlConnection& c) -> Status {
                    LETHE_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT count(*) FROM t", {}));
                    if (rows.size() == 1) count = SqlInt(rows[0][0]);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace lethe
