// User agent: the coarse client description recorded on every usage event.
//
// Usage events (USE-1) carry a device type, browser, browser version,
// language and country so that customers can see who uses their media
// without the server keeping the raw User-Agent or Accept-Language strings,
// which are a fingerprinting aid. The parse is deliberately coarse: a small
// set of well-known products and a fixed vocabulary of device types.
//
// Both headers are untrusted and may be huge; only their first
// kMaxClientHeaderBytes are looked at, so the work is bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lethe {

constexpr size_t kMaxClientHeaderBytes = 1024;

struct ClientInfo {
  std::string device_type;      // "desktop", "mobile", "tablet", "bot" or "other"
  std::string browser;          // e.g. "Chrome", "Safari", "curl"; "other" if unknown
  std::string browser_version;  // the product's version token as sent, or ""
  std::string language;         // best Accept-Language tag, e.g. "en-US", or ""
  std::string country;          // the two-letter region of `language`, or ""

  bool operator==(const ClientInfo&) const = default;
};

// Derives a ClientInfo from the raw User-Agent and Accept-Language header
// values (either may be empty). Never fails: unrecognised input yields
// device_type "other", browser "other" and empty strings.
//
// browser is one of "Edge", "Opera", "Samsung Internet", "Chromium",
// "Chrome", "Firefox", "Safari", "curl", "Wget", "Lavf" (ffmpeg and ffprobe)
// or "other". device_type is "bot" for crawlers, command-line and library
// clients; "tablet" for iPads and Android without "Mobile"; "mobile" for
// phones; "desktop" for Windows, macOS, X11, Linux and ChromeOS running a
// known browser; "other" otherwise.
//
// language is the tag with the highest q-value (the first on ties), with the
// primary subtag lowercased and a region subtag uppercased ("en-US"); it is
// "" when the header is empty, malformed, or prefers "*".
ClientInfo ParseClient(std::string_view user_agent, std::string_view accept_language);

}  // namespace lethe
