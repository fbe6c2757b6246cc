// Usage events (USE-1) and the credential recorded with each data-plane
// request (ACC-2), plus filtering, pagination and isolation of GET /v1/usage.
#include <memory>
#include <set>
#include <thread>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }

class UsageTest : public SharedServerTest<UsageTest> {
 protected:
  void SetUp() override {
    SharedServerTest::SetUp();
    if (HasFatalFailure()) return;
    session_ = SignUp(client_, Unique("usage") + "@example.com");
    ASSERT_FALSE(session_.empty());
    account_ = CreateAccount(client_, session_, "Usage app", "eu");
    ASSERT_FALSE(account_.api_token.empty());
  }

  // A moment strictly between the requests made so far and those to come, so
  // that listing requests (which are usage events too) stay out of results.
  std::string Cutoff() {
    SleepMs(25);
    std::string t = Rfc3339Millis(system_clock::now());
    SleepMs(25);
    return t;
  }

  // Every event that `query` (e.g. "end_user=x&until=...") yields, following
  // next_cursor; each page must be at most `limit` long.
  std::vector<json::value> ListAll(const std::string& token, const std::string& query, int limit,
                                   std::vector<size_t>* page_sizes = nullptr) {
    std::vector<json::value> out;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      std::string path = "/v1/usage?" + query + "&limit=" + std::to_string(limit);
      if (!cursor.empty()) path += "&cursor=" + cursor;
      Response r = client_.Get(path, Auth(token));
      EXPECT_EQ(r.status, 200) << path << ": " << r.Describe();
      if (r.status != 200) break;
      json::value v = r.Json();
      const json::array& events = Arr(v, "events");
      EXPECT_LE(events.size(), static_cast<size_t>(limit));
      if (page_sizes) page_sizes->push_back(events.size());
      for (const auto& e : events) out.push_back(e);
      const json::value* next = Field(v, "next_cursor");
      EXPECT_NE(next, nullptr) << "next_cursor must be present (string or null): " << r.body;
      if (next == nullptr || next->is_null()) break;
      EXPECT_TRUE(next->is_string()) << r.body;
      if (!next->is_string()) break;
      cursor = std::string(next->as_string());
      EXPECT_FALSE(cursor.empty());
    }
    return out;
  }

  std::string session_;
  AccountInfo account_;
};

const json::value* FindByEndUser(const std::vector<json::value>& events, const std::string& who) {
  for (const auto& e : events) {
    const json::value* f = Field(e, "end_user");
    if (f != nullptr && f->is_string() && f->as_string() == who) return &e;
  }
  return nullptr;
}

