// RGT-1..4, ACC-9: data-subject requests end to end, with a real server
// (on the test clock), real HTTP and the mail the outbox writes to files.
// Verification by code (single use, 15 minutes, five tries), by the
// customer's attestation, and by the subject's confirmation of an agent;
// rectification, erasure with its receipt, restriction and the other limits
// enforced by the processing gate on streaming and links, lifting after
// notice, reminders 7 days before the due date; bad input changes nothing.
#include <gtest/gtest.h>

#include <regex>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

std::string SchemaPath() {
  std::string file = __FILE__;
  return file.substr(0, file.rfind("tests/e2e/")) + "docs/schemas/subject-export.schema.json";
}

class PrivacyRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartTestClockServer();
    ASSERT_TRUE(server_->ok());
    client_.set_base_url(server_->base_url());
    email_ = Unique("rights") + "@example.com";
    SignUpResult s = SignUpFull(client_, email_);
    session_ = s.token;
    customer_id_ = s.customer_id;
    account_ = CreateAccount(client_, session_, "app");
    ASSERT_FALSE(HasFailure());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  Response Submit(boost::json::object body) {
    return client_.Post("/v1/privacy-requests", boost::json::value(body), BearerAuth(session_));
  }
  // An attested request about `end_user` of the tenant's account.
  std::string SubmitAboutEndUser(const std::string& type, const std::string& end_user,
                                 const std::string& jurisdiction = "gdpr") {
    Response r = Submit({{"type", type},
                         {"jurisdiction", jurisdiction},
                         {"account_id", account_.id},
                         {"end_user", end_user},
                         {"attested", true}});
    EXPECT_EQ(r.status, 201) << r.Describe();
    EXPECT_EQ(Str(r.Json(), "state"), "verified");
    return Str(r.Json(), "id");
  }
  Response Act(const std::string& id, const std::string& action, const std::string& body = "") {
    return client_.Request("POST", "/v1/privacy-requests/" + id + "/" + action, body,
                           BearerAuth(session_));
  }
  boost::json::value Show(const std::string& id) {
    Response r = client_.Get("/v1/privacy-requests/" + id, BearerAuth(session_));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.Json();
  }
  std::string Upload(const std::string& end_user, const std::string& title) {
    Response r = UploadBytes(client_, account_.api_token, SamplePng(), "image/png",
                             "end_user=" + end_user + "&title=" + title);
    EXPECT_EQ(r.status, 201) << r.Describe();
    return Str(r.Json(), "id");
  }
  long Content(const std::string& media_id) {
    return client_.Get("/v1/media/" + media_id + "/content", BearerAuth(account_.api_token)).status;
  }
  // Every code mailed about request `id`.
  std::vector<std::string> MailedCodes(const std::string& id) {
    std::vector<std::string> codes;
    std::regex pattern("code: ([0-9]{8})");
    for (const std::string& file : FilesContaining(server_->data_dir() + "/outbox-mail", id)) {
      std::string text = ReadFileBytes(file);
      std::smatch m;
      // A message being written may show twice (its temporary file too).
      if (file.ends_with(".eml") && std::regex_search(text, m, pattern)) codes.push_back(m[1]);
    }
    return codes;
  }
  // The one code mailed about request `id`, "" unless exactly one was.
  std::string MailedCode(const std::string& id) {
    std::vector<std::string> codes = MailedCodes(id);
    return codes.size() == 1 ? codes[0] : "";
  }
  std::vector<std::string> MailsContaining(const std::string& needle) {
    return FilesContaining(server_->data_dir() + "/outbox-mail", needle);
  }
  std::vector<std::string> HistoryStates(const std::string& id) {
    std::vector<std::string> states;
    for (const auto& step : Arr(Show(id), "history")) states.push_back(Str(step, "state"));
    return states;
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  std::string email_, session_, customer_id_;
  AccountInfo account_;
};

