#include "domain/privacy_center_links.h"

#include <charconv>

#include "common/encoding.h"

namespace lethe {

PrivacyCenterLinks::PrivacyCenterLinks(const Key& master, const Clock& clock)
    : mac_(master, "lethe/privacy-center-links/v1"), clock_(clock) {}

std::string PrivacyCenterLinks::Issue(const std::string& account_id, const std::string& end_user,
                                      int64_t lifetime_ms, PrivacyCenterLink* issued) const {
  PrivacyCenterLink link{account_id, end_user, clock_.NowMillis() + lifetime_ms};
  if (issued) *issued = link;
  std::string payload = account_id + "\n" + end_user + "\n" + std::to_string(link.expires_ms);
  return Base64UrlEncode(std::string_view(payload)) + "." + mac_.Sign(payload);
}

Result<PrivacyCenterLink> PrivacyCenterLinks::Open(const std::string& token) const {
  const Status invalid(Status::Code::kUnauthenticated, "link-invalid",
                       "the privacy center link is not valid");
  size_t dot = token.find('.');
  if (dot == std::string::npos || token.size() > 2048) return invalid;
  auto bytes = Base64UrlDecode(std::string_view(token).substr(0, dot));
  if (!bytes) return invalid;
  std::string payload(bytes->begin(), bytes->end());
  if (!mac_.Verify(payload, std::string_view(token).substr(dot + 1))) return invalid;
  // Signed by us, so well-formed; parsed defensively all the same.
  size_t first = payload.find('\n');
  size_t last = payload.rfind('\n');
  if (first == std::string::npos || first == last) return invalid;
  PrivacyCenterLink link;
  link.account_id = payload.substr(0, first);
  link.end_user = payload.substr(first + 1, last - first - 1);
  const char* begin = payload.data() + last + 1;
  const char* end = payload.data() + payload.size();
  auto [ptr, ec] = std::from_chars(begin, end, link.expires_ms);
  if (ec != std::errc() || ptr != end) return invalid;
  if (link.expires_ms <= clock_.NowMillis()) {
    return Status(Status::Code::kUnauthenticated, "link-expired",
                  "the privacy center link has expired: open the privacy center again from the "
                  "app");
  }
  return link;
}

}  // namespace lethe
