#include "domain/erasure_receipts.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/signed_json.h"

namespace lethe {
namespace {

class FixedClock : public Clock {
 public:
  int64_t NowMillis() const override { return 1'700'000'000'000; }
};

TEST(ErasureReceiptsTest, ReceiptIsSignedAndSaysWhatWasErased_USE5) {
  Key seed;
  seed.fill(9);
  SigningKey key(seed);
  FixedClock clock;
  ErasureReceipts receipts(key, clock);
  ErasureRecord e;
  e.id = "era_1";
  e.account_id = "acc_1";
  e.subject = "must-not-appear";
  e.state = "done";
  e.media_erased = 3;
  e.usage_deidentified = 7;
  e.created_ms = 1'600'000'000'000;
  e.keys_destroyed_ms = 1'600'000'000'005;
  e.purged_ms = 1'600'000'000'900;
  e.audit_seq = 42;
  e.audit_hash = std::string(64, 'a');
  boost::json::object r = receipts.Seal(e);
  EXPECT_TRUE(VerifySignedJson(r, key.public_key()).ok());
  EXPECT_EQ(r.at("receipt").as_string(), kErasureReceiptType);
  EXPECT_EQ(r.at("media_erased").as_int64(), 3);
  EXPECT_EQ(r.at("usage_events_deidentified").as_int64(), 7);
  EXPECT_EQ(r.at("keys_destroyed_at").as_string(), "2020-09-13T12:26:40.005Z");
  EXPECT_EQ(r.at("purged_at").as_string(), "2020-09-13T12:26:40.900Z");
  EXPECT_EQ(r.at("audit").at("seq").as_int64(), 42);
  EXPECT_EQ(r.at("issued_at").as_string(), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(boost::json::serialize(r).find("must-not-appear"), std::string::npos);
  r["usage_events_deidentified"] = 6;
  EXPECT_FALSE(VerifySignedJson(r, key.public_key()).ok());
  // Before the purge: no purge time yet; an old erasure: no audit position.
  e.purged_ms.reset();
  e.audit_seq.reset();
  r = receipts.Seal(e);
  EXPECT_TRUE(r.at("purged_at").is_null());
  EXPECT_TRUE(r.at("audit").is_null());
  EXPECT_TRUE(VerifySignedJson(r, key.public_key()).ok());
}

}  // namespace
}  // namespace lethe