TEST_F(PrivacyRequestTest, ACustomersOwnRequestIsVerifiedByAMailedCodeUsedOnce_RGT2) {
  Response r = Submit({{"type", "rectification"}, {"jurisdiction", "ccpa"}});
  ASSERT_EQ(r.status, 201) << r.Describe();
  std::string id = Str(r.Json(), "id");
  EXPECT_EQ(Str(r.Json(), "state"), "identity_unverified");
  EXPECT_FALSE(Str(r.Json(), "acknowledge_by").empty());  // CCPA: 10 business days
  std::string code;
  ASSERT_TRUE(WaitFor(
      [&] {
        code = MailedCode(id);
        return !code.empty();
      },
      std::chrono::seconds(10)));
  // The request keeps a keyed digest of the code, never the code.
  QueryResult row = Sql(server_->data_dir() + "/lethe.db",
                        "SELECT code_digest FROM privacy_requests WHERE id = '" + id + "'");
  ASSERT_TRUE(row.ok && row.rows.size() == 1) << row.error;
  const std::string digest = row.rows[0][0].value_or("");
  EXPECT_EQ(digest.rfind("kh_", 0), 0u) << digest;
  EXPECT_EQ(digest.find(code), std::string::npos);
  // Unverified: nothing is done yet.
  LETHE_EXPECT_PROBLEM(Act(id, "fulfil", R"({"name":"Ada L."})"), 412, "invalid-transition");
  Response ok = Act(id, "verify", R"({"code":")" + code + R"("})");
  ASSERT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(Str(ok.Json(), "state"), "verified");
  // Used once: the same code again changes nothing.
  LETHE_EXPECT_PROBLEM(Act(id, "verify", R"({"code":")" + code + R"("})"), 412,
                       "invalid-transition");
  // ACC-9: the customer corrects its own profile; before and after are kept.
  Response done = Act(id, "fulfil", R"({"name":"Ada L.","company":"Analytical"})");
  ASSERT_EQ(done.status, 200) << done.Describe();
  EXPECT_EQ(Str(done.Json(), "state"), "completed");
  const boost::json::value body = done.Json();
  auto changes = Arr(*Field(body, "outcome"), "changes");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(Str(changes[0], "field"), "name");
  EXPECT_EQ(Str(changes[0], "before"), "Test Customer");
  EXPECT_EQ(Str(changes[0], "after"), "Ada L.");
  Response me = client_.Get("/v1/me", BearerAuth(session_));
  EXPECT_EQ(Str(me.Json(), "name"), "Ada L.");
  EXPECT_EQ(HistoryStates(id), (std::vector<std::string>{"received", "identity_unverified",
                                                         "verified", "in_progress", "completed"}));
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(AuditVerify(server_->data_dir()).exit_code, 0);
}

TEST_F(PrivacyRequestTest, WrongCodesLockTheRequestAndACodeExpiresAfter15Minutes_RGT2) {
  std::string id = Str(Submit({{"type", "access"}, {"jurisdiction", "gdpr"}}).Json(), "id");
  std::string code;
  ASSERT_TRUE(WaitFor(
      [&] {
        code = MailedCode(id);
        return !code.empty();
      },
      std::chrono::seconds(10)));
  std::string wrong = code == "00000000" ? "11111111" : "00000000";
  for (int i = 0; i < 4; ++i) {
    LETHE_EXPECT_PROBLEM(Act(id, "verify", R"({"code":")" + wrong + R"("})"), 422, "code-invalid");
  }
  LETHE_EXPECT_PROBLEM(Act(id, "verify", R"({"code":")" + wrong + R"("})"), 403, "request-locked");
  // Locked: even the right code, or a new one, is refused.
  LETHE_EXPECT_PROBLEM(Act(id, "verify", R"({"code":")" + code + R"("})"), 403, "request-locked");
  LETHE_EXPECT_PROBLEM(Act(id, "code"), 403, "request-locked");
  EXPECT_EQ(Str(Show(id), "state"), "identity_unverified");

  std::string other = Str(Submit({{"type", "access"}, {"jurisdiction", "gdpr"}}).Json(), "id");
  ASSERT_TRUE(WaitFor([&] { return !MailedCode(other).empty(); }, std::chrono::seconds(10)));
  std::string stale = MailedCode(other);
  ASSERT_TRUE(AdvanceClock(*server_, 16 * 60));
  LETHE_EXPECT_PROBLEM(Act(other, "verify", R"({"code":")" + stale + R"("})"), 422, "code-expired");
  ASSERT_EQ(Act(other, "code").status, 202);
  ASSERT_TRUE(WaitFor([&] { return MailedCodes(other).size() == 2; }, std::chrono::seconds(10)));
  std::string fresh;
  for (const std::string& c : MailedCodes(other)) {
    if (c != stale) fresh = c;
  }
  ASSERT_FALSE(fresh.empty());
  EXPECT_EQ(Act(other, "verify", R"({"code":")" + fresh + R"("})").status, 200);
}

