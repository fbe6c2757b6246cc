// The MetadataStore contract: one suite, run against every backend.
// SQLite and PostgreSQL (a fresh database per test on the server ctest
// starts: testing/test_postgres.h).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <ostream>
#include <thread>
#include <vector>

#include "adapters/postgres/pg_database.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "testing/temp_dir.h"
#include "testing/test_postgres.h"

namespace lethe {
namespace {

struct Backend {
  std::string name;
  friend void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }
  // Opens a store in `dir` or in a database it creates and keeps in `pg`.
  std::function<std::unique_ptr<MetadataStore>(const TempDir&, const Clock&,
                                               std::unique_ptr<TestPostgres>& pg)>
      open;
};

std::unique_ptr<MetadataStore> OpenSqlite(const TempDir& dir, const Clock& clock,
                                          std::unique_ptr<TestPostgres>&) {
  auto conn = SqliteDatabase::Open(dir.File("lethe.db"));
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  auto store = SqlMetadataStore::Open(std::move(*conn), clock);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(*store);
}

std::unique_ptr<MetadataStore> OpenPostgres(const TempDir&, const Clock& clock,
                                            std::unique_ptr<TestPostgres>& pg) {
  auto created = TestPostgres::Create();
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  if (!created.ok()) return nullptr;
  pg = std::move(*created);
  auto db = PgDatabase::Open(pg->conninfo());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  auto store = SqlMetadataStore::Open(std::move(*db), clock);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(*store);
}

class MetadataStoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_, clock_, pg_);
    ASSERT_NE(store_, nullptr);
  }

  CustomerRecord Customer(const std::string& id, const std::string& email) {
    CustomerRecord c;
    c.id = id;
    c.name = "Name " + id;
    c.email = email;
    c.password_hash = "hash";
    c.country = "US";
    c.birth_date = "1990-01-01";
    c.created_ms = 1;
    return c;
  }
  AccountRecord Account(const std::string& id, const std::string& customer) {
    return AccountRecord{id, customer, "app", "eu", "digest-" + id, 2};
  }

  // One write in a transaction of its own.
  Status W(const std::function<Status(MetadataTx&)>& fn) { return store_->Transact(fn); }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<TestPostgres> pg_;  // dropped after the store closes
  std::unique_ptr<MetadataStore> store_;
};

TEST_P(MetadataStoreContract, CustomerEmailIsUniqueCaseInsensitively) {
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.InsertCustomer(Customer("cus_a", "Ada@Example.com"));
              }).ok());
  Status dup =
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_b", "ada@example.COM")); });
  EXPECT_EQ(dup.code(), Status::Code::kAlreadyExists);
  auto found = store_->FindCustomerByEmail("ADA@EXAMPLE.COM");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, "cus_a");
  EXPECT_EQ(found->email, "Ada@Example.com");
}

TEST_P(MetadataStoreContract, AccountsAreScopedByCustomer) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_b", "b@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  EXPECT_TRUE(store_->FindAccount("cus_a", "acc_1").ok());
  EXPECT_EQ(store_->FindAccount("cus_b", "acc_1").status().code(), Status::Code::kNotFound);
  AccountRecord hijack = Account("acc_1", "cus_b");
  hijack.name = "stolen";
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.UpdateAccount(hijack); }).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->FindAccountById("acc_1")->name, "app");
  EXPECT_EQ(store_->FindAccountByToken("digest-acc_1")->id, "acc_1");
}

TEST_P(MetadataStoreContract, TransactionRollsBackOnError) {
  bool after_commit_ran = false;
  Status st = store_->Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertCustomer(Customer("cus_a", "a@x.io")));
    tx.AfterCommit([&] { after_commit_ran = true; });
    // The transaction reads its own write before it rolls back.
    EXPECT_TRUE(tx.FindCustomer("cus_a").ok());
    return Status::Internal("injected");
  });
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_FALSE(after_commit_ran);
  EXPECT_EQ(store_->FindCustomer("cus_a").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, AfterCommitRunsOnceCommitted) {
  bool seen_by_callback = false;
  ASSERT_TRUE(store_
                  ->Transact([&](MetadataTx& tx) -> Status {
                    tx.AfterCommit([&] { seen_by_callback = store_->FindCustomer("cus_a").ok(); });
                    return tx.InsertCustomer(Customer("cus_a", "a@x.io"));
                  })
                  .ok());
  EXPECT_TRUE(seen_by_callback);
}

TEST_P(MetadataStoreContract, AfterCommitOnceKeepsTheNewestPerKeyInItsPlace) {
  std::vector<std::string> ran;
  int key_a = 0, key_b = 0;
  ASSERT_TRUE(store_
                  ->Transact([&](MetadataTx& tx) -> Status {
                    tx.AfterCommitOnce(&key_a, [&] { ran.push_back("a1"); });
                    tx.AfterCommit([&] { ran.push_back("plain"); });
                    tx.AfterCommitOnce(&key_b, [&] { ran.push_back("b1"); });
                    tx.AfterCommitOnce(&key_a, [&] { ran.push_back("a2"); });
                    tx.AfterCommitOnce(&key_a, [&] { ran.push_back("a3"); });
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(ran, (std::vector<std::string>{"a3", "plain", "b1"}));
  // A new transaction starts with no keys; a rolled-back one runs nothing.
  ran.clear();
  EXPECT_FALSE(store_
                   ->Transact([&](MetadataTx& tx) -> Status {
                     tx.AfterCommitOnce(&key_a, [&] { ran.push_back("rolled back"); });
                     return Status::Internal("injected");
                   })
                   .ok());
  ASSERT_TRUE(store_
                  ->Transact([&](MetadataTx& tx) -> Status {
                    tx.AfterCommitOnce(&key_a, [&] { ran.push_back("a"); });
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(ran, std::vector<std::string>{"a"});
}

// A reader never sees a transaction's writes before it commits, and is not
// held up by it either.
TEST_P(MetadataStoreContract, ReadersSeeOnlyCommittedData) {
  std::promise<void> written, checked;
  std::thread writer([&] {
    Status st = store_->Transact([&](MetadataTx& tx) -> Status {
      LETHE_RETURN_IF_ERROR(tx.InsertCustomer(Customer("cus_a", "a@x.io")));
      written.set_value();
      checked.get_future().wait();
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  });
  written.get_future().wait();
  EXPECT_EQ(store_->FindCustomer("cus_a").status().code(), Status::Code::kNotFound);
  checked.set_value();
  writer.join();
  EXPECT_TRUE(store_->FindCustomer("cus_a").ok());
}

// Serializable: concurrent read-modify-write transactions never lose an
// update. Each appends the audit event after the last one it reads.
TEST_P(MetadataStoreContract, ConcurrentTransactionsAreSerializable) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status st = store_->Transact([&](MetadataTx& tx) -> Status {
          LETHE_ASSIGN_OR_RETURN(auto last, tx.LastAuditEvent());
          AuditEvent e;
          e.seq = last ? last->seq + 1 : 1;
          e.id = "aud_" + std::to_string(t) + "_" + std::to_string(i);
          return tx.AppendAuditEvent(e);
        });
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = store_->ListAuditEvents("", 0, 1000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, static_cast<int64_t>(i + 1));
}

TEST_P(MetadataStoreContract, ApiKeysDeleteOnlyWithinTheirAccount) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_2", "cus_a")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.InsertApiKey(ApiKeyRecord{"key_1", "acc_1", "d", 5, std::nullopt});
              }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.DeleteApiKey("acc_2", "key_1"); }).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->FindApiKey("key_1")->last_used_ip, "");
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.TouchApiKey("key_1", 99, "198.51.100.4"); }).ok());
  EXPECT_EQ(store_->FindApiKey("key_1")->last_used_ms, 99);
  EXPECT_EQ(store_->FindApiKey("key_1")->last_used_ip, "198.51.100.4");
  EXPECT_EQ((*store_->ListApiKeys("acc_1"))[0].last_used_ip, "198.51.100.4");
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteApiKey("acc_1", "key_1"); }).ok());
  EXPECT_EQ(store_->FindApiKey("key_1").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, SessionsListTouchAndDeleteWithinTheirCustomer_SEC2) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_b", "b@x.io")); }).ok());
  auto session = [](std::string digest, std::string customer, int64_t created, std::string id) {
    SessionRecord s{std::move(digest), std::move(customer), created, created + 1000};
    s.id = std::move(id);
    s.last_used_ms = created;
    s.ip = "203.0.113.9";
    s.browser = "Firefox";
    s.country = "DE";
    return s;
  };
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(tx.InsertSession(session("d2", "cus_a", 20, "sid_2")));
                LETHE_RETURN_IF_ERROR(tx.InsertSession(session("d1", "cus_a", 10, "sid_1")));
                return tx.InsertSession(session("d3", "cus_b", 5, "sid_3"));
              }).ok());
  auto listed = store_->ListSessions("cus_a");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "sid_1") << "oldest first";
  EXPECT_EQ((*listed)[1].id, "sid_2");
  EXPECT_EQ((*listed)[0].ip, "203.0.113.9");
  EXPECT_EQ((*listed)[0].browser, "Firefox");
  EXPECT_EQ((*listed)[0].country, "DE");
  EXPECT_EQ((*listed)[0].expires_ms, 1010);

  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.TouchSession("d1", 77); }).ok());
  EXPECT_EQ(store_->FindSession("d1")->last_used_ms, 77);
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.TouchSession("nope", 77); }).code(),
            Status::Code::kNotFound);

  // Another customer's id is not found, and deletes nothing.
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.DeleteSessionById("cus_b", "sid_1"); }).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(store_->FindSession("d1").ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteSessionById("cus_a", "sid_1"); }).ok());
  EXPECT_EQ(store_->FindSession("d1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->ListSessions("cus_a")->size(), 1u);
  EXPECT_EQ(store_->ListSessions("cus_b")->size(), 1u);
}

TEST_P(MetadataStoreContract, SignInThrottlesUpsertDeleteAndPrune_SEC2) {
  EXPECT_EQ(store_->FindSignInThrottle("email:x").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.PutSignInThrottle(SignInThrottleRecord{"email:x", 1, 100, 0});
              }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.PutSignInThrottle(SignInThrottleRecord{"email:x", 2, 200, 900});
              }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.PutSignInThrottle(SignInThrottleRecord{"ip:y", 1, 500, 0});
              }).ok());
  auto t = store_->FindSignInThrottle("email:x");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->failures, 2) << "the second put replaces the first";
  EXPECT_EQ(t->last_failure_ms, 200);
  EXPECT_EQ(t->blocked_until_ms, 900);

  int64_t pruned = -1;
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_ASSIGN_OR_RETURN(pruned, tx.DeleteSignInThrottlesBefore(300));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(pruned, 1);
  EXPECT_EQ(store_->FindSignInThrottle("email:x").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->FindSignInThrottle("ip:y").ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteSignInThrottle("ip:y"); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteSignInThrottle("ip:y"); }).ok())
      << "deleting an absent key is OK";
  EXPECT_EQ(store_->FindSignInThrottle("ip:y").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, LoginEventsListNewestFirst_ACC11) {
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                for (int i = 0; i < 4; ++i) {
                  LETHE_RETURN_IF_ERROR(tx.InsertLoginEvent(
                      LoginEvent{"lgn_" + std::to_string(i), "cus_a", 100 + i, "ip", "Chrome",
                                 "120", "de-DE", i == 3 ? "FR" : "DE"}));
                }
                return tx.InsertLoginEvent(
                    LoginEvent{"lgn_b", "cus_b", 1, "ip", "Safari", "17", "en", "US"});
              }).ok());
  auto events = store_->ListLoginEvents("cus_a", 3);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].id, "lgn_3");
  EXPECT_EQ((*events)[0].country, "FR");
  EXPECT_EQ((*events)[0].browser, "Chrome");
  EXPECT_EQ((*events)[2].id, "lgn_1");
  EXPECT_EQ(store_->ListLoginEvents("cus_b", 10)->size(), 1u);
}