TEST_F(UsageTest, EachRequestIsRecordedWithItsOrigin_USE1_ACC2) {
  KeyInfo key = CreateKey(client_, session_, account_.id);
  ASSERT_FALSE(key.secret.empty());
  const std::string u_query = Unique("eu-query"), u_header = Unique("eu-header"),
                    u_bot = Unique("eu-bot"), u_err = Unique("eu-err");

  // 1. API token, end user in the query, desktop Chrome, German.
  Response r1 = client_.Get("/v1/account?end_user=" + u_query,
                            {{"Authorization", BearerHeader(account_.api_token)},
                             {"User-Agent", kChromeWindowsUA},
                             {"Accept-Language", "de-DE,de;q=0.9,en;q=0.5"}});
  ASSERT_EQ(r1.status, 200) << r1.Describe();
  // 2. API key, end user in the header, iPhone Safari, US English.
  Response r2 = client_.Get("/v1/account", {{"Authorization", BasicHeader(key.key_id, key.secret)},
                                            {"Lethe-End-User", u_header},
                                            {"User-Agent", kSafariIphoneUA},
                                            {"Accept-Language", "en-US"}});
  ASSERT_EQ(r2.status, 200) << r2.Describe();
  // 3. A crawler.
  Response r3 = client_.Get("/v1/account", {{"Authorization", BearerHeader(account_.api_token)},
                                            {"Lethe-End-User", u_bot},
                                            {"User-Agent", kGooglebotUA}});
  ASSERT_EQ(r3.status, 200) << r3.Describe();
  // 4. A refused request is recorded too once the credential is known.
  Response r4 = client_.Get(
      "/v1/usage?limit=0&end_user=" + u_err,
      {{"Authorization", BearerHeader(account_.api_token)}, {"User-Agent", kFirefoxLinuxUA}});
  ASSERT_EQ(r4.status, 400) << r4.Describe();
  std::string until = Cutoff();

  std::vector<json::value> events = ListAll(account_.api_token, "until=" + until, 100);

  const json::value* e1 = FindByEndUser(events, u_query);
  ASSERT_NE(e1, nullptr) << "no event for end_user " << u_query;
  // USE-1: exactly the documented fields, nothing more (no raw headers).
  EXPECT_EQ(Keys(*e1), kUsageEventKeys) << json::serialize(*e1);
  EXPECT_EQ(Str(*e1, "id").rfind("evt_", 0), 0u);
  EXPECT_TRUE(ParseRfc3339(Str(*e1, "time")).has_value()) << json::serialize(*e1);
  EXPECT_EQ(Str(*e1, "account_id"), account_.id);
  EXPECT_EQ(Str(*e1, "credential_id"), account_.id) << "the account token's credential id";
  EXPECT_EQ(Str(*e1, "ip"), "127.0.0.1");
  EXPECT_EQ(Str(*e1, "device_type"), "desktop");
  EXPECT_EQ(Str(*e1, "browser"), "Chrome");
  EXPECT_EQ(Str(*e1, "browser_version").rfind("120", 0), 0u) << json::serialize(*e1);
  EXPECT_EQ(Str(*e1, "language"), "de-DE");
  EXPECT_EQ(Str(*e1, "method"), "GET");
  EXPECT_EQ(Str(*e1, "route"), "/v1/account");
  const json::value* st = Field(*e1, "status");
  ASSERT_NE(st, nullptr);
  EXPECT_TRUE(st->is_int64() && st->as_int64() == 200) << json::serialize(*e1);
  // ACC-3: the country is derived (here from the language's region).
  EXPECT_EQ(Str(*e1, "country"), "DE");

  const json::value* e2 = FindByEndUser(events, u_header);
  ASSERT_NE(e2, nullptr) << "no event for end_user " << u_header << " (Lethe-End-User header)";
  EXPECT_EQ(Str(*e2, "credential_id"), key.key_id);
  EXPECT_EQ(Str(*e2, "account_id"), account_.id);
  EXPECT_EQ(Str(*e2, "device_type"), "mobile");
  EXPECT_EQ(Str(*e2, "browser"), "Safari");
  EXPECT_EQ(Str(*e2, "browser_version"), "17.1");
  EXPECT_EQ(Str(*e2, "language"), "en-US");
  EXPECT_EQ(Str(*e2, "country"), "US");
  EXPECT_EQ(Str(*e2, "ip"), "127.0.0.1");

  const json::value* e3 = FindByEndUser(events, u_bot);
  ASSERT_NE(e3, nullptr) << "no event for end_user " << u_bot;
  EXPECT_EQ(Str(*e3, "device_type"), "bot");

  const json::value* e4 = FindByEndUser(events, u_err);
  ASSERT_NE(e4, nullptr) << "the refused request (400) was not recorded";
  EXPECT_EQ(Str(*e4, "route"), "/v1/usage");
  EXPECT_EQ(Str(*e4, "browser"), "Firefox");
  EXPECT_EQ(Str(*e4, "device_type"), "desktop");
  const json::value* st4 = Field(*e4, "status");
  ASSERT_NE(st4, nullptr);
  EXPECT_TRUE(st4->is_int64() && st4->as_int64() == 400) << json::serialize(*e4);

  // USE-1: only what is derived from the headers is kept, not the raw
  // User-Agent (contract of src/http/user_agent.h).
  EXPECT_TRUE(FilesContaining(server_->data_dir(), "Win64; x64) AppleWebKit").empty())
      << "raw User-Agent stored";
}

