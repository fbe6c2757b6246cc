// SHR-1, SHR-3: the transfer gate is the only way out. This test reads the
// source tree and fails when any file other than the gate and its adapter
// can reach the outbound HTTP client, or when a new way to open an
// outbound connection appears outside the files listed here with the
// reason each may.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace lethe {
namespace {

namespace fs = std::filesystem;

fs::path SourceRoot() {
  std::string file = __FILE__;
  return fs::path(file.substr(0, file.rfind("src/domain/")));
}

// Every C++ file under src/, by its path relative to the root.
std::map<std::string, std::string> Sources() {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(SourceRoot() / "src")) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    if (ext != ".cc" && ext != ".h") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    out[fs::relative(e.path(), SourceRoot()).string()] = text.str();
  }
  return out;
}

bool IsTest(const std::string& path) {
  return path.ends_with("_test.cc") || path.starts_with("src/testing/");
}

// The files of `sources` (tests apart unless `with_tests`) matching `pattern`.
std::set<std::string> Matching(const std::map<std::string, std::string>& sources,
                               const std::string& pattern, bool with_tests = false) {
  std::regex re(pattern);
  std::set<std::string> out;
  for (const auto& [path, text] : sources) {
    if (!with_tests && IsTest(path)) continue;
    if (std::regex_search(text, re)) out.insert(path);
  }
  return out;
}

TEST(TransferExits, OnlyTheGateAndItsAdapterReachTheOutboundClient_SHR1) {
  const auto sources = Sources();
  ASSERT_GT(sources.size(), 100u) << "the source tree was not found from " << __FILE__;
  // The port: named by the gate, the adapter and the gate's own test.
  EXPECT_EQ(Matching(sources, R"(#include "ports/outbound_http\.h")", true),
            (std::set<std::string>{"src/adapters/outbound/curl_outbound_http.h",
                                   "src/domain/transfers.h"}));
  // The type itself: nowhere else holds, takes or makes one.
  EXPECT_EQ(Matching(sources, R"(\bOutboundHttp\b)"),
            (std::set<std::string>{"src/adapters/outbound/curl_outbound_http.cc",
                                   "src/adapters/outbound/curl_outbound_http.h",
                                   "src/domain/transfers.h", "src/ports/outbound_http.h"}));
  // The adapter: made in one place, the wiring, straight into the gate.
  EXPECT_EQ(Matching(sources, R"(#include "adapters/outbound/curl_outbound_http\.h")", true),
            (std::set<std::string>{"src/adapters/outbound/curl_outbound_http.cc",
                                   "src/app/lethe_server.cc"}));
  const std::string& wiring = sources.at("src/app/lethe_server.cc");
  std::regex made(R"(MakeCurlOutboundHttp\(\))");
  EXPECT_EQ(std::distance(std::sregex_iterator(wiring.begin(), wiring.end(), made),
                          std::sregex_iterator()),
            1);
  EXPECT_TRUE(std::regex_search(
      wiring, std::regex(R"(make_unique<Transfers>\([^;]*MakeCurlOutboundHttp\(\)\);)")));
  // The gate keeps it private, with no accessor.
  const std::string& gate = sources.at("src/domain/transfers.h");
  EXPECT_EQ(gate.find("http_;"), gate.rfind("http_;"));
  EXPECT_TRUE(
      std::regex_search(gate, std::regex(R"( private:[^}]*unique_ptr<OutboundHttp> http_;)")));
  EXPECT_EQ(gate.find("OutboundHttp&"), std::string::npos);
  EXPECT_EQ(gate.find("OutboundHttp*"), std::string::npos);
}

TEST(TransferExits, NoOtherCodeOpensAnOutboundConnection_SHR3) {
  const auto sources = Sources();
  // libcurl: the gate's adapter; the operator's own infrastructure,
  // configured by the operator at start (the S3 blob store holds only
  // ciphertext; the SMTP relay carries the outbox; the SMS provider carries
  // one-time codes), which belongs in the
  // registry as "infrastructure" sub-processors when it is an outside
  // service (docs/policy-map.md, SHR-2); and `lethe backup create`, which
  // asks the server on this machine, over loopback, to make a backup.
  EXPECT_EQ(Matching(sources, R"(#include <curl/curl\.h>)"),
            (std::set<std::string>{
                "src/adapters/mail/smtp_mailer.cc", "src/adapters/outbound/curl_outbound_http.cc",
                "src/adapters/s3/s3_client.cc", "src/adapters/sms/http_sms_sender.cc",
                "src/app/ops_channel.cc"}));
  // Name resolution belongs to the gate's adapter (the SSRF guard judges
  // every address a host resolves to).
  EXPECT_EQ(Matching(sources, R"(getaddrinfo|tcp::resolver|async_resolve)"),
            (std::set<std::string>{"src/adapters/outbound/curl_outbound_http.cc"}));
  // Raw connects: only the tests' loopback client, which only tests include.
  EXPECT_EQ(Matching(sources, R"(::connect\(|async_connect|\.connect\()"),
            (std::set<std::string>{"src/http/loopback_client.h"}));
  for (const std::string& user : Matching(sources, R"(#include "http/loopback_client\.h")", true)) {
    EXPECT_TRUE(IsTest(user)) << user << " includes the test-only loopback client";
  }
}

}  // namespace
}  // namespace lethe