// Access: a single-use ZIP with the original media, byte for byte, and a
// subject.json that a JSON Schema 2020-12 validator (Debian's
// python3-jsonschema) accepts against docs/schemas/subject-export.schema.json.
TEST_F(PrivacyRequestTest, AccessGivesASingleUseZipThatValidatesAgainstItsSchema_RGT1_ACC9) {
  std::string media = Upload("eu-acc", "mine");
  Upload("eu-else", "not-mine");
  std::string id = SubmitAboutEndUser("access", "eu-acc", "ccpa");
  // Access still works under a restriction: it is the subject's own right.
  std::string restriction = SubmitAboutEndUser("restriction", "eu-acc");
  ASSERT_EQ(Act(restriction, "fulfil").status, 200);
  Response done = Act(id, "fulfil");
  ASSERT_EQ(done.status, 200) << done.Describe();
  const boost::json::value body = done.Json();
  std::string url = Str(*Field(*Field(body, "outcome"), "download"), "url");
  ASSERT_EQ(url.rfind("/v1/exports/lex_", 0), 0u) << url;
  // The token is shown once: GET of the request does not repeat it.
  EXPECT_EQ(boost::json::serialize(Show(id)).find(url.substr(12)), std::string::npos);
  HttpClient anonymous(server_->base_url());
  Response zip = anonymous.Get(url);
  ASSERT_EQ(zip.status, 200) << zip.Describe();
  EXPECT_EQ(zip.Header("content-type"), "application/zip");
  LETHE_EXPECT_PROBLEM(anonymous.Get(url), 410, "link-gone");
  ScratchDir scratch;
  ASSERT_TRUE(WriteFileBytes(scratch / "export.zip", zip.body));
  ASSERT_TRUE(WriteFileBytes(scratch / "media.png", SamplePng()));
  // Unzips with Python's zipfile, checks the media bytes and the absence of
  // the other end user, and validates subject.json against the schema.
  const std::string check = R"py(
import hashlib, json, sys, zipfile
from jsonschema import Draft202012Validator
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
assert "README.txt" in names and "subject.json" in names, names
media = [n for n in names if n.startswith("media/")]
assert len(media) == 1 and media[0].startswith("media/" + sys.argv[4]), media
assert z.read(media[0]) == open(sys.argv[2], "rb").read(), "media differs"
doc = json.loads(z.read("subject.json"))
schema = json.load(open(sys.argv[3]))
Draft202012Validator.check_schema(schema)
errors = list(Draft202012Validator(schema).iter_errors(doc))
assert not errors, errors[0].message
text = json.dumps(doc)
assert "eu-else" not in text and "not-mine" not in text
print("ok", len(names))
)py";
  ASSERT_TRUE(WriteFileBytes(scratch / "check.py", check));
  CommandResult out = RunCommand({"/usr/bin/python3", scratch / "check.py", scratch / "export.zip",
                                  scratch / "media.png", SchemaPath(), media});
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("ok 3"), std::string::npos) << out.output;
}

