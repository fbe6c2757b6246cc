// The privacy center's routes end to end (RGT-4, SEC-5, SHR-7), with a real
// server on the test clock, real HTTP and the outbox's mail files: a link
// the customer's backend mints opens one end user of one account, until it
// expires; tampered, foreign and expired links open nothing; GPC on a
// linked request is recorded as the end user's opt-out; requests filed
// with a link are attested, without one verified by a code mailed to the
// address given, and both land in the customer's list; an unknown account
// is a 404; filings without a link are rate-limited.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

class PrivacyCenterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartTestClockServer();
    ASSERT_TRUE(server_->ok());
    client_.set_base_url(server_->base_url());
    session_ = SignUpFull(client_, Unique("pc") + "@example.com").token;
    account_ = CreateAccount(client_, session_, "Acme Notes");
    ASSERT_FALSE(HasFailure());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }
  // A link for `end_user` of `account`, minted with its API token.
  std::string Link(const AccountInfo& account, const std::string& end_user,
                   int64_t lifetime_s = 0) {
    boost::json::object body{{"end_user", end_user}};
    if (lifetime_s) body["lifetime_seconds"] = lifetime_s;
    Response r = client_.Post("/v1/privacy-center/links", boost::json::value(body),
                              BearerAuth(account.api_token));
    EXPECT_EQ(r.status, 201) << r.Describe();
    std::string url = Str(r.Json(), "url");
    EXPECT_NE(url.find("/privacy/" + account.id + "#link="), std::string::npos) << url;
    return Str(r.Json(), "token");
  }
  static Headers WithLink(const std::string& token, Headers more = {}) {
    more["Authorization"] = "PrivacyLink " + token;
    return more;
  }
  std::string Base(const std::string& account_id) { return "/v1/privacy-center/" + account_id; }
  // The customer's view of the end user's purposes, by name -> state.
  std::map<std::string, std::string> CustomerSees(const std::string& end_user,
                                                  std::map<std::string, std::string>* sources) {
    Response r = client_.Get("/v1/consents?account_id=" + account_.id + "&end_user=" + end_user,
                             BearerAuth(session_));
    EXPECT_EQ(r.status, 200) << r.Describe();
    std::map<std::string, std::string> states;
    for (const auto& p : Arr(r.Json(), "purposes")) {
      states[Str(p, "purpose")] = Str(p, "state");
      if (sources && p.as_object().at("source").is_string()) {
        (*sources)[Str(p, "purpose")] = Str(p, "source");
      }
    }
    return states;
  }
  // The customer's request `id` from its list, or null.
  std::optional<boost::json::object> Listed(const std::string& id) {
    Response r = client_.Get("/v1/privacy-requests", BearerAuth(session_));
    EXPECT_EQ(r.status, 200) << r.Describe();
    for (const auto& item : Arr(r.Json(), "items")) {
      if (Str(item, "id") == id) return item.as_object();
    }
    return std::nullopt;
  }
  // The code mailed to `to` about request `id`; waits for the outbox.
  std::string MailedCode(const std::string& to, const std::string& id) {
    std::regex pattern("code: ([0-9]{8})");
    for (int i = 0; i < 100; ++i) {
      for (const std::string& file : FilesContaining(server_->data_dir() + "/outbox-mail", id)) {
        std::string text = ReadFileBytes(file);
        std::smatch m;
        if (file.ends_with(".eml") && text.find(to) != std::string::npos &&
            std::regex_search(text, m, pattern)) {
          return m[1];
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  std::string session_;
  AccountInfo account_;
};

TEST_F(PrivacyCenterTest, TheFaceNamesTheAccountAndAnUnknownOneIsNotFound_RGT4) {
  Response face = client_.Get(Base(account_.id));
  ASSERT_EQ(face.status, 200) << face.Describe();
  EXPECT_EQ(Str(face.Json().at("account"), "name"), "Acme Notes");
  EXPECT_EQ(Str(face.Json().at("account"), "id"), account_.id);
  EXPECT_TRUE(face.Json().at("signal").is_null());
  EXPECT_EQ(Str(client_.Get(Base(account_.id), {{"Sec-GPC", "1"}}).Json(), "signal"), "gpc");
  LETHE_EXPECT_PROBLEM(client_.Get(Base("acc_doesnotexist")), 404, "not-found");
  LETHE_EXPECT_PROBLEM(
      client_.Post(Base("acc_doesnotexist") + "/requests",
                   boost::json::value(
                       {{"type", "access"}, {"jurisdiction", "gdpr"}, {"email", "x@example.com"}})),
      404, "not-found");
}

TEST_F(PrivacyCenterTest, ALinkOpensItsEndUsersConsentsAndRecordsTheirChoice_SHR7) {
  std::string token = Link(account_, "user-42");
  Response mine = client_.Get(Base(account_.id) + "/consents", WithLink(token));
  ASSERT_EQ(mine.status, 200) << mine.Describe();
  EXPECT_EQ(Str(mine.Json(), "end_user"), "user-42");
  EXPECT_FALSE(Arr(mine.Json(), "purposes").empty());
  Response chose = client_.Post(
      Base(account_.id) + "/consents",
      boost::json::value({{"purpose", "marketing"}, {"decision", "opt_in"}}), WithLink(token));
  ASSERT_EQ(chose.status, 201) << chose.Describe();
  EXPECT_EQ(CustomerSees("user-42", nullptr)["marketing"], "granted");
  // Nothing without the link, nothing with a bad one.
  LETHE_EXPECT_PROBLEM(client_.Get(Base(account_.id) + "/consents"), 401, "unauthenticated");
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  LETHE_EXPECT_PROBLEM(client_.Get(Base(account_.id) + "/consents", WithLink(tampered)), 401,
                       "link-invalid");
  LETHE_EXPECT_PROBLEM(
      client_.Post(Base(account_.id) + "/consents",
                   boost::json::value({{"purpose", "marketing"}, {"decision", "opt_out"}}),
                   WithLink(tampered)),
      401, "link-invalid");
  EXPECT_EQ(CustomerSees("user-42", nullptr)["marketing"], "granted");
  // Minting takes the account's credential.
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/privacy-center/links", boost::json::value({{"end_user", "user-42"}})), 401,
      "");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/privacy-center/links",
                   boost::json::value({{"end_user", "u"}, {"lifetime_seconds", 999999}}),
                   BearerAuth(account_.api_token)),
      400, "invalid-field");
  // So is one whose milliseconds would not fit in 64 bits.
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/privacy-center/links",
                                    boost::json::value({{"end_user", "u"},
                                                        {"lifetime_seconds", 100000000000000000}}),
                                    BearerAuth(account_.api_token)),
                       400, "invalid-field");
}