TEST_P(MetadataStoreContract, UsageEventsFilterAndPage) {
  std::vector<UsageEvent> batch;
  for (int i = 0; i < 7; ++i) {
    UsageEvent e;
    e.id = "evt_" + std::to_string(i);
    e.time_ms = 1000 + i;
    e.account_id = i < 6 ? "acc_1" : "acc_2";
    e.credential_id = "acc_1";
    e.end_user = i % 2 ? "odd" : "even";
    batch.push_back(e);
  }
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertUsageEvents(batch); }).ok());
  UsageQuery q;
  q.account_id = "acc_1";
  q.limit = 4;
  auto first = store_->ListUsageEvents(q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 4u);
  q.after_seq = first->back().seq;
  auto second = store_->ListUsageEvents(q);
  ASSERT_EQ(second->size(), 2u);  // acc_2's event never shows
  EXPECT_EQ(second->back().id, "evt_5");
  UsageQuery filtered{"acc_1", "odd", 1003, 1005, std::nullopt, 100};
  auto odd = store_->ListUsageEvents(filtered);
  ASSERT_EQ(odd->size(), 1u);
  EXPECT_EQ(odd->front().id, "evt_3");
}

TEST_P(MetadataStoreContract, MediaArtifactsAreClaimedOnceAndGoWithTheirMedia) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  MediaRecord m;
  m.id = "med_1";
  m.account_id = "acc_1";
  m.kind = "video";
  m.content_type = "video/mp4";
  m.blob_id = "blb_1";
  m.wrapped_key = "w";
  ASSERT_TRUE(W([&](MetadataTx& tx) { return StatusOf(tx.InsertMedia(m)); }).ok());
  MediaArtifactRecord poster{"med_1",      "poster", "acc_1", "pending", 0, 100,
                             std::nullopt, 0,        "",      10,        10};
  MediaArtifactRecord later = poster;
  later.kind = "transcript";
  later.run_after_ms = 500;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpsertMediaArtifact(poster); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpsertMediaArtifact(later); }).ok());
  // Due at 200: the poster only; leased, it is not claimed again until 1000.
  std::vector<MediaArtifactRecord> got;
  auto claim = [&](int64_t now) {
    return W([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(got, tx.ClaimMediaArtifacts(now, 1000, 5, "ins_a"));
      return Status::Ok();
    });
  };
  ASSERT_TRUE(claim(200).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, "poster");
  EXPECT_EQ(got[0].attempts, 1);
  EXPECT_EQ(got[0].lease_until_ms, 1000);
  EXPECT_EQ(got[0].lease_owner, "ins_a");
  ASSERT_TRUE(claim(600).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, "transcript");
  ASSERT_TRUE(claim(700).ok());
  EXPECT_TRUE(got.empty());
  // Ready: the upsert overwrites state, size and lease; it is never claimed.
  poster.state = "ready";
  poster.bytes = 1234;
  poster.attempts = 1;
  poster.progress_milli = 1000;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpsertMediaArtifact(poster); }).ok());
  ASSERT_TRUE(claim(2000).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, "transcript");
  EXPECT_EQ(got[0].attempts, 2);
  auto all = store_->ListMediaArtifacts("med_1");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].kind, "poster");
  EXPECT_EQ((*all)[0].state, "ready");
  EXPECT_EQ((*all)[0].bytes, 1234);
  EXPECT_EQ((*all)[0].progress_milli, 1000);
  EXPECT_EQ((*all)[1].progress_milli, 0);
  EXPECT_FALSE((*all)[0].lease_until_ms.has_value());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteMedia("acc_1", "med_1"); }).ok());
  EXPECT_TRUE(store_->ListMediaArtifacts("med_1")->empty());
  // The processing settings: off until set, per account, each on its own.
  auto settings = [&](const std::string& account) {
    auto s = store_->FindMediaProcessingSettings(account);
    EXPECT_TRUE(s.ok());
    return std::make_pair(s->transcription, s->web_rendition);
  };
  EXPECT_EQ(settings("acc_1"), std::make_pair(false, false));
  auto set = [&](bool transcription, bool web) {
    return W([&](MetadataTx& tx) {
      return tx.SetMediaProcessingSettings("acc_1", {transcription, web});
    });
  };
  ASSERT_TRUE(set(true, false).ok());
  EXPECT_EQ(settings("acc_1"), std::make_pair(true, false));
  EXPECT_EQ(settings("acc_2"), std::make_pair(false, false));
  ASSERT_TRUE(set(false, true).ok());
  EXPECT_EQ(settings("acc_1"), std::make_pair(false, true));
}

// Several servers on one store (issue 13): every lease and blob intent
// names the instance that took it, and releasing an instance's leases
// leaves another's alone; "" releases them all (a store with one worker).
TEST_P(MetadataStoreContract, LeasesAndBlobIntentsNameTheirInstance) {
  for (const char* id : {"job_1", "job_2", "job_3"}) {
    JobRecord j;
    j.id = id;
    j.kind = "work";
    j.state = "pending";
    j.run_after_ms = 10;
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertJob(j); }).ok());
  }
  auto claim_jobs = [&](int limit, const std::string& owner) {
    std::vector<JobRecord> got;
    EXPECT_TRUE(W([&](MetadataTx& tx) -> Status {
                  LETHE_ASSIGN_OR_RETURN(got, tx.ClaimJobs(100, 5000, limit, owner));
                  return Status::Ok();
                }).ok());
    return got;
  };
  auto a = claim_jobs(2, "ins_a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].lease_owner, "ins_a");
  ASSERT_EQ(claim_jobs(5, "ins_b").size(), 1u);
  EXPECT_EQ(store_->FindJob("job_3")->lease_owner, "ins_b");
  auto release = [&](const std::string& owner) {
    int64_t freed = -1;
    EXPECT_TRUE(W([&](MetadataTx& tx) -> Status {
                  LETHE_ASSIGN_OR_RETURN(freed, tx.ReleaseJobLeases(owner));
                  return Status::Ok();
                }).ok());
    return freed;
  };
  EXPECT_EQ(release("ins_a"), 2);
  EXPECT_FALSE(store_->FindJob("job_1")->lease_until_ms.has_value());
  EXPECT_EQ(store_->FindJob("job_1")->lease_owner, "");
  EXPECT_EQ(store_->FindJob("job_3")->lease_owner, "ins_b");
  auto again = claim_jobs(5, "ins_c");  // ins_b's lease still holds
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].id, "job_2");
  // A finished job drops its lease with its owner.
  JobRecord done = again[0];
  done.state = "done";
  done.lease_until_ms.reset();
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpdateJob(done); }).ok());
  EXPECT_EQ(store_->FindJob(done.id)->lease_owner, "");
  EXPECT_EQ(release(""), 2);  // job_2 (ins_c) and job_3 (ins_b)
  EXPECT_EQ(release(""), 0);

  // Artifacts: the same, through their own release.
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  MediaArtifactRecord poster;
  poster.media_id = "med_1";
  poster.kind = "poster";
  poster.account_id = "acc_1";
  poster.state = "pending";
  MediaArtifactRecord transcript = poster;
  transcript.kind = "transcript";
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpsertMediaArtifact(poster); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpsertMediaArtifact(transcript); }).ok());
  auto claim_artifact = [&](const std::string& owner) {
    std::vector<MediaArtifactRecord> got;
    EXPECT_TRUE(W([&](MetadataTx& tx) -> Status {
                  LETHE_ASSIGN_OR_RETURN(got, tx.ClaimMediaArtifacts(100, 5000, 1, owner));
                  return Status::Ok();
                }).ok());
    return got;
  };
  ASSERT_EQ(claim_artifact("ins_a").size(), 1u);
  ASSERT_EQ(claim_artifact("ins_b").size(), 1u);
  EXPECT_TRUE(claim_artifact("ins_a").empty());
  auto release_artifacts = [&](const std::string& owner) {
    int64_t freed = -1;
    EXPECT_TRUE(W([&](MetadataTx& tx) -> Status {
                  LETHE_ASSIGN_OR_RETURN(freed, tx.ReleaseArtifactLeases(owner));
                  return Status::Ok();
                }).ok());
    return freed;
  };
  EXPECT_EQ(release_artifacts("ins_a"), 1);
  EXPECT_EQ(release_artifacts("ins_a"), 0);
  auto back = claim_artifact("ins_c");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].attempts, 2);
  EXPECT_EQ(release_artifacts(""), 2);

  // Blob intents keep the instance that made them; a second insert keeps
  // the first time and owner.
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertBlobIntent("blb_x", 10, "ins_a"); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertBlobIntent("blb_x", 20, "ins_b"); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertBlobIntent("blb_y", 30, "ins_b"); }).ok());
  auto intents = store_->ListBlobIntents(10);
  ASSERT_TRUE(intents.ok());
  std::erase_if(*intents, [](const BlobIntent& i) { return i.blob_id == "*"; });  // schema v12's
  ASSERT_EQ(intents->size(), 2u);
  EXPECT_EQ((*intents)[0].blob_id, "blb_x");
  EXPECT_EQ((*intents)[0].created_ms, 10);
  EXPECT_EQ((*intents)[0].owner, "ins_a");
  EXPECT_EQ((*intents)[1].owner, "ins_b");
}

TEST_P(MetadataStoreContract, MediaTagsRoundTripAndFilter) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  MediaRecord m;
  m.id = "med_1";
  m.account_id = "acc_1";
  m.kind = "video";
  m.content_type = "video/mp4";
  m.tags = {"b", "a"};
  m.blob_id = "blb_1";
  m.wrapped_key = "w";
  Result<int64_t> seq = Status::Internal("not run");
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                seq = tx.InsertMedia(m);
                return StatusOf(seq);
              }).ok());
  ASSERT_TRUE(seq.ok());
  EXPECT_GT(*seq, 0);
  auto back = store_->FindMedia("acc_1", "med_1");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->tags, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(store_->FindMedia("acc_2", "med_1").status().code(), Status::Code::kNotFound);
  MediaQuery q;
  q.account_id = "acc_1";
  q.tag = "a";
  EXPECT_EQ(store_->ListMedia(q)->size(), 1u);
  q.tag = "c";
  EXPECT_EQ(store_->ListMedia(q)->size(), 0u);
  EXPECT_EQ(*store_->ListBlobIds(), std::vector<std::string>{"blb_1"});
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteMedia("acc_1", "med_1"); }).ok());
  EXPECT_TRUE(store_->ListBlobIds()->empty());
}

TEST_P(MetadataStoreContract, MediaByTagArePagedInOrderOncePerMediaWithinTheAccount) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_2", "cus_a")); }).ok());
  struct Spec {
    const char* id;
    const char* account;
    const char* end_user;
    const char* kind;
    std::vector<std::string> tags;
  };
  const std::vector<Spec> specs = {
      {"med_1", "acc_1", "", "video", {"x"}},      {"med_2", "acc_1", "", "video", {"x", "x"}},
      {"med_3", "acc_1", "", "video", {"y"}},      {"med_4", "acc_2", "", "video", {"x"}},
      {"med_5", "acc_1", "", "audio", {"y", "x"}}, {"med_6", "acc_1", "u", "video", {"x"}},
  };
  for (const Spec& s : specs) {
    MediaRecord m;
    m.id = s.id;
    m.account_id = s.account;
    m.end_user = s.end_user;
    m.kind = s.kind;
    m.content_type = "video/mp4";
    m.tags = s.tags;
    m.blob_id = std::string("blb_") + s.id;
    m.wrapped_key = "w";
    ASSERT_TRUE(W([&](MetadataTx& tx) { return StatusOf(tx.InsertMedia(m)); }).ok());
  }
  auto ids = [&](MediaQuery q) {
    std::vector<std::string> out;
    auto list = store_->ListMedia(q);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      for (const MediaRecord& m : *list) out.push_back(m.id);
    }
    return out;
  };
  using Ids = std::vector<std::string>;
  MediaQuery q;
  q.account_id = "acc_1";
  q.tag = "x";
  q.limit = 2;
  EXPECT_EQ(ids(q), (Ids{"med_1", "med_2"}));  // med_2 once, though tagged twice
  auto page = store_->ListMedia(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->back().tags, (Ids{"x", "x"}));
  q.after_seq = page->back().seq;
  EXPECT_EQ(ids(q), (Ids{"med_5", "med_6"}));  // never acc_2's med_4
  q.after_seq.reset();
  q.limit = 100;
  q.kind = "audio";
  EXPECT_EQ(ids(q), (Ids{"med_5"}));
  q.kind.reset();
  q.end_user = "u";
  EXPECT_EQ(ids(q), (Ids{"med_6"}));
  q.end_user.reset();
  q.account_id = "acc_2";
  EXPECT_EQ(ids(q), (Ids{"med_4"}));

  // Tags rewritten or deleted leave the listing by tag with the media.
  auto m1 = store_->FindMedia("acc_1", "med_1");
  ASSERT_TRUE(m1.ok());
  m1->tags = {"z"};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpdateMedia(*m1); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteMedia("acc_1", "med_2"); }).ok());
  q.account_id = "acc_1";
  EXPECT_EQ(ids(q), (Ids{"med_5", "med_6"}));
  q.tag = "z";
  EXPECT_EQ(ids(q), (Ids{"med_1"}));
}

