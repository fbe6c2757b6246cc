#include "crypto/signed_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/encoding.h"

namespace lethe {
namespace {

SigningKey MakeKey(uint8_t fill) {
  Key seed;
  seed.fill(fill);
  return SigningKey(seed);
}

boost::json::object Receipt() {
  return {{"id", "era_1"},
          {"media_erased", 3},
          {"usage_events_deidentified", 12},
          {"audit", {{"seq", 41}, {"hash", "ab"}}},
          {"purged_at", nullptr},
          {"tags", {"b", "a"}}};
}

TEST(SignedJsonTest, CanonicalFormSortsKeysRecursivelyAndKeepsArrays) {
  boost::json::value v = boost::json::parse(R"({"b":1,"a":{"z":[3,{"y":1,"x":2}],"c":"é"}})");
  EXPECT_EQ(CanonicalJson(v), R"({"a":{"c":"é","z":[3,{"x":2,"y":1}]},"b":1})");
  // Member order does not matter; values do.
  EXPECT_EQ(CanonicalJson(boost::json::parse(R"({"x":1,"y":2})")),
            CanonicalJson(boost::json::parse(R"({ "y" : 2, "x" : 1 })")));
  EXPECT_NE(CanonicalJson(boost::json::parse(R"({"x":1})")),
            CanonicalJson(boost::json::parse(R"({"x":"1"})")));
}

TEST(SignedJsonTest, SignedObjectVerifiesAfterARoundTripThroughText) {
  SigningKey key = MakeKey(1);
  boost::json::object signed_obj = SignJson(Receipt(), key);
  EXPECT_EQ(signed_obj.at("signing_key").as_string(), Base64Encode(key.public_key()));
  EXPECT_EQ(Base64Decode(signed_obj.at("signature").as_string())->size(), 64u);
  EXPECT_TRUE(VerifySignedJson(signed_obj, key.public_key()).ok());
  // As a file: pretty-printed or reordered, it still verifies.
  boost::json::object reparsed = boost::json::parse(boost::json::serialize(signed_obj)).as_object();
  EXPECT_TRUE(VerifySignedJson(reparsed, key.public_key()).ok());
}

TEST(SignedJsonTest, AnyEditIsRejected) {
  SigningKey key = MakeKey(2);
  boost::json::object good = SignJson(Receipt(), key);
  auto edited = good;
  edited["media_erased"] = 2;
  EXPECT_EQ(VerifySignedJson(edited, key.public_key()).code(), Status::Code::kDataLoss);
  edited = good;
  edited["audit"].as_object()["seq"] = 40;
  EXPECT_EQ(VerifySignedJson(edited, key.public_key()).code(), Status::Code::kDataLoss);
  edited = good;
  edited["extra"] = true;
  EXPECT_EQ(VerifySignedJson(edited, key.public_key()).code(), Status::Code::kDataLoss);
  edited = good;
  edited.erase("purged_at");
  EXPECT_EQ(VerifySignedJson(edited, key.public_key()).code(), Status::Code::kDataLoss);
  edited = good;
  edited["tags"] = {"a", "b"};  // array order is signed
  EXPECT_EQ(VerifySignedJson(edited, key.public_key()).code(), Status::Code::kDataLoss);
}

TEST(SignedJsonTest, WrongKeyOrMissingSignatureIsRejected) {
  SigningKey key = MakeKey(3);
  SigningKey other = MakeKey(4);
  boost::json::object good = SignJson(Receipt(), key);
  EXPECT_EQ(VerifySignedJson(good, other.public_key()).reason(), "other-key");
  // Re-signed by another key but still naming ours: the signature fails.
  auto forged = SignJson(Receipt(), other);
  forged["signing_key"] = Base64Encode(key.public_key());
  EXPECT_EQ(VerifySignedJson(forged, key.public_key()).code(), Status::Code::kDataLoss);
  EXPECT_EQ(VerifySignedJson(Receipt(), key.public_key()).reason(), "not-signed");
  auto bad = good;
  bad["signature"] = "not base64!";
  EXPECT_EQ(VerifySignedJson(bad, key.public_key()).reason(), "not-signed");
  bad["signature"] = 7;
  EXPECT_EQ(VerifySignedJson(bad, key.public_key()).reason(), "not-signed");
}

TEST(SignedJsonTest, ParsePublicKeyTakesBase64OrHex) {
  SigningKey key = MakeKey(5);
  EXPECT_EQ(ParsePublicKey(Base64Encode(key.public_key())), key.public_key());
  EXPECT_EQ(ParsePublicKey(HexEncode(key.public_key())), key.public_key());
  EXPECT_FALSE(ParsePublicKey("").has_value());
  EXPECT_FALSE(ParsePublicKey("AAAA").has_value());
  EXPECT_FALSE(ParsePublicKey(Base64Encode(key.public_key()) + " ").has_value());
}

}  // namespace
}  // namespace lethe
