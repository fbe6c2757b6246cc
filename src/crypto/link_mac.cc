#include "crypto/link_mac.h"

#include <sodium.h>

#include <array>

#include "common/encoding.h"
#include "crypto/secret_hash.h"

namespace lethe {

LinkMac::LinkMac(const Key& master, std::string_view label) {
  static_assert(crypto_auth_hmacsha256_BYTES == kKeyBytes);
  crypto_auth_hmacsha256(key_.data(), reinterpret_cast<const unsigned char*>(label.data()),
                         label.size(), master.data());
}

LinkMac::~LinkMac() { WipeKey(key_); }

std::string LinkMac::Sign(std::string_view message) const {
  std::array<uint8_t, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), key_.data());
  return Base64UrlEncode(mac);
}

bool LinkMac::Verify(std::string_view message, std::string_view mac) const {
  return ConstantTimeEquals(Sign(message), mac);
}

}  // namespace lethe