TEST_P(MetadataStoreContract, ProbedMediaDetailsRoundTripAndScrubIsPerAccount_USE2_USE3) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_2", "cus_a")); }).ok());
  MediaRecord m;
  m.id = "med_1";
  m.account_id = "acc_1";
  m.kind = "video";
  m.content_type = "video/mp4";
  m.blob_id = "blb_1";
  m.wrapped_key = "w";
  m.duration_ms = 2040;
  m.width = 1920;
  m.height = 1080;
  m.codecs = {"h264", "aac"};
  m.frame_rate = "30000/1001";
  m.rotation = 90;
  MediaRecord bare = m;  // nothing probed (an upload from before v24)
  bare.id = "med_2";
  bare.blob_id = "blb_2";
  bare.duration_ms = bare.width = bare.height = bare.rotation = std::nullopt;
  bare.codecs.clear();
  bare.frame_rate = std::nullopt;
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(StatusOf(tx.InsertMedia(m)));
                return StatusOf(tx.InsertMedia(bare));
              }).ok());
  auto back = store_->FindMedia("acc_1", "med_1");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->duration_ms, 2040);
  EXPECT_EQ(back->width, 1920);
  EXPECT_EQ(back->height, 1080);
  EXPECT_EQ(back->codecs, (std::vector<std::string>{"h264", "aac"}));
  EXPECT_EQ(back->frame_rate, "30000/1001");
  EXPECT_EQ(back->rotation, 90);
  MediaQuery q;
  q.account_id = "acc_1";
  auto listed = store_->ListMedia(q);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].codecs, m.codecs);
  EXPECT_FALSE((*listed)[1].duration_ms);
  EXPECT_TRUE((*listed)[1].codecs.empty());
  EXPECT_FALSE((*listed)[1].frame_rate);

  auto scrub = [&](const std::string& id) {
    auto r = store_->FindAccountScrub(id);
    return r.ok() ? std::optional<bool>(*r) : std::nullopt;
  };
  EXPECT_EQ(scrub("acc_1"), false);  // never set
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SetAccountScrub("acc_1", true); }).ok());
  EXPECT_EQ(scrub("acc_1"), true);
  EXPECT_EQ(scrub("acc_2"), false);
  EXPECT_EQ(store_->FindAccountScrub("acc_9").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.SetAccountScrub("acc_9", true); }).code(),
            Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, AuditEventsKeepTheirOrder) {
  for (int64_t seq = 1; seq <= 3; ++seq) {
    AuditEvent e;
    e.seq = seq;
    e.id = "aud_" + std::to_string(seq);
    e.account_id = seq == 2 ? "acc_2" : "acc_1";
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.AppendAuditEvent(e); }).ok());
  }
  AuditEvent dup;
  dup.seq = 2;
  EXPECT_FALSE(
      W([&](MetadataTx& tx) { return tx.AppendAuditEvent(dup); }).ok());  // seq is a key: no forks
  EXPECT_EQ((*store_->LastAuditEvent())->seq, 3);
  auto acc1 = store_->ListAuditEvents("acc_1", 0, 10);
  ASSERT_EQ(acc1->size(), 2u);
  EXPECT_EQ((*acc1)[1].id, "aud_3");
  EXPECT_EQ(store_->ListAuditEvents("", 1, 10)->size(), 2u);
}

TEST_P(MetadataStoreContract, StaffAreFoundByIdWithTheirSealedCredentials_USE6_SEC2) {
  StaffRecord s{"stf_1", "Lee", "legal", 5, std::nullopt, "$argon2id$x", "sealed-seed", -1};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertStaff(s); }).ok());
  StaffRecord dup = s;
  dup.name = "Other";
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.InsertStaff(dup); }).code(),
            Status::Code::kAlreadyExists);
  StaffRecord bad_role{"stf_3", "Other", "janitor", 6, std::nullopt, "h", "s", -1};
  EXPECT_FALSE(W([&](MetadataTx& tx) { return tx.InsertStaff(bad_role); }).ok());
  StaffRecord off{"stf_4", "Gone", "support", 7, int64_t{8}, "h", "s", -1};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertStaff(off); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SetStaffTotpStep("stf_1", 1234); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.SetStaffTotpStep("stf_9", 1); }).code(),
            Status::Code::kNotFound);
  auto found = store_->FindStaff("stf_1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->role, "legal");
  EXPECT_EQ(found->password_hash, "$argon2id$x");
  EXPECT_EQ(found->totp_seed, "sealed-seed");
  EXPECT_EQ(found->totp_last_step, 1234);
  EXPECT_FALSE(found->disabled_ms.has_value());
  EXPECT_EQ(store_->FindStaff("stf_4")->disabled_ms, std::optional<int64_t>(8));
  EXPECT_EQ(store_->FindStaff("stf_9").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, StaffSessionsAreFoundByDigestAndRevokedOnce_SEC2) {
  StaffSessionRecord s{"digest-1", "stf_1", 10, 20, std::nullopt};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertStaffSession(s); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.InsertStaffSession(s); }).code(),
            Status::Code::kAlreadyExists);
  auto found = store_->FindStaffSession("digest-1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->staff_id, "stf_1");
  EXPECT_EQ(found->expires_ms, 20);
  EXPECT_FALSE(found->revoked_ms.has_value());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.RevokeStaffSession("digest-1", 15); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.RevokeStaffSession("digest-1", 17); }).ok());
  EXPECT_EQ(store_->FindStaffSession("digest-1")->revoked_ms, std::optional<int64_t>(15))
      << "the first sign-out stands";
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.RevokeStaffSession("digest-9", 1); }).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->FindStaffSession("digest-9").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, ActiveGrantsAreTheUnrevokedUnexpiredOnesOfOneHolder_USE4) {
  auto grant = [](std::string id, std::string staff, std::string account, int64_t created,
                  int64_t expires) {
    AccessGrantRecord g;
    g.id = std::move(id);
    g.staff_id = std::move(staff);
    g.account_id = std::move(account);
    g.purpose = "debugging";
    g.ticket = "T-1";
    g.scopes = "account media";
    g.created_ms = created;
    g.expires_ms = expires;
    return g;
  };
  for (const AccessGrantRecord& g :
       {grant("grt_a", "stf_1", "acc_1", 10, 100), grant("grt_b", "stf_1", "acc_1", 20, 50),
        grant("grt_c", "stf_2", "acc_1", 30, 100), grant("grt_d", "stf_1", "acc_2", 40, 100)}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccessGrant(g); }).ok()) << g.id;
  }
  EXPECT_EQ(W([&](MetadataTx& tx) {
              return tx.InsertAccessGrant(grant("grt_a", "x", "y", 1, 2));
            }).code(),
            Status::Code::kAlreadyExists);
  AccessGrantRecord bad = grant("grt_e", "stf_1", "acc_1", 1, 2);
  bad.purpose = "curiosity";
  EXPECT_FALSE(W([&](MetadataTx& tx) { return tx.InsertAccessGrant(bad); }).ok());

  auto active = store_->ListActiveAccessGrants("stf_1", "acc_1", 50);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u) << "grt_b expires at 50: not active at 50";
  EXPECT_EQ((*active)[0].id, "grt_a");
  EXPECT_EQ((*active)[0].scopes, "account media");
  EXPECT_EQ(store_->ListActiveAccessGrants("stf_1", "acc_1", 49)->size(), 2u);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.RevokeAccessGrant("grt_a", "stf_9", 45); }).ok());
  EXPECT_EQ(store_->ListActiveAccessGrants("stf_1", "acc_1", 46)->size(), 1u);
  auto revoked = store_->FindAccessGrant("grt_a");
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_ms, std::optional<int64_t>(45));
  EXPECT_EQ(revoked->revoked_by, "stf_9");
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.RevokeAccessGrant("grt_z", "s", 1); }).code(),
            Status::Code::kNotFound);
  auto own = store_->ListAccessGrants("stf_1", 10);
  ASSERT_EQ(own->size(), 3u);
  EXPECT_EQ((*own)[0].id, "grt_d") << "newest first";
  EXPECT_EQ(store_->ListAccessGrants("stf_1", 1)->size(), 1u);
}

TEST_P(MetadataStoreContract, AccessLogsAreListedNewestFirstPerAccountWithACursor_USE4) {
  auto entry = [](std::string id, std::string account, int64_t at) {
    AccessLogEntry e;
    e.id = std::move(id);
    e.account_id = std::move(account);
    e.at_ms = at;
    e.staff_id = "stf_1";
    e.grant_id = "grt_1";
    e.purpose = "legal";
    e.ticket = "T";
    e.kind = "request";
    e.method = "GET";
    e.route = "/v1/staff/x/{id}";
    e.path = "/v1/staff/x/1";
    return e;
  };
  for (const AccessLogEntry& e : {entry("acl_1", "acc_1", 10), entry("acl_2", "acc_1", 20),
                                  entry("acl_3", "acc_1", 20), entry("acl_4", "acc_2", 30)}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.AppendAccessLog(e); }).ok()) << e.id;
  }
  AccessLogEntry bad = entry("acl_5", "acc_1", 1);
  bad.kind = "peek";
  EXPECT_FALSE(W([&](MetadataTx& tx) { return tx.AppendAccessLog(bad); }).ok());
  auto first = store_->ListAccessLog("acc_1", std::nullopt, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, "acl_3");
  EXPECT_EQ((*first)[1].id, "acl_2");
  EXPECT_EQ((*first)[0].path, "/v1/staff/x/1");
  auto next = store_->ListAccessLog("acc_1", std::string("acl_2"), 2);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].id, "acl_1");
  EXPECT_TRUE(store_->ListAccessLog("acc_1", std::string("acl_4"), 2)->empty())
      << "another account's entry is no cursor here";
  EXPECT_EQ(store_->ListAccessLog("acc_2", std::nullopt, 10)->size(), 1u);
}

TEST_P(MetadataStoreContract, PrivacyRequestsAreScopedByCustomerWithAnOrderedHistory_RGT2) {
  auto request = [](std::string id, std::string customer, std::string due, std::string state) {
    PrivacyRequestRecord r;
    r.id = std::move(id);
    r.customer_id = std::move(customer);
    r.subject_kind = "customer";
    r.subject = r.customer_id;
    r.type = "access";
    r.jurisdiction = "gdpr";
    r.state = std::move(state);
    r.received_ms = 10;
    r.due = std::move(due);
    r.latest_due = "2027-03-01";
    return r;
  };
  for (const PrivacyRequestRecord& r : {request("prq_b", "cus_a", "2026-12-30", "verified"),
                                        request("prq_a", "cus_a", "2026-12-10", "received"),
                                        request("prq_c", "cus_a", "2026-12-01", "completed"),
                                        request("prq_d", "cus_b", "2026-12-01", "received")}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertPrivacyRequest(r); }).ok()) << r.id;
  }
  EXPECT_EQ(store_->FindPrivacyRequest("cus_b", "prq_a").status().code(), Status::Code::kNotFound);
  auto all = store_->ListPrivacyRequests("cus_a", "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "prq_c");  // soonest due first
  auto at_risk = store_->ListPrivacyRequests("cus_a", "2026-12-15");
  ASSERT_EQ(at_risk->size(), 1u);  // not the completed one, not the later one
  EXPECT_EQ((*at_risk)[0].id, "prq_a");

  PrivacyRequestRecord a = *store_->FindPrivacyRequest("cus_a", "prq_a");
  a.state = "extended";
  a.extended = true;
  a.due = "2027-02-10";
  a.reason = "complex";
  ASSERT_TRUE(
      W([&](MetadataTx& tx) -> Status {
        LETHE_RETURN_IF_ERROR(tx.UpdatePrivacyRequest(a));
        LETHE_RETURN_IF_ERROR(
            tx.AppendPrivacyRequestStep({"prq_a", 0, "verified", 20, "cus_a", ""}));
        return tx.AppendPrivacyRequestStep({"prq_a", 0, "extended", 30, "cus_a", "complex"});
      }).ok());
  auto again = store_->FindPrivacyRequest("cus_a", "prq_a");
  EXPECT_EQ(again->due, "2027-02-10");
  EXPECT_TRUE(again->extended);
  EXPECT_EQ(again->reason, "complex");
  auto steps = store_->ListPrivacyRequestSteps("prq_a");
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].state, "verified");
  EXPECT_EQ((*steps)[1].state, "extended");
  EXPECT_LT((*steps)[0].seq, (*steps)[1].seq);
}

