// ADM-1 end to end, against real server processes: a known-bad upload (or
// an upload rate far above the account's norm) suspends the account; the
// data plane answers 403 account-suspended with the appeal; the holder is
// mailed the reasons and the account's webhook hears account.suspended;
// the holder appeals, a security reviewer reinstates with a reason, and the
// data plane works again. Bad appeals and bad decisions change nothing.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"
#include "media_support.h"
#include "webhook_receiver.h"

namespace lethe::e2e {
namespace {

// A mail file's text with its quoted-printable soft line breaks undone.
std::string MailText(const std::string& path) {
  std::string text = ReadFileBytes(path);
  for (size_t at; (at = text.find("=\r\n")) != std::string::npos;) text.erase(at, 3);
  return text;
}

class AbuseTest : public ::testing::Test {
 protected:
  // A server whose known-bad list names SamplePng(), with a security and
  // a support staff member.
  void Start(std::vector<std::string> extra = {}, ServerBinary binary = ServerBinary::kLethe,
             bool bad_list = true) {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->ok());
    ASSERT_EQ(server_->Stop(), 0);
    security_ = AddStaff(server_->data_dir(), "security");
    support_ = AddStaff(server_->data_dir(), "support");
    ASSERT_FALSE(HasFailure());
    const std::string list = server_->root_dir() + "/known-bad.txt";
    std::ofstream(list) << "# test list\n" << Sha256Hex(SamplePng()) << "\n";
    if (bad_list) extra.insert(extra.end(), {"--known-bad-hashes", list});
    if (binary == ServerBinary::kTesting) extra.push_back("--test-clock");
    ASSERT_TRUE(server_->RestartWith(extra, binary));
    ASSERT_TRUE(SignInStaff(*server_, &security_));
    ASSERT_TRUE(SignInStaff(*server_, &support_));
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "abuse");
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }
  Response DataPlane() { return client_.Get("/v1/media", BearerAuth(tenant_.token())); }
  Response Appeal(boost::json::object body, const std::string& session = "") {
    return client_.Post("/v1/appeals", boost::json::value(std::move(body)),
                        BearerAuth(session.empty() ? tenant_.session : session));
  }
  std::string Path(const std::string& rest = "") {
    return "/v1/accounts/" + tenant_.account.id + rest;
  }

  std::unique_ptr<ServerProcess> server_;
  StaffMember security_, support_;
  HttpClient client_;
  Tenant tenant_;
};

