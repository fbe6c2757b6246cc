#include "crypto/tlog_checkpoint.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "crypto/signed_note.h"

namespace lethe {
namespace {

SigningKey MakeKey(uint8_t fill) {
  Key seed;
  seed.fill(fill);
  return SigningKey(seed);
}

Checkpoint Sample() {
  Checkpoint c;
  c.origin = "lethe.example/lethe/audit";
  c.size = 20852163;
  c.root.fill(0xab);
  return c;
}

TEST(TlogCheckpointTest, SignsAndOpensAsTheC2spFormat) {
  SigningKey key = MakeKey(6);
  Checkpoint c = Sample();
  EXPECT_EQ(CheckpointText(c),
            "lethe.example/lethe/audit\n20852163\n" + Base64Encode(c.root) + "\n");
  auto note = SignCheckpoint(c, key);
  ASSERT_TRUE(note.ok());
  EXPECT_NE(note->find("\n\n\xE2\x80\x94 lethe.example/lethe/audit "), std::string::npos);
  auto opened = OpenCheckpoint(*note, key.public_key());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->origin, c.origin);
  EXPECT_EQ(opened->size, c.size);
  EXPECT_EQ(opened->root, c.root);
  // The empty tree.
  c.size = 0;
  c.root = MerkleRoot({});
  opened = OpenCheckpoint(*SignCheckpoint(c, key), key.public_key());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->size, 0u);
}

TEST(TlogCheckpointTest, EditedOrForeignCheckpointsAreRejected) {
  SigningKey key = MakeKey(7);
  SigningKey other = MakeKey(8);
  std::string note = *SignCheckpoint(Sample(), key);
  std::string bigger = note;
  bigger.replace(bigger.find("20852163"), 8, "20852164");
  EXPECT_EQ(OpenCheckpoint(bigger, key.public_key()).status().code(), Status::Code::kDataLoss);
  std::string renamed = note;  // another origin: the signature is under the old name
  renamed.replace(0, 5, "LETHE");
  EXPECT_FALSE(OpenCheckpoint(renamed, key.public_key()).ok());
  EXPECT_EQ(OpenCheckpoint(note, other.public_key()).status().reason(), "other-key");
  // Signed, but not a checkpoint.
  auto two_lines = SignNote("lethe.example/x\n12\n", "lethe.example/x", key);
  EXPECT_EQ(OpenCheckpoint(*two_lines, key.public_key()).status().reason(), "bad-checkpoint");
  auto zero_padded = SignNote("o\n012\n" + Base64Encode(Sample().root) + "\n", "o", key);
  EXPECT_EQ(OpenCheckpoint(*zero_padded, key.public_key()).status().reason(), "bad-checkpoint");
  auto short_root = SignNote("o\n12\nAAAA\n", "o", key);
  EXPECT_EQ(OpenCheckpoint(*short_root, key.public_key()).status().reason(), "bad-checkpoint");
  Checkpoint spaced = Sample();
  spaced.origin = "has space";
  EXPECT_FALSE(SignCheckpoint(spaced, key).ok());
}

}  // namespace
}  // namespace lethe