TEST_P(MetadataStoreContract, ExportLinksAreFoundByDigestAndUsedOnce_RGT1) {
  ExportLinkRecord link{"digest-a", "cus_a", "prq_a", "acc_a",     "user-1",
                        "ccpa",     10,      20,      std::nullopt};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertExportLink(link); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.InsertExportLink(link); }).code(),
            Status::Code::kAlreadyExists);
  EXPECT_EQ(store_->FindExportLink("digest-b").status().code(), Status::Code::kNotFound);
  auto found = store_->FindExportLink("digest-a");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->customer_id, "cus_a");
  EXPECT_EQ(found->request_id, "prq_a");
  EXPECT_EQ(found->account_id, "acc_a");
  EXPECT_EQ(found->end_user, "user-1");
  EXPECT_EQ(found->jurisdiction, "ccpa");
  EXPECT_EQ(found->created_ms, 10);
  EXPECT_EQ(found->expires_ms, 20);
  EXPECT_FALSE(found->used_ms.has_value());

  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.MarkExportLinkUsed("digest-a", 15); }).ok());
  EXPECT_EQ(store_->FindExportLink("digest-a")->used_ms, std::optional<int64_t>(15));
  // Used once: a second use finds no unused link and changes nothing.
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.MarkExportLinkUsed("digest-a", 16); }).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->FindExportLink("digest-a")->used_ms, std::optional<int64_t>(15));
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.MarkExportLinkUsed("digest-b", 16); }).code(),
            Status::Code::kNotFound);

  // Deleted by expiry, used or not; a link expiring at the limit stays.
  ExportLinkRecord later{"digest-c", "cus_a", "prq_c", "acc_a",     "user-1",
                         "gdpr",     10,      30,      std::nullopt};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertExportLink(later); }).ok());
  auto sweep = [&](int64_t before_ms) {
    int64_t n = -1;
    EXPECT_TRUE(W([&](MetadataTx& tx) -> Status {
                  LETHE_ASSIGN_OR_RETURN(n, tx.DeleteExportLinksExpiredBefore(before_ms));
                  return Status::Ok();
                }).ok());
    return n;
  };
  EXPECT_EQ(sweep(20), 0);
  EXPECT_EQ(sweep(21), 1);
  EXPECT_EQ(store_->FindExportLink("digest-a").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->FindExportLink("digest-c").ok());
  EXPECT_EQ(sweep(31), 1);
  EXPECT_EQ(store_->FindExportLink("digest-c").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, DisclosuresAreAddedAndPagedPerAccountInTimeOrder_SHR3) {
  auto row = [](std::string id, std::string account, int64_t at) {
    return DisclosureRecord{
        id,        "cus_a",   account,  "Transcriber Ltd",  "subprocessor", "transcription",
        "consent", "content", "eu-ref", "med_1 (10 bytes)", "job_1",        at};
  };
  // Inserted out of time order; two share a time (ordered by id then).
  for (const auto& d : {row("dsc_c", "acc_1", 20), row("dsc_a", "acc_1", 10),
                        row("dsc_b", "acc_1", 20), row("dsc_x", "acc_2", 15)}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertDisclosure(d); }).ok()) << d.id;
  }
  EXPECT_EQ(
      W([&](MetadataTx& tx) { return tx.InsertDisclosure(row("dsc_a", "acc_1", 30)); }).code(),
      Status::Code::kAlreadyExists);
  auto ids = [](const std::vector<DisclosureRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
  };
  auto all = store_->ListDisclosures("acc_1", {0, ""}, 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(ids(*all), (std::vector<std::string>{"dsc_a", "dsc_b", "dsc_c"}));
  EXPECT_EQ((*all)[0].recipient, "Transcriber Ltd");
  EXPECT_EQ((*all)[0].purpose, "transcription");
  EXPECT_EQ((*all)[0].legal_basis, "consent");
  EXPECT_EQ((*all)[0].subject, "eu-ref");
  EXPECT_EQ((*all)[0].at_ms, 10);
  auto first = store_->ListDisclosures("acc_1", {0, ""}, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ids(*first), (std::vector<std::string>{"dsc_a", "dsc_b"}));
  auto rest = store_->ListDisclosures("acc_1", {20, "dsc_b"}, 2);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(ids(*rest), (std::vector<std::string>{"dsc_c"}));
  EXPECT_EQ(ids(*store_->ListDisclosures("acc_2", {0, ""}, 10)),
            (std::vector<std::string>{"dsc_x"}));
  EXPECT_TRUE(store_->ListDisclosures("acc_3", {0, ""}, 10)->empty());
}

TEST_P(MetadataStoreContract, SubprocessorVersionsAreAddedOnceAndListedInOrder_SHR2) {
  auto version = [](std::string id, int64_t v, std::string region, int64_t effective) {
    SubprocessorRecord s;
    s.id = id;
    s.version = v;
    s.name = "Name " + id;
    s.purpose = "transcription";
    s.region = region;
    s.categories = "content,identifiers";
    s.endpoint = "https://t.example/in";
    s.changed_by = "stf_1";
    s.announced_ms = 1;
    s.effective_ms = effective;
    return s;
  };
  for (const auto& s : {version("sub_b", 1, "us", 10), version("sub_a", 2, "global", 30),
                        version("sub_a", 1, "eu", 20)}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertSubprocessorVersion(s); }).ok());
  }
  EXPECT_EQ(W([&](MetadataTx& tx) {
              return tx.InsertSubprocessorVersion(version("sub_a", 1, "us", 5));
            }).code(),
            Status::Code::kAlreadyExists);
  SubprocessorRecord retired = version("sub_b", 2, "us", 40);
  retired.retired = true;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertSubprocessorVersion(retired); }).ok());
  auto all = store_->ListSubprocessorVersions();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].id + "/" + std::to_string((*all)[0].version), "sub_a/1");
  EXPECT_EQ((*all)[0].region, "eu");
  EXPECT_EQ((*all)[0].categories, "content,identifiers");
  EXPECT_EQ((*all)[0].effective_ms, 20);
  EXPECT_EQ((*all)[1].id + "/" + std::to_string((*all)[1].version), "sub_a/2");
  EXPECT_FALSE((*all)[2].retired);
  EXPECT_TRUE((*all)[3].retired);
  // Only the three regions exist.
  EXPECT_FALSE(W([&](MetadataTx& tx) {
                 return tx.InsertSubprocessorVersion(version("sub_c", 1, "mars", 1));
               }).ok());
  // Customers told of a change: the open ones, paged by id.
  for (const char* id : {"cus_c", "cus_a", "cus_b"}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) {
                  return tx.InsertCustomer(Customer(id, std::string(id) + "@x.io"));
                }).ok());
  }
  CustomerRecord closed = *store_->FindCustomer("cus_b");
  closed.closed_ms = 5;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpdateCustomer(closed); }).ok());
  auto open = store_->ListOpenCustomers("", 1);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, "cus_a");
  open = store_->ListOpenCustomers("cus_a", 10);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, "cus_c");
  EXPECT_EQ((*open)[0].email, "cus_c@x.io");
}

TEST_P(MetadataStoreContract, WebhooksKeepTheirDeliveriesAndAttemptsPerAccount_SHR3) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_2", "cus_a")); }).ok());
  WebhookRecord w1{"whk_1",         "cus_a",    "acc_1", "https://h.example/1",
                   "media.created", "wrapped1", 10};
  WebhookRecord w2{"whk_2",         "cus_a",    "acc_1", "https://h.example/2",
                   "media.deleted", "wrapped2", 20};
  WebhookRecord w3{"whk_3",         "cus_a",    "acc_2", "https://h.example/3",
                   "media.created", "wrapped3", 5};
  for (const auto& w : {w2, w1, w3}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertWebhook(w); }).ok());
  }
  auto listed = store_->ListWebhooks("acc_1");
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "whk_1");
  EXPECT_EQ((*listed)[0].wrapped_secret, "wrapped1");
  EXPECT_EQ((*listed)[1].events, "media.deleted");
  EXPECT_EQ(store_->FindWebhook("acc_2", "whk_1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindWebhook("acc_1", "whk_1")->url, "https://h.example/1");

  auto delivery = [](std::string id, std::string hook, int64_t at, std::string end_user) {
    return WebhookDeliveryRecord{
        id, hook, "acc_1", "media.created", "{\"media_id\":\"med_1\"}", end_user, "pending",
        0,  at,   at};
  };
  for (const auto& d :
       {delivery("msg_a", "whk_1", 100, "eu-1"), delivery("msg_b", "whk_1", 200, "eu-2"),
        delivery("msg_c", "whk_2", 150, "eu-1")}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertWebhookDelivery(d); }).ok());
  }
  auto newest = store_->ListWebhookDeliveries("whk_1", 1);
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ((*newest)[0].id, "msg_b");
  EXPECT_EQ((*newest)[0].end_user, "eu-2");
  EXPECT_EQ(*(*newest)[0].next_ms, 200);

  WebhookDeliveryRecord d = *store_->FindWebhookDelivery("msg_a");
  d.state = "delivered";
  d.attempts = 2;
  d.next_ms.reset();
  d.end_user.clear();
  ASSERT_TRUE(
      W([&](MetadataTx& tx) {
        LETHE_RETURN_IF_ERROR(tx.InsertWebhookAttempt({"msg_a", 2, 160, 200, "", 12}));
        LETHE_RETURN_IF_ERROR(tx.InsertWebhookAttempt({"msg_a", 1, 110, 500, "HTTP 500", 7}));
        return tx.UpdateWebhookDelivery(d);
      }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) {
              return tx.InsertWebhookAttempt({"msg_a", 1, 111, 0, "x", 0});
            }).code(),
            Status::Code::kAlreadyExists);
  auto after = store_->FindWebhookDelivery("msg_a");
  EXPECT_EQ(after->state, "delivered");
  EXPECT_EQ(after->attempts, 2);
  EXPECT_FALSE(after->next_ms.has_value());
  EXPECT_EQ(after->end_user, "");
  auto attempts = store_->ListWebhookAttempts("msg_a");
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].status_code, 500);
  EXPECT_EQ((*attempts)[0].error, "HTTP 500");
  EXPECT_EQ((*attempts)[1].at_ms, 160);
  EXPECT_EQ((*attempts)[1].duration_ms, 12);

  // Erasure: deliveries stop naming the end user.
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return StatusOf(tx.ForgetSubjectRecords("acc_1", "eu-1", "kh_x"));
              }).ok());
  EXPECT_EQ(store_->FindWebhookDelivery("msg_c")->end_user, "");
  EXPECT_EQ(store_->FindWebhookDelivery("msg_b")->end_user, "eu-2");

  // Deleting a webhook takes its deliveries and attempts; scoped by account.
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.DeleteWebhook("acc_2", "whk_1"); }).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteWebhook("acc_1", "whk_1"); }).ok());
  EXPECT_EQ(store_->FindWebhookDelivery("msg_a").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->ListWebhookAttempts("msg_a")->empty());
  EXPECT_EQ(store_->ListWebhooks("acc_1")->size(), 1u);
}

TEST_P(MetadataStoreContract, WithheldDisclosuresAreHiddenUntilRevealed_SHR4) {
  DisclosureRecord d{"dsc_w",
                     "cus_a",
                     "acc_1",
                     "Police",
                     "authority",
                     "legal_request",
                     "legal_obligation",
                     "metadata",
                     "",
                     "account record",
                     "lrq_1",
                     10,
                     true};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertDisclosure(d); }).ok());
  d.id = "dsc_v";
  d.withheld = false;
  d.reference = "lrq_2";
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertDisclosure(d); }).ok());
  auto shown = store_->ListDisclosures("acc_1", {0, ""}, 10);
  ASSERT_TRUE(shown.ok());
  ASSERT_EQ(shown->size(), 1u);
  EXPECT_EQ((*shown)[0].id, "dsc_v");
  int64_t revealed = -1;
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_ASSIGN_OR_RETURN(revealed, tx.RevealDisclosures("lrq_1"));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(revealed, 1);
  shown = store_->ListDisclosures("acc_1", {0, ""}, 10);
  ASSERT_EQ(shown->size(), 2u);
  EXPECT_EQ((*shown)[0].id, "dsc_v");  // ties on time go by id
  EXPECT_FALSE((*shown)[1].withheld);
}

