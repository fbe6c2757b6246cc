// Issue 12, end to end with real server processes: purposes and the
// consent ledger (SHR-7, USE-3), Global Privacy Control and Do-Not-Track
// honoured and recorded with the request that carried them (SEC-5),
// marketing mail only with consent and with a working RFC 8058 one-click
// unsubscribe (ACC-5), policy versions published from the CLI, announced
// before they take effect and asking for renewal once a material one does
// (SEC-6), and bad input that changes nothing.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

Headers With(const std::string& token, Headers more = {}) {
  more["Authorization"] = "Bearer " + token;
  return more;
}

// The purposes entry of a GET /v1/consents answer.
boost::json::object PurposeOf(const boost::json::value& status, const std::string& name) {
  for (const auto& p : Arr(status, "purposes")) {
    if (Str(p, "purpose") == name) return p.as_object();
  }
  ADD_FAILURE() << "no purpose " << name;
  return {};
}

// The unfolded value of header `name` in the mail file `eml`.
std::string MailHeader(const std::string& eml, const std::string& name) {
  std::string text = eml;
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.replace(at, 3, " ");
  size_t at = text.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return text.substr(at, text.find("\r\n", at) - at);
}

class ConsentTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }
  void Start(bool test_clock = false) {
    server_ = test_clock ? StartTestClockServer() : std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->ok());
    client_.set_base_url(server_->base_url());
  }
  std::vector<std::string> Mails(const std::string& needle) {
    return FilesContaining(server_->data_dir() + "/outbox-mail", needle);
  }
  Response Consent(const std::string& token, boost::json::object body, Headers more = {}) {
    return client_.Post("/v1/consents", boost::json::value(std::move(body)),
                        With(token, std::move(more)));
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
};

TEST_F(ConsentTest, PurposesAreServedWithTheirBasisAndOptionalOnesAreOff_USE3) {
  Start();
  Response r = client_.Get("/v1/purposes");
  ASSERT_EQ(r.status, 200) << r.Describe();
  std::map<std::string, std::string> basis;
  for (const auto& p : Arr(r.Json(), "items")) {
    basis[Str(p, "name")] = Str(p, "legal_basis");
    EXPECT_EQ(Str(p, "default"), Str(p, "legal_basis") == "consent" ? "off" : "on");
  }
  EXPECT_EQ(basis.size(), 7u);
  EXPECT_EQ(basis["service"], "contract");
  EXPECT_EQ(basis["marketing"], "consent");
  EXPECT_EQ(basis["third_party_sharing"], "consent");
  Tenant t = NewTenant(client_, "purposes");
  Response mine = client_.Get("/v1/consents", With(t.session));
  ASSERT_EQ(mine.status, 200) << mine.Describe();
  EXPECT_EQ(Str(PurposeOf(mine.Json(), "marketing"), "state"), "not_given");
  EXPECT_FALSE(PurposeOf(mine.Json(), "marketing").at("allowed").as_bool());
}

TEST_F(ConsentTest, GpcOnAnUploadIsRecordedOnceWithItsRequestId_SEC5) {
  Start();
  Tenant t = NewTenant(client_, "gpc");
  const std::string ref = Unique("gpc-user");
  ASSERT_EQ(
      Consent(t.token(), {{"purpose", "analytics"}, {"decision", "opt_in"}, {"end_user", ref}})
          .status,
      201);
  Response up = UploadBytes(client_, t.token(), SamplePng(), "image/png", "end_user=" + ref,
                            RequestOptions{});
  ASSERT_EQ(up.status, 201) << up.Describe();
  // Same upload, now with the signal.
  HttpClient gpc(server_->base_url());
  Response signalled = gpc.Request(
      "POST", "/v1/media?end_user=" + ref, SamplePng(),
      {{"Authorization", "Bearer " + t.token()}, {"Content-Type", "image/png"}, {"Sec-GPC", "1"}});
  ASSERT_EQ(signalled.status, 201) << signalled.Describe();
  const std::string request_id = signalled.Header("x-request-id");
  ASSERT_FALSE(request_id.empty());
  Response again = gpc.Request(
      "POST", "/v1/media?end_user=" + ref, SamplePng(),
      {{"Authorization", "Bearer " + t.token()}, {"Content-Type", "image/png"}, {"Sec-GPC", "1"}});
  ASSERT_EQ(again.status, 201);

  Response status = client_.Get("/v1/consents?end_user=" + ref, With(t.token()));
  ASSERT_EQ(status.status, 200) << status.Describe();
  boost::json::array history = Arr(status.Json(), "history");
  ASSERT_EQ(history.size(), 3u) << "the opt-in, then one opt-out per purpose, once";
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(Str(history[i], "source"), "gpc");
    EXPECT_EQ(Str(history[i], "decision"), "opt_out");
    EXPECT_EQ(Str(history[i], "request_id"), request_id) << "evidence names the request";
  }
  EXPECT_EQ(Str(PurposeOf(status.Json(), "analytics"), "state"), "refused");
  EXPECT_EQ(Str(PurposeOf(status.Json(), "third_party_sharing"), "source"), "gpc");
  // The ledger stores the keyed name, never the reference.
  auto rows = Sql(server_->db_path(), "SELECT subject FROM consents");
  ASSERT_TRUE(rows.ok) << rows.error;
  for (const Row& row : rows.rows) EXPECT_EQ(row[0]->rfind("kh_", 0), 0u);

  // DNT on the consent route itself, for another end user.
  const std::string other = Unique("dnt-user");
  Response dnt = Consent(
      t.token(), {{"purpose", "transcription"}, {"decision", "opt_in"}, {"end_user", other}},
      {{"DNT", "1"}});
  ASSERT_EQ(dnt.status, 201) << dnt.Describe();
  Response other_status = client_.Get("/v1/consents?end_user=" + other, With(t.token()));
  EXPECT_EQ(Str(PurposeOf(other_status.Json(), "analytics"), "source"), "dnt");
  EXPECT_EQ(Str(PurposeOf(other_status.Json(), "transcription"), "state"), "granted");
  EXPECT_EQ(Arr(other_status.Json(), "history").size(), 3u);
}