TEST_F(AbuseTest, KnownBadUploadSuspendsAndAReviewerReinstates_ADM1) {
  Start();
  WebhookReceiver receiver;
  Response hook = client_.Post(
      Path("/webhooks"),
      boost::json::value(boost::json::object{{"url", receiver.url()},
                                             {"events", boost::json::array{"account.suspended"}}}),
      BearerAuth(tenant_.session));
  ASSERT_EQ(hook.status, 201) << hook.Describe();
  ASSERT_EQ(DataPlane().status, 200);

  Response up = UploadBytes(client_, tenant_.token(), SamplePng(), "image/png");
  ASSERT_EQ(up.status, 201) << up.Describe();
  // The flag wakes the decision task: the data plane closes promptly.
  Response refused;
  ASSERT_TRUE(WaitFor([&] {
    refused = DataPlane();
    return refused.status == 403;
  })) << refused.Describe();
  LETHE_EXPECT_PROBLEM(refused, 403, "account-suspended");
  const std::string decision = Str(refused.Json(), "decision_id");
  ASSERT_EQ(decision.rfind("dec_", 0), 0u) << refused.body;
  EXPECT_EQ(Str(refused.Json(), "appeal"), "/v1/appeals");
  EXPECT_EQ(Str(refused.Json(), "decision"), Path("/decisions/" + decision));
  // Every data-plane route, a new upload included.
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, tenant_.token(), SamplePng(), "image/png"), 403,
                       "account-suspended");

  // Told in plain words, by mail and by webhook.
  ASSERT_TRUE(WaitFor(
      [&] { return !FilesContaining(server_->data_dir() + "/outbox-mail", decision).empty(); }));
  auto mails = FilesContaining(server_->data_dir() + "/outbox-mail", decision);
  ASSERT_EQ(mails.size(), 1u);
  const std::string mail = MailText(mails[0]);
  EXPECT_NE(mail.find("known-bad content"), std::string::npos) << mail;
  EXPECT_NE(mail.find("/v1/appeals"), std::string::npos);
  ASSERT_TRUE(WaitFor([&] { return receiver.count() >= 1; }));
  boost::json::value event = boost::json::parse(receiver.received()[0].body);
  EXPECT_EQ(Str(event, "type"), "account.suspended");
  EXPECT_NE(receiver.received()[0].body.find(decision), std::string::npos);

  // The explanation, from the stored signals.
  Response listed = client_.Get(Path("/decisions"), BearerAuth(tenant_.session));
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  ASSERT_EQ(Arr(listed.Json(), "decisions").size(), 1u);
  Response explained = client_.Get(Path("/decisions/" + decision), BearerAuth(tenant_.session));
  ASSERT_EQ(explained.status, 200) << explained.Describe();
  boost::json::value why = explained.Json();
  EXPECT_EQ(Str(why, "state"), "suspended");
  EXPECT_EQ(why.at("threshold").as_int64(), 100);
  EXPECT_EQ(why.at("score").as_int64(), 100);
  auto signals = Arr(why, "signals");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(Str(signals[0], "kind"), "content_flag");
  EXPECT_NE(Str(signals[0], "detail").find(Str(up.Json(), "id")), std::string::npos);
  EXPECT_TRUE(why.at("appeal").is_null());
  // Another customer sees nothing of it.
  Tenant other = NewTenant(client_, "other");
  EXPECT_EQ(client_.Get(Path("/decisions/" + decision), BearerAuth(other.session)).status, 404);
  LETHE_EXPECT_PROBLEM(Appeal({{"decision_id", decision}, {"statement", "mine?"}}, other.session),
                       404, "not-found");

  // The appeal, once.
  Response filed =
      Appeal({{"account_id", tenant_.account.id}, {"statement", "That file is our own logo."}});
  ASSERT_EQ(filed.status, 201) << filed.Describe();
  const std::string appeal = Str(filed.Json(), "id");
  LETHE_EXPECT_PROBLEM(Appeal({{"decision_id", decision}, {"statement", "again"}}), 409,
                       "appeal-exists");

  // Review: security only, with a reason.
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/staff/appeals", BearerAuth(support_.token)), 403,
                       "forbidden");
  EXPECT_EQ(client_.Get("/v1/staff/appeals", BearerAuth(tenant_.session)).status, 401);
  Response open = client_.Get("/v1/staff/appeals", BearerAuth(security_.token));
  ASSERT_EQ(open.status, 200) << open.Describe();
  auto appeals = Arr(open.Json(), "appeals");
  ASSERT_EQ(appeals.size(), 1u);
  EXPECT_EQ(Str(appeals[0], "account_id"), tenant_.account.id);
  const std::string decide = "/v1/staff/appeals/" + appeal + "/decision";
  // Reading the case takes an abuse-review grant on the account (USE-4).
  LETHE_EXPECT_PROBLEM(client_.Post(decide,
                                    boost::json::value(boost::json::object{
                                        {"outcome", "reinstate"}, {"reason", "no grant yet"}}),
                                    BearerAuth(security_.token)),
                       403, "no-access-grant");
  ASSERT_FALSE(
      GrantAccess(*server_, security_, tenant_.account.id, {"account"}, "abuse_review").empty());
  LETHE_EXPECT_PROBLEM(
      client_.Post(decide, boost::json::value(boost::json::object{{"outcome", "reinstate"}}),
                   BearerAuth(security_.token)),
      400, "invalid-field");
  LETHE_EXPECT_PROBLEM(client_.Post(decide,
                                    boost::json::value(boost::json::object{{"outcome", "reinstate"},
                                                                           {"reason", "ok"}}),
                                    BearerAuth(support_.token)),
                       403, "forbidden");
  LETHE_EXPECT_PROBLEM(DataPlane(), 403, "account-suspended");  // nothing changed
  Response done = client_.Post(
      decide,
      boost::json::value(boost::json::object{{"outcome", "reinstate"},
                                             {"reason", "The logo is the customer's own."},
                                             {"account_id", tenant_.account.id}}),
      BearerAuth(security_.token));
  ASSERT_EQ(done.status, 200) << done.Describe();
  EXPECT_EQ(Str(done.Json(), "state"), "reinstated");

  // Served again at once, and told why.
  EXPECT_EQ(DataPlane().status, 200);
  ASSERT_TRUE(WaitFor([&] {
    return !FilesContaining(server_->data_dir() + "/outbox-mail", "The logo is the customer")
                .empty();
  }));
  why = client_.Get(Path("/decisions/" + decision), BearerAuth(tenant_.session)).Json();
  EXPECT_EQ(Str(why, "state"), "reinstated");
  EXPECT_EQ(Str(why.at("appeal"), "state"), "reinstated");
  EXPECT_EQ(Str(why.at("appeal"), "reason"), "The logo is the customer's own.");
  EXPECT_TRUE(
      Arr(client_.Get("/v1/staff/appeals", BearerAuth(security_.token)).Json(), "appeals").empty());
  // A decided appeal cannot be decided again, and a lifted decision not appealed.
  LETHE_EXPECT_PROBLEM(client_.Post(decide,
                                    boost::json::value(boost::json::object{
                                        {"outcome", "uphold"}, {"reason", "changed my mind"}}),
                                    BearerAuth(security_.token)),
                       409, "appeal-decided");
  LETHE_EXPECT_PROBLEM(Appeal({{"account_id", tenant_.account.id}, {"statement", "x"}}), 409,
                       "not-suspended");
  EXPECT_EQ(DataPlane().status, 200);

  // Every step is in the audit chain, and the chain holds.
  Response audit = client_.Get(Path("/audit"), BearerAuth(tenant_.session));
  ASSERT_EQ(audit.status, 200) << audit.Describe();
  for (const char* step :
       {"abuse.signal", "abuse.suspend", "appeal.file", "appeal.reinstate", "abuse.reinstate"}) {
    EXPECT_NE(audit.body.find(step), std::string::npos) << step;
  }
  ASSERT_EQ(server_->Stop(), 0);
  CommandResult verified = AuditVerify(server_->data_dir());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST_F(AbuseTest, AnAppealWithoutASuspensionIsRefusedAndChangesNothing_ADM1) {
  Start();
  LETHE_EXPECT_PROBLEM(Appeal({{"account_id", tenant_.account.id}, {"statement", "why?"}}), 409,
                       "not-suspended");
  LETHE_EXPECT_PROBLEM(Appeal({{"account_id", tenant_.account.id}}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Appeal({{"statement", "which one?"}}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Appeal({{"decision_id", "dec_nope"}, {"statement", "x"}}), 404, "not-found");
  EXPECT_EQ(client_.Post("/v1/appeals", "{\"statement\":\"x\"}").status, 401);
  Response open = client_.Get("/v1/staff/appeals", BearerAuth(security_.token));
  ASSERT_EQ(open.status, 200);
  EXPECT_TRUE(Arr(open.Json(), "appeals").empty());
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/staff/appeals/apl_nope/decision",
                   boost::json::value(boost::json::object{{"outcome", "uphold"}, {"reason", "r"}}),
                   BearerAuth(security_.token)),
      404, "not-found");
  Response none = client_.Get(Path("/decisions"), BearerAuth(tenant_.session));
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(Arr(none.Json(), "decisions").empty());
  EXPECT_EQ(DataPlane().status, 200);
}

