// SHR-4: legal requests end to end, on a test-clock server. Security and
// legal staff record and decide requests over HTTP; without a
// non-disclosure order the customer's notice is in the outbox at once,
// with one it is absent (and so are the ledger row and the audit events)
// until the order ends, then mailed once; every disclosure lands in the
// customer's disclosure ledger; the public transparency report counts the
// year; wrong roles get 403, unknown decisions 400, unknown accounts 403
// (no access grant can name them: USE-4). Staff sign in and work under
// a grant on the account.
#include <gtest/gtest.h>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

using std::chrono::system_clock;
constexpr int64_t kDaySeconds = 86'400;

class LegalRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartTestClockServer();
    ASSERT_TRUE(server_->ok());
    ASSERT_EQ(server_->Stop(), 0);
    security_ = AddStaff(server_->data_dir(), "security");
    legal_ = AddStaff(server_->data_dir(), "legal");
    support_ = AddStaff(server_->data_dir(), "support");
    admin_ = AddStaff(server_->data_dir(), "admin");
    ASSERT_FALSE(HasFailure());
    ASSERT_TRUE(server_->Restart());
    client_.set_base_url(server_->base_url());
    email_ = Unique("legal-req") + "@example.com";
    tenant_.session = SignUp(client_, email_);
    tenant_.account = CreateAccount(client_, tenant_.session, "legal app");
    // An end user the account holds (a request may name one).
    Response seen = client_.Get("/v1/account?end_user=" + kEndUser, BearerAuth(tenant_.token()));
    ASSERT_EQ(seen.status, 200) << seen.Describe();
    ASSERT_TRUE(SignInStaff(*server_, &support_));
    ASSERT_TRUE(SignInStaff(*server_, &admin_));
    StaffAgain();
  }
  // Signs security_ and legal_ in and grants them the account's legal
  // data: staff sessions (12 h) and grants (72 h at most) end as the
  // clock moves in these tests.
  void StaffAgain() {
    for (StaffMember* m : {&security_, &legal_}) {
      ASSERT_TRUE(SignInStaff(*server_, m));
      ASSERT_FALSE(GrantAccess(*server_, *m, tenant_.account.id, {"legal"}).empty());
    }
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  boost::json::object Request(const std::string& type = "law_enforcement") {
    return {{"account", tenant_.account.id},
            {"end_user", kEndUser},
            {"authority", "Metropolitan Police"},
            {"authority_type", type},
            {"legal_basis", "Production order under PACE 1984 Schedule 1"},
            {"reference", "CASE-2231"},
            {"categories", "account metadata, usage events"}};
  }
  Response Create(const StaffMember& who, const boost::json::object& body) {
    return client_.Post("/v1/staff/legal-requests", boost::json::value(body),
                        BearerAuth(who.token));
  }
  Response Decide(const StaffMember& who, const std::string& id, const boost::json::object& body) {
    return client_.Post("/v1/staff/legal-requests/" + id + "/decide", boost::json::value(body),
                        BearerAuth(who.token));
  }
  std::vector<std::string> Mails(const std::string& needle) {
    return FilesContaining(server_->data_dir() + "/outbox-mail", needle);
  }
  boost::json::array Ledger() {
    Response r = client_.Get("/v1/accounts/" + tenant_.account.id + "/disclosures",
                             BearerAuth(tenant_.session));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return Arr(r.Json(), "items");
  }
  // A fresh session: the clock moves past a session's life in these tests.
  void SignInAgain() {
    Response r = client_.Post("/v1/sessions",
                              boost::json::value({{"email", email_}, {"password", kPassword}}));
    ASSERT_EQ(r.status, 201) << r.Describe();
    tenant_.session = Str(r.Json(), "token");
  }
  std::string Trail() {
    Response r = client_.Get("/v1/accounts/" + tenant_.account.id + "/audit?limit=1000",
                             BearerAuth(tenant_.session));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.body;
  }

  const std::string kEndUser = "viewer-4711";
  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  StaffMember security_, legal_, support_, admin_;
  std::string email_;
  Tenant tenant_;
};