TEST_F(PrivacyRequestTest, ErasureRunsTheForgettingPipelineAndAttachesItsReceipt_RGT1) {
  std::string gone1 = Upload("eu-gone", "one");
  std::string gone2 = Upload("eu-gone", "two");
  std::string kept = Upload("eu-kept", "three");
  // Earlier requests name the end user: an export link, a restriction.
  ASSERT_EQ(Act(SubmitAboutEndUser("access", "eu-gone"), "fulfil").status, 200);
  ASSERT_EQ(Act(SubmitAboutEndUser("objection", "eu-gone"), "fulfil").status, 200);
  std::string id = SubmitAboutEndUser("erasure", "eu-gone", "ccpa");
  Response done = Act(id, "fulfil");
  ASSERT_EQ(done.status, 200) << done.Describe();
  const boost::json::value body = done.Json();
  const boost::json::value& outcome = *Field(body, "outcome");
  auto receipts = Arr(outcome, "receipts");
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_FALSE(Str(receipts[0], "signature").empty()) << boost::json::serialize(receipts[0]);
  // The billing exception is stated.
  auto exceptions = Arr(outcome, "exceptions");
  ASSERT_FALSE(exceptions.empty());
  EXPECT_NE(boost::json::serialize(exceptions).find("billing"), std::string::npos);
  // Unreadable at once (its key is gone), then purged.
  EXPECT_NE(Content(gone1), 200);
  EXPECT_TRUE(WaitFor([&] { return Content(gone1) == 404 && Content(gone2) == 404; },
                      std::chrono::seconds(15)));
  EXPECT_EQ(Content(kept), 200);
  // The requests stay, as the record of what was asked and answered, but no
  // longer name the end user; their links and limits are gone.
  const std::string db = server_->data_dir() + "/lethe.db";
  auto count = [&](const std::string& sql) {
    QueryResult q = Sql(db, sql);
    EXPECT_TRUE(q.ok && q.rows.size() == 1) << q.error;
    return q.ok && !q.rows.empty() ? q.rows[0][0].value_or("") : "";
  };
  EXPECT_TRUE(WaitFor(
      [&] {
        return count("SELECT COUNT(*) FROM privacy_requests WHERE subject = 'eu-gone'") == "0";
      },
      std::chrono::seconds(15)));
  EXPECT_EQ(count("SELECT COUNT(*) FROM privacy_requests WHERE subject LIKE 'kh_%'"), "3");
  EXPECT_EQ(count("SELECT COUNT(*) FROM export_links WHERE end_user = 'eu-gone'"), "0");
  EXPECT_EQ(count("SELECT COUNT(*) FROM processing_limits WHERE subject = 'eu-gone'"), "0");
  // A request about the erased subject has nothing to act on.
  LETHE_EXPECT_PROBLEM(Submit({{"type", "access"},
                               {"jurisdiction", "gdpr"},
                               {"account_id", account_.id},
                               {"end_user", "eu-gone"},
                               {"attested", true}}),
                       422, "subject-erased");
}

TEST_F(PrivacyRequestTest, RectificationCorrectsTheSubjectsMediaOnly_RGT1) {
  std::string mine = Upload("eu-r", "wrong");
  std::string theirs = Upload("eu-other", "theirs");
  std::string id = SubmitAboutEndUser("rectification", "eu-r");
  // Another subject's media is refused, and nothing changes.
  LETHE_EXPECT_PROBLEM(Act(id, "fulfil", R"({"media_id":")" + theirs + R"(","title":"x"})"), 400,
                       "invalid-field");
  Response done = Act(id, "fulfil", R"({"media_id":")" + mine + R"(","title":"right"})");
  ASSERT_EQ(done.status, 200) << done.Describe();
  Response media = client_.Get("/v1/media/" + mine, BearerAuth(account_.api_token));
  EXPECT_EQ(Str(media.Json(), "title"), "right");
  Response other = client_.Get("/v1/media/" + theirs, BearerAuth(account_.api_token));
  EXPECT_EQ(Str(other.Json(), "title"), "theirs");
  // The history's last step holds before and after.
  auto history = Arr(Show(id), "history");
  std::string last = Str(history.back(), "reason");
  EXPECT_NE(last.find("\"before\":\"wrong\""), std::string::npos) << last;
  EXPECT_NE(last.find("\"after\":\"right\""), std::string::npos) << last;
}

