// SEC-1: the audit chain's signed checkpoints, and proofs that it only grew.
#include "domain/audit_checkpoints.h"

#include <gtest/gtest.h>

#include "adapters/sqlite/sqlite_connection.h"
#include "common/encoding.h"
#include "crypto/tlog_checkpoint.h"
#include "domain/audit_log.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class AuditCheckpointsTest : public DomainFixture {
 protected:
  AuditCheckpointsTest() : key_(Seed()) {}
  void SetUp() override {
    DomainFixture::SetUp();
    checkpoints_ = std::make_unique<AuditCheckpoints>(*metadata_, key_, "test.example/audit");
  }
  static Key Seed() {
    Key k;
    k.fill(11);
    return k;
  }
  // Tampers with the database behind the store's back, as an attacker would.
  void Sql(const std::string& sql) {
    auto conn = SqliteConnection::Open(dir_.File("lethe.db"));
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecScript(sql).ok());
  }
  // `n` more audit events, in one transaction.
  void Record(int n) {
    ASSERT_TRUE(metadata_
                    ->Transact([&](MetadataTx& tx) -> Status {
                      for (int i = 0; i < n; ++i) {
                        LETHE_RETURN_IF_ERROR(audit_->Record(tx, Actor::Customer("cus_x"),
                                                             "test.step", "t", "acc_1", origin_));
                      }
                      return Status::Ok();
                    })
                    .ok());
  }
  Checkpoint Current() {
    auto note = checkpoints_->SignedCheckpoint();
    EXPECT_TRUE(note.ok()) << note.status().ToString();
    auto c = OpenCheckpoint(*note, key_.public_key());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Checkpoint{};
  }

  SigningKey key_;
  std::unique_ptr<AuditCheckpoints> checkpoints_;
};

TEST_F(AuditCheckpointsTest, TheTreeIsOverTheChainHashes) {
  Checkpoint empty = Current();
  EXPECT_EQ(empty.origin, "test.example/audit");
  EXPECT_EQ(empty.size, 0u);
  EXPECT_EQ(empty.root, MerkleRoot({}));
  Record(3);
  std::vector<MerkleHash> leaves;
  auto events = metadata_->ListAuditEvents("", 0, 10);
  ASSERT_TRUE(events.ok());
  for (const AuditEvent& e : *events) {
    leaves.push_back(MerkleLeafHash(*HexDecode(e.hash)));
  }
  Checkpoint three = Current();
  EXPECT_EQ(three.size, 3u);
  EXPECT_EQ(three.root, MerkleRoot(leaves));
}

TEST_F(AuditCheckpointsTest, ProofsShowTheLogOnlyGrew) {
  Record(5);
  Checkpoint old = Current();
  Record(1200);  // more than one read batch
  Checkpoint now = Current();
  ASSERT_EQ(now.size, 1205u);
  auto proof = checkpoints_->ConsistencyProof(old.size, now.size);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(VerifyMerkleConsistency(old.size, now.size, old.root, now.root, *proof));
  // A proof up to an older size fits that size's root only.
  auto partial = checkpoints_->ConsistencyProof(5, 1000);
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(VerifyMerkleConsistency(5, 1000, old.root, now.root, *partial));
  EXPECT_TRUE(checkpoints_->ConsistencyProof(0, 1205)->empty());
  EXPECT_TRUE(checkpoints_->ConsistencyProof(1205, 1205)->empty());
}

TEST_F(AuditCheckpointsTest, BadSizesAreRefused) {
  Record(3);
  EXPECT_EQ(checkpoints_->ConsistencyProof(2, 4).status().reason(), "bad-request");
  EXPECT_EQ(checkpoints_->ConsistencyProof(3, 2).status().reason(), "bad-request");
  EXPECT_TRUE(checkpoints_->ConsistencyProof(0, 0).ok());
}

TEST_F(AuditCheckpointsTest, ARewrittenChainHasNoProofFromAnOldCheckpoint) {
  Record(4);
  Checkpoint old = Current();
  // History rewritten behind Lethe's back while it was stopped: every event
  // after the first replaced by a consistent new chain, which goes on. The
  // new checkpoint cannot be joined to the old one.
  Sql("DELETE FROM audit_events WHERE seq >= 2");
  Record(6);
  checkpoints_ = std::make_unique<AuditCheckpoints>(*metadata_, key_, "test.example/audit");
  Checkpoint now = Current();
  ASSERT_EQ(now.size, 7u);
  auto proof = checkpoints_->ConsistencyProof(old.size, now.size);
  ASSERT_TRUE(proof.ok());
  EXPECT_FALSE(VerifyMerkleConsistency(old.size, now.size, old.root, now.root, *proof));
}

TEST_F(AuditCheckpointsTest, ARunningServerRefusesToSignARewrittenHead) {
  Record(4);
  Current();
  // The newest event replaced by another, and the log goes on from it: the
  // server already signed the old head, so it signs nothing that forks it.
  Sql("DELETE FROM audit_events WHERE seq = 4");
  Record(2);
  EXPECT_EQ(checkpoints_->SignedCheckpoint().status().code(), Status::Code::kInternal);
  EXPECT_EQ(checkpoints_->ConsistencyProof(1, 6).status().code(), Status::Code::kInternal);
  // Proofs within what it signed before still work.
  EXPECT_TRUE(checkpoints_->ConsistencyProof(1, 4).ok());
}

TEST_F(AuditCheckpointsTest, AChainWithAGapIsNotSigned) {
  Record(4);
  Sql("DELETE FROM audit_events WHERE seq = 2");
  EXPECT_EQ(checkpoints_->SignedCheckpoint().status().code(), Status::Code::kInternal);
}

TEST_F(AuditCheckpointsTest, OriginsAreChecked) {
  EXPECT_TRUE(AuditCheckpoints::ValidOrigin(kDefaultAuditOrigin).ok());
  EXPECT_TRUE(AuditCheckpoints::ValidOrigin("media.example.com/lethe/audit").ok());
  EXPECT_FALSE(AuditCheckpoints::ValidOrigin("").ok());
  EXPECT_FALSE(AuditCheckpoints::ValidOrigin("a b").ok());
  EXPECT_FALSE(AuditCheckpoints::ValidOrigin("a+b").ok());
  EXPECT_FALSE(AuditCheckpoints::ValidOrigin(std::string(256, 'a')).ok());
}

}  // namespace
}  // namespace lethe
