// SHR-6: k-anonymous aggregates end to end. Crafted traffic, over two days
// of a test-clock server: twelve people from the US on Chrome, ten from
// Germany on Firefox, and one person from Iceland on Firefox, who makes
// more requests than anyone. Every response (each day alone and both
// together, every dimension, the totals) is checked against the ground
// truth: each published count, the pooled "other" count and every
// difference of two counts of one dimension is made of k people or more,
// the dimensions and days add up to the same total, and the two-day range
// is exactly the sum of its days. Iceland never appears.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

constexpr int kK = 10;

// Who made requests on a day, as the test made them.
struct Visit {
  std::string person, country, browser;
  int requests;
};

class AggregatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartTestClockServer();
    ASSERT_TRUE(server_->ok());
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "aggregates");
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  void Make(const std::vector<Visit>& visits) {
    for (const Visit& v : visits) {
      for (int i = 0; i < v.requests; ++i) {
        Headers h = BearerAuth(tenant_.token());
        h["Accept-Language"] = v.country == "US" ? "en-US" : v.country == "DE" ? "de-DE" : "is-IS";
        h["User-Agent"] = v.browser == "Chrome" ? kChromeWindowsUA : kFirefoxLinuxUA;
        Response r = client_.Get("/v1/account?end_user=" + v.person, h);
        ASSERT_EQ(r.status, 200) << r.Describe();
      }
    }
  }

  boost::json::value Aggregates(const std::string& query) {
    Response r = client_.Get("/v1/accounts/" + tenant_.account.id + "/aggregates?" + query,
                             BearerAuth(tenant_.session));
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.body.find("IS"), std::string::npos) << "Iceland is never named: " << r.body;
    return r.Json();
  }

  static std::map<std::string, int64_t> Cells(const boost::json::value& dim) {
    std::map<std::string, int64_t> out;
    for (const auto& c : dim.at("cells").as_array()) {
      out[std::string(c.at("value").as_string())] = c.at("events").as_int64();
    }
    return out;
  }

  // One day's response against that day's visits: every part of each
  // dimension (a published cell, or the pooled rest) holds k people; the
  // dimensions add up to the total. Any difference of two counts of one
  // dimension is a union of such parts, so it holds k people as well.
  void ExpectKAnonymous(const boost::json::value& a, const std::vector<Visit>& visits) {
    const int64_t total = a.at("events").as_int64();
    for (const char* name : {"by_country", "by_browser"}) {
      const bool country = std::string(name) == "by_country";
      auto published = Cells(a.at(name));
      std::map<std::string, std::set<std::string>> people;
      std::set<std::string> pooled;
      int64_t pooled_events = 0, sum = 0;
      for (const Visit& v : visits) {
        const std::string& value = country ? v.country : v.browser;
        if (published.contains(value)) {
          people[value].insert(v.person);
        } else {
          pooled.insert(v.person);
          pooled_events += v.requests;
        }
      }
      for (const auto& [value, events] : published) {
        EXPECT_GE(people[value].size(), static_cast<size_t>(kK)) << name << " " << value;
        sum += events;
      }
      EXPECT_EQ(a.at(name).at("other").as_int64(), pooled_events) << name;
      if (pooled_events > 0) EXPECT_GE(pooled.size(), static_cast<size_t>(kK)) << name;
      EXPECT_EQ(sum + pooled_events, total) << name << " adds up to the total";
    }
    int64_t days = 0;
    for (const auto& d : a.at("by_day").as_array()) days += d.at("events").as_int64();
    EXPECT_EQ(days, total);
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

TEST_F(AggregatesTest, NoGroupSmallerThanKCanBeReadOrDerived_SHR6) {
  std::vector<Visit> day1, day2;
  for (int i = 0; i < 12; ++i) day1.push_back({"us-" + std::to_string(i), "US", "Chrome", 2});
  for (int i = 0; i < 10; ++i) day1.push_back({"de-" + std::to_string(i), "DE", "Firefox", 1});
  day1.push_back({"the-icelander", "IS", "Firefox", 3});
  for (int i = 0; i < 12; ++i) day2.push_back({"us-" + std::to_string(i), "US", "Chrome", 1});
  day2.push_back({"the-icelander", "IS", "Firefox", 1});
  const std::string first = TodayUtc();
  Make(day1);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(AdvanceClock(*server_, 86'400));
  Make(day2);
  ASSERT_FALSE(HasFatalFailure());
  boost::json::value one = Aggregates("from=" + first + "&to=" + first);
  ASSERT_FALSE(one.is_null());
  const std::string second =
      std::string(Aggregates("").at("to").as_string());  // the server's today, a day on
  ASSERT_NE(second, first);
  boost::json::value two = Aggregates("from=" + second + "&to=" + second);
  boost::json::value both = Aggregates("from=" + first + "&to=" + second);

  // Day 1: the one Icelander alone would be a group of 1; pooled with
  // Germany (10 people), "other" is 11 people, and total minus the US is
  // that same part. Browsers: Chrome 12 people, Firefox 11.
  EXPECT_EQ(one.at("events").as_int64(), 37);
  EXPECT_EQ(Cells(one.at("by_country")), (std::map<std::string, int64_t>{{"US", 24}}));
  EXPECT_EQ(one.at("by_country").at("other").as_int64(), 13);
  EXPECT_EQ(Cells(one.at("by_browser")),
            (std::map<std::string, int64_t>{{"Chrome", 24}, {"Firefox", 13}}));
  ExpectKAnonymous(one, day1);
  // Day 2: only the US is big enough, and it would give the Icelander away
  // as the total minus the US: both are pooled (complementary suppression).
  EXPECT_EQ(two.at("events").as_int64(), 13);
  EXPECT_TRUE(Cells(two.at("by_country")).empty());
  EXPECT_TRUE(Cells(two.at("by_browser")).empty());
  ExpectKAnonymous(two, day2);

  // Overlapping ranges: the two days together are exactly their sum, so
  // subtracting one range from another yields a published day, never a
  // suppressed cell.
  EXPECT_EQ(both.at("events").as_int64(), 50);
  for (const char* dim : {"by_country", "by_browser"}) {
    std::map<std::string, int64_t> sum = Cells(one.at(dim));
    for (const auto& [v, n] : Cells(two.at(dim))) sum[v] += n;
    EXPECT_EQ(Cells(both.at(dim)), sum) << dim;
    EXPECT_EQ(both.at(dim).at("other").as_int64(),
              one.at(dim).at("other").as_int64() + two.at(dim).at("other").as_int64());
  }
  ASSERT_EQ(both.at("by_day").as_array().size(), 2u);

  // A smaller k (the caller's choice) still pools the Icelander.
  boost::json::value k2 = Aggregates("k=2&from=" + first + "&to=" + first);
  EXPECT_EQ(Cells(k2.at("by_country")),
            (std::map<std::string, int64_t>{{"US", 24}}));  // DE (10) joins the Icelander
  // Dimensions select what is shown.
  boost::json::value only = Aggregates("dimensions=day&from=" + first + "&to=" + second);
  EXPECT_FALSE(only.as_object().contains("by_country"));
  EXPECT_EQ(only.at("by_day").as_array().size(), 2u);

  // The crafted traffic was recorded as meant: the Icelander's four
  // requests are in the raw events (a last request of the test: it counts).
  Response raw = client_.Get("/v1/usage?limit=1000", BearerAuth(tenant_.token()));
  ASSERT_EQ(raw.status, 200) << raw.Describe();
  int icelandic = 0;
  for (const auto& e : Arr(raw.Json(), "events")) icelandic += Str(e, "country") == "IS";
  EXPECT_EQ(icelandic, 4);
}

TEST_F(AggregatesTest, BadInputAndAnotherTenantsAccountAreRefused_SHR6) {
  const std::string path = "/v1/accounts/" + tenant_.account.id + "/aggregates";
  for (const char* bad :
       {"?k=1", "?k=0", "?k=-3", "?k=ten", "?from=2026-13-01", "?from=2026-03-02&to=2026-03-01",
        "?from=2020-01-01&to=2026-01-01", "?dimensions=country,city"}) {
    LETHE_EXPECT_PROBLEM(client_.Get(path + bad, BearerAuth(tenant_.session)), 400,
                         "invalid-field");
  }
  std::string stranger = SignUp(client_, Unique("stranger") + "@example.com");
  LETHE_EXPECT_PROBLEM(client_.Get(path, BearerAuth(stranger)), 404, "not-found");
  LETHE_EXPECT_PROBLEM(client_.Get(path, BearerAuth(tenant_.token())), 401, "");
}

}  // namespace
}  // namespace lethe::e2e