TEST_F(PrivacyCenterTest, AnotherAccountsLinkOpensNothingHere) {
  AccountInfo other = CreateAccount(client_, session_, "Other");
  std::string theirs = Link(other, "user-42");
  LETHE_EXPECT_PROBLEM(client_.Get(Base(account_.id) + "/consents", WithLink(theirs)), 404,
                       "not-found");
  LETHE_EXPECT_PROBLEM(
      client_.Post(Base(account_.id) + "/requests",
                   boost::json::value({{"type", "erasure"}, {"jurisdiction", "gdpr"}}),
                   WithLink(theirs)),
      404, "not-found");
  Response list = client_.Get("/v1/privacy-requests", BearerAuth(session_));
  EXPECT_TRUE(Arr(list.Json(), "items").empty()) << list.Describe();
}

TEST_F(PrivacyCenterTest, ALinkStopsWorkingWhenItExpires) {
  std::string token = Link(account_, "user-7", 60);
  EXPECT_EQ(client_.Get(Base(account_.id) + "/consents", WithLink(token)).status, 200);
  ASSERT_TRUE(AdvanceClock(*server_, 61));
  LETHE_EXPECT_PROBLEM(client_.Get(Base(account_.id) + "/consents", WithLink(token)), 401,
                       "link-expired");
}

TEST_F(PrivacyCenterTest, GpcOnALinkedVisitIsRecordedAsTheEndUsersOptOut_SEC5) {
  std::string token = Link(account_, "user-gpc");
  Response first =
      client_.Get(Base(account_.id) + "/consents", WithLink(token, {{"Sec-GPC", "1"}}));
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(Str(first.Json(), "signal"), "gpc");
  EXPECT_EQ(first.Json().at("signal_recorded").as_int64(), 2);
  std::map<std::string, std::string> sources;
  std::map<std::string, std::string> states = CustomerSees("user-gpc", &sources);
  EXPECT_EQ(states["third_party_sharing"], "refused");
  EXPECT_EQ(states["analytics"], "refused");
  EXPECT_EQ(sources["analytics"], "gpc");
  // An opt-in sent with the signal contradicts it: refused, nothing recorded.
  LETHE_EXPECT_PROBLEM(
      client_.Post(Base(account_.id) + "/consents",
                   boost::json::value({{"purpose", "analytics"}, {"decision", "opt_in"}}),
                   WithLink(token, {{"Sec-GPC", "1"}})),
      422, "privacy-signal-on");
  EXPECT_EQ(CustomerSees("user-gpc", nullptr)["analytics"], "refused");
  EXPECT_EQ(client_
                .Post(Base(account_.id) + "/consents",
                      boost::json::value({{"purpose", "marketing"}, {"decision", "opt_in"}}),
                      WithLink(token, {{"Sec-GPC", "1"}}))
                .status,
            201)
      << "a purpose the signal does not cover stays the person's choice";
  // Once per signal: a second visit adds nothing.
  Response again =
      client_.Get(Base(account_.id) + "/consents", WithLink(token, {{"Sec-GPC", "1"}}));
  EXPECT_EQ(again.Json().at("signal_recorded").as_int64(), 0);
}