TEST_F(AbuseTest, UploadsFarAboveTheAccountsNormSuspendIt_ADM1) {
  // A floor of 5 uploads an hour for a new account; the task runs each
  // minute of the (test) clock.
  Start({"--abuse-upload-floor", "5"}, ServerBinary::kTesting, /*bad_list=*/false);
  for (int i = 0; i < 4; ++i) {
    Response up = UploadBytes(client_, tenant_.token(), SamplePng(), "image/png");
    ASSERT_EQ(up.status, 201) << up.Describe();
  }
  ASSERT_TRUE(AdvanceClock(*server_, 61));
  SleepMs(500);
  EXPECT_EQ(DataPlane().status, 200) << "under the floor";
  for (int i = 4; i < 10; ++i) {
    Response up = UploadBytes(client_, tenant_.token(), SamplePng(), "image/png");
    ASSERT_EQ(up.status, 201) << up.Describe();
  }
  // A minute on (well inside the hour), the task measures them.
  ASSERT_TRUE(AdvanceClock(*server_, 61));
  Response refused;
  ASSERT_TRUE(WaitFor(
      [&] {
        refused = DataPlane();
        return refused.status == 403;
      },
      std::chrono::seconds(20)))
      << refused.Describe();
  LETHE_EXPECT_PROBLEM(refused, 403, "account-suspended");
  const std::string decision = Str(refused.Json(), "decision_id");
  boost::json::value why =
      client_.Get(Path("/decisions/" + decision), BearerAuth(tenant_.session)).Json();
  auto signals = Arr(why, "signals");
  ASSERT_FALSE(signals.empty());
  const boost::json::value& last = signals.back();  // oldest first: the one that tipped it
  EXPECT_EQ(Str(last, "kind"), "upload_rate");
  EXPECT_EQ(last.at("observed").as_int64(), 10);
  EXPECT_EQ(last.at("trigger").as_int64(), 5);
  EXPECT_EQ(last.at("score").as_int64(), 100);
  EXPECT_EQ(last.at("norm").as_double(), 0.0) << "a new account has no norm of its own";
  EXPECT_EQ(why.at("threshold").as_int64(), 100);
}

}  // namespace
}  // namespace lethe::e2e