TEST_F(UsageTest, UnauthenticatedRequestsAreNotAttributed) {
  // No credential known: nothing to attribute, and a 401.
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/account?end_user=nobody", {{"Authorization", BearerHeader("not-a-token")}}),
      401, "unauthenticated");
  std::string until = Cutoff();
  std::vector<json::value> events = ListAll(account_.api_token, "until=" + until, 100);
  EXPECT_EQ(FindByEndUser(events, "nobody"), nullptr);
}

TEST_F(UsageTest, FilterByEndUserAndTime) {
  const std::string alice = Unique("alice"), bob = Unique("bob");
  auto hit = [&](const std::string& who) {
    Response r = client_.Get("/v1/account", {{"Authorization", BearerHeader(account_.api_token)},
                                             {"Lethe-End-User", who}});
    ASSERT_EQ(r.status, 200) << r.Describe();
  };
  std::string t0 = Cutoff();
  for (int i = 0; i < 3; ++i) hit(alice);
  for (int i = 0; i < 2; ++i) hit(bob);
  std::string t1 = Cutoff();
  for (int i = 0; i < 2; ++i) hit(alice);
  std::string t2 = Cutoff();

  auto count = [&](const std::string& query) {
    std::vector<json::value> ev = ListAll(account_.api_token, query, 100);
    return ev.size();
  };
  EXPECT_EQ(count("end_user=" + alice + "&until=" + t2), 5u);
  EXPECT_EQ(count("end_user=" + bob + "&until=" + t2), 2u);
  EXPECT_EQ(count("end_user=" + alice + "&since=" + t1 + "&until=" + t2), 2u);
  EXPECT_EQ(count("end_user=" + alice + "&since=" + t0 + "&until=" + t1), 3u);
  EXPECT_EQ(count("since=" + t0 + "&until=" + t1), 5u) << "both end users, first window";
  std::vector<json::value> bobs =
      ListAll(account_.api_token, "end_user=" + bob + "&until=" + t2, 100);
  for (const auto& e : bobs) EXPECT_EQ(Str(e, "end_user"), bob);
  std::vector<json::value> late = ListAll(account_.api_token, "since=" + t1 + "&until=" + t2, 100);
  auto lo = ParseRfc3339(t1), hi = ParseRfc3339(t2);
  for (const auto& e : late) {
    auto t = ParseRfc3339(Str(e, "time"));
    ASSERT_TRUE(t.has_value());
    EXPECT_GE(*t, *lo);
    EXPECT_LE(*t, *hi);
  }

  // Malformed query values are refused.
  for (const std::string& q :
       {std::string("since=yesterday"), std::string("until=2026-13-45"), std::string("limit=0"),
        std::string("limit=1001"), std::string("limit=ten"),
        std::string("cursor=%ff%fe-not-a-cursor")}) {
    Response r = client_.Get("/v1/usage?" + q, Auth(account_.api_token));
    EXPECT_EQ(r.status, 400) << q << ": " << r.Describe();
    EXPECT_TRUE(IsProblem(r, 400, "")) << q << ": " << r.Describe();
  }
  EXPECT_EQ(client_.Get("/v1/usage?limit=1000", Auth(account_.api_token)).status, 200);
  EXPECT_EQ(client_.Get("/v1/usage?limit=1", Auth(account_.api_token)).status, 200);
}

