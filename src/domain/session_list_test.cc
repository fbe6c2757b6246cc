// SEC-2 and ACC-11 at the domain level: session expiry (idle and absolute),
// listing and revocation, password change, and the security notices, on
// real SQLite with a manual clock.
#include "domain/session_list.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "domain/job_queue.h"
#include "domain/outbox.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class KeepingMailer final : public Mailer {
 public:
  Status Send(const MailMessage& m) override {
    sent.push_back(m);
    return Status::Ok();
  }
  std::vector<MailMessage> sent;
};

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 24 * 60 * kMinute;

class SessionListTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    jobs_ = std::make_unique<JobQueue>(*metadata_, clock_, random_);
    outbox_ = std::make_unique<Outbox>(*metadata_, *jobs_, mailer_, clock_, random_, "n@x.test");
    CustomerOptions options{PasswordCost::Minimum()};
    options.session_idle_ms = 2 * kDay;
    options.session_lifetime_ms = 10 * kDay;
    customers_ =
        std::make_unique<Customers>(*metadata_, *audit_, clock_, random_, options, outbox_.get());
    sessions_ = std::make_unique<SessionList>(*metadata_, *audit_, clock_, *customers_);
    auto r = customers_->SignUp(
        SignupForm{"Ada", "ada@x.io", "correct horse battery", "US", "1990-01-01"}, origin_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    customer_id_ = r->customer.id;
    first_ = r->session.token;
  }
  std::string SignIn(const RequestOrigin& origin) {
    auto s = customers_->SignIn("ada@x.io", "correct horse battery", origin);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() && s->session ? s->session->token : "";
  }
  std::vector<std::string> Subjects() {
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(jobs_->RunDue().ok());
    std::vector<std::string> out;
    for (const MailMessage& m : mailer_.sent) out.push_back(m.subject);
    return out;
  }
  int AuditCount(const std::string& action) {
    auto events = metadata_->ListAuditEvents("", 0, 10000);
    EXPECT_TRUE(events.ok());
    int n = 0;
    for (const AuditEvent& e : *events) n += e.action == action;
    return n;
  }
  bool Live(const std::string& token) { return customers_->Authenticate(token).ok(); }

  KeepingMailer mailer_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<SessionList> sessions_;
  std::string customer_id_;
  std::string first_;
};

TEST_F(SessionListTest, IdleAndAbsoluteExpiry_SEC2) {
  // Used every day, a session lives until its absolute end.
  for (int day = 1; day < 10; ++day) {
    clock_.Advance(kDay);
    EXPECT_TRUE(Live(first_)) << "day " << day;
  }
  clock_.Advance(kDay);
  EXPECT_FALSE(Live(first_)) << "past the absolute expiry";

  // Unused for the idle time, a session ends early.
  std::string idle = SignIn(origin_);
  clock_.Advance(2 * kDay - kMinute);
  EXPECT_TRUE(Live(idle));
  clock_.Advance(2 * kDay - kMinute);
  EXPECT_TRUE(Live(idle)) << "the last use restarted the idle time";
  clock_.Advance(2 * kDay);
  EXPECT_EQ(customers_->Authenticate(idle).status().code(), Status::Code::kUnauthenticated);
}

