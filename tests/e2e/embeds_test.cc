// The embeds' server side (issue 15), end to end against real server
// processes: the account's capture notice (PATCH /v1/accounts/{id}), read
// by the recorder with its upload token (GET /v1/capture-notice); the
// consent an upload token may record (POST /v1/capture-consents): its own
// end user only, the notice's purposes only, source "recorder", under the
// policy version in force (SHR-7, SEC-6); and the files at /embed/ with
// the headers that let other origins load them.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

const std::string kApp = "http://app.example:8080";
const std::string kNotice = "We record this clip for your support ticket.\nAsk us to erase it.";

class CaptureTest : public SharedServerTest<CaptureTest> {
 protected:
  void SetUp() override {
    SharedServerTest::SetUp();
    if (HasFatalFailure()) return;
    tenant_ = NewTenant(client_, "capture");
    ASSERT_FALSE(tenant_.token().empty());
  }

  Response Patch(json::object body) {
    return client_.Patch("/v1/accounts/" + tenant_.account.id, json::value(std::move(body)),
                         BearerAuth(tenant_.session));
  }
  Response SetNotice(std::string_view text, json::array purposes) {
    return Patch({{"capture_notice", json::string(text)}, {"capture_purposes", purposes}});
  }
  std::string IssueToken(const std::string& end_user) {
    Response r =
        client_.Post("/v1/upload-tokens", json::value(json::object{{"end_user", end_user}}),
                     BearerAuth(tenant_.token()));
    EXPECT_EQ(r.status, 201) << r.Describe();
    return r.status == 201 ? Str(r.Json(), "token") : "";
  }
  Response Answer(const std::string& token, json::object body) {
    return client_.Post("/v1/capture-consents", json::value(std::move(body)), BearerAuth(token));
  }
  // The state of `purpose` for `end_user` in the ledger (GET /v1/consents).
  json::object PurposeState(const std::string& end_user, const std::string& purpose) {
    Response r = client_.Get("/v1/consents?end_user=" + end_user, BearerAuth(tenant_.token()));
    EXPECT_EQ(r.status, 200) << r.Describe();
    for (const auto& p : Arr(r.Json(), "purposes")) {
      if (Str(p, "purpose") == purpose) return p.as_object();
    }
    ADD_FAILURE() << "no purpose " << purpose;
    return {};
  }

  Tenant tenant_;
};