TEST_P(MetadataStoreContract, LegalRequestsAreKeptUpdatedListedAndCounted_SHR4) {
  auto request = [](std::string id, std::string account, std::string type, int64_t received,
                    std::optional<int64_t> gag) {
    LegalRequestRecord r;
    r.id = id;
    r.customer_id = "cus_a";
    r.account_id = account;
    r.subject = account == "acc_1" ? "kh_subject" : "";
    r.authority = "Court of " + id;
    r.authority_type = type;
    r.legal_basis = "order";
    r.reference = "REF-" + id;
    r.categories = "metadata";
    r.received_ms = received;
    r.recorded_by = "stf_1";
    r.nondisclosure_until_ms = gag;
    return r;
  };
  for (const auto& r : {request("lrq_a", "acc_1", "court", 100, std::nullopt),
                        request("lrq_b", "acc_1", "court", 200, 1000),
                        request("lrq_c", "acc_2", "law_enforcement", 300, 500),
                        request("lrq_d", "acc_2", "court", 5000, std::nullopt)}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertLegalRequest(r); }).ok()) << r.id;
  }
  EXPECT_EQ(W([&](MetadataTx& tx) {
              return tx.InsertLegalRequest(request("lrq_a", "acc_1", "court", 1, std::nullopt));
            }).code(),
            Status::Code::kAlreadyExists);
  auto a = store_->FindLegalRequest("lrq_a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->subject, "kh_subject");
  EXPECT_EQ(a->reference, "REF-lrq_a");
  EXPECT_FALSE(a->nondisclosure_until_ms.has_value());
  EXPECT_EQ(store_->FindLegalRequest("lrq_x").status().code(), Status::Code::kNotFound);

  LegalRequestRecord decided = *a;
  decided.decision = "partial";
  decided.decision_note = "narrowed";
  decided.disclosed = "3 events";
  decided.disclosed_ms = 150;
  decided.decided_by = "stf_2";
  decided.decided_ms = 160;
  decided.notified_ms = 170;
  decided.authority = "changed";  // never written by an update
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpdateLegalRequest(decided); }).ok());
  a = store_->FindLegalRequest("lrq_a");
  EXPECT_EQ(a->decision, "partial");
  EXPECT_EQ(a->decision_note, "narrowed");
  EXPECT_EQ(a->disclosed, "3 events");
  EXPECT_EQ(a->disclosed_ms, 150);
  EXPECT_EQ(a->decided_by, "stf_2");
  EXPECT_EQ(a->decided_ms, 160);
  EXPECT_EQ(a->notified_ms, 170);
  EXPECT_EQ(a->authority, "Court of lrq_a");
  LegalRequestRecord ghost = decided;
  ghost.id = "lrq_ghost";
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.UpdateLegalRequest(ghost); }).code(),
            Status::Code::kNotFound);

  auto ids = [](const std::vector<LegalRequestRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids(*store_->ListLegalRequests("acc_1", 10)),
            (std::vector<std::string>{"lrq_b", "lrq_a"}));
  EXPECT_EQ(ids(*store_->ListLegalRequests("", 3)),
            (std::vector<std::string>{"lrq_d", "lrq_c", "lrq_b"}));
  // Not told yet (b, c, d); of those, the order ended by 600 for c only,
  // and d never had one. Soonest ended (or received) first.
  EXPECT_EQ(ids(*store_->ListLegalRequestNoticesDue(600, 10)),
            (std::vector<std::string>{"lrq_c", "lrq_d"}));
  EXPECT_EQ(ids(*store_->ListLegalRequestNoticesDue(2000, 10)),
            (std::vector<std::string>{"lrq_c", "lrq_b", "lrq_d"}));

  auto counts = store_->CountLegalRequests(0, 1000);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].authority_type, "court");
  EXPECT_EQ((*counts)[0].decision, "");
  EXPECT_EQ((*counts)[0].count, 1);
  EXPECT_EQ((*counts)[1].decision, "partial");
  EXPECT_EQ((*counts)[2].authority_type, "law_enforcement");
  EXPECT_EQ((*counts)[2].count, 1);
  EXPECT_EQ(store_->CountLegalRequests(1000, 6000)->size(), 1u);
}

TEST_P(MetadataStoreContract, IntegrationsAreScopedByAccountAndDeletedForGood_SEC3) {
  for (const auto& i : {IntegrationRecord{"int_a", "acc_1", "vimeo", "main", "sealed-a", 20},
                        IntegrationRecord{"int_b", "acc_1", "youtube", "", "sealed-b", 10},
                        IntegrationRecord{"int_c", "acc_2", "vimeo", "", "sealed-c", 5}}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertIntegration(i); }).ok()) << i.id;
  }
  auto listed = store_->ListIntegrations("acc_1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "int_b");  // oldest first
  EXPECT_EQ((*listed)[1].sealed_token, "sealed-a");
  EXPECT_EQ((*listed)[1].label, "main");
  EXPECT_EQ(store_->FindIntegration("acc_2", "int_a").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.DeleteIntegration("acc_2", "int_a"); }).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteIntegration("acc_1", "int_a"); }).ok());
  EXPECT_EQ(store_->FindIntegration("acc_1", "int_a").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->ListIntegrations("acc_1")->size(), 1u);
  EXPECT_EQ(store_->FindIntegration("acc_2", "int_c")->provider, "vimeo");
}

TEST_P(MetadataStoreContract, UsageIsTalliedPerDayCountryBrowserAndPerson_SHR6) {
  constexpr int64_t kDay = 86'400'000;
  std::vector<UsageEvent> batch;
  auto event = [&](int64_t time_ms, std::string account, std::string end_user, std::string ip,
                   std::string country, std::string browser) {
    UsageEvent e;
    e.id = "evt_" + std::to_string(batch.size());
    e.time_ms = time_ms;
    e.account_id = account;
    e.credential_id = account;
    e.end_user = end_user;
    e.ip = ip;
    e.country = country;
    e.browser = browser;
    batch.push_back(e);
  };
  event(10 * kDay + 5, "acc_1", "ann", "1.1.1.1", "US", "Chrome");
  event(10 * kDay + 6, "acc_1", "ann", "2.2.2.2", "US", "Chrome");  // same person
  event(10 * kDay + 7, "acc_1", "", "1.1.1.1", "US", "Chrome");     // a person by address
  event(10 * kDay + 8, "acc_1", "bob", "1.1.1.1", "IS", "Firefox");
  event(11 * kDay, "acc_1", "ann", "1.1.1.1", "US", "Chrome");
  event(12 * kDay, "acc_1", "ann", "1.1.1.1", "US", "Chrome");  // past the range
  event(10 * kDay, "acc_2", "ann", "1.1.1.1", "US", "Chrome");  // another account
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertUsageEvents(batch); }).ok());
  auto tallies = store_->TallyUsage("acc_1", 10 * kDay, 12 * kDay);
  ASSERT_TRUE(tallies.ok()) << tallies.status().ToString();
  std::vector<std::string> got;
  for (const UsageTally& t : *tallies) {
    got.push_back(std::to_string(t.day) + " " + t.country + " " + t.browser + " " + t.person + " " +
                  std::to_string(t.events));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"10 IS Firefox u:bob 1", "10 US Chrome ip:1.1.1.1 1",
                                           "10 US Chrome u:ann 2", "11 US Chrome u:ann 1"}));
}

TEST_P(MetadataStoreContract, HoldsCoverTheirScopeUntilReleasedOrEnded_USE6) {
  auto hold = [](std::string id, std::string account, std::string scope, std::string subject,
                 int64_t placed_ms, std::optional<int64_t> ends_ms = std::nullopt) {
    HoldRecord h;
    h.id = std::move(id);
    h.account_id = std::move(account);
    h.scope = std::move(scope);
    h.subject = std::move(subject);
    h.reason = "reason";
    h.matter = "M-1";
    h.ends_ms = ends_ms;
    h.non_disclosure = placed_ms == 30;
    h.placed_by = "stf_1";
    h.placed_ms = placed_ms;
    return h;
  };
  for (const HoldRecord& h : {hold("hld_u", "acc_1", "end_user", "kh_u", 10),
                              hold("hld_m", "acc_1", "media", "med_1", 20),
                              hold("hld_e", "acc_1", "end_user", "kh_e", 30, 100),
                              hold("hld_a", "acc_2", "account", "", 40)}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertHold(h); }).ok()) << h.id;
  }
  auto covering = [&](std::string account, std::string subject, std::string media,
                      int64_t now) -> std::string {
    auto found = store_->FindCoveringHold(account, subject, media, now);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && *found ? (*found)->id : "";
  };
  EXPECT_EQ(covering("acc_1", "kh_u", "", 50), "hld_u");
  EXPECT_EQ(covering("acc_1", "", "med_1", 50), "hld_m");
  EXPECT_EQ(covering("acc_1", "kh_x", "med_1", 50), "hld_m");
  EXPECT_EQ(covering("acc_1", "kh_x", "med_2", 50), "");
  EXPECT_EQ(covering("acc_1", "", "", 50), "") << "an empty subject matches nothing";
  EXPECT_EQ(covering("acc_2", "kh_u", "med_1", 50), "hld_a") << "an account hold covers all";
  EXPECT_EQ(covering("acc_3", "kh_u", "med_1", 50), "") << "holds stay in their account";
  EXPECT_EQ(covering("acc_1", "kh_e", "", 99), "hld_e");
  EXPECT_EQ(covering("acc_1", "kh_e", "", 100), "") << "ended";

  auto lapsed = store_->ListLapsedHolds(100, 10);
  ASSERT_TRUE(lapsed.ok());
  ASSERT_EQ(lapsed->size(), 1u);
  EXPECT_EQ(lapsed->front().id, "hld_e");
  EXPECT_TRUE(store_->ListLapsedHolds(99, 10)->empty());

  HoldRecord released = *store_->FindHold("hld_u");
  EXPECT_EQ(released.reason, "reason");
  EXPECT_EQ(released.matter, "M-1");
  released.released_by = "stf_2";
  released.released_ms = 60;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpdateHold(released); }).ok());
  EXPECT_EQ(covering("acc_1", "kh_u", "", 70), "");
  auto back = store_->FindHold("hld_u");
  EXPECT_EQ(back->released_by, "stf_2");
  EXPECT_EQ(back->released_ms, std::optional<int64_t>(60));
  HoldRecord ghost = released;
  ghost.id = "hld_none";
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.UpdateHold(ghost); }).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->FindHold("hld_none").status().code(), Status::Code::kNotFound);

  auto listed = store_->ListHolds("acc_1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].id, "hld_u");
  EXPECT_EQ((*listed)[2].id, "hld_e");
  EXPECT_TRUE((*listed)[2].non_disclosure);
  EXPECT_EQ((*listed)[2].ends_ms, std::optional<int64_t>(100));
  EXPECT_FALSE((*listed)[0].non_disclosure);
  // Inside a transaction, a hold placed in it already covers.
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(tx.InsertHold(hold("hld_n", "acc_3", "media", "med_9", 80)));
                auto in_tx = tx.FindCoveringHold("acc_3", "", "med_9", 90);
                if (!in_tx.ok() || !*in_tx) return Status::Internal("not seen in its transaction");
                return Status::Ok();
              }).ok());
}

// Issue 15 (v30): an account's capture notice, and the consent source
// "recorder" the ledger takes besides the earlier ones.
TEST_P(MetadataStoreContract, CaptureNoticesArePerAccountAndRecorderIsAConsentSource_SHR7) {
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.InsertCustomer(Customer("cus_a", "a@x.io")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_1", "cus_a")); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAccount(Account("acc_2", "cus_a")); }).ok());
  auto none = store_->FindCaptureNotice("acc_1");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->text.empty());
  EXPECT_TRUE(none->purposes.empty());
  CaptureNoticeRecord notice{"We record you.\nAsk us to erase it.", {"transcription", "analytics"}};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SetCaptureNotice("acc_1", notice); }).ok());
  auto read = store_->FindCaptureNotice("acc_1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->text, notice.text);
  EXPECT_EQ(read->purposes, notice.purposes);
  EXPECT_TRUE(store_->FindCaptureNotice("acc_2")->text.empty());
  EXPECT_EQ(store_->FindCaptureNotice("acc_9").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.SetCaptureNotice("acc_9", notice); }).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.SetCaptureNotice("acc_1", CaptureNoticeRecord{}); }).ok());
  EXPECT_TRUE(store_->FindCaptureNotice("acc_1")->text.empty());
  EXPECT_TRUE(store_->FindCaptureNotice("acc_1")->purposes.empty());

  ConsentRecord c{0,        "cns_r",    "cus_a", "acc_1", "kh_1", "transcription",
                  "opt_in", "recorder", 100,     1,       "req_r"};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.AppendConsent(c); }).ok());
  auto listed = store_->ListConsents("acc_1", "kh_1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].source, "recorder");
}