TEST_F(SessionListTest, LastUseIsWrittenAtMostOnceAMinute_SEC2) {
  auto before = metadata_->ListSessions(customer_id_);
  ASSERT_EQ(before->size(), 1u);
  const int64_t created = (*before)[0].last_used_ms;
  clock_.Advance(30'000);
  ASSERT_TRUE(Live(first_));
  EXPECT_EQ((*metadata_->ListSessions(customer_id_))[0].last_used_ms, created) << "within a minute";
  clock_.Advance(30'000);
  ASSERT_TRUE(Live(first_));
  EXPECT_EQ((*metadata_->ListSessions(customer_id_))[0].last_used_ms, created + 60'000);
}

TEST_F(SessionListTest, ListRevokeAndSignOutEverywhere_SEC2) {
  RequestOrigin phone = origin_;
  phone.ip = "192.0.2.7";
  phone.browser = "Safari";
  clock_.Advance(1000);  // listed oldest first
  std::string second = SignIn(phone);
  auto list = sessions_->List(customer_id_, second);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_FALSE((*list)[0].current);
  EXPECT_TRUE((*list)[1].current);
  EXPECT_EQ((*list)[1].session.ip, "192.0.2.7");
  EXPECT_EQ((*list)[1].session.browser, "Safari");
  EXPECT_EQ((*list)[0].session.id.rfind("sid_", 0), 0u);

  // Another customer cannot end Ada's session, and learns nothing.
  auto other = customers_->SignUp(
      SignupForm{"Bob", "bob@x.io", "correct horse battery", "US", "1990-01-01"}, origin_);
  ASSERT_TRUE(other.ok());
  const std::string first_id = (*list)[0].session.id;
  EXPECT_EQ(sessions_->Revoke(other->customer.id, first_id, origin_).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(Live(first_));
  ASSERT_TRUE(sessions_->Revoke(customer_id_, first_id, origin_).ok());
  EXPECT_FALSE(Live(first_));
  EXPECT_TRUE(Live(second));
  EXPECT_EQ(AuditCount("session.revoke"), 1);

  std::string third = SignIn(origin_);
  auto ended = sessions_->RevokeAll(customer_id_, origin_);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, 2);
  EXPECT_FALSE(Live(second));
  EXPECT_FALSE(Live(third));
  EXPECT_TRUE(Live(other->session.token)) << "only Ada's sessions end";
  EXPECT_EQ(AuditCount("session.revoke_all"), 1);
}

TEST_F(SessionListTest, PasswordChangeNeedsTheCurrentOneAndEndsOtherSessions_SEC2) {
  std::string other = SignIn(origin_);
  auto wrong =
      customers_->ChangePassword(first_, "not the password", "a new long password", origin_);
  EXPECT_EQ(wrong.status().reason(), "wrong-password");
  EXPECT_TRUE(Live(other)) << "a refused change changes nothing";
  auto weak = customers_->ChangePassword(first_, "correct horse battery", "short", origin_);
  EXPECT_EQ(weak.status().reason(), "weak-password");

  auto changed =
      customers_->ChangePassword(first_, "correct horse battery", "a new long password", origin_);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, 1);
  EXPECT_TRUE(Live(first_)) << "the session that changed it stays";
  EXPECT_FALSE(Live(other));
  EXPECT_FALSE(customers_->SignIn("ada@x.io", "correct horse battery", origin_).ok());
  EXPECT_TRUE(customers_->SignIn("ada@x.io", "a new long password", origin_).ok());
  EXPECT_EQ(AuditCount("customer.password_change"), 1);
  auto subjects = Subjects();
  EXPECT_NE(std::find(subjects.begin(), subjects.end(), "Security notice: password changed"),
            subjects.end());
}

TEST_F(SessionListTest, NewDeviceAndNewCountryAreMailed_ACC11) {
  SignIn(origin_);  // the baseline: no history to compare with
  SignIn(origin_);  // the same place
  EXPECT_TRUE(Subjects().empty());
  RequestOrigin firefox = origin_;
  firefox.browser = "Firefox";
  SignIn(firefox);
  RequestOrigin abroad = origin_;
  abroad.country = "FR";
  SignIn(abroad);
  SignIn(abroad);              // known by now
  auto subjects = Subjects();  // delivered in any order
  std::sort(subjects.begin(), subjects.end());
  EXPECT_EQ(subjects, (std::vector<std::string>{"Security notice: sign-in from a new country",
                                                "Security notice: sign-in from a new device"}));
  EXPECT_EQ(mailer_.sent[0].to, "ada@x.io");
  EXPECT_EQ(AuditCount("security.new_sign_in_place"), 2);
}

TEST_F(SessionListTest, ABurstOfFailuresIsMailedOnce_ACC11) {
  const int64_t burst = SignInLimits{}.email_free_failures;
  for (int64_t i = 0; i < burst; ++i) {
    EXPECT_EQ(customers_->SignIn("ada@x.io", "wrong password!", origin_).status().code(),
              Status::Code::kUnauthenticated);
  }
  auto blocked = customers_->SignIn("ada@x.io", "correct horse battery", origin_);
  EXPECT_EQ(blocked.status().code(), Status::Code::kTooManyRequests)
      << "even the right password waits";
  EXPECT_EQ(Subjects(), std::vector<std::string>{"Security notice: failed sign-ins"});
  EXPECT_EQ(AuditCount("security.failed_sign_ins"), 1);
  // Unknown emails are counted the same, and mail nobody.
  for (int64_t i = 0; i < burst; ++i) (void)customers_->SignIn("no@x.io", "wrong", origin_);
  EXPECT_EQ(customers_->SignIn("no@x.io", "wrong", origin_).status().code(),
            Status::Code::kTooManyRequests);
  EXPECT_EQ(mailer_.sent.size(), 1u);
}

}  // namespace
}  // namespace lethe