TEST_F(PrivacyRequestTest, RestrictionMakesTheDataStoreOnlyUntilLiftedAfterNotice_RGT1) {
  std::string media = Upload("eu-x", "clip");
  std::string free_media = Upload("eu-free", "clip");
  std::string id = SubmitAboutEndUser("restriction", "eu-x");
  ASSERT_EQ(Content(media), 200);
  Response done = Act(id, "fulfil");
  ASSERT_EQ(done.status, 200) << done.Describe();
  // Streaming and links are refused; storing goes on.
  Response stream = client_.Get("/v1/media/" + media + "/content", BearerAuth(account_.api_token));
  LETHE_EXPECT_PROBLEM(stream, 403, "processing-restricted");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/media/" + media + "/links", "", BearerAuth(account_.api_token)), 403,
      "processing-restricted");
  EXPECT_EQ(Content(free_media), 200);
  EXPECT_EQ(client_.Get("/v1/media/" + media, BearerAuth(account_.api_token)).status, 200);
  Upload("eu-x", "still-stored");
  // Lifting tells the subject (through the customer) first.
  Response lift = Act(id, "lift");
  ASSERT_EQ(lift.status, 202) << lift.Describe();
  {
    // A second lift changes nothing: refused while the first is under way,
    // or not found once the job runner has already finished it.
    Response again = Act(id, "lift");
    EXPECT_TRUE(IsProblem(again, 412, "invalid-transition") || IsProblem(again, 404, "not-found"))
        << again.Describe();
  }
  ASSERT_TRUE(WaitFor([&] { return Content(media) == 200; }, std::chrono::seconds(20)));
  EXPECT_FALSE(MailsContaining("a limit on processing will be lifted").empty());
  LETHE_EXPECT_PROBLEM(Act(id, "lift"), 404, "not-found");
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(AuditVerify(server_->data_dir()).exit_code, 0);
}

TEST_F(PrivacyRequestTest, ObjectionAndOptOutsAreRecordedAndLimitOnlyTheirUses_RGT3) {
  std::string media = Upload("eu-o", "clip");
  for (const char* type : {"objection", "opt_out_of_sale_or_sharing", "limit_sensitive"}) {
    std::string id = SubmitAboutEndUser(type, "eu-o", "ccpa");
    Response done = Act(id, "fulfil");
    ASSERT_EQ(done.status, 200) << done.Describe();
    const boost::json::value body = done.Json();
    const boost::json::value& limit = *Field(*Field(body, "outcome"), "limit");
    EXPECT_EQ(Str(limit, "kind"), type);
    std::string refuses = boost::json::serialize(*Field(limit, "refuses"));
    EXPECT_EQ(refuses.find("stream"), std::string::npos) << refuses;
  }
  // None of them stops the service the end user uses: streaming.
  EXPECT_EQ(Content(media), 200);
}

// CCPA non-discrimination: an end user who used their rights (know, opt
// out, limit sensitive use) gets the same service as one who did not: the
// same answers to uploading, listing, reading, sharing by link and
// streaming, and the same bytes; and the customer's own account is the same
// after an access request about itself.
TEST_F(PrivacyRequestTest, UsingRightsChangesNoServiceOrTerms_RGT3) {
  Response me_before = client_.Get("/v1/me", BearerAuth(session_));
  ASSERT_EQ(me_before.status, 200);
  for (const char* type : {"access", "opt_out_of_sale_or_sharing", "limit_sensitive"}) {
    ASSERT_EQ(Act(SubmitAboutEndUser(type, "eu-used", "ccpa"), "fulfil").status, 200) << type;
  }
  Response own = Submit({{"type", "access"}, {"jurisdiction", "ccpa"}});
  ASSERT_EQ(own.status, 201) << own.Describe();
  std::string own_id = Str(own.Json(), "id");
  std::string code;
  ASSERT_TRUE(
      WaitFor([&] { return !(code = MailedCode(own_id)).empty(); }, std::chrono::seconds(10)));
  ASSERT_EQ(Act(own_id, "verify", R"({"code":")" + code + R"("})").status, 200);
  ASSERT_EQ(Act(own_id, "fulfil").status, 200);

  struct Service {
    long upload = 0, list = 0, read = 0, link = 0, content = 0;
    std::string bytes;
  };
  auto use = [&](const std::string& end_user) {
    Service s;
    Response up = UploadBytes(client_, account_.api_token, SamplePng(), "image/png",
                              "end_user=" + end_user + "&title=after");
    s.upload = up.status;
    std::string id = Str(up.Json(), "id");
    auto auth = BearerAuth(account_.api_token);
    s.list = client_.Get("/v1/media?end_user=" + end_user, auth).status;
    s.read = client_.Get("/v1/media/" + id, auth).status;
    s.link = client_.Post("/v1/media/" + id + "/links", "", auth).status;
    Response content = client_.Get("/v1/media/" + id + "/content", auth);
    s.content = content.status;
    s.bytes = content.body;
    return s;
  };
  Service used = use("eu-used"), unused = use("eu-unused");
  EXPECT_EQ(used.upload, 201);
  EXPECT_EQ(used.upload, unused.upload);
  EXPECT_EQ(used.list, 200);
  EXPECT_EQ(used.list, unused.list);
  EXPECT_EQ(used.read, 200);
  EXPECT_EQ(used.read, unused.read);
  EXPECT_EQ(used.link, 201);
  EXPECT_EQ(used.link, unused.link);
  EXPECT_EQ(used.content, 200);
  EXPECT_EQ(used.content, unused.content);
  EXPECT_EQ(used.bytes, unused.bytes);
  EXPECT_EQ(used.bytes, SamplePng());
  // The customer's profile and terms read the same after its own request.
  Response me_after = client_.Get("/v1/me", BearerAuth(session_));
  ASSERT_EQ(me_after.status, 200);
  EXPECT_EQ(me_after.body, me_before.body);
}