TEST_P(MetadataStoreContract, ConsentsAppendInOrderPerSubject_SHR7) {
  auto entry = [](const std::string& id, const std::string& account, const std::string& subject,
                  const std::string& decision, const std::string& source) {
    return ConsentRecord{0,        id,     "cus_a", account, subject,    "analytics",
                         decision, source, 100,     1,       "req_" + id};
  };
  ASSERT_TRUE(
      W([&](MetadataTx& tx) {
        LETHE_RETURN_IF_ERROR(tx.AppendConsent(entry("cns_1", "acc_a", "kh_1", "opt_in", "api")));
        LETHE_RETURN_IF_ERROR(tx.AppendConsent(entry("cns_2", "acc_a", "kh_2", "opt_in", "api")));
        return tx.AppendConsent(entry("cns_3", "acc_a", "kh_1", "opt_out", "gpc"));
      }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.AppendConsent(entry("cns_4", "", "cus_a", "opt_in", "portal"));
              }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) {
              return tx.AppendConsent(entry("cns_1", "acc_a", "kh_1", "opt_in", "api"));
            }).code(),
            Status::Code::kAlreadyExists);
  EXPECT_FALSE(W([&](MetadataTx& tx) {
                 return tx.AppendConsent(entry("cns_5", "acc_a", "kh_1", "maybe", "api"));
               }).ok());
  EXPECT_FALSE(W([&](MetadataTx& tx) {
                 return tx.AppendConsent(entry("cns_6", "acc_a", "kh_1", "opt_in", "fax"));
               }).ok());
  auto one = store_->ListConsents("acc_a", "kh_1");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 2u);
  EXPECT_EQ((*one)[0].id, "cns_1");
  EXPECT_EQ((*one)[1].id, "cns_3");
  EXPECT_LT((*one)[0].seq, (*one)[1].seq);
  EXPECT_EQ((*one)[1].source, "gpc");
  EXPECT_EQ((*one)[1].request_id, "req_cns_3");
  EXPECT_EQ((*one)[1].policy_version, 1);
  EXPECT_EQ(store_->ListConsents("", "cus_a")->size(), 1u);
  EXPECT_TRUE(store_->ListConsents("acc_b", "kh_1")->empty());
}

TEST_P(MetadataStoreContract, PolicyVersionsAreUniqueAndOrdered_SEC6) {
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                LETHE_RETURN_IF_ERROR(tx.InsertPolicyVersion({2, "two", 200, true, 20}));
                return tx.InsertPolicyVersion({1, "one", 100, false, 10});
              }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) {
              return tx.InsertPolicyVersion({2, "again", 1, false, 1});
            }).code(),
            Status::Code::kAlreadyExists);
  auto all = store_->ListPolicyVersions();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].version, 1);
  EXPECT_EQ((*all)[0].text, "one");
  EXPECT_FALSE((*all)[0].material);
  EXPECT_EQ((*all)[1].effective_ms, 200);
  EXPECT_TRUE((*all)[1].material);
}

TEST_P(MetadataStoreContract, UnsubscribeTokensAndOpenCustomers_ACC5) {
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.InsertUnsubscribeToken({"digest-u", "cus_a", "msg_1", 5});
              }).ok());
  auto t = store_->FindUnsubscribeToken("digest-u");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->customer_id, "cus_a");
  EXPECT_EQ(t->message_id, "msg_1");
  EXPECT_EQ(store_->FindUnsubscribeToken("digest-x").status().code(), Status::Code::kNotFound);
  CustomerRecord closed = Customer("cus_b", "b@example.com");
  closed.closed_ms = 9;
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                LETHE_RETURN_IF_ERROR(tx.InsertCustomer(Customer("cus_c", "c@example.com")));
                LETHE_RETURN_IF_ERROR(tx.InsertCustomer(closed));
                LETHE_RETURN_IF_ERROR(tx.UpdateCustomer(closed));  // closure is an update
                return tx.InsertCustomer(Customer("cus_a", "a@example.com"));
              }).ok());
  auto open = store_->ListOpenCustomers("", 10);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].id, "cus_a");
  EXPECT_EQ((*open)[1].id, "cus_c");
  auto page = store_->ListOpenCustomers("cus_a", 1);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, "cus_c");
}

INSTANTIATE_TEST_SUITE_P(Backends, MetadataStoreContract,
                         ::testing::Values(Backend{"sqlite", OpenSqlite},
                                           Backend{"postgres", OpenPostgres}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace lethe

namespace lethe {
namespace {

TEST_P(MetadataStoreContract, TwoFactorRecordsAreKeptPerCustomer_ACC4) {
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(tx.InsertCustomer(Customer("cus_a", "a@x.io")));
                return tx.InsertCustomer(Customer("cus_b", "b@x.io"));
              }).ok());
  EXPECT_EQ(store_->FindTotpFactor("cus_a").status().code(), Status::Code::kNotFound);
  // Put inserts, then replaces whole.
  TotpFactorRecord pending{"cus_a", "sealed-1", 10, std::nullopt, -1};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutTotpFactor(pending); }).ok());
  TotpFactorRecord on{"cus_a", "sealed-2", 20, 25, 77};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutTotpFactor(on); }).ok());
  auto found = store_->FindTotpFactor("cus_a");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->sealed_seed, "sealed-2");
  EXPECT_EQ(found->created_ms, 20);
  EXPECT_EQ(found->confirmed_ms, std::optional<int64_t>(25));
  EXPECT_EQ(found->last_step, 77);
  EXPECT_EQ(store_->FindTotpFactor("cus_b").status().code(), Status::Code::kNotFound);

  // Recovery codes: replaced as a set, each used once.
  std::vector<RecoveryCodeRecord> codes = {{"cus_a", "d1", std::nullopt},
                                           {"cus_a", "d2", std::nullopt}};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.ReplaceRecoveryCodes("cus_a", codes); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.ReplaceRecoveryCodes(
                    "cus_b", std::vector<RecoveryCodeRecord>{
                                 RecoveryCodeRecord{"cus_b", "d9", std::nullopt}});
              }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.MarkRecoveryCodeUsed("cus_a", "d1", 30); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.MarkRecoveryCodeUsed("cus_a", "d1", 31); }).code(),
            Status::Code::kNotFound)
      << "a used code is not used again";
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.MarkRecoveryCodeUsed("cus_a", "d9", 31); }).code(),
            Status::Code::kNotFound)
      << "another customer's code";
  auto listed = store_->ListRecoveryCodes("cus_a");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].code_digest, "d1");
  EXPECT_EQ((*listed)[0].used_ms, std::optional<int64_t>(30));
  EXPECT_EQ((*listed)[1].used_ms, std::nullopt);

  // Challenges: found by digest, failures and use written back.
  SignInChallengeRecord ch{"chd", "cus_a", 40, 340, 0, std::nullopt};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertSignInChallenge(ch); }).ok());
  ch.failures = 2;
  ch.used_ms = 50;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UpdateSignInChallenge(ch); }).ok());
  auto got = store_->FindSignInChallenge("chd");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->customer_id, "cus_a");
  EXPECT_EQ(got->expires_ms, 340);
  EXPECT_EQ(got->failures, 2);
  EXPECT_EQ(got->used_ms, std::optional<int64_t>(50));
  SignInChallengeRecord absent{"nope", "cus_a", 0, 0, 0, std::nullopt};
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.UpdateSignInChallenge(absent); }).code(),
            Status::Code::kNotFound);

  // Turning 2FA off removes all three, for that customer only.
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteTwoFactor("cus_a"); }).ok());
  EXPECT_EQ(store_->FindTotpFactor("cus_a").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->ListRecoveryCodes("cus_a")->empty());
  EXPECT_EQ(store_->FindSignInChallenge("chd").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->ListRecoveryCodes("cus_b")->size(), 1u);
  EXPECT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteTwoFactor("cus_a"); }).ok());
}

TEST_P(MetadataStoreContract, SmsFactorsAndCodesAreKeptPerCustomer_ACC4) {
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(tx.InsertCustomer(Customer("cus_a", "a@x.io")));
                return tx.InsertCustomer(Customer("cus_b", "b@x.io"));
              }).ok());
  EXPECT_EQ(store_->FindSmsFactor("cus_a").status().code(), Status::Code::kNotFound);
  SmsFactorRecord pending{"cus_a", "sealed-1", 10, std::nullopt};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutSmsFactor(pending); }).ok());
  SmsFactorRecord on{"cus_a", "sealed-2", 20, 25};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutSmsFactor(on); }).ok());
  auto found = store_->FindSmsFactor("cus_a");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->sealed_phone, "sealed-2");
  EXPECT_EQ(found->created_ms, 20);
  EXPECT_EQ(found->confirmed_ms, std::optional<int64_t>(25));
  EXPECT_EQ(store_->FindSmsFactor("cus_b").status().code(), Status::Code::kNotFound);

  // Codes: one per scope, replaced whole by the next send.
  SmsCodeRecord code{"enrol/cus_a", "cus_a", "d1", 100, 400, 100, 1, 0};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutSmsCode(code); }).ok());
  code.code_digest = "d2";
  code.sent_ms = 200;
  code.expires_ms = 500;
  code.sends = 2;
  code.failures = 3;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutSmsCode(code); }).ok());
  SmsCodeRecord other{"sign-in/chd", "cus_b", "d9", 1, 2, 1, 1, 0};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutSmsCode(other); }).ok());
  auto got = store_->FindSmsCode("enrol/cus_a");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->customer_id, "cus_a");
  EXPECT_EQ(got->code_digest, "d2");
  EXPECT_EQ(got->sent_ms, 200);
  EXPECT_EQ(got->expires_ms, 500);
  EXPECT_EQ(got->window_start_ms, 100);
  EXPECT_EQ(got->sends, 2);
  EXPECT_EQ(got->failures, 3);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteSmsCode("enrol/cus_a"); }).ok());
  EXPECT_EQ(store_->FindSmsCode("enrol/cus_a").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteSmsCode("enrol/cus_a"); }).ok());

  // Deleting the factor takes the customer's codes with it, no one else's.
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.PutSmsCode(code); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteSmsFactor("cus_a"); }).ok());
  EXPECT_EQ(store_->FindSmsFactor("cus_a").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindSmsCode("enrol/cus_a").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->FindSmsCode("sign-in/chd").ok());
  EXPECT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteSmsFactor("cus_a"); }).ok());
}

TEST_P(MetadataStoreContract, AccountOriginsAreReplacedAndRemoved) {
  EXPECT_TRUE(store_->FindAccountOrigins("acc_a")->empty());
  const std::vector<std::string> two = {"https://app.example", "http://localhost:3000"};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SetAccountOrigins("acc_a", two); }).ok());
  EXPECT_EQ(*store_->FindAccountOrigins("acc_a"), two) << "in the order set";
  EXPECT_TRUE(store_->FindAccountOrigins("acc_b")->empty());
  const std::vector<std::string> one = {"https://other.example"};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SetAccountOrigins("acc_a", one); }).ok());
  EXPECT_EQ(*store_->FindAccountOrigins("acc_a"), one) << "replaced, not added to";
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SetAccountOrigins("acc_a", {}); }).ok());
  EXPECT_TRUE(store_->FindAccountOrigins("acc_a")->empty());
}

UploadTokenRecord UploadToken(const std::string& id, const std::string& account,
                              const std::string& end_user, int64_t uses, int64_t expires_ms) {
  UploadTokenRecord t;
  t.id = id;
  t.digest = "digest-" + id;
  t.account_id = account;
  t.end_user = end_user;
  t.max_bytes = 1000;
  t.kinds = {"video", "image"};
  t.uses_left = uses;
  t.created_ms = 100;
  t.expires_ms = expires_ms;
  return t;
}