TEST_F(PrivacyCenterTest, ALinkedRequestIsAttestedAndTheCustomerListsIt_RGT4) {
  std::string token = Link(account_, "user-9");
  Response r = client_.Post(Base(account_.id) + "/requests",
                            boost::json::value({{"type", "erasure"}, {"jurisdiction", "gdpr"}}),
                            WithLink(token));
  ASSERT_EQ(r.status, 201) << r.Describe();
  EXPECT_EQ(Str(r.Json(), "state"), "verified");
  std::optional<boost::json::object> listed = Listed(Str(r.Json(), "id"));
  ASSERT_TRUE(listed);
  EXPECT_EQ(Str(listed->at("subject"), "kind"), "end_user");
  EXPECT_EQ(Str(listed->at("subject"), "account_id"), account_.id);
  EXPECT_EQ(Str(listed->at("subject"), "end_user"), "user-9");
}

TEST_F(PrivacyCenterTest, AnUnlinkedRequestIsVerifiedByTheCodeMailedToTheAddressGiven_RGT2) {
  const std::string email = Unique("enduser") + "@example.org";
  Response r = client_.Post(
      Base(account_.id) + "/requests",
      boost::json::value({{"type", "access"}, {"jurisdiction", "ccpa"}, {"email", email}}));
  ASSERT_EQ(r.status, 201) << r.Describe();
  const std::string id = Str(r.Json(), "id");
  EXPECT_EQ(Str(r.Json(), "state"), "identity_unverified");
  std::string code = MailedCode(email, id);
  ASSERT_EQ(code.size(), 8u);
  // The customer sees it waiting, about an end user of this account.
  std::optional<boost::json::object> listed = Listed(id);
  ASSERT_TRUE(listed);
  EXPECT_EQ(Str(*listed, "state"), "identity_unverified");
  EXPECT_EQ(Str(listed->at("subject"), "end_user"), email);
  EXPECT_EQ(Str(listed->at("subject"), "account_id"), account_.id);
  // Another account's page cannot verify it; a wrong code counts.
  AccountInfo other = CreateAccount(client_, session_, "Other");
  LETHE_EXPECT_PROBLEM(client_.Post(Base(other.id) + "/requests/" + id + "/verify",
                                    boost::json::value({{"code", code}})),
                       404, "not-found");
  std::string wrong = code == "00000000" ? "11111111" : "00000000";
  LETHE_EXPECT_PROBLEM(client_.Post(Base(account_.id) + "/requests/" + id + "/verify",
                                    boost::json::value({{"code", wrong}})),
                       422, "code-invalid");
  Response ok = client_.Post(Base(account_.id) + "/requests/" + id + "/verify",
                             boost::json::value({{"code", code}}));
  ASSERT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(Str(ok.Json(), "state"), "verified");
  EXPECT_EQ(Str(*Listed(id), "state"), "verified");
  // Used once.
  EXPECT_EQ(client_
                .Post(Base(account_.id) + "/requests/" + id + "/verify",
                      boost::json::value({{"code", code}}))
                .status,
            412);
}

TEST_F(PrivacyCenterTest, UnlinkedFilingsAreRateLimitedPerAddress) {
  const std::string email = Unique("flood") + "@example.org";
  boost::json::value body{{"type", "access"}, {"jurisdiction", "gdpr"}, {"email", email}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client_.Post(Base(account_.id) + "/requests", body).status, 201) << i;
  }
  Response blocked = client_.Post(Base(account_.id) + "/requests", body);
  LETHE_EXPECT_PROBLEM(blocked, 429, "too-many-attempts");
  // A malformed address files nothing.
  LETHE_EXPECT_PROBLEM(client_.Post(Base(account_.id) + "/requests",
                                    boost::json::value({{"type", "access"},
                                                        {"jurisdiction", "gdpr"},
                                                        {"email", "not an address"}})),
                       400, "invalid-field");
}

}  // namespace
}  // namespace lethe::e2e
