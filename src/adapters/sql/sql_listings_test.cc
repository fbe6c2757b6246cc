// The listings of sql_listings.h on both engines.
//
// Their query plans are pinned: each statement is searched through the
// index meant for it, never by a scan of its table nor by sorting its
// matches, so that it reads O(page) rows however large the store
// (bench/scale.py measures that at 1 and 10 million media); a plan that
// regresses fails here first. SQLite: EXPLAIN QUERY PLAN of the statement
// the store runs; without statistics (the server never runs ANALYZE) the
// planner goes by the indexes alone, as in production. PostgreSQL: the
// statement is PREPAREd and EXPLAINed, on 20,000 analysed media, as a
// custom plan (its first five runs) and as the generic plan (later runs),
// with sequential scans, bitmap scans and sorts priced out: a plan that
// still holds one has no index that serves the query in order (a table
// this small would otherwise be scanned whatever its indexes).
//
// And schema v28's backfill: tags written before it are listed by tag
// after it.
#include "adapters/sql/sql_listings.h"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "adapters/postgres/pg_database.h"
#include "adapters/sql/schema.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_connection.h"
#include "adapters/sqlite/sqlite_database.h"
#include "testing/temp_dir.h"
#include "testing/test_postgres.h"

namespace lethe {
namespace {

struct PlanCase {
  std::string name;
  SqlStatement statement;
  // The index that must drive it, on each engine.
  std::string sqlite_index;
  std::string postgres_index;
};

std::vector<PlanCase> Cases() {
  MediaQuery all;
  all.account_id = "acc_1";
  MediaQuery deep = all;
  deep.after_seq = 10'000;  // half-way through kPostgresRows
  MediaQuery by_user = all;
  by_user.end_user = "user-1";
  MediaQuery by_tag = all;
  by_tag.tag = "holiday";
  MediaQuery by_tag_kind = by_tag;
  by_tag_kind.kind = "video";
  MediaQuery by_user_tag = by_user;
  by_user_tag.tag = "holiday";
  MediaQuery by_kind_deep = deep;
  by_kind_deep.kind = "audio";
  UsageQuery usage;
  usage.account_id = "acc_1";
  UsageQuery usage_by_user = usage;
  usage_by_user.end_user = "user-1";
  usage_by_user.after_seq = 77;
  UsageQuery usage_by_user_since = usage_by_user;
  usage_by_user_since.since_ms = 1'700'000'000'000;
  usage_by_user_since.until_ms = 1'800'000'000'000;
  return {
      {"media page", MediaListing(all), "media_by_account", "media_by_account"},
      {"media deep page", MediaListing(deep), "media_by_account", "media_by_account"},
      {"media by kind", MediaListing(by_kind_deep), "media_by_account", "media_by_account"},
      {"media by end user", MediaListing(by_user), "media_by_end_user", "media_by_end_user_seq"},
      {"media by tag", MediaListing(by_tag), "media_tags_by_account_tag",
       "media_tags_by_account_tag"},
      {"media by tag and kind", MediaListing(by_tag_kind), "media_tags_by_account_tag",
       "media_tags_by_account_tag"},
      {"media by end user and tag", MediaListing(by_user_tag), "media_by_end_user",
       "media_by_end_user_seq"},
      {"media by id", MediaLookup("acc_1", "med_1"), "sqlite_autoindex_media_1", "media_id_key"},
      {"usage page", UsageListing(usage), "usage_by_account", "usage_by_account"},
      {"usage by end user", UsageListing(usage_by_user), "usage_by_end_user",
       "usage_by_end_user_seq"},
      {"usage by end user and time", UsageListing(usage_by_user_since), "usage_by_end_user",
       "usage_by_end_user_seq"},
  };
}

// 20,000 media in 200 accounts, for 500 end users and 400 tags, each with
// a tag and a usage event: no account holds much of the table, as in a
// store of many tenants (were it half the table, a scan of the primary
// key that skips the other half would cost about as little, and the
// planner takes it).
constexpr const char* kPostgresRows = R"sql(
INSERT INTO customers (id, name, email, email_key, password_hash, country, birth_date, created_ms)
  VALUES ('cus_a', 'A', 'a@x.io', 'a@x.io', 'h', 'US', '1990-01-01', 1);
INSERT INTO accounts (id, customer_id, name, region, token_digest, created_ms)
  SELECT 'acc_' || i, 'cus_a', 'app', 'eu', 'd' || i, 1 FROM generate_series(1, 200) AS i;
INSERT INTO media (id, account_id, end_user, kind, content_type, bytes, sha256, title,
                   created_ms, blob_id, wrapped_key)
  SELECT 'med_' || i, 'acc_' || (1 + i % 200), 'user-' || (i % 500), 'video', 'video/mp4', 1,
         '', '', i, 'blb_' || i, 'w'
  FROM generate_series(1, 20000) AS i;
INSERT INTO media_tags (media_id, tag, position, account_id, media_seq)
  SELECT id, 't' || (seq % 400), 0, account_id, seq FROM media;
INSERT INTO usage_events (id, time_ms, account_id, credential_id, end_user, ip, device_type,
                          browser, browser_version, language, country, method, route, status)
  SELECT 'evt_' || seq, created_ms, account_id, account_id, end_user, '', '', '', '', '', '',
         'POST', '/v1/media', 201
  FROM media;
)sql";

// A value as a SQL literal, for EXECUTE.
std::string Literal(const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return "NULL";
  if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  std::string out = "'";
  for (char c : std::get<std::string>(v)) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

struct Engine {
  std::string name;
  friend void PrintTo(const Engine& e, std::ostream* os) { *os << e.name; }
};

class SqlListings : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam().name == "sqlite") {
      auto db = SqliteDatabase::Open(dir_.File("lethe.db"));
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      db_ = std::move(*db);
    } else {
      auto pg = TestPostgres::Create();
      ASSERT_TRUE(pg.ok()) << pg.status().ToString();
      pg_ = std::move(*pg);
      auto db = PgDatabase::Open(pg_->conninfo());
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      db_ = std::move(*db);
    }
    Status migrated = ApplyMigrations(*db_, MetadataMigrations(db_->dialect()), 1);
    ASSERT_TRUE(migrated.ok()) << migrated.ToString();
    if (GetParam().name == "postgres") {
      // Statistics, as autovacuum keeps them: on an empty table every index
      // costs the same and the planner picks any.
      Status seeded = db_->Write(Durability::kPowerLoss, [](SqlConnection& conn) {
        return conn.ExecScript(kPostgresRows);
      });
      ASSERT_TRUE(seeded.ok()) << seeded.ToString();
      ASSERT_TRUE(db_->Write(Durability::kPowerLoss,
                             [](SqlConnection& conn) { return conn.ExecScript("ANALYZE"); })
                      .ok());
    }
  }

  // The plan of `s`, one line per node.
  std::vector<std::string> SqlitePlan(const SqlStatement& s) {
    std::vector<std::string> plan;
    Status st = db_->Read([&](SqlConnection& conn) -> Status {
      LETHE_ASSIGN_OR_RETURN(auto rows, conn.Query("EXPLAIN QUERY PLAN " + s.sql, s.params));
      for (const SqlRow& r : rows) plan.push_back(SqlText(r[3]));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return plan;
  }

  std::vector<std::string> PostgresPlan(const SqlStatement& s, const std::string& mode) {
    std::vector<std::string> plan;
    Status st = db_->Read([&](SqlConnection& conn) -> Status {
      LETHE_RETURN_IF_ERROR(
          conn.ExecScript("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; "
                          "SET LOCAL enable_sort = off; SET LOCAL plan_cache_mode = " +
                          mode + "; PREPARE plan_case AS " + s.sql));
      std::string args;
      for (const SqlValue& v : s.params) args += (args.empty() ? "" : ", ") + Literal(v);
      auto rows = conn.Query("EXPLAIN EXECUTE plan_case(" + args + ")", {});
      Status freed = conn.ExecScript("DEALLOCATE plan_case");
      LETHE_RETURN_IF_ERROR(rows.status());
      for (const SqlRow& r : *rows) plan.push_back(SqlText(r[0]));
      return freed;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return plan;
  }

  TempDir dir_;
  std::unique_ptr<TestPostgres> pg_;  // dropped after the database closes
  std::unique_ptr<SqlDatabase> db_;
};

TEST_P(SqlListings, EveryListingIsSearchedThroughItsIndexInOrder) {
  for (const PlanCase& c : Cases()) {
    SCOPED_TRACE(c.name + ": " + c.statement.sql);
    if (GetParam().name == "sqlite") {
      std::vector<std::string> plan = SqlitePlan(c.statement);
      ASSERT_FALSE(plan.empty());
      bool uses = false;
      for (const std::string& line : plan) {
        uses |= line.find("INDEX " + c.sqlite_index + " (") != std::string::npos;
        EXPECT_NE(line.rfind("SCAN ", 0), 0u) << "a table scan:\n" << Joined(plan);
        EXPECT_EQ(line.find("TEMP B-TREE"), std::string::npos) << "a sort:\n" << Joined(plan);
      }
      EXPECT_TRUE(uses) << "not searched through " << c.sqlite_index << ":\n" << Joined(plan);
      continue;
    }
    for (const std::string mode : {"force_custom_plan", "force_generic_plan"}) {
      SCOPED_TRACE(mode);
      std::vector<std::string> plan = PostgresPlan(c.statement, mode);
      ASSERT_FALSE(plan.empty());
      bool uses = false;
      for (const std::string& line : plan) {
        uses |= line.find("Scan using " + c.postgres_index + " on") != std::string::npos;
        EXPECT_EQ(line.find("Seq Scan"), std::string::npos) << "a table scan:\n" << Joined(plan);
        EXPECT_EQ(line.find("Bitmap"), std::string::npos) << "unordered:\n" << Joined(plan);
        EXPECT_EQ(line.find("Sort"), std::string::npos) << "a sort:\n" << Joined(plan);
      }
      EXPECT_TRUE(uses) << "not searched through " << c.postgres_index << ":\n" << Joined(plan);
    }
  }
}

TEST_P(SqlListings, TagsFromBeforeVersion28AreListedByTagAfterIt) {
  // A second store at the versions before 28, written as they were.
  std::unique_ptr<TestPostgres> pg;
  std::unique_ptr<SqlDatabase> db;
  if (GetParam().name == "sqlite") {
    auto opened = SqliteDatabase::Open(dir_.File("old.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(*opened);
  } else {
    auto created = TestPostgres::Create();
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    pg = std::move(*created);
    auto opened = PgDatabase::Open(pg->conninfo());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(*opened);
  }
  std::vector<Migration> before;
  for (const Migration& m : MetadataMigrations(db->dialect())) {
    if (m.version < 28) before.push_back(m);
  }
  ASSERT_TRUE(ApplyMigrations(*db, before, 1).ok());
  Status wrote = db->Write(Durability::kPowerLoss, [](SqlConnection& conn) -> Status {
    LETHE_RETURN_IF_ERROR(conn.ExecScript(
        "INSERT INTO customers (id, name, email, email_key, password_hash, country, birth_date, "
        "created_ms) VALUES ('cus_a', 'A', 'a@x.io', 'a@x.io', 'h', 'US', '1990-01-01', 1);"
        "INSERT INTO accounts (id, customer_id, name, region, token_digest, created_ms) VALUES "
        "('acc_1', 'cus_a', 'one', 'eu', 'd1', 1), ('acc_2', 'cus_a', 'two', 'eu', 'd2', 1)"));
    for (int i = 1; i <= 6; ++i) {
      const std::string id = "med_" + std::to_string(i);
      LETHE_RETURN_IF_ERROR(conn.Query(
          "INSERT INTO media (id, account_id, end_user, kind, content_type, bytes, sha256, "
          "title, created_ms, blob_id, wrapped_key) VALUES ($1, $2, '', 'image', 'image/png', 1, "
          "'', '', 1, $3, 'w')",
          {id, std::string(i % 3 == 0 ? "acc_2" : "acc_1"), "blb_" + std::to_string(i)}));
      LETHE_RETURN_IF_ERROR(
          conn.Query("INSERT INTO media_tags (media_id, tag, position) VALUES ($1, 'x', 0)", {id}));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(wrote.ok()) << wrote.ToString();
  // A tag row whose media is gone (written with foreign keys off): the
  // migration drops it rather than failing on it.
  const std::string orphan =
      "INSERT INTO media_tags (media_id, tag, position) VALUES ('med_gone', 'x', 0)";
  if (GetParam().name == "sqlite") {
    auto raw = SqliteConnection::Open(dir_.File("old.db"));
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    ASSERT_TRUE((*raw)->ExecScript("PRAGMA foreign_keys = OFF; " + orphan).ok());
  } else {
    ASSERT_TRUE(db->Write(Durability::kPowerLoss, [&](SqlConnection& conn) {
                    return conn.ExecScript("SET LOCAL session_replication_role = replica; " +
                                           orphan);
                  }).ok());
  }
  ManualClock clock{1'700'000'000'000};
  auto store = SqlMetadataStore::Open(std::move(db), clock);  // applies v28
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  MediaQuery q;
  q.account_id = "acc_1";
  q.tag = "x";
  q.limit = 2;
  auto first = (*store)->ListMedia(q);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, "med_1");
  EXPECT_EQ((*first)[1].id, "med_2");
  q.after_seq = first->back().seq;
  q.limit = 100;
  auto rest = (*store)->ListMedia(q);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);  // med_3 and med_6 are acc_2's
  EXPECT_EQ((*rest)[0].id, "med_4");
  EXPECT_EQ((*rest)[1].id, "med_5");
  q.account_id = "acc_2";
  q.after_seq.reset();
  EXPECT_EQ((*store)->ListMedia(q)->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Engines, SqlListings,
                         ::testing::Values(Engine{"sqlite"}, Engine{"postgres"}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace lethe