TEST_F(UsageTest, CursorPagination) {
  const std::string pager = Unique("pager");
  for (int i = 0; i < 25; ++i) {
    Response r = client_.Get("/v1/account?end_user=" + pager, Auth(account_.api_token));
    ASSERT_EQ(r.status, 200) << r.Describe();
  }
  std::string until = Cutoff();
  std::vector<size_t> sizes;
  std::vector<json::value> events =
      ListAll(account_.api_token, "end_user=" + pager + "&until=" + until, 10, &sizes);
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 5}));
  std::set<std::string> ids;
  for (const auto& e : events) {
    EXPECT_EQ(Str(e, "end_user"), pager);
    ids.insert(Str(e, "id"));
  }
  EXPECT_EQ(ids.size(), 25u) << "no duplicates across pages";
  EXPECT_EQ(events.size(), 25u);

  // The default limit (100) returns all 25 on one page with a null cursor.
  Response all =
      client_.Get("/v1/usage?end_user=" + pager + "&until=" + until, Auth(account_.api_token));
  ASSERT_EQ(all.status, 200);
  json::value v = all.Json();
  EXPECT_EQ(Arr(v, "events").size(), 25u);
  const json::value* next = Field(v, "next_cursor");
  EXPECT_TRUE(next != nullptr && next->is_null()) << all.body;
}

// USE-1: no request goes unrecorded when many arrive at once.
TEST_F(UsageTest, ConcurrentRequestsAreAllRecorded) {
  const std::string who = Unique("burst");
  constexpr int kThreads = 4, kEach = 10;
  std::vector<int> ok(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server_->base_url());
      for (int i = 0; i < kEach; ++i) {
        ok[t] += c.Get("/v1/account?end_user=" + who, Auth(account_.api_token)).status == 200;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(ok[t], kEach) << "thread " << t;
  std::string until = Cutoff();
  std::vector<json::value> events =
      ListAll(account_.api_token, "end_user=" + who + "&until=" + until, 1000);
  EXPECT_EQ(events.size(), static_cast<size_t>(kThreads * kEach));
  std::set<std::string> ids;
  for (const auto& e : events) ids.insert(Str(e, "id"));
  EXPECT_EQ(ids.size(), events.size()) << "event ids are unique";
}

// USE-1 / isolation: an account's credentials see only its own usage.
TEST_F(UsageTest, AccountsSeeOnlyTheirOwnUsage) {
  std::string session_b = SignUp(client_, Unique("other") + "@example.com");
  AccountInfo b = CreateAccount(client_, session_b, "Other app", "us");
  AccountInfo a2 = CreateAccount(client_, session_, "Sibling app", "us");  // same customer
  KeyInfo kb = CreateKey(client_, session_b, b.id);
  const std::string shared = Unique("shared-end-user");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client_.Get("/v1/account?end_user=" + shared, Auth(b.api_token)).status, 200);
    ASSERT_EQ(client_
                  .Get("/v1/account?end_user=" + shared,
                       {{"Authorization", BasicHeader(kb.key_id, kb.secret)}})
                  .status,
              200);
  }
  ASSERT_EQ(client_.Get("/v1/account?end_user=" + shared, Auth(a2.api_token)).status, 200);
  ASSERT_EQ(client_.Get("/v1/account?end_user=" + shared, Auth(account_.api_token)).status, 200);
  std::string until = Cutoff();

  std::vector<json::value> mine =
      ListAll(account_.api_token, "end_user=" + shared + "&until=" + until, 100);
  ASSERT_EQ(mine.size(), 1u) << "only A's own request";
  EXPECT_EQ(Str(mine[0], "account_id"), account_.id);

  std::vector<json::value> all = ListAll(account_.api_token, "until=" + until, 1000);
  for (const auto& e : all) {
    EXPECT_EQ(Str(e, "account_id"), account_.id);
    EXPECT_NE(Str(e, "credential_id"), kb.key_id);
  }
  std::vector<json::value> theirs =
      ListAll(b.api_token, "end_user=" + shared + "&until=" + until, 100);
  EXPECT_EQ(theirs.size(), 6u);
  for (const auto& e : theirs) EXPECT_EQ(Str(e, "account_id"), b.id);
}

}  // namespace
}  // namespace lethe::e2e
