// Fuzzes ParseClient: no crash, and every field stays in its vocabulary or
// format whatever the headers say.
//
// Input: the User-Agent, '\n', then the Accept-Language.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/user_agent.h"

namespace {

bool OneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (v == a) return true;
  }
  return false;
}

bool IsTagChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view ua = input.substr(0, nl);
  const std::string_view lang = nl == std::string_view::npos ? "" : input.substr(nl + 1);

  const lethe::ClientInfo info = lethe::ParseClient(ua, lang);
  if (!OneOf(info.device_type, {"desktop", "mobile", "tablet", "bot", "other"})) abort();
  if (!OneOf(info.browser, {"Edge", "Opera", "Samsung Internet", "Chromium", "Chrome", "Firefox",
                            "Safari", "curl", "Wget", "Lavf", "other"})) {
    abort();
  }
  if (info.browser == "other" && !info.browser_version.empty()) abort();
  if (info.browser_version.size() > 64) abort();
  if (info.language.size() > lethe::kMaxClientHeaderBytes) abort();
  for (char c : info.language) {
    if (!IsTagChar(c)) abort();
  }
  if (!info.country.empty()) {
    if (info.country.size() != 2 || info.language.empty()) abort();
    for (char c : info.country) {
      if (c < 'A' || c > 'Z') abort();
    }
  }
  return 0;
}
