#include "domain/media_links.h"

#include "crypto/secret_hash.h"

namespace lethe {

MediaLinks::MediaLinks(const Key& master, const Clock& clock)
    : mac_(master, "lethe/media-links/v1"), clock_(clock) {}

std::string MediaLinks::Sign(const std::string& account_id, const std::string& media_id,
                             int64_t expires_ms) const {
  return mac_.Sign(account_id + "\n" + media_id + "\n" + std::to_string(expires_ms));
}

MediaLink MediaLinks::Issue(const std::string& account_id, const std::string& media_id,
                            int64_t lifetime_ms) const {
  MediaLink link{account_id, media_id, clock_.NowMillis() + lifetime_ms, ""};
  link.signature = Sign(account_id, media_id, link.expires_ms);
  return link;
}

Status MediaLinks::Check(const MediaLink& link) const {
  const std::string expected = Sign(link.account_id, link.media_id, link.expires_ms);
  if (!ConstantTimeEquals(expected, link.signature)) {
    return Status::Unauthenticated("the link signature is not valid");
  }
  if (link.expires_ms <= clock_.NowMillis()) {
    return Status::Unauthenticated("the link has expired");
  }
  return Status::Ok();
}

}  // namespace lethe