TEST_P(MetadataStoreContract, UploadTokensRoundTripAndSpendToNothing) {
  UploadTokenRecord t = UploadToken("upt_1", "acc_a", "eu_1", 2, 5000);
  t.title = "Fixed";
  t.tags = std::vector<std::string>{"a", "b c"};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertUploadToken(t); }).ok());
  UploadTokenRecord bare = UploadToken("upt_2", "acc_a", "eu_2", 1, 5000);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertUploadToken(bare); }).ok());
  auto got = store_->FindUploadToken("digest-upt_1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, "upt_1");
  EXPECT_EQ(got->account_id, "acc_a");
  EXPECT_EQ(got->end_user, "eu_1");
  EXPECT_EQ(got->max_bytes, 1000);
  EXPECT_EQ(got->kinds, (std::vector<std::string>{"video", "image"}));
  EXPECT_EQ(got->title, std::optional<std::string>("Fixed"));
  EXPECT_EQ(got->tags, (std::optional<std::vector<std::string>>({"a", "b c"})));
  EXPECT_EQ(got->uses_left, 2);
  EXPECT_EQ(got->expires_ms, 5000);
  auto plain = store_->FindUploadToken("digest-upt_2");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->title, std::nullopt) << "not fixed";
  EXPECT_EQ(plain->tags, std::nullopt);

  // Valid only before its expiry, as judged at `valid_at_ms`.
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.SpendUploadToken("upt_1", 5000); }).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->FindUploadToken("digest-upt_1")->uses_left, 2) << "an expired spend took one";
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SpendUploadToken("upt_1", 4999); }).ok());
  EXPECT_EQ(store_->FindUploadToken("digest-upt_1")->uses_left, 1);
  // The last use takes the row with it.
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.SpendUploadToken("upt_1", 200); }).ok());
  EXPECT_EQ(store_->FindUploadToken("digest-upt_1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.SpendUploadToken("upt_1", 200); }).code(),
            Status::Code::kNotFound);
  // A failed transaction gives its use back.
  EXPECT_FALSE(W([&](MetadataTx& tx) -> Status {
                 LETHE_RETURN_IF_ERROR(tx.SpendUploadToken("upt_2", 200));
                 return Status::Internal("the media did not commit");
               }).ok());
  EXPECT_EQ(store_->FindUploadToken("digest-upt_2")->uses_left, 1);
}

// The portal lists an account's live tokens (issue 15): newest first, the
// expired ones and other accounts' left out, at most `limit`.
TEST_P(MetadataStoreContract, UploadTokensListedPerAccountLiveNewestFirst) {
  std::vector<UploadTokenRecord> tokens = {UploadToken("upt_old", "acc_a", "eu_1", 1, 5000),
                                           UploadToken("upt_new", "acc_a", "eu_2", 3, 9000),
                                           UploadToken("upt_gone", "acc_a", "eu_3", 1, 1000),
                                           UploadToken("upt_other", "acc_b", "eu_1", 1, 9000)};
  tokens[0].created_ms = 100;
  tokens[1].created_ms = 300;
  tokens[2].created_ms = 200;
  tokens[3].created_ms = 400;
  for (const UploadTokenRecord& t : tokens) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertUploadToken(t); }).ok());
  }
  auto listed = store_->ListUploadTokens("acc_a", 2000, 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> ids;
  for (const UploadTokenRecord& t : *listed) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"upt_new", "upt_old"}));
  EXPECT_EQ((*listed)[0].uses_left, 3);
  EXPECT_EQ((*listed)[0].kinds, (std::vector<std::string>{"video", "image"}));
  EXPECT_EQ(store_->ListUploadTokens("acc_a", 2000, 1)->size(), 1u);
  EXPECT_EQ(store_->ListUploadTokens("acc_a", 5000, 10)->size(), 1u) << "expired at 5000";
  EXPECT_TRUE(store_->ListUploadTokens("acc_none", 0, 10)->empty());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteUploadToken("acc_a", "upt_new"); }).ok());
  EXPECT_EQ(store_->ListUploadTokens("acc_a", 2000, 10)->size(), 1u) << "revoked";
}

TEST_P(MetadataStoreContract, UploadsRoundTripAdvanceOnlyFromTheirOffsetAndComplete) {
  UploadRecord u;
  u.id = "upl_1";
  u.account_id = "acc_a";
  u.end_user = "eu_1";
  u.creator = "upt_1";
  u.token_digest = "digest-upt_1";
  u.length = 1000;
  u.content_type = "video/mp4";
  u.title = "T";
  u.tags = std::vector<std::string>{"a", "b"};
  u.max_bytes = 5000;
  u.kinds = {"video"};
  u.metadata = "filename aC5tcDQ=";
  u.web_rendition = true;
  u.created_ms = 100;
  u.expires_ms = 900;
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertUpload(u); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.InsertUpload(u); }).code(),
            Status::Code::kAlreadyExists);
  auto got = store_->FindUpload("acc_a", "upl_1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->end_user, "eu_1");
  EXPECT_EQ(got->creator, "upt_1");
  EXPECT_EQ(got->token_digest, std::optional<std::string>("digest-upt_1"));
  EXPECT_EQ(got->length, 1000);
  EXPECT_EQ(got->offset, 0);
  EXPECT_EQ(got->title, std::optional<std::string>("T"));
  EXPECT_EQ(got->tags, (std::optional<std::vector<std::string>>({"a", "b"})));
  EXPECT_EQ(got->max_bytes, std::optional<int64_t>(5000));
  EXPECT_EQ(got->kinds, (std::vector<std::string>{"video"}));
  EXPECT_EQ(got->metadata, "filename aC5tcDQ=");
  EXPECT_TRUE(got->web_rendition);
  EXPECT_EQ(got->media_id, std::nullopt);
  EXPECT_EQ(store_->FindUpload("acc_b", "upl_1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindUploadByTokenDigest("digest-upt_1")->id, "upl_1");
  EXPECT_EQ(store_->FindUploadByTokenDigest("nope").status().code(), Status::Code::kNotFound);

  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.AdvanceUpload("upl_1", 0, 400, "p1"); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.AdvanceUpload("upl_1", 0, 500, "p2"); }).code(),
            Status::Code::kNotFound)
      << "only from the offset it is at";
  EXPECT_EQ(store_->FindUpload("acc_a", "upl_1")->offset, 400);
  EXPECT_EQ(store_->FindUpload("acc_a", "upl_1")->parts, "p1");
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.CompleteUpload("upl_1", 0, "med_1"); }).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.CompleteUpload("upl_1", 400, "med_1"); }).ok());
  got = store_->FindUpload("acc_a", "upl_1");
  EXPECT_EQ(got->offset, 1000);
  EXPECT_EQ(got->parts, "");
  EXPECT_EQ(got->media_id, std::optional<std::string>("med_1"));
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.AdvanceUpload("upl_1", 1000, 1000, "x"); }).code(),
            Status::Code::kNotFound)
      << "a complete upload does not move";

  EXPECT_EQ(store_->ListUploadsExpiredBefore(900, 10)->size(), 0u);
  EXPECT_EQ(store_->ListUploadsExpiredBefore(901, 10)->size(), 1u);
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.DeleteUpload("acc_b", "upl_1"); }).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteUpload("acc_a", "upl_1"); }).ok());
  EXPECT_EQ(store_->FindUpload("acc_a", "upl_1").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, AnErasureExpiresItsSubjectsUploadsAndDropsTheirName_USE5) {
  auto upload = [](const std::string& id, const std::string& account, const std::string& eu) {
    UploadRecord u;
    u.id = id;
    u.account_id = account;
    u.end_user = eu;
    u.creator = "acct";
    u.length = 100;
    u.content_type = "video/mp4";
    u.kinds = {"video"};
    u.parts = "blb_" + id;
    u.created_ms = 10;
    u.expires_ms = 5000;
    return u;
  };
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                for (const auto& u :
                     {upload("upl_a1", "acc_a", "eu_1"), upload("upl_a2", "acc_a", "eu_2"),
                      upload("upl_b1", "acc_b", "eu_1")}) {
                  LETHE_RETURN_IF_ERROR(tx.InsertUpload(u));
                }
                return Status::Ok();
              }).ok());
  Result<int64_t> n = Status::Internal("unset");
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                n = tx.ExpireUploadsOf("acc_a", std::optional<std::string>("eu_1"));
                return n.status();
              }).ok());
  EXPECT_EQ(*n, 1);
  auto a1 = store_->FindUpload("acc_a", "upl_a1");
  ASSERT_TRUE(a1.ok());
  EXPECT_EQ(a1->expires_ms, 0);
  EXPECT_EQ(a1->end_user, "") << "the erased end user is not named any more";
  EXPECT_EQ(a1->parts, "blb_upl_a1") << "the purge job still finds the parts to remove";
  EXPECT_EQ(store_->FindUpload("acc_a", "upl_a2")->expires_ms, 5000) << "another end user";
  EXPECT_EQ(store_->FindUpload("acc_b", "upl_b1")->expires_ms, 5000) << "another account";
  EXPECT_EQ(store_->ListUploadsExpiredBefore(1, 10)->size(), 1u);
  // An account's closure takes all of its uploads.
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                n = tx.ExpireUploadsOf("acc_a", std::nullopt);
                return n.status();
              }).ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(store_->FindUpload("acc_a", "upl_a2")->end_user, "");
  EXPECT_EQ(store_->FindUpload("acc_b", "upl_b1")->end_user, "eu_1");
}

