// Standard Webhooks signatures, against the specification's own example
// (standard-webhooks/libraries, the reference test vector).
#include "crypto/webhook_signature.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace lethe {
namespace {

TEST(WebhookSignature, MatchesTheStandardWebhooksReferenceVector_SHR3) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto key = Base64Decode(secret.substr(6));
  ASSERT_TRUE(key.has_value());
  const std::string id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const std::string timestamp = "1614265330";
  const std::string body = R"({"test": 2432232314})";
  EXPECT_EQ(WebhookSignature(*key, id, timestamp, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_TRUE(VerifyWebhookSignature(
      secret, id, timestamp, body, "v1,bm9ldHU= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
  EXPECT_FALSE(VerifyWebhookSignature(secret, id, timestamp, body + " ",
                                      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
  EXPECT_FALSE(VerifyWebhookSignature(secret, id, "1614265331", body,
                                      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
  EXPECT_FALSE(VerifyWebhookSignature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id, timestamp, body,
                                      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
  EXPECT_EQ(WebhookSecretText(*key), secret);
}

}  // namespace
}  // namespace lethe
