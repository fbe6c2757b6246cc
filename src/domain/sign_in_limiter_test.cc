// SEC-2: the sign-in limiter's backoff, on real SQLite, with a manual clock
// (no sleeps).
#include "domain/sign_in_limiter.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class SignInLimiterTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    limits_.email_free_failures = 3;
    limits_.ip_free_failures = 6;
    limits_.base_delay_ms = 10'000;
    limits_.max_delay_ms = 60'000;
    limits_.forget_after_ms = 3600'000;
    limiter_ = std::make_unique<SignInLimiter>(*metadata_, clock_, limits_);
  }
  int64_t Fail(const std::string& email, const std::string& ip) {
    int64_t n = -1;
    EXPECT_TRUE(metadata_
                    ->Transact([&](MetadataTx& tx) -> Status {
                      LETHE_ASSIGN_OR_RETURN(n, limiter_->RecordFailure(tx, email, ip));
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  SignInLimits limits_;
  std::unique_ptr<SignInLimiter> limiter_;
};

TEST_F(SignInLimiterTest, BackoffDoublesUpToTheCapAndEnds_SEC2) {
  for (int i = 1; i <= 2; ++i) {
    EXPECT_EQ(Fail("a@x.io", "10.0.0.1"), i);
    EXPECT_TRUE(limiter_->Check("a@x.io", "10.0.0.1").ok()) << "failure " << i << " is free";
  }
  EXPECT_EQ(Fail("a@x.io", "10.0.0.1"), 3);
  Status blocked = limiter_->Check("a@x.io", "10.0.0.1");
  EXPECT_EQ(blocked.code(), Status::Code::kTooManyRequests);
  EXPECT_EQ(blocked.reason(), "too-many-attempts");
  EXPECT_EQ(blocked.retry_after_s(), 10);
  // The email is blocked from any address; the address is not blocked yet.
  EXPECT_EQ(limiter_->Check("A@X.IO", "10.9.9.9").code(), Status::Code::kTooManyRequests);
  EXPECT_TRUE(limiter_->Check("b@x.io", "10.0.0.1").ok());

  clock_.Advance(9'001);
  EXPECT_EQ(limiter_->Check("a@x.io", "10.0.0.1").retry_after_s(), 1) << "rounded up";
  clock_.Advance(1'000);
  EXPECT_TRUE(limiter_->Check("a@x.io", "10.0.0.1").ok()) << "the block has run out";

  // Each further failure doubles the block: 20 s, 40 s, then the 60 s cap.
  for (int64_t expected : {20, 40, 60, 60}) {
    Fail("a@x.io", "10.0.0.1");
    EXPECT_EQ(limiter_->Check("a@x.io", "10.0.0.1").retry_after_s(), expected);
    clock_.Advance(expected * 1000);
  }
  EXPECT_TRUE(limiter_->Check("a@x.io", "10.0.0.1").ok());
}

TEST_F(SignInLimiterTest, UnknownAndKnownEmailsAreTheSame_SEC2) {
  // The limiter never consults customers: a registered email and one that
  // is not get the same counts and the same answers.
  MakeAccount("known@x.io");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Fail("known@x.io", "10.0.0.2"), Fail("nobody@x.io", "10.0.0.3"));
  }
  Status a = limiter_->Check("known@x.io", "10.0.0.2");
  Status b = limiter_->Check("nobody@x.io", "10.0.0.3");
  EXPECT_EQ(a.code(), Status::Code::kTooManyRequests);
  EXPECT_EQ(a.code(), b.code());
  EXPECT_EQ(a.retry_after_s(), b.retry_after_s());
  EXPECT_EQ(a.message(), b.message());
}

TEST_F(SignInLimiterTest, AnAddressGuessingManyEmailsIsBlocked_SEC2) {
  for (int i = 0; i < 6; ++i) Fail("user" + std::to_string(i) + "@x.io", "10.0.0.4");
  Status st = limiter_->Check("fresh@x.io", "10.0.0.4");
  EXPECT_EQ(st.code(), Status::Code::kTooManyRequests);
  EXPECT_EQ(st.retry_after_s(), 10);
  EXPECT_TRUE(limiter_->Check("fresh@x.io", "10.0.0.5").ok()) << "other addresses are free";
}

TEST_F(SignInLimiterTest, SuccessClearsTheEmailAndQuietKeysAreForgotten_SEC2) {
  for (int i = 0; i < 2; ++i) Fail("a@x.io", "10.0.0.6");
  ASSERT_TRUE(
      metadata_->Transact([&](MetadataTx& tx) { return limiter_->RecordSuccess(tx, "a@x.io"); })
          .ok());
  EXPECT_EQ(Fail("a@x.io", "10.0.0.6"), 1) << "a correct password starts the count again";
  EXPECT_EQ(Fail("a@x.io", "10.0.0.6"), 2);
  clock_.Advance(limits_.forget_after_ms);
  EXPECT_EQ(Fail("a@x.io", "10.0.0.6"), 1) << "an hour without failures forgets them";
  // Stored under digests only: neither the email nor the address in clear.
  auto row = metadata_->FindSignInThrottle(SignInLimiter::EmailKey("a@x.io"));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->key.find("a@x.io"), std::string::npos);
  EXPECT_EQ(SignInLimiter::IpKey("10.0.0.6").find("10.0.0.6"), std::string::npos);
}

}  // namespace
}  // namespace lethe
