// Staff sign-in (SEC-2, USE-4) on real SQLite files with a manual clock:
// the password and a TOTP code are both needed, a code works once, the
// limiter blocks repeated failures, sessions end after 12 hours or at
// sign-out, and the password and seed never rest in the clear.
#include "domain/staff.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "crypto/totp.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class StaffTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    if (HasFatalFailure()) return;
    staff_ = std::make_unique<Staff>(*metadata_, *audit_, *ring_, clock_, random_,
                                     PasswordCost::Minimum());
    auto added = staff_->Add("Lee", StaffRole::kLegal, origin_);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    lee_ = *added;
    seed_ = *Base32Decode(lee_.totp_secret);
  }
  std::string Code(int64_t step_offset = 0) {
    return *TotpCode(seed_, TotpStep(clock_.NowMillis()) + step_offset);
  }
  Result<StaffSession> SignIn(const std::string& password, const std::string& code) {
    return staff_->SignIn(lee_.staff.id, password, code, origin_);
  }

  std::unique_ptr<Staff> staff_;
  NewStaff lee_;
  std::vector<uint8_t> seed_;
};

TEST_F(StaffTest, CredentialsAreShownOnceAndKeptHashedAndSealed_SEC2) {
  EXPECT_EQ(lee_.staff.id.rfind("stf_", 0), 0u);
  EXPECT_GE(lee_.password.size(), 20u);
  EXPECT_EQ(lee_.totp_uri.rfind("otpauth://totp/", 0), 0u);
  EXPECT_NE(lee_.totp_uri.find("secret=" + lee_.totp_secret), std::string::npos);
  EXPECT_EQ(seed_.size(), kTotpSeedBytes);
  auto stored = metadata_->FindStaff(lee_.staff.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(stored->totp_seed.find(lee_.totp_secret), std::string::npos);
  EXPECT_EQ(stored->password_hash.find(lee_.password), std::string::npos);
  EXPECT_EQ(stored->totp_last_step, -1);
  auto events = *metadata_->ListAuditEvents("", 0, 10);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().action, "staff.create");
  EXPECT_EQ(events.back().actor, Staff::kCreator);
  EXPECT_EQ(ParseStaffRole("janitor"), std::nullopt);
  EXPECT_EQ(ParseStaffRole("legal"), StaffRole::kLegal);
}

TEST_F(StaffTest, SignInNeedsThePasswordAndACodeUsedOnce_SEC2) {
  EXPECT_EQ(SignIn("wrong", Code()).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(SignIn(lee_.password, Code(3)).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(SignIn(lee_.password, "").status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(staff_->SignIn("stf_nobody", lee_.password, Code(), origin_).status().code(),
            Status::Code::kUnauthenticated);
  // One step either side is accepted.
  auto session = SignIn(lee_.password, Code(-1));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->token.rfind("sts_", 0), 0u);
  EXPECT_EQ(session->expires_ms, clock_.NowMillis() + kStaffSessionLifetimeMs);
  EXPECT_EQ(SignIn(lee_.password, Code(-1)).status().reason(), "code-used");
  auto later = SignIn(lee_.password, Code());
  ASSERT_TRUE(later.ok()) << "a later step is fresh";
  EXPECT_EQ(SignIn(lee_.password, Code()).status().reason(), "code-used");
  EXPECT_EQ(SignIn(lee_.password, Code(-1)).status().reason(), "code-used")
      << "an earlier step is spent too";
  auto who = staff_->Authenticate(session->token);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->id, lee_.staff.id);
  EXPECT_EQ(who->role, StaffRole::kLegal);
  EXPECT_EQ(staff_->Authenticate(session->token + "x").status().code(),
            Status::Code::kUnauthenticated);
}

TEST_F(StaffTest, SessionsEndAfter12HoursOrAtSignOut_SEC2) {
  auto first = SignIn(lee_.password, Code());
  ASSERT_TRUE(first.ok());
  clock_.Advance(kTotpStepSeconds * 1000);
  auto second = SignIn(lee_.password, Code());
  ASSERT_TRUE(second.ok());
  StaffPrincipal me = *staff_->Authenticate(first->token);
  ASSERT_TRUE(staff_->SignOut(me, first->token, origin_).ok());
  EXPECT_FALSE(staff_->Authenticate(first->token).ok());
  EXPECT_FALSE(staff_->SignOut(me, first->token, origin_).ok()) << "once";
  EXPECT_TRUE(staff_->Authenticate(second->token).ok()) << "only that session";
  clock_.Advance(kStaffSessionLifetimeMs - 1);  // absolute: use does not extend it
  EXPECT_TRUE(staff_->Authenticate(second->token).ok());
  clock_.Advance(1);
  EXPECT_EQ(staff_->Authenticate(second->token).status().code(), Status::Code::kUnauthenticated);
}

TEST_F(StaffTest, RepeatedFailuresAreBlockedThenFreedByTheClock_SEC2) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(SignIn("wrong", Code()).status().code(), Status::Code::kUnauthenticated) << i;
  }
  Status blocked = SignIn(lee_.password, Code()).status();
  EXPECT_EQ(blocked.code(), Status::Code::kTooManyRequests);
  EXPECT_GT(blocked.retry_after_s(), 0);
  clock_.Advance(blocked.retry_after_s() * 1000);
  EXPECT_TRUE(SignIn(lee_.password, Code()).ok());
}

TEST_F(StaffTest, DisabledStaffCannotSignInNorUseTheirSessions_SEC2) {
  auto session = SignIn(lee_.password, Code());
  ASSERT_TRUE(session.ok());
  // No API disables a member yet: the operator does it in the database.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("lethe.db").c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE staff SET disabled_ms = 1 WHERE id = '" + lee_.staff.id + "'";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_FALSE(staff_->Authenticate(session->token).ok());
  clock_.Advance(kTotpStepSeconds * 1000);
  EXPECT_EQ(SignIn(lee_.password, Code()).status().code(), Status::Code::kUnauthenticated);
}

}  // namespace
}  // namespace lethe
