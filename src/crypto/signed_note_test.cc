#include "crypto/signed_note.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace lethe {
namespace {

SigningKey MakeKey(uint8_t fill) {
  Key seed;
  seed.fill(fill);
  return SigningKey(seed);
}

TEST(SignedNoteTest, KeyIdIsTheFirstFourBytesOfTheNamedKeyHash) {
  // SHA-256("a/b" || 0x0A || 0x01 || 32 zero bytes) starts 0x5b93ea8e
  // (computed independently with Python hashlib).
  SigningKey::PublicKey zero{};
  EXPECT_EQ(NoteKeyId("a/b", zero), 0x5b93ea8eu);
  SigningKey key = MakeKey(1);
  EXPECT_NE(NoteKeyId("a/b", key.public_key()), NoteKeyId("a/c", key.public_key()));
}

TEST(SignedNoteTest, FormatIsTextBlankLineAndOneEmDashSignatureLine) {
  SigningKey key = MakeKey(2);
  auto note = SignNote("hello\nworld\n", "example.com/n", key);
  ASSERT_TRUE(note.ok());
  const std::string prefix = "hello\nworld\n\n\xE2\x80\x94 example.com/n ";
  ASSERT_EQ(note->substr(0, prefix.size()), prefix);
  std::string sig = note->substr(prefix.size());
  ASSERT_EQ(sig.back(), '\n');
  auto blob = Base64Decode(sig.substr(0, sig.size() - 1));
  ASSERT_TRUE(blob.has_value());
  ASSERT_EQ(blob->size(), 68u);
  uint32_t id = NoteKeyId("example.com/n", key.public_key());
  EXPECT_EQ((*blob)[0], id >> 24);
  EXPECT_EQ((*blob)[3], id & 0xff);
  auto text = OpenNote(*note, "example.com/n", key.public_key());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "hello\nworld\n");
}

TEST(SignedNoteTest, RefusesBadTextAndNames) {
  SigningKey key = MakeKey(3);
  EXPECT_FALSE(SignNote("", "n", key).ok());
  EXPECT_FALSE(SignNote("no newline", "n", key).ok());
  EXPECT_FALSE(SignNote("tab\there\n", "n", key).ok());
  EXPECT_FALSE(SignNote("x\n", "has space", key).ok());
  EXPECT_FALSE(SignNote("x\n", "a+b", key).ok());
  EXPECT_FALSE(SignNote("x\n", "", key).ok());
}

TEST(SignedNoteTest, OtherKeysAreIgnoredAndEditsRejected) {
  SigningKey key = MakeKey(4);
  SigningKey other = MakeKey(5);
  std::string note = *SignNote("body\n", "n", key);
  // A second signature by someone else (a witness) is ignored.
  std::string theirs = *SignNote("body\n", "w", other);
  std::string both = note + theirs.substr(theirs.find("\xE2\x80\x94"));
  EXPECT_TRUE(OpenNote(both, "n", key.public_key()).ok());
  EXPECT_EQ(OpenNote(note, "n", other.public_key()).status().reason(), "other-key");
  EXPECT_EQ(OpenNote(note, "m", key.public_key()).status().reason(), "other-key");
  std::string edited = note;
  edited[0] = 'B';
  EXPECT_EQ(OpenNote(edited, "n", key.public_key()).status().code(), Status::Code::kDataLoss);
  EXPECT_EQ(OpenNote("body\n", "n", key.public_key()).status().reason(), "bad-note");
  EXPECT_EQ(OpenNote("body\n\n- n AAAA\n", "n", key.public_key()).status().reason(), "bad-note");
  EXPECT_EQ(OpenNote(note.substr(0, note.size() - 1), "n", key.public_key()).status().reason(),
            "bad-note");
  EXPECT_EQ(OpenNote(std::string(kMaxNoteBytes + 1, 'a'), "n", key.public_key()).status().reason(),
            "bad-note");
}

}  // namespace
}  // namespace lethe