TEST_F(PrivacyRequestTest, AnAgentNeedsWrittenPermissionAndTheSubjectsConfirmation_RGT3) {
  std::string permission = "I, eu-a, authorise Agent Smith. %PDF-signed";
  LETHE_EXPECT_PROBLEM(Submit({{"type", "access"},
                               {"jurisdiction", "ccpa"},
                               {"account_id", account_.id},
                               {"end_user", "eu-a"},
                               {"attested", true},
                               {"agent_name", "Agent Smith"}}),
                       400, "invalid-field");
  Response r = Submit({{"type", "opt_out_of_sale_or_sharing"},
                       {"jurisdiction", "ccpa"},
                       {"account_id", account_.id},
                       {"end_user", "eu-a"},
                       {"attested", true},
                       {"agent_name", "Agent Smith"},
                       {"agent_document", Base64(permission)}});
  ASSERT_EQ(r.status, 201) << r.Describe();
  std::string id = Str(r.Json(), "id");
  EXPECT_EQ(Str(r.Json(), "state"), "identity_unverified");
  // The document is stored sealed: not in clear anywhere in the data directory.
  EXPECT_TRUE(FilesContaining(server_->data_dir(), "Agent Smith. %PDF").empty());
  Response doc =
      client_.Get("/v1/privacy-requests/" + id + "/agent-document", BearerAuth(session_));
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body, permission);
  LETHE_EXPECT_PROBLEM(Act(id, "fulfil"), 412, "invalid-transition");
  LETHE_EXPECT_PROBLEM(Act(id, "verify", "{}"), 400, "invalid-field");
  Response ok = Act(id, "verify", R"({"subject_confirmed":true})");
  ASSERT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(Act(id, "fulfil").status, 200);
}

