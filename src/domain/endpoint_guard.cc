#include "domain/endpoint_guard.h"

#include <arpa/inet.h>

#include <array>
#include <boost/url/parse.hpp>
#include <cstdint>
#include <cstring>

namespace lethe {
namespace {

constexpr size_t kMaxUrl = 2048;

bool IsLoopbackName(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

struct V4Range {
  uint32_t base;
  int bits;
};

// Every IPv4 range that is not public unicast (IANA special-purpose
// registry), loopback apart.
constexpr V4Range kBlockedV4[] = {
    {0x00000000, 8},   // "this" network
    {0x0A000000, 8},   // 10/8 private
    {0x64400000, 10},  // 100.64/10 shared (CGNAT)
    {0xA9FE0000, 16},  // 169.254/16 link-local, cloud metadata
    {0xAC100000, 12},  // 172.16/12 private
    {0xC0000000, 24},  // 192.0.0/24 protocol assignments
    {0xC0000200, 24},  // 192.0.2/24 documentation
    {0xC0A80000, 16},  // 192.168/16 private
    {0xC6120000, 15},  // 198.18/15 benchmarking
    {0xC6336400, 24},  // 198.51.100/24 documentation
    {0xCB007100, 24},  // 203.0.113/24 documentation
    {0xE0000000, 4},   // multicast
    {0xF0000000, 4},   // reserved, broadcast
};

bool V4Allowed(uint32_t a, bool loopback_host) {
  if ((a >> 24) == 127) return loopback_host;
  for (const V4Range& r : kBlockedV4) {
    uint32_t mask = r.bits == 0 ? 0 : ~uint32_t{0} << (32 - r.bits);
    if ((a & mask) == r.base) return false;
  }
  return true;
}

uint32_t V4At(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

bool V6Allowed(const std::array<uint8_t, 16>& b, bool loopback_host) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b.data(), kMapped, 12) == 0 || std::memcmp(b.data(), kNat64, 12) == 0) {
    return V4Allowed(V4At(b.data() + 12), loopback_host);
  }
  bool zero_prefix = std::all_of(b.begin(), b.begin() + 15, [](uint8_t x) { return x == 0; });
  if (zero_prefix && b[15] == 1) return loopback_host;      // ::1
  if (zero_prefix) return false;                            // ::, and IPv4-compatible forms
  if ((b[0] & 0xfe) == 0xfc) return false;                  // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;  // fec0::/10 site-local
  if (b[0] == 0xff) return false;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // docs
  if (b[0] == 0x01 && b[1] == 0x00 &&
      std::all_of(b.begin() + 2, b.begin() + 8, [](uint8_t x) { return x == 0; })) {
    return false;  // 100::/64 discard
  }
  return true;
}

}  // namespace

Result<Endpoint> ParseEndpoint(const std::string& url) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument("invalid-url", why); };
  if (url.empty() || url.size() > kMaxUrl) return bad("the URL must be 1 to 2048 bytes");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return bad("not an absolute URL");
  Endpoint e;
  e.url = url;
  e.scheme = parsed->scheme();
  if (e.scheme != "https" && e.scheme != "http") return bad("the URL must be http or https");
  if (parsed->has_userinfo()) return bad("the URL must not carry user info");
  e.host = parsed->host();
  if (e.host.size() >= 2 && e.host.front() == '[') e.host = e.host.substr(1, e.host.size() - 2);
  if (e.host.empty()) return bad("the URL has no host");
  for (char& c : e.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  e.loopback_host = IsLoopbackName(e.host);
  if (e.scheme == "http" && !e.loopback_host) {
    return Status::InvalidArgument("https-required",
                                   "the URL must be https (http only to 127.0.0.1 or localhost)");
  }
  return e;
}

bool AddressAllowed(const std::string& address, bool loopback_host) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return V4Allowed(ntohl(v4.s_addr), loopback_host);
  }
  std::array<uint8_t, 16> v6{};
  std::string text = address;
  if (size_t pct = text.find('%'); pct != std::string::npos) return false;  // scoped: link-local
  if (::inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) return V6Allowed(v6, loopback_host);
  return false;
}

}  // namespace lethe
