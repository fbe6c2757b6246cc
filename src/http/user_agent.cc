#include "http/user_agent.h"

#include <array>
#include <optional>

namespace lethe {
namespace {

// Product versions longer than this are junk; cap what we store.
constexpr size_t kMaxVersionBytes = 64;

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

// RFC 9110 tchar: what a product version may be made of.
bool IsTokenChar(char c) {
  constexpr std::string_view kPunct = "!#$%&'*+-.^_`|~";
  return IsAlnum(c) || kPunct.find(c) != std::string_view::npos;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Finds "Name/" as a whole product (not the tail of "HeadlessChrome/") and
// returns the version token after the slash, or nullopt when absent.
std::optional<std::string_view> ProductVersion(std::string_view ua, std::string_view name) {
  size_t from = 0;
  while (true) {
    const size_t pos = ua.find(name, from);
    if (pos == std::string_view::npos) return std::nullopt;
    from = pos + 1;
    const size_t slash = pos + name.size();
    if (pos > 0 && IsAlnum(ua[pos - 1])) continue;
    if (slash >= ua.size() || ua[slash] != '/') continue;
    size_t end = slash + 1;
    while (end < ua.size() && IsTokenChar(ua[end]) && end - slash - 1 < kMaxVersionBytes) ++end;
    return ua.substr(slash + 1, end - slash - 1);
  }
}

struct Product {
  std::string_view token;    // as it appears before the '/'
  std::string_view browser;  // the name we record
};

// Order matters: Chromium derivatives also say "Chrome/" and every WebKit
// browser says "Safari/", so the more specific products come first.
constexpr std::array<Product, 16> kProducts = {{
    {"curl", "curl"},
    {"Wget", "Wget"},
    {"Lavf", "Lavf"},
    {"Edg", "Edge"},
    {"EdgA", "Edge"},
    {"EdgiOS", "Edge"},
    {"Edge", "Edge"},
    {"OPR", "Opera"},
    {"OPT", "Opera"},
    {"SamsungBrowser", "Samsung Internet"},
    {"Chromium", "Chromium"},
    {"Chrome", "Chrome"},
    {"CriOS", "Chrome"},
    {"Firefox", "Firefox"},
    {"FxiOS", "Firefox"},
    {"Version", "Safari"},  // Safari's own version; needs "Safari/" too
}};

// Lowercase substrings that mark automated clients. Lavf is libavformat's
// default User-Agent (ffmpeg, ffprobe, and players built on them).
constexpr std::array<std::string_view, 13> kBotMarkers = {
    "bot",  "spider",          "crawl",         "slurp",          "curl",    "wget",     "libcurl",
    "lavf", "python-requests", "python-urllib", "go-http-client", "ffprobe", "headless",
};

void ParseUserAgent(std::string_view ua, ClientInfo& out) {
  std::string lower(ua);
  for (char& c : lower) c = ToLower(c);

  out.browser = "other";
  for (const Product& p : kProducts) {
    const std::optional<std::string_view> version = ProductVersion(ua, p.token);
    if (!version) continue;
    if (p.browser == "Safari" && !ProductVersion(ua, "Safari")) continue;
    out.browser = std::string(p.browser);
    out.browser_version = std::string(*version);
    break;
  }

  bool bot = false;
  for (std::string_view marker : kBotMarkers) bot = bot || Contains(lower, marker);
  const bool android = Contains(ua, "Android");
  if (bot) {
    out.device_type = "bot";
  } else if (Contains(ua, "iPad") || Contains(ua, "Tablet") ||
             (android && !Contains(ua, "Mobile"))) {
    out.device_type = "tablet";
  } else if (Contains(ua, "iPhone") || Contains(ua, "iPod") || Contains(ua, "Mobile")) {
    out.device_type = "mobile";
  } else if (out.browser != "other" &&
             (Contains(ua, "Windows") || Contains(ua, "Macintosh") || Contains(ua, "X11") ||
              Contains(ua, "Linux") || Contains(ua, "CrOS"))) {
    out.device_type = "desktop";
  } else {
    out.device_type = "other";
  }
}

// Parses a q-value ("1", "0.8", "1.000") into thousandths; nullopt if bad.
std::optional<int> ParseQ(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return std::nullopt;
  int value = (q[0] - '0') * 1000;
  if (q.size() == 1) return value;
  if (q[1] != '.' || q.size() > 5) return std::nullopt;
  int scale = 100;
  for (char c : q.substr(2)) {
    if (!IsDigit(c)) return std::nullopt;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value <= 1000 ? std::optional<int>(value) : std::nullopt;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Validates a BCP 47 language range and normalises its case: "EN-us" ->
// "en-US", "zh-hant-tw" -> "zh-Hant-TW". Returns nullopt when malformed.
// Sets `region` to the first two-letter subtag after the primary one.
std::optional<std::string> NormalizeTag(std::string_view tag, std::string& region) {
  std::string out;
  size_t index = 0;
  while (true) {
    const size_t dash = tag.find('-');
    const std::string_view sub = tag.substr(0, dash);
    if (sub.empty() || sub.size() > 8) return std::nullopt;
    for (char c : sub) {
      if (index == 0 ? !IsAlpha(c) : !IsAlnum(c)) return std::nullopt;
    }
    if (index > 0) out += '-';
    for (size_t i = 0; i < sub.size(); ++i) {
      const bool upper =
          index > 0 && ((sub.size() == 2 && IsAlpha(sub[0])) || (sub.size() == 4 && i == 0));
      out += upper ? ToUpper(sub[i]) : ToLower(sub[i]);
    }
    if (index > 0 && region.empty() && sub.size() == 2 && IsAlpha(sub[0]) && IsAlpha(sub[1])) {
      region = out.substr(out.size() - 2);
    }
    if (dash == std::string_view::npos) return out;
    tag.remove_prefix(dash + 1);
    ++index;
  }
}

void ParseAcceptLanguage(std::string_view header, bool truncated, ClientInfo& out) {
  // A truncated header may end in half a tag; drop it rather than guess.
  if (truncated)
    header = header.substr(0, header.rfind(',') == std::string_view::npos ? 0 : header.rfind(','));
  int best_q = 0;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view entry = header.substr(0, comma);
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);

    const size_t semi = entry.find(';');
    const std::string_view tag = Trim(entry.substr(0, semi));
    std::optional<int> q = 1000;
    if (semi != std::string_view::npos) {
      const std::string_view param = Trim(entry.substr(semi + 1));
      if (param.size() < 2 || ToLower(param[0]) != 'q' || param[1] != '=') continue;
      q = ParseQ(Trim(param.substr(2)));
    }
    if (!q || *q <= best_q) continue;  // strictly greater: the first wins ties
    if (tag == "*") {
      best_q = *q;
      out.language.clear();
      out.country.clear();
      continue;
    }
    std::string region;
    std::optional<std::string> normalized = NormalizeTag(tag, region);
    if (!normalized) continue;
    best_q = *q;
    out.language = std::move(*normalized);
    out.country = std::move(region);
  }
}

}  // namespace

ClientInfo ParseClient(std::string_view user_agent, std::string_view accept_language) {
  ClientInfo out;
  ParseUserAgent(user_agent.substr(0, kMaxClientHeaderBytes), out);
  ParseAcceptLanguage(accept_language.substr(0, kMaxClientHeaderBytes),
                      accept_language.size() > kMaxClientHeaderBytes, out);
  return out;
}

}  // namespace lethe
