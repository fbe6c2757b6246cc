// SEC-1: the audit chain detects edits, removals and reordering.
#include "domain/audit_log.h"

#include <gtest/gtest.h>

#include "adapters/local/file_audit_anchor.h"
#include "adapters/sqlite/sqlite_connection.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class AuditLogTest : public DomainFixture {
 protected:
  void RecordFive() {
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(metadata_
                      ->Transact([&](MetadataTx& tx) {
                        return audit_->Record(tx, Actor::Customer("cus_x"), "test.step",
                                              "t" + std::to_string(i), "acc_1", origin_);
                      })
                      .ok());
    }
  }
  // Tampers with the database behind the store's back, as an attacker would.
  void Sql(const std::string& sql) {
    auto conn = SqliteConnection::Open(dir_.File("lethe.db"));
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecScript(sql).ok());
  }
};

TEST_F(AuditLogTest, IntactChainVerifies) {
  RecordFive();
  auto v = audit_->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact);
  EXPECT_EQ(v->events, 5);
}

TEST_F(AuditLogTest, EditIsDetectedAtTheEditedEvent) {
  RecordFive();
  Sql("UPDATE audit_events SET target = 'forged' WHERE seq = 3");
  auto v = audit_->Verify();
  EXPECT_FALSE(v->intact);
  EXPECT_EQ(v->first_bad_seq, 3);
}

TEST_F(AuditLogTest, RemovalIsDetected) {
  RecordFive();
  Sql("DELETE FROM audit_events WHERE seq = 2");
  auto v = audit_->Verify();
  EXPECT_FALSE(v->intact);
  EXPECT_EQ(v->first_bad_seq, 3);
}

TEST_F(AuditLogTest, RenumberedRemovalIsDetected) {
  RecordFive();
  Sql("DELETE FROM audit_events WHERE seq = 2; UPDATE audit_events SET seq = seq - 1 WHERE seq > "
      "2");
  auto v = audit_->Verify();
  EXPECT_FALSE(v->intact);
  EXPECT_EQ(v->first_bad_seq, 2);
}

TEST_F(AuditLogTest, ReorderIsDetected) {
  RecordFive();
  // Swap the contents of events 2 and 4, keeping their seq numbers.
  Sql("CREATE TEMP TABLE t AS SELECT * FROM audit_events WHERE seq IN (2, 4);"
      "UPDATE audit_events SET id = (SELECT id FROM t WHERE t.seq = 6 - audit_events.seq),"
      " target = (SELECT target FROM t WHERE t.seq = 6 - audit_events.seq),"
      " prev_hash = (SELECT prev_hash FROM t WHERE t.seq = 6 - audit_events.seq),"
      " hash = (SELECT hash FROM t WHERE t.seq = 6 - audit_events.seq)"
      " WHERE seq IN (2, 4);");
  auto v = audit_->Verify();
  EXPECT_FALSE(v->intact);
  EXPECT_EQ(v->first_bad_seq, 2);
}

class AnchoredAuditLogTest : public AuditLogTest {
 protected:
  void SetUp() override {
    AuditLogTest::SetUp();
    anchor_ = std::make_unique<FileAuditAnchor>(dir_.File("audit.anchor"));
    audit_ = std::make_unique<AuditLog>(*metadata_, clock_, random_, anchor_.get());
  }
  std::unique_ptr<FileAuditAnchor> anchor_;
};

TEST_F(AnchoredAuditLogTest, AnchorFollowsCommitsOnly) {
  RecordFive();
  EXPECT_EQ((*anchor_->Load())->seq, 5);
  Status rolled_back = metadata_->Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(
        audit_->Record(tx, Actor::Customer("cus_x"), "test.step", "t6", "acc_1", origin_));
    return Status::Internal("injected");
  });
  EXPECT_FALSE(rolled_back.ok());
  EXPECT_EQ((*anchor_->Load())->seq, 5);
  EXPECT_TRUE(audit_->Verify()->intact);
}