TEST_F(LegalRequestTest, WithoutAnOrderTheCustomerIsMailedAndSeesTheDisclosure_SHR4) {
  Response created = Create(security_, Request());
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string id = Str(created.Json(), "id");
  EXPECT_EQ(id.rfind("lrq_", 0), 0u);
  EXPECT_EQ(created.body.find(kEndUser), std::string::npos) << "a keyed reference only";
  const std::string subject = Str(created.Json(), "subject");
  EXPECT_EQ(subject.rfind("kh_", 0), 0u);
  EXPECT_FALSE(Str(created.Json(), "customer_notified_at").empty());
  ASSERT_TRUE(WaitFor([&] { return Mails(id).size() == 1; })) << "the notice";
  std::string notice = ReadFileBytes(Mails(id)[0]);
  EXPECT_NE(notice.find("Metropolitan Police"), std::string::npos);
  EXPECT_EQ(notice.find("CASE-2231"), std::string::npos) << "the case reference is staff only";

  Response decided = Decide(legal_, id,
                            {{"decision", "comply"},
                             {"note", "order is valid and narrow"},
                             {"disclosed", "account record; 1 usage event of the end user"}});
  ASSERT_EQ(decided.status, 200) << decided.Describe();
  EXPECT_EQ(Str(decided.Json(), "decision"), "comply");
  EXPECT_EQ(Str(decided.Json(), "decided_by"), legal_.id);
  ASSERT_TRUE(WaitFor([&] { return Mails(id).size() == 2; })) << "the decision's notice";
  LETHE_EXPECT_PROBLEM(Decide(legal_, id, {{"decision", "object"}}), 409, "conflict");

  boost::json::array rows = Ledger();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Str(rows[0], "recipient"), "Metropolitan Police");
  EXPECT_EQ(Str(rows[0], "recipient_kind"), "authority");
  EXPECT_EQ(Str(rows[0], "purpose"), "legal_request");
  EXPECT_EQ(Str(rows[0], "legal_basis"), "legal_obligation");
  EXPECT_EQ(Str(rows[0], "subject"), subject);
  EXPECT_EQ(Str(rows[0], "reference"), id);
  EXPECT_NE(Trail().find(id), std::string::npos) << "on the customer's trail";

  Response one = client_.Get("/v1/staff/legal-requests/" + id, BearerAuth(security_.token));
  ASSERT_EQ(one.status, 200) << one.Describe();
  EXPECT_EQ(Str(one.Json(), "reference"), "CASE-2231");
  Response list = client_.Get("/v1/staff/legal-requests?account=" + tenant_.account.id,
                              BearerAuth(legal_.token));
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_EQ(Arr(list.Json(), "requests").size(), 1u);

  // Every staff action is in the chain, under the staff id; it verifies.
  ASSERT_EQ(server_->Stop(), 0);
  QueryResult actions = Sql(server_->db_path(),
                            "SELECT actor, action FROM audit_events WHERE action LIKE "
                            "'legal_request.%' OR action = 'disclosure.record' ORDER BY seq");
  ASSERT_TRUE(actions.ok) << actions.error;
  std::vector<std::string> got;
  for (const Row& r : actions.rows) got.push_back(*r[0] + " " + *r[1]);
  EXPECT_EQ(got, (std::vector<std::string>{
                     security_.id + " legal_request.record", security_.id + " legal_request.notify",
                     legal_.id + " disclosure.record", legal_.id + " legal_request.decide",
                     security_.id + " legal_request.read", legal_.id + " legal_request.list"}));
  EXPECT_EQ(AuditVerify(server_->data_dir()).exit_code, 0);
}

TEST_F(LegalRequestTest, AnOrderKeepsTheNoticeBackUntilItEndsThenItIsMailedOnce_SHR4) {
  boost::json::object body = Request("court");
  body["nondisclosure_until"] = Rfc3339Millis(system_clock::now() + std::chrono::hours(24 * 30));
  Response created = Create(legal_, body);
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string id = Str(created.Json(), "id");
  EXPECT_TRUE(created.Json().as_object().at("customer_notified_at").is_null());
  EXPECT_TRUE(created.Json().as_object().at("nondisclosure_active").as_bool());
  Response decided = Decide(security_, id,
                            {{"decision", "partial"},
                             {"note", "narrowed to 30 days"},
                             {"disclosed", "usage events of the end user, 30 days"}});
  ASSERT_EQ(decided.status, 200) << decided.Describe();

  // While the order runs: no mail, no ledger row, nothing on the trail.
  SleepMs(800);  // the job runner polls every 250 ms
  EXPECT_TRUE(Mails(id).empty());
  EXPECT_TRUE(Ledger().empty());
  EXPECT_EQ(Trail().find(id), std::string::npos);
  ASSERT_TRUE(AdvanceClock(*server_, 29 * kDaySeconds));
  SleepMs(800);
  SignInAgain();
  EXPECT_TRUE(Mails(id).empty()) << "a day before the order ends";
  EXPECT_TRUE(Ledger().empty());

  // The order ends: the notice goes out, once, telling the decision too.
  ASSERT_TRUE(AdvanceClock(*server_, 2 * kDaySeconds));
  ASSERT_TRUE(WaitFor([&] { return Mails(id).size() == 1; }, std::chrono::seconds(15)));
  std::string notice = ReadFileBytes(Mails(id)[0]);
  EXPECT_NE(notice.find("Decision: partial"), std::string::npos) << notice;
  EXPECT_NE(notice.find("non-disclosure order"), std::string::npos) << notice;
  ASSERT_TRUE(AdvanceClock(*server_, 2 * kDaySeconds));
  SleepMs(800);
  EXPECT_EQ(Mails(id).size(), 1u) << "mailed once";
  SignInAgain();
  StaffAgain();
  boost::json::array rows = Ledger();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Str(rows[0], "reference"), id);
  EXPECT_EQ(Str(rows[0], "what"), "usage events of the end user, 30 days");
  Response one = client_.Get("/v1/staff/legal-requests/" + id, BearerAuth(legal_.token));
  EXPECT_FALSE(Str(one.Json(), "customer_notified_at").empty());
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/legal-requests/" + id + "/nondisclosure",
                                    boost::json::value({{"until", "2999-01-01T00:00:00Z"}}),
                                    BearerAuth(legal_.token)),
                       412, "already-notified");
}