TEST_F(ConsentTest, MarketingOnlyWithConsentAndOneClickUnsubscribeStopsTheNext_ACC5) {
  Start();
  ASSERT_EQ(server_->Stop(), 0);
  StaffMember admin = AddStaff(server_->data_dir(), "admin");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(server_->Restart());
  client_.set_base_url(server_->base_url());
  Tenant yes = NewTenant(client_, "mkt-yes");
  Tenant no = NewTenant(client_, "mkt-no");
  ASSERT_TRUE(SignInStaff(*server_, &admin));
  Response opt_in = Consent(yes.session, {{"purpose", "marketing"}, {"decision", "opt_in"}});
  ASSERT_EQ(opt_in.status, 201) << opt_in.Describe();
  EXPECT_EQ(Str(opt_in.Json(), "source"), "portal");

  const std::string subject1 = Unique("Spring news");
  Response sent = client_.Post("/v1/staff/marketing",
                               boost::json::value({{"subject", subject1}, {"body", "Hello!"}}),
                               With(admin.token));
  ASSERT_EQ(sent.status, 202) << sent.Describe();
  EXPECT_EQ(sent.Json().at("queued").as_int64(), 1);
  EXPECT_EQ(sent.Json().at("withheld").as_int64(), 1);
  ASSERT_TRUE(WaitFor([&] { return !Mails(subject1).empty(); }));
  std::vector<std::string> got = Mails(subject1);
  ASSERT_EQ(got.size(), 1u);
  std::string eml = ReadFileBytes(got[0]);
  EXPECT_NE(eml.find("To: " + Lower(Str(client_.Get("/v1/me", With(yes.session)).Json(), "email"))),
            std::string::npos)
      << eml;
  EXPECT_EQ(MailHeader(eml, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  std::string link = MailHeader(eml, "List-Unsubscribe");
  ASSERT_EQ(link.front(), '<');
  link = link.substr(1, link.size() - 2);
  ASSERT_EQ(link.rfind(server_->base_url() + "/v1/unsubscribe?token=", 0), 0u) << link;
  std::string token = link.substr(link.find("token=") + 6);
  EXPECT_TRUE(FilesContaining(server_->data_dir() + "/lethe.db", token).empty())
      << "only the digest is stored";

  // RFC 8058: the client POSTs List-Unsubscribe=One-Click, no credentials.
  HttpClient anon;
  Response unsub = anon.Request("POST", link, "List-Unsubscribe=One-Click",
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(unsub.status, 200) << unsub.Describe();
  Response mine = client_.Get("/v1/consents", With(yes.session));
  boost::json::object marketing = PurposeOf(mine.Json(), "marketing");
  EXPECT_EQ(Str(marketing, "state"), "refused");
  EXPECT_EQ(Str(marketing, "source"), "mail");

  const std::string subject2 = Unique("Summer news");
  Response next =
      client_.Post("/v1/staff/marketing",
                   boost::json::value({{"subject", subject2}, {"body", "Hi"}}), With(admin.token));
  ASSERT_EQ(next.status, 202);
  EXPECT_EQ(next.Json().at("queued").as_int64(), 0);
  EXPECT_EQ(next.Json().at("withheld").as_int64(), 2);
  SleepMs(500);
  EXPECT_TRUE(Mails(subject2).empty());
  // Customers cannot send marketing; a forged token changes nothing.
  EXPECT_EQ(client_
                .Post("/v1/staff/marketing", boost::json::value({{"subject", "x"}, {"body", "y"}}),
                      With(no.session))
                .status,
            401);
  LETHE_EXPECT_PROBLEM(
      anon.Request("POST", server_->base_url() + "/v1/unsubscribe?token=lun_forged", "x",
                   {{"Content-Type", "text/plain"}}),
      404, "not-found");
}

TEST_F(ConsentTest, MaterialPolicyIsAnnouncedBeforeItTakesEffectThenAsksForRenewal_SEC6) {
  Start(/*test_clock=*/true);
  Response v1 = client_.Get("/v1/policy");
  ASSERT_EQ(v1.status, 200) << v1.Describe();
  EXPECT_EQ(v1.Json().at("version").as_int64(), 1);
  EXPECT_NE(Str(v1.Json(), "text").find("Privacy Policy"), std::string::npos);
  Tenant t = NewTenant(client_, "policy");
  Response given = Consent(t.session, {{"purpose", "marketing"}, {"decision", "opt_in"}});
  ASSERT_EQ(given.status, 201);
  EXPECT_EQ(given.Json().at("policy_version").as_int64(), 1);

  ASSERT_EQ(server_->Stop(), 0);
  const std::string file = server_->root_dir() + "/policy-v2.txt";
  std::ofstream(file) << "Lethe privacy policy, version 2: we now also transcribe.\n";
  CommandResult early =
      RunCommand({LETHE_BINARY, "policy", "publish", "--file", file, "--effective", TodayUtc(),
                  "--material", "--data", server_->data_dir()});
  EXPECT_EQ(early.exit_code, 2) << early.output;
  EXPECT_NE(early.output.find("notice-required"), std::string::npos) << early.output;
  auto in_days = [](int days) {
    return Rfc3339Millis(std::chrono::system_clock::now() + std::chrono::hours(24 * days))
        .substr(0, 10);
  };
  CommandResult published =
      RunCommand({LETHE_BINARY, "policy", "publish", "--file", file, "--effective", in_days(3),
                  "--material", "--data", server_->data_dir()});
  ASSERT_EQ(published.exit_code, 0) << published.output;
  EXPECT_NE(published.output.find("version: 2"), std::string::npos);
  ASSERT_TRUE(server_->Restart());
  client_.set_base_url(server_->base_url());

  // Announced now, before it takes effect.
  ASSERT_TRUE(WaitFor([&] { return !Mails("privacy policy version 2").empty(); }));
  EXPECT_EQ(client_.Get("/v1/policy").Json().at("version").as_int64(), 1);
  Response versions = client_.Get("/v1/policy/versions");
  ASSERT_EQ(Arr(versions.Json(), "items").size(), 2u);
  EXPECT_TRUE(Arr(versions.Json(), "items")[1].at("material").as_bool());
  Response before = client_.Get("/v1/consents", With(t.session));
  EXPECT_FALSE(PurposeOf(before.Json(), "marketing").at("renewal_required").as_bool());

  ASSERT_TRUE(AdvanceClock(*server_, 4 * 86400));
  EXPECT_EQ(client_.Get("/v1/policy").Json().at("version").as_int64(), 2);
  Response after = client_.Get("/v1/consents", With(t.session));
  boost::json::object marketing = PurposeOf(after.Json(), "marketing");
  EXPECT_TRUE(marketing.at("renewal_required").as_bool());
  EXPECT_FALSE(marketing.at("allowed").as_bool());
  Response renewed = Consent(t.session, {{"purpose", "marketing"}, {"decision", "opt_in"}});
  EXPECT_EQ(renewed.Json().at("policy_version").as_int64(), 2);
  Response now = client_.Get("/v1/consents", With(t.session));
  EXPECT_TRUE(PurposeOf(now.Json(), "marketing").at("allowed").as_bool());
}

TEST_F(ConsentTest, BadInputGetsAProblemAndChangesNothing_SHR7) {
  Start();
  Tenant a = NewTenant(client_, "bad-a");
  Tenant b = NewTenant(client_, "bad-b");
  LETHE_EXPECT_PROBLEM(Consent(a.session, {{"purpose", "astrology"}, {"decision", "opt_in"}}), 400,
                       "unknown-purpose");
  LETHE_EXPECT_PROBLEM(Consent(a.session, {{"purpose", "billing"}, {"decision", "opt_out"}}), 400,
                       "purpose-not-optional");
  LETHE_EXPECT_PROBLEM(Consent(a.session, {{"purpose", "marketing"}}), 400, "");
  LETHE_EXPECT_PROBLEM(Consent(a.token(), {{"purpose", "analytics"}, {"decision", "opt_in"}}), 400,
                       "invalid-field");
  // Another tenant's account, and another customer.
  LETHE_EXPECT_PROBLEM(Consent(a.session, {{"purpose", "analytics"},
                                           {"decision", "opt_in"},
                                           {"account_id", b.account.id},
                                           {"end_user", "u1"}}),
                       404, "not-found");
  LETHE_EXPECT_PROBLEM(Consent(a.token(), {{"purpose", "analytics"},
                                           {"decision", "opt_in"},
                                           {"account_id", b.account.id},
                                           {"end_user", "u1"}}),
                       404, "not-found");
  Response b_me = client_.Get("/v1/me", With(b.session));
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/consents?subject=" + Str(b_me.Json(), "id"), With(a.session)), 404,
      "not-found");
  EXPECT_EQ(client_.Post("/v1/consents", boost::json::value({{"purpose", "analytics"}})).status,
            401);
  auto rows = Sql(server_->db_path(), "SELECT COUNT(*) FROM consents");
  ASSERT_TRUE(rows.ok) << rows.error;
  EXPECT_EQ(*rows.rows[0][0], "0");
}

}  // namespace
}  // namespace lethe::e2e