TEST_P(MetadataStoreContract, RacingSpendsOfTheLastUseLetOneThrough) {
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.InsertUploadToken(UploadToken("upt_r", "acc_a", "eu", 3, 5000));
              }).ok());
  constexpr int kThreads = 8;
  std::atomic<int> spent{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      Status st = store_->Transact([&](MetadataTx& tx) { return tx.SpendUploadToken("upt_r", 1); });
      if (st.ok()) {
        ++spent;
      } else if (st.code() == Status::Code::kNotFound) {
        ++refused;
      } else {
        ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(spent.load(), 3) << "exactly the uses the token had";
  EXPECT_EQ(refused.load(), kThreads - 3);
  EXPECT_EQ(failed.load(), 0);
}

TEST_P(MetadataStoreContract, UploadTokensAreRevokedWithinTheirAccountAndSwept) {
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(
                    tx.InsertUploadToken(UploadToken("upt_a1", "acc_a", "eu_1", 1, 1000)));
                LETHE_RETURN_IF_ERROR(
                    tx.InsertUploadToken(UploadToken("upt_a2", "acc_a", "eu_2", 1, 3000)));
                LETHE_RETURN_IF_ERROR(
                    tx.InsertUploadToken(UploadToken("upt_a3", "acc_a", "eu_1", 1, 3000)));
                return tx.InsertUploadToken(UploadToken("upt_b1", "acc_b", "eu_1", 1, 1000));
              }).ok());
  // Another account's id is not found, and deletes nothing.
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.DeleteUploadToken("acc_b", "upt_a2"); }).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(store_->FindUploadToken("digest-upt_a2").ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.DeleteUploadToken("acc_a", "upt_a2"); }).ok());
  EXPECT_EQ(store_->FindUploadToken("digest-upt_a2").status().code(), Status::Code::kNotFound);

  // Sweeping removes what expired before the time given, of every account.
  int64_t swept = 0;
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_ASSIGN_OR_RETURN(swept, tx.DeleteUploadTokensBefore(2000));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(swept, 2);
  EXPECT_TRUE(store_->FindUploadToken("digest-upt_a3").ok());

  // Erasure: one end user's tokens, then the whole account's.
  ASSERT_TRUE(W([&](MetadataTx& tx) {
                return tx.InsertUploadToken(UploadToken("upt_a4", "acc_a", "eu_2", 1, 3000));
              }).ok());
  int64_t erased = 0;
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_ASSIGN_OR_RETURN(erased, tx.DeleteUploadTokensOf("acc_a", "eu_1"));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(erased, 1);
  EXPECT_TRUE(store_->FindUploadToken("digest-upt_a4").ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_ASSIGN_OR_RETURN(erased, tx.DeleteUploadTokensOf("acc_a", std::nullopt));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(erased, 1);
  EXPECT_EQ(store_->FindUploadToken("digest-upt_a4").status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace lethe

namespace lethe {
namespace {

// ADM-1: signals, decisions and appeals, and the usage counts signals read.
TEST_P(MetadataStoreContract, AbuseSignalsDecisionsAndAppealsRoundTrip_ADM1) {
  auto signal = [](std::string id, std::string account, std::string kind, int64_t at) {
    AbuseSignalRecord s;
    s.id = std::move(id);
    s.account_id = std::move(account);
    s.kind = std::move(kind);
    s.observed = 120;
    s.baseline_milli = 1500;
    s.trigger = 20;
    s.score = 100;
    s.window_ms = 3'600'000;
    s.detail = "d";
    s.observed_ms = at;
    return s;
  };
  for (const AbuseSignalRecord& s :
       {signal("sig_1", "acc_1", "upload_rate", 10), signal("sig_2", "acc_1", "auth_failures", 20),
        signal("sig_3", "acc_2", "upload_rate", 30)}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAbuseSignal(s); }).ok()) << s.id;
  }
  EXPECT_EQ(W([&](MetadataTx& tx) {
              return tx.InsertAbuseSignal(signal("sig_1", "acc_1", "x", 1));
            }).code(),
            Status::Code::kAlreadyExists);
  auto since = store_->ListAbuseSignals("acc_1", 15);
  ASSERT_TRUE(since.ok()) << since.status().ToString();
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].id, "sig_2");
  auto all = store_->ListAbuseSignals("acc_1", 0);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "sig_1");
  EXPECT_EQ((*all)[0].baseline_milli, 1500);
  EXPECT_EQ((*all)[0].trigger, 20);
  EXPECT_EQ((*all)[0].decision_id, "");

  AbuseDecisionRecord d{"dec_1", "acc_1", "cus_1", 150, 100, "suspended", 40, std::nullopt, ""};
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(tx.InsertAbuseDecision(d));
                return tx.AttachAbuseSignals("dec_1", {"sig_1", "sig_2"});
              }).ok());
  // A signal of another account is never counted in this decision.
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.AttachAbuseSignals("dec_1", {"sig_3"}); }).code(),
            Status::Code::kNotFound);
  auto counted = store_->ListDecisionSignals("dec_1");
  ASSERT_EQ(counted->size(), 2u);
  EXPECT_EQ((*counted)[1].decision_id, "dec_1");
  EXPECT_TRUE(store_->ListDecisionSignals("")->empty());
  EXPECT_EQ(store_->FindAbuseDecision("acc_1", "dec_1")->score, 150);
  EXPECT_EQ(store_->FindAbuseDecision("acc_2", "dec_1").status().code(), Status::Code::kNotFound);
  ASSERT_EQ(store_->ListSuspensions()->size(), 1u);

  AppealRecord a{"apl_1", "dec_1", "acc_1", "cus_1", "please", "open", 50, std::nullopt, "", ""};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertAppeal(a); }).ok());
  ASSERT_EQ(store_->ListOpenAppeals(10)->size(), 1u);
  EXPECT_EQ(store_->FindAppeal("apl_1")->statement, "please");
  a.state = "reinstated";
  a.decided_ms = 60;
  a.decided_by = "stf_1";
  a.reason = "a false alarm";
  d.state = "reinstated";
  d.lifted_ms = 60;
  d.lifted_by = "stf_1";
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(tx.UpdateAppeal(a));
                return tx.UpdateAbuseDecision(d);
              }).ok());
  EXPECT_TRUE(store_->ListOpenAppeals(10)->empty());
  EXPECT_TRUE(store_->ListSuspensions()->empty());
  auto decided = store_->ListAppeals("dec_1");
  ASSERT_EQ(decided->size(), 1u);
  EXPECT_EQ((*decided)[0].reason, "a false alarm");
  EXPECT_EQ((*decided)[0].decided_ms, 60);
  auto lifted = store_->ListAbuseDecisions("acc_1");
  ASSERT_EQ(lifted->size(), 1u);
  EXPECT_EQ((*lifted)[0].lifted_ms, 60);
  EXPECT_EQ((*lifted)[0].lifted_by, "stf_1");
  AppealRecord ghost{"apl_x", "dec_1", "acc_1", "cus_1", "", "open", 1, std::nullopt, "", ""};
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.UpdateAppeal(ghost); }).code(),
            Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, AbuseRecordsGoWithAPurgedCustomer_ADM1) {
  AccountRecord closed = Account("acc_c", "cus_c");
  closed.closed_ms = 5;
  CustomerRecord gone = Customer("cus_c", "c@x.io");
  gone.closed_ms = 5;
  AbuseSignalRecord s;
  s.id = "sig_c";
  s.account_id = "acc_c";
  s.kind = "content_flag";
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_RETURN_IF_ERROR(tx.InsertCustomer(gone));
                LETHE_RETURN_IF_ERROR(tx.UpdateCustomer(gone));  // closing is an update
                LETHE_RETURN_IF_ERROR(tx.InsertAccount(closed));
                LETHE_RETURN_IF_ERROR(tx.UpdateAccount(closed));
                LETHE_RETURN_IF_ERROR(tx.InsertAbuseSignal(s));
                LETHE_RETURN_IF_ERROR(tx.InsertAbuseDecision(
                    {"dec_c", "acc_c", "cus_c", 100, 100, "suspended", 1, std::nullopt, ""}));
                return tx.InsertAppeal(
                    {"apl_c", "dec_c", "acc_c", "cus_c", "mine", "open", 2, std::nullopt, "", ""});
              }).ok());
  Status purged = W([&](MetadataTx& tx) { return StatusOf(tx.DeleteClosedCustomer("cus_c")); });
  ASSERT_TRUE(purged.ok()) << purged.ToString();
  EXPECT_TRUE(store_->ListAbuseSignals("acc_c", 0)->empty());
  EXPECT_TRUE(store_->ListAbuseDecisions("acc_c")->empty());
  EXPECT_EQ(store_->FindAppeal("apl_c").status().code(), Status::Code::kNotFound);
}

TEST_P(MetadataStoreContract, UsageCountsFeedTheAbuseSignals_ADM1) {
  std::vector<UsageEvent> batch;
  auto event = [&](std::string account, int64_t at, std::string route, int status, std::string ip,
                   std::string end_user) {
    UsageEvent e;
    e.id = "evt_" + std::to_string(batch.size());
    e.time_ms = at;
    e.account_id = std::move(account);
    e.credential_id = "acc_1";
    e.method = "POST";
    e.route = std::move(route);
    e.status = status;
    e.ip = std::move(ip);
    e.end_user = std::move(end_user);
    batch.push_back(e);
  };
  event("acc_1", 100, "/v1/media", 201, "10.0.0.1", "u1");
  event("acc_1", 200, "/v1/media", 201, "10.0.0.1", "u2");
  event("acc_1", 300, "/v1/media", 413, "10.0.0.1", "u2");  // refused: not an upload
  event("acc_1", 400, "/v1/other", 200, "10.0.0.2", "u3");
  event("acc_1", 500, "/v1/media", 200, "10.0.0.2", "");
  event("acc_2", 600, "/v1/media", 201, "10.0.0.9", "u9");
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertUsageEvents(batch); }).ok());
  EXPECT_EQ(*store_->CountUsageEvents("acc_1", "POST", "/v1/media", 0, 1000), 3);
  EXPECT_EQ(*store_->CountUsageEvents("acc_1", "POST", "/v1/media", 150, 500), 1);
  EXPECT_EQ(*store_->CountUsageEvents("acc_1", "GET", "/v1/media", 0, 1000), 0);
  auto top = store_->TopIpEndUsers("acc_1", 0);
  ASSERT_TRUE(top.ok() && top->has_value());
  EXPECT_EQ((*top)->ip, "10.0.0.1");
  EXPECT_EQ((*top)->end_users, 2);
  auto late = store_->TopIpEndUsers("acc_1", 350);
  ASSERT_TRUE(late.ok() && late->has_value());
  EXPECT_EQ((*late)->ip, "10.0.0.2");
  EXPECT_EQ((*late)->end_users, 1) << "an empty end user is no end user";
  EXPECT_FALSE(store_->TopIpEndUsers("acc_3", 0)->has_value());
  auto active = store_->ListActiveAccounts(450);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(*active, (std::vector<std::string>{"acc_1", "acc_2"}));
  EXPECT_EQ(*store_->ListActiveAccounts(550), (std::vector<std::string>{"acc_2"}));
}

// Passkeys (issue 15, v29): one owner per credential id, lookups by
// credential and by owner, uses written back, removal scoped to the owner,
// and challenges used once.
TEST_P(MetadataStoreContract, PasskeysAndTheirChallenges_ACC4) {
  PasskeyRecord a{"pky_1", "customer", "cus_a", "cred-a", -7, "key-a", 0, "Laptop", 10, {}};
  PasskeyRecord b{"pky_2", "customer", "cus_a", "cred-b", -8, "key-b", 4, "Phone", 20, {}};
  PasskeyRecord s{"pky_3", "staff", "cus_a", "cred-s", -257, "key-s", 0, "Key", 5, {}};
  for (const PasskeyRecord& p : {b, a, s}) {
    ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertPasskey(p); }).ok()) << p.id;
  }
  PasskeyRecord dup = a;
  dup.id = "pky_9";
  dup.owner_id = "cus_b";
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.InsertPasskey(dup); }).code(),
            Status::Code::kAlreadyExists)
      << "a credential id is registered once, whoever the owner";

  auto found = store_->FindPasskeyByCredential("cred-b");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, "pky_2");
  EXPECT_EQ(found->cose_alg, -8);
  EXPECT_EQ(found->public_key, "key-b");
  EXPECT_EQ(found->sign_count, 4);
  EXPECT_EQ(found->name, "Phone");
  EXPECT_EQ(found->last_used_ms, std::nullopt);
  EXPECT_EQ(store_->FindPasskeyByCredential("cred-x").status().code(), Status::Code::kNotFound);

  // Per owner kind and id, oldest first.
  auto listed = store_->ListPasskeys("customer", "cus_a");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "pky_1");
  EXPECT_EQ((*listed)[1].id, "pky_2");
  EXPECT_EQ(store_->ListPasskeys("staff", "cus_a")->size(), 1u);
  EXPECT_TRUE(store_->ListPasskeys("customer", "cus_b")->empty());

  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.RecordPasskeyUse("cred-b", 9, 99); }).ok());
  found = store_->FindPasskeyByCredential("cred-b");
  EXPECT_EQ(found->sign_count, 9);
  EXPECT_EQ(found->last_used_ms, std::optional<int64_t>(99));
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.RecordPasskeyUse("cred-x", 1, 1); }).code(),
            Status::Code::kNotFound);

  EXPECT_EQ(
      W([&](MetadataTx& tx) { return tx.DeletePasskey("customer", "cus_b", "pky_1"); }).code(),
      Status::Code::kNotFound)
      << "another owner's passkey";
  EXPECT_EQ(
      W([&](MetadataTx& tx) { return tx.DeletePasskey("customer", "cus_a", "pky_3"); }).code(),
      Status::Code::kNotFound)
      << "the same id's staff passkey";
  ASSERT_TRUE(
      W([&](MetadataTx& tx) { return tx.DeletePasskey("customer", "cus_a", "pky_1"); }).ok());
  EXPECT_EQ(store_->FindPasskeyByCredential("cred-a").status().code(), Status::Code::kNotFound);

  // Challenges: used once, swept once expired.
  PasskeyChallengeRecord reg{"chd-1", "register", "customer", "cus_a", 100, 400, {}};
  PasskeyChallengeRecord in{"chd-2", "sign-in", "staff", "", 100, 200, {}};
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertPasskeyChallenge(reg); }).ok());
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.InsertPasskeyChallenge(in); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.InsertPasskeyChallenge(in); }).code(),
            Status::Code::kAlreadyExists);
  ASSERT_TRUE(W([&](MetadataTx& tx) { return tx.UsePasskeyChallenge("chd-1", 150); }).ok());
  EXPECT_EQ(W([&](MetadataTx& tx) { return tx.UsePasskeyChallenge("chd-1", 151); }).code(),
            Status::Code::kNotFound)
      << "a challenge is used once";
  auto ch = store_->FindPasskeyChallenge("chd-1");
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(ch->purpose, "register");
  EXPECT_EQ(ch->owner_id, "cus_a");
  EXPECT_EQ(ch->expires_ms, 400);
  EXPECT_EQ(ch->used_ms, std::optional<int64_t>(150));
  int64_t swept = -1;
  ASSERT_TRUE(W([&](MetadataTx& tx) -> Status {
                LETHE_ASSIGN_OR_RETURN(swept, tx.DeletePasskeyChallengesBefore(300));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(swept, 1);
  EXPECT_EQ(store_->FindPasskeyChallenge("chd-2").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->FindPasskeyChallenge("chd-1").ok());
}

}  // namespace
}  // namespace lethe
