#include "http/user_agent.h"

#include <gtest/gtest.h>

#include <string>

namespace lethe {
namespace {

struct UaCase {
  std::string_view ua;
  std::string_view device_type;
  std::string_view browser;
  std::string_view version;
};

// Real User-Agent strings, as sent by the named clients.
const UaCase kUaCases[] = {
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.6099.71 Safari/537.36",
     "desktop", "Chrome", "120.0.6099.71"},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61",
     "desktop", "Edge", "120.0.2210.61"},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
     "desktop", "Opera", "105.0.0.0"},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chromium/119.0.6045.159 Chrome/119.0.6045.159 Safari/537.36",
     "desktop", "Chromium", "119.0.6045.159"},
    {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     "desktop", "Chrome", "120.0.0.0"},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Safari/605.1.15",
     "desktop", "Safari", "17.1"},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "desktop", "Firefox",
     "121.0"},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
     "mobile", "Safari", "17.1.2"},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) CriOS/120.0.6099.101 Mobile/15E148 Safari/604.1",
     "mobile", "Chrome", "120.0.6099.101"},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Mobile Safari/537.36",
     "mobile", "Chrome", "120.0.0.0"},
    {"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
     "mobile", "Samsung Internet", "23.0"},
    {"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "mobile", "Firefox",
     "121.0"},
    {"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/16.6 Mobile/15E148 Safari/604.1",
     "tablet", "Safari", "16.6"},
    {"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.6099.43 Safari/537.36",
     "tablet", "Chrome", "120.0.6099.43"},
    {"Mozilla/5.0 (Android 14; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0", "tablet", "Firefox",
     "121.0"},
    {"curl/8.1.2", "bot", "curl", "8.1.2"},
    {"Wget/1.21.3", "bot", "Wget", "1.21.3"},
    {"Lavf/59.27.100", "bot", "Lavf", "59.27.100"},
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot", "other",
     ""},
    {"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html)",
     "bot", "Chrome", "120.0.6099.71"},
    {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bot", "other", ""},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/120.0.6099.71 Safari/537.36",
     "bot", "other", ""},
    {"python-requests/2.31.0", "bot", "other", ""},
    {"Go-http-client/1.1", "bot", "other", ""},
    {"", "other", "other", ""},
    {"SomethingNew/1.0", "other", "other", ""},
    {"Mozilla/5.0 (Windows NT 10.0)", "other", "other", ""},  // an OS but no known browser
};

TEST(UserAgentParse, RealUserAgents) {
  for (const UaCase& c : kUaCases) {
    const ClientInfo info = ParseClient(c.ua, "");
    EXPECT_EQ(info.device_type, c.device_type) << c.ua;
    EXPECT_EQ(info.browser, c.browser) << c.ua;
    EXPECT_EQ(info.browser_version, c.version) << c.ua;
  }
}

TEST(UserAgentParse, VersionIsCapped) {
  const std::string ua = "curl/" + std::string(500, '1');
  EXPECT_EQ(ParseClient(ua, "").browser_version.size(), 64u);
}

TEST(UserAgentParse, OnlyTheFirstKibibyteCounts) {
  const std::string padding(kMaxClientHeaderBytes, 'x');
  const ClientInfo info = ParseClient(padding + " curl/8.1.2", "");
  EXPECT_EQ(info.browser, "other");
  EXPECT_EQ(info.device_type, "other");
}

struct LangCase {
  std::string_view header;
  std::string_view language;
  std::string_view country;
};

TEST(UserAgentLanguage, PicksTheBestTag) {
  const LangCase cases[] = {
      {"en-US,en;q=0.9", "en-US", "US"},
      {"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr-CH", "CH"},
      {"de;q=0.5, en-gb;q=0.8", "en-GB", "GB"},
      {"EN-us", "en-US", "US"},
      {"en", "en", ""},
      {"es-419", "es-419", ""},
      {"zh-hant-tw", "zh-Hant-TW", "TW"},
      {"da, en-gb;q=1, en;q=0.7", "da", ""},   // ties go to the first
      {"en;q=0, fr;q=0.1", "fr", ""},          // q=0 means "not acceptable"
      {"en;q=2, pt-BR;q=0.3", "pt-BR", "BR"},  // q out of range: entry ignored
      {"en;Q=0.500, nl-BE;q=0.6", "nl-BE", "BE"},
      {"*", "", ""},
      {"*;q=0.9, en;q=0.5", "", ""},
      {"", "", ""},
      {"!!!, ???", "", ""},
      {"en_US", "", ""},
      {"toolongprimary-US", "", ""},
      {"1en-US", "", ""},
      {"en-US;q", "", ""},
      {";;;,,,", "", ""},
  };
  for (const LangCase& c : cases) {
    const ClientInfo info = ParseClient("", c.header);
    EXPECT_EQ(info.language, c.language) << "'" << c.header << "'";
    EXPECT_EQ(info.country, c.country) << "'" << c.header << "'";
  }
}

TEST(UserAgentLanguage, OnlyTheFirstKibibyteCounts) {
  std::string header;
  while (header.size() < kMaxClientHeaderBytes) header += "xx;q=0.1, ";
  const ClientInfo info = ParseClient("", header + "fr-FR;q=1");
  EXPECT_EQ(info.language, "xx");
  // A tag cut in half by the limit is dropped rather than misread.
  std::string cut(kMaxClientHeaderBytes - 3, ' ');
  EXPECT_EQ(ParseClient("", cut + "de;q=0.1, pt-BR").language, "");
  EXPECT_EQ(ParseClient("", "en-US," + cut + "pt-BR").language, "en-US");
}

}  // namespace
}  // namespace lethe