TEST_F(LegalRequestTest, TheTransparencyReportCountsTheYearByAuthorityTypeAndDecision_SHR4) {
  std::vector<std::pair<std::string, std::string>> made = {{"law_enforcement", "comply"},
                                                           {"law_enforcement", "object"},
                                                           {"court", "partial"},
                                                           {"regulator", "object"},
                                                           {"court", ""}};
  for (const auto& [type, decision] : made) {
    Response created = Create(security_, Request(type));
    ASSERT_EQ(created.status, 201) << created.Describe();
    if (decision.empty()) continue;
    boost::json::object d{{"decision", decision}};
    if (decision != "object") d["disclosed"] = "account record";
    ASSERT_EQ(Decide(security_, Str(created.Json(), "id"), d).status, 200);
  }
  HttpClient anyone(server_->base_url());
  const std::string year = TodayUtc().substr(0, 4);
  Response report = anyone.Get("/v1/transparency-report?year=" + year);
  ASSERT_EQ(report.status, 200) << report.Describe();
  boost::json::value v = report.Json();
  EXPECT_EQ(v.at("year").as_int64(), std::stoi(year));
  EXPECT_EQ(v.at("legal_requests").as_int64(), 5);
  const auto& by = v.at("by_authority_type");
  EXPECT_EQ(by.at("law_enforcement").at("comply").as_int64(), 1);
  EXPECT_EQ(by.at("law_enforcement").at("object").as_int64(), 1);
  EXPECT_EQ(by.at("law_enforcement").at("total").as_int64(), 2);
  EXPECT_EQ(by.at("court").at("partial").as_int64(), 1);
  EXPECT_EQ(by.at("court").at("pending").as_int64(), 1);
  EXPECT_EQ(by.at("regulator").at("object").as_int64(), 1);
  EXPECT_EQ(by.at("other").at("total").as_int64(), 0);
  EXPECT_EQ(report.body.find(tenant_.account.id), std::string::npos) << "names no account";
  EXPECT_EQ(report.body.find("Metropolitan"), std::string::npos) << "names no authority";
  Response last = anyone.Get("/v1/transparency-report?year=" + std::to_string(std::stoi(year) - 1));
  EXPECT_EQ(last.Json().at("legal_requests").as_int64(), 0);
  LETHE_EXPECT_PROBLEM(anyone.Get("/v1/transparency-report"), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(anyone.Get("/v1/transparency-report?year=20x6"), 400, "invalid-field");
}

TEST_F(LegalRequestTest, BadInputWrongRolesAndUnknownAccountsChangeNothing_SHR4) {
  LETHE_EXPECT_PROBLEM(Create(support_, Request()), 403, "forbidden");
  LETHE_EXPECT_PROBLEM(Create(admin_, Request()), 403, "forbidden");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/legal-requests", boost::json::value(Request()),
                                    BearerAuth(tenant_.session)),
                       401, "");
  boost::json::object bad = Request();
  bad["authority_type"] = "journalist";
  LETHE_EXPECT_PROBLEM(Create(security_, bad), 400, "invalid-field");
  bad = Request();
  bad["account"] = "acc_00000000000000000000";
  LETHE_EXPECT_PROBLEM(Create(security_, bad), 403, "no-access-grant");
  bad = Request();
  bad["end_user"] = "nobody-we-know";
  LETHE_EXPECT_PROBLEM(Create(security_, bad), 404, "not-found");
  bad = Request();
  bad["nondisclosure_until"] = "2001-01-01T00:00:00Z";
  LETHE_EXPECT_PROBLEM(Create(security_, bad), 400, "invalid-field");

  Response created = Create(security_, Request());
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string id = Str(created.Json(), "id");
  LETHE_EXPECT_PROBLEM(Decide(security_, id, {{"decision", "maybe"}}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Decide(security_, id, {{"decision", "comply"}}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Decide(support_, id, {{"decision", "object"}}), 403, "forbidden");
  LETHE_EXPECT_PROBLEM(Decide(security_, "lrq_00000000000000000000", {{"decision", "object"}}), 404,
                       "not-found");
  Response one = client_.Get("/v1/staff/legal-requests/" + id, BearerAuth(security_.token));
  EXPECT_TRUE(one.Json().as_object().at("decision").is_null()) << "nothing was decided";
  EXPECT_TRUE(Ledger().empty());
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/staff/legal-requests", BearerAuth(security_.token)), 400,
                       "invalid-field");
  Response list = client_.Get("/v1/staff/legal-requests?account=" + tenant_.account.id,
                              BearerAuth(security_.token));
  EXPECT_EQ(Arr(list.Json(), "requests").size(), 1u) << "the refused ones left nothing";
}

}  // namespace
}  // namespace lethe::e2e
