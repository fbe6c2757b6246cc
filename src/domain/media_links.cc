#include "domain/media_links.h"

#include <sodium.h>

#include "common/encoding.h"
#include "crypto/secret_hash.h"

namespace lethe {

MediaLinks::MediaLinks(const Key& master, const Clock& clock) : clock_(clock) {
  static constexpr char kLabel[] = "lethe/media-links/v1";
  static_assert(crypto_auth_hmacsha256_BYTES == kKeyBytes);
  crypto_auth_hmacsha256(signing_key_.data(), reinterpret_cast<const unsigned char*>(kLabel),
                         sizeof kLabel - 1, master.data());
}

MediaLinks::~MediaLinks() { WipeKey(signing_key_); }

std::string MediaLinks::Sign(const std::string& account_id, const std::string& media_id,
                             int64_t expires_ms) const {
  std::string message = account_id + "\n" + media_id + "\n" + std::to_string(expires_ms);
  std::array<uint8_t, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), signing_key_.data());
  return Base64UrlEncode(mac);
}

MediaLink MediaLinks::Issue(const std::string& account_id, const std::string& media_id,
                            int64_t lifetime_ms) const {
  MediaLink link{account_id, media_id, clock_.NowMillis() + lifetime_ms, ""};
  link.signature = Sign(account_id, media_id, link.expires_ms);
  return link;
}

Status MediaLinks::Check(const MediaLink& link) const {
  std::string expected = Sign(link.account_id, link.media_id, link.expires_ms);
  if (!ConstantTimeEquals(expected, link.signature)) {
    return Status::Unauthenticated("the link signature is not valid");
  }
  if (link.expires_ms <= clock_.NowMillis()) {
    return Status::Unauthenticated("the link has expired");
  }
  return Status::Ok();
}

}  // namespace lethe