TEST_F(AnchoredAuditLogTest, RemovingTheNewestEventsIsDetected) {
  RecordFive();
  Sql("DELETE FROM audit_events WHERE seq >= 4");
  auto v = audit_->Verify();
  EXPECT_FALSE(v->intact);
  EXPECT_EQ(v->first_bad_seq, 4);
}

TEST_F(AnchoredAuditLogTest, AnAnchorBehindTheChainIsFine) {
  // A crash between a commit and the anchor write leaves the anchor behind.
  RecordFive();
  auto third = metadata_->ListAuditEvents("", 2, 1);
  // Written as a restarted process would: a new anchor object. (A live one
  // never moves its anchor backwards.)
  FileAuditAnchor restarted(dir_.File("audit.anchor"));
  ASSERT_TRUE(restarted.Save(AuditHead{3, (*third)[0].hash}).ok());
  EXPECT_TRUE(audit_->Verify()->intact);
  FileAuditAnchor forged(dir_.File("audit.anchor"));
  ASSERT_TRUE(forged.Save(AuditHead{3, std::string(64, 'a')}).ok());
  auto v = audit_->Verify();
  EXPECT_FALSE(v->intact);  // the chain no longer holds the anchored event
  EXPECT_EQ(v->first_bad_seq, 3);
}

// Counts the heads saved through it.
class CountingAnchor final : public AuditAnchor {
 public:
  explicit CountingAnchor(AuditAnchor& real) : real_(real) {}
  Status Save(const AuditHead& head) override {
    saved.push_back(head.seq);
    return real_.Save(head);
  }
  Result<std::optional<AuditHead>> Load() override { return real_.Load(); }
  std::vector<int64_t> saved;

 private:
  AuditAnchor& real_;
};

TEST_F(AnchoredAuditLogTest, OneAnchorWritePerTransactionForItsNewestEvent) {
  CountingAnchor counting(*anchor_);
  AuditLog audit(*metadata_, clock_, random_, &counting);
  auto record = [&](int events) {
    return metadata_->Transact([&](MetadataTx& tx) -> Status {
      for (int i = 0; i < events; ++i) {
        LETHE_RETURN_IF_ERROR(
            audit.Record(tx, Actor::Customer("cus_x"), "test.step", "t", "acc_1", origin_));
      }
      return Status::Ok();
    });
  };
  ASSERT_TRUE(record(500).ok());
  // Saved once, for the newest event, and durable before Transact returned.
  EXPECT_EQ(counting.saved, std::vector<int64_t>{500});
  EXPECT_EQ((*anchor_->Load())->seq, 500);
  ASSERT_TRUE(record(1).ok());
  ASSERT_TRUE(record(3).ok());
  EXPECT_EQ(counting.saved, (std::vector<int64_t>{500, 501, 504}));
  EXPECT_EQ((*anchor_->Load())->seq, 504);
  EXPECT_FALSE(metadata_
                   ->Transact([&](MetadataTx& tx) -> Status {
                     LETHE_RETURN_IF_ERROR(
                         audit.Record(tx, Actor::Customer("cus_x"), "a", "t", "acc_1", origin_));
                     LETHE_RETURN_IF_ERROR(
                         audit.Record(tx, Actor::Customer("cus_x"), "b", "t", "acc_1", origin_));
                     return Status::Internal("injected");
                   })
                   .ok());
  EXPECT_EQ(counting.saved.size(), 3u);
  EXPECT_EQ((*anchor_->Load())->seq, 504);
  auto v = audit.Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact) << v->problem;
  EXPECT_EQ(v->events, 504);
}

TEST_F(AnchoredAuditLogTest, ALiveAnchorNeverMovesBackwards) {
  RecordFive();
  ASSERT_TRUE(anchor_->Save(AuditHead{2, std::string(64, 'b')}).ok());
  EXPECT_EQ((*anchor_->Load())->seq, 5);
  EXPECT_TRUE(audit_->Verify()->intact);
}

}  // namespace
}  // namespace lethe
