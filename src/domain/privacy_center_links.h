// PrivacyCenterLinks (RGT-4, SHR-7): short-lived signed links that open
// the privacy center (/privacy/{account}) for one end user of one account.
// End users are not Lethe users: the customer's backend, which knows who
// is signed in to its app, asks for a link (POST /v1/privacy-center/links)
// and hands it to that end user. The link is the customer's attestation
// of the end user's identity, bounded in time.
//
// A link token is "<payload>.<mac>", both base64url: the payload is the
// account id, the end-user reference and the expiry (ms), joined by '\n';
// the mac is HMAC-SHA256 over the payload under a key derived from the
// master key with a label of its own (no media link or other token can
// pass for one). The token travels in the URL's fragment, which browsers
// never send to a server nor put in a Referer.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "crypto/key_wrap.h"
#include "crypto/link_mac.h"
#include "ports/clock.h"

namespace lethe {

inline constexpr int64_t kDefaultPrivacyLinkLifetimeMs = 60 * 60 * 1000;
inline constexpr int64_t kMaxPrivacyLinkLifetimeMs = 24 * 3600 * 1000;

struct PrivacyCenterLink {
  std::string account_id;
  std::string end_user;
  int64_t expires_ms = 0;
};

class PrivacyCenterLinks {
 public:
  // Derives the signing key from `master`; keeps no copy of `master`.
  PrivacyCenterLinks(const Key& master, const Clock& clock);
  PrivacyCenterLinks(const PrivacyCenterLinks&) = delete;
  PrivacyCenterLinks& operator=(const PrivacyCenterLinks&) = delete;

  // A token for `end_user` of `account_id`, valid for `lifetime_ms` from
  // now. The caller has checked the end user (UTF-8, 1..256 bytes).
  std::string Issue(const std::string& account_id, const std::string& end_user, int64_t lifetime_ms,
                    PrivacyCenterLink* issued = nullptr) const;

  // The link `token` carries, when it was issued here and has not expired.
  // Unauthenticated("link-invalid") for a token that is malformed or whose
  // signature does not match (checked in constant time);
  // Unauthenticated("link-expired") once it has expired.
  Result<PrivacyCenterLink> Open(const std::string& token) const;

 private:
  LinkMac mac_;
  const Clock& clock_;
};

}  // namespace lethe