TEST_F(CaptureTest, TheAccountSetsItsNoticeAndTheRecorderReadsItWithItsToken_SHR7) {
  std::string token = IssueToken("eu_reader");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/capture-notice", BearerAuth(token)), 404,
                       "capture-notice-not-set");
  // What an account may not set: nothing changes.
  LETHE_EXPECT_PROBLEM(SetNotice(kNotice, json::array{"astrology"}), 400, "unknown-purpose");
  LETHE_EXPECT_PROBLEM(SetNotice(kNotice, json::array{"service"}), 400, "purpose-not-optional");
  LETHE_EXPECT_PROBLEM(SetNotice(kNotice, json::array{}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(SetNotice(kNotice, json::array{"analytics", "analytics"}), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(SetNotice("", json::array{"analytics"}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(SetNotice(std::string(4001, 'x'), json::array{"analytics"}), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(SetNotice("bell\a", json::array{"analytics"}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Patch({{"capture_notice", json::string(kNotice)}}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/capture-notice", BearerAuth(token)), 404,
                       "capture-notice-not-set");

  Response set = SetNotice(kNotice, json::array{"transcription", "analytics"});
  ASSERT_EQ(set.status, 200) << set.Describe();
  EXPECT_EQ(Str(set.Json(), "capture_notice"), kNotice);
  EXPECT_EQ(Arr(set.Json(), "capture_purposes"), (json::array{"transcription", "analytics"}));
  Response account = client_.Get("/v1/accounts/" + tenant_.account.id, BearerAuth(tenant_.session));
  EXPECT_EQ(Str(account.Json(), "capture_notice"), kNotice) << account.Describe();

  Response read = client_.Get("/v1/capture-notice", BearerAuth(token));
  ASSERT_EQ(read.status, 200) << read.Describe();
  EXPECT_EQ(Str(read.Json(), "notice"), kNotice);
  EXPECT_EQ(Str(read.Json(), "end_user"), "eu_reader");
  EXPECT_EQ(read.Header("cache-control"), "no-store");
  json::array purposes = Arr(read.Json(), "purposes");
  ASSERT_EQ(purposes.size(), 2u);
  EXPECT_EQ(Str(purposes[0], "name"), "transcription");
  EXPECT_EQ(Str(purposes[0], "legal_basis"), "consent");
  EXPECT_FALSE(Str(purposes[0], "description").empty());
  Response policy = client_.Get("/v1/policy");
  ASSERT_EQ(policy.status, 200) << policy.Describe();
  EXPECT_EQ(read.Json().at("policy_version"), policy.Json().at("version"));
  // The account's own apps read it too (no end user then).
  Response by_app = client_.Get("/v1/capture-notice", BearerAuth(tenant_.token()));
  ASSERT_EQ(by_app.status, 200) << by_app.Describe();
  EXPECT_EQ(Field(by_app.Json(), "end_user"), nullptr);
  // A page on another origin reads it only when the account lists it.
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/capture-notice", {{"Authorization", "Bearer " + token}, {"Origin", kApp}}),
      403, "origin-not-allowed");

  // null removes it: the recorder cannot record again.
  ASSERT_EQ(Patch({{"capture_notice", nullptr}, {"capture_purposes", nullptr}}).status, 200);
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/capture-notice", BearerAuth(token)), 404,
                       "capture-notice-not-set");
}

TEST_F(CaptureTest, AnUploadTokenRecordsItsOwnEndUsersConsentForTheNoticesPurposesOnly_SHR7_SEC6) {
  ASSERT_EQ(SetNotice(kNotice, json::array{"transcription"}).status, 200);
  std::string token = IssueToken("eu_mine");

  // Another end user, a purpose the notice does not ask for, a purpose not
  // based on consent, none at all, or an account credential: refused.
  LETHE_EXPECT_PROBLEM(Answer(token, {{"decision", "opt_in"}, {"end_user", "eu_theirs"}}), 403,
                       "upload-token-scope");
  LETHE_EXPECT_PROBLEM(
      Answer(token, {{"decision", "opt_in"}, {"purposes", json::array{"analytics"}}}), 400,
      "purpose-not-in-notice");
  LETHE_EXPECT_PROBLEM(
      Answer(token, {{"decision", "opt_in"}, {"purposes", json::array{"service"}}}), 400,
      "purpose-not-in-notice");
  LETHE_EXPECT_PROBLEM(Answer(token, {{"decision", "opt_in"}, {"purposes", json::array{}}}), 400,
                       "purpose-not-in-notice");
  LETHE_EXPECT_PROBLEM(Answer(token, {{"decision", "maybe"}}), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Answer(tenant_.token(), {{"decision", "opt_in"}, {"end_user", "eu_mine"}}),
                       403, "upload-token-required");
  LETHE_EXPECT_PROBLEM(Answer("lut_not_a_token", {{"decision", "opt_in"}}), 401, "unauthenticated");
  EXPECT_EQ(Str(PurposeState("eu_theirs", "transcription"), "state"), "not_given");
  EXPECT_EQ(Str(PurposeState("eu_theirs", "analytics"), "state"), "not_given");
  EXPECT_EQ(Str(PurposeState("eu_mine", "transcription"), "state"), "not_given");
  EXPECT_EQ(Str(PurposeState("eu_mine", "analytics"), "state"), "not_given");

  // Its own end user, named or not: recorded with the policy version.
  Response yes = Answer(token, {{"decision", "opt_in"}, {"end_user", "eu_mine"}});
  ASSERT_EQ(yes.status, 201) << yes.Describe();
  json::array items = Arr(yes.Json(), "items");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Str(items[0], "purpose"), "transcription");
  EXPECT_EQ(Str(items[0], "source"), "recorder");
  Response policy = client_.Get("/v1/policy");
  EXPECT_EQ(items[0].at("policy_version"), policy.Json().at("version"));
  json::object state = PurposeState("eu_mine", "transcription");
  EXPECT_EQ(Str(state, "state"), "granted");
  EXPECT_EQ(Str(state, "source"), "recorder");
  EXPECT_EQ(state.at("policy_version"), policy.Json().at("version"));
  EXPECT_EQ(Str(PurposeState("eu_theirs", "transcription"), "state"), "not_given");

  // Withdrawn the same way; the token still adds its one media after both.
  Response no = Answer(token, {{"decision", "opt_out"}});
  ASSERT_EQ(no.status, 201) << no.Describe();
  EXPECT_EQ(Str(PurposeState("eu_mine", "transcription"), "state"), "refused");
  Response up = UploadBytes(client_, token, PatternBytes(4096, 7, FtypHeader()), "video/mp4");
  EXPECT_EQ(up.status, 201) << up.Describe();
  // Spent: the token records nothing more.
  LETHE_EXPECT_PROBLEM(Answer(token, {{"decision", "opt_in"}}), 401, "unauthenticated");
}

TEST_F(CaptureTest, ARevokedTokenRecordsNoConsentThroughTheUploadItStarted_SHR7) {
  ASSERT_EQ(SetNotice(kNotice, json::array{"transcription"}).status, 200);
  Response issued = client_.Post("/v1/upload-tokens",
                                 json::value(json::object{{"end_user", "eu_gone"}, {"uses", 3}}),
                                 BearerAuth(tenant_.token()));
  ASSERT_EQ(issued.status, 201) << issued.Describe();
  const std::string token = Str(issued.Json(), "token");
  // A tus upload started with it: the one thing a revoked token still opens.
  Response created = client_.Request("POST", "/v1/uploads", "",
                                     {{"Authorization", BearerHeader(token)},
                                      {"Tus-Resumable", "1.0.0"},
                                      {"Upload-Length", "4096"}});
  ASSERT_EQ(created.status, 201) << created.Describe();
  ASSERT_EQ(Answer(token, {{"decision", "opt_out"}}).status, 201) << "live, it records";
  ASSERT_EQ(
      client_.Delete("/v1/upload-tokens/" + Str(issued.Json(), "id"), BearerAuth(tenant_.token()))
          .status,
      204);
  LETHE_EXPECT_PROBLEM(Answer(token, {{"decision", "opt_in"}}), 401, "unauthenticated");
  EXPECT_EQ(Str(PurposeState("eu_gone", "transcription"), "state"), "refused");
}

TEST_F(CaptureTest, AnOptInAgainstTheRequestsOwnPrivacySignalIsRefused_SEC5) {
  ASSERT_EQ(SetNotice(kNotice, json::array{"transcription", "third_party_sharing"}).status, 200);
  const std::string token = IssueToken("eu_gpc");
  Headers gpc = BearerAuth(token);
  gpc["Sec-GPC"] = "1";
  auto answer = [&](json::object body) {
    return client_.Post("/v1/capture-consents", json::value(std::move(body)), gpc);
  };
  // Sharing is what the signal opts out of: not even with transcription.
  LETHE_EXPECT_PROBLEM(answer({{"decision", "opt_in"}}), 422, "privacy-signal-on");
  LETHE_EXPECT_PROBLEM(
      answer({{"decision", "opt_in"}, {"purposes", json::array{"third_party_sharing"}}}), 422,
      "privacy-signal-on");
  EXPECT_NE(Str(PurposeState("eu_gpc", "third_party_sharing"), "state"), "granted");
  // What it does not cover, and any opt-out, are recorded.
  Response yes = answer({{"decision", "opt_in"}, {"purposes", json::array{"transcription"}}});
  EXPECT_EQ(yes.status, 201) << yes.Describe();
  EXPECT_EQ(Str(PurposeState("eu_gpc", "transcription"), "state"), "granted");
  EXPECT_EQ(answer({{"decision", "opt_out"}}).status, 201);
}

// The files at /embed/, from a build directory of our own.
class EmbedFilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("lethe-embed-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "index.html") << "<!doctype html><title>examples</title>";
    std::ofstream(dir_ / "lethe-embeds.js") << "export const lethe = 1;\n";
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--embeds", dir_.string()});
  }
  static void TearDownTestSuite() {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
  }

  static std::filesystem::path dir_;
  static std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
};
std::filesystem::path EmbedFilesTest::dir_;
std::unique_ptr<ServerProcess> EmbedFilesTest::server_;

TEST_F(EmbedFilesTest, TheBundleLoadsFromAnyOriginAndIsRevalidated) {
  Response js = client_.Get("/embed/lethe-embeds.js", {{"Origin", "https://any.example"}});
  ASSERT_EQ(js.status, 200) << js.Describe();
  EXPECT_EQ(js.body, "export const lethe = 1;\n");
  EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(js.Header("cross-origin-resource-policy"), "cross-origin");
  EXPECT_EQ(js.Header("cache-control"), "no-cache");
  EXPECT_EQ(js.Header("x-content-type-options"), "nosniff");
  ASSERT_FALSE(js.Header("etag").empty());

  Response same = client_.Get("/embed/lethe-embeds.js", {{"If-None-Match", js.Header("etag")}});
  EXPECT_EQ(same.status, 304) << same.Describe();
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(same.Header("etag"), js.Header("etag"));
  Response head = client_.Request("HEAD", "/embed/lethe-embeds.js");
  EXPECT_EQ(head.status, 200);

  Response page = client_.Get("/embed/examples");
  ASSERT_EQ(page.status, 200) << page.Describe();
  EXPECT_EQ(page.body, "<!doctype html><title>examples</title>");
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.Header("cache-control"), "no-cache");

  // Only names the build holds: not its index.html by that name, nothing
  // outside it, and the errors are readable by other origins too.
  for (const std::string path : {"/embed/index.html", "/embed/missing.js", "/embed/..%2Fetc",
                                 "/embed/%2E%2E", "/embed/.hidden"}) {
    Response r = client_.Get(path);
    EXPECT_EQ(r.status, 404) << path << " " << r.Describe();
    EXPECT_EQ(r.Header("access-control-allow-origin"), "*") << path;
  }
}

}  // namespace
}  // namespace lethe::e2e
