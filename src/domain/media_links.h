// MediaLinks: short-lived signed links to one media object's content, so a
// player (<video>, ffprobe, ffmpeg) can fetch it without any credential in
// the URL. A link names the account, the media and an expiry time, and
// carries an HMAC-SHA256 over all three under a key derived from the master
// key; it grants reading that one object until it expires, nothing else.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "crypto/key_wrap.h"
#include "crypto/link_mac.h"
#include "ports/clock.h"

namespace lethe {

inline constexpr int64_t kDefaultLinkLifetimeMs = 15 * 60 * 1000;
inline constexpr int64_t kMaxLinkLifetimeMs = 24 * 3600 * 1000;

struct MediaLink {
  std::string account_id;
  std::string media_id;
  int64_t expires_ms = 0;
  std::string signature;  // base64url
};

class MediaLinks {
 public:
  // Derives the signing key from `master`; keeps no copy of `master`.
  MediaLinks(const Key& master, const Clock& clock);

  // A link valid for `lifetime_ms` from now.
  MediaLink Issue(const std::string& account_id, const std::string& media_id,
                  int64_t lifetime_ms) const;

  // OK when `link` was issued here and has not expired; Unauthenticated
  // otherwise. The signature is checked in constant time.
  Status Check(const MediaLink& link) const;

 private:
  std::string Sign(const std::string& account_id, const std::string& media_id,
                   int64_t expires_ms) const;

  LinkMac mac_;
  const Clock& clock_;
};

}  // namespace lethe