TEST_F(PrivacyRequestTest, AReminderGoesOutSevenDaysBeforeTheDueDate_RGT2) {
  std::string id = SubmitAboutEndUser("access", "eu-late", "ccpa");  // due in 45 days
  // Listed as at risk before a date after its due date only.
  Response risk = client_.Get("/v1/privacy-requests?due_before=2999-01-01", BearerAuth(session_));
  ASSERT_EQ(risk.status, 200);
  EXPECT_EQ(Arr(risk.Json(), "items").size(), 1u);
  Response safe = client_.Get("/v1/privacy-requests?due_before=2000-01-01", BearerAuth(session_));
  EXPECT_EQ(Arr(safe.Json(), "items").size(), 0u);
  ASSERT_TRUE(AdvanceClock(*server_, 30 * 86'400));
  SleepMs(1500);
  EXPECT_TRUE(MailsContaining("privacy request " + id + " is due").empty());
  ASSERT_TRUE(AdvanceClock(*server_, 9 * 86'400));  // day 39: 6 days left
  ASSERT_TRUE(WaitFor([&] { return !MailsContaining("privacy request " + id + " is due").empty(); },
                      std::chrono::seconds(15)));
  // Reminded once only.
  ASSERT_TRUE(AdvanceClock(*server_, 2 * 3600));
  SleepMs(1500);
  EXPECT_EQ(MailsContaining("privacy request " + id + " is due").size(), 1u);
}

TEST_F(PrivacyRequestTest, TheYearlyMetricsCountRequestsByTypeAndDaysToRespond_RGT2) {
  std::string done = SubmitAboutEndUser("objection", "eu-m", "ccpa");
  std::string denied = SubmitAboutEndUser("access", "eu-m", "ccpa");
  SubmitAboutEndUser("access", "eu-n", "ccpa");  // left open
  ASSERT_TRUE(AdvanceClock(*server_, 3 * 86'400));
  ASSERT_EQ(Act(done, "fulfil").status, 200);
  ASSERT_TRUE(AdvanceClock(*server_, 2 * 86'400));
  ASSERT_EQ(Act(denied, "deny", R"({"reason":"manifestly unfounded"})").status, 200);
  std::string year = Str(Show(done), "received_at").substr(0, 4);
  CommandResult out = RunCommand(
      {LETHE_BINARY, "privacy", "metrics", "--year", year, "--data", server_->data_dir()});
  ASSERT_EQ(out.exit_code, 0) << out.output;
  // type, received, complied, denied, open, median days, mean days
  std::regex access(R"(access\s+2\s+0\s+1\s+1\s+5\.0\s+5\.0)");
  std::regex objection(R"(objection\s+1\s+1\s+0\s+0\s+3\.0\s+3\.0)");
  EXPECT_TRUE(std::regex_search(out.output, access)) << out.output;
  EXPECT_TRUE(std::regex_search(out.output, objection)) << out.output;
  EXPECT_EQ(out.output.find("erasure"), std::string::npos) << out.output;
  CommandResult none = RunCommand(
      {LETHE_BINARY, "privacy", "metrics", "--year", "1999", "--data", server_->data_dir()});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.output.find("access"), std::string::npos) << none.output;
  EXPECT_EQ(
      RunCommand({LETHE_BINARY, "privacy", "metrics", "--data", server_->data_dir()}).exit_code, 2);
}

TEST_F(PrivacyRequestTest, BadInputGetsAClearProblemAndChangesNothing) {
  LETHE_EXPECT_PROBLEM(Submit({{"type", "teleport"}, {"jurisdiction", "gdpr"}}), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(Submit({{"type", "access"}, {"jurisdiction", "lgpd"}}), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(Submit({{"type", "access"}, {"jurisdiction", "gdpr"}, {"account_id", "x"}}),
                       400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Submit({{"type", "access"},
                               {"jurisdiction", "gdpr"},
                               {"account_id", account_.id},
                               {"end_user", "eu-1"}}),
                       400, "invalid-field");  // no attestation
  // Another customer's account is not found.
  HttpClient other_client(server_->base_url());
  std::string other_session = SignUp(other_client, Unique("other") + "@example.com");
  AccountInfo other = CreateAccount(other_client, other_session, "theirs");
  LETHE_EXPECT_PROBLEM(Submit({{"type", "access"},
                               {"jurisdiction", "gdpr"},
                               {"account_id", other.id},
                               {"end_user", "eu-1"},
                               {"attested", true}}),
                       404, "not-found");
  std::string id = SubmitAboutEndUser("access", "eu-1");
  // Nor is this customer's request to the other one.
  LETHE_EXPECT_PROBLEM(other_client.Get("/v1/privacy-requests/" + id, BearerAuth(other_session)),
                       404, "not-found");
  LETHE_EXPECT_PROBLEM(Act(id, "extend", R"({"reason":"complex","due":"2000-01-01"})"), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(Act(id, "deny", "{}"), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Act(id, "lift"), 404, "not-found");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/privacy-requests?due_before=soon", BearerAuth(session_)),
                       400, "bad-request");
  boost::json::value after = Show(id);
  EXPECT_EQ(Str(after, "state"), "verified");
  EXPECT_EQ(Arr(after, "history").size(), 2u);
}

}  // namespace
}  // namespace lethe::e2e
