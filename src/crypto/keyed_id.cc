#include "crypto/keyed_id.h"

#include <sodium.h>

#include "common/encoding.h"

namespace lethe {

namespace {
constexpr char kLabel[] = "lethe keyed ids v1";
}

KeyedIds::KeyedIds(const Key& master) {
  static_assert(crypto_auth_hmacsha256_BYTES == kKeyBytes);
  crypto_auth_hmacsha256(key_.data(), reinterpret_cast<const unsigned char*>(kLabel),
                         sizeof kLabel - 1, master.data());
}

std::string KeyedIds::Of(std::string_view scope, std::string_view account_id,
                         std::string_view value) const {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key_.data(), key_.size());
  auto feed = [&st](std::string_view part) {
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
    const unsigned char sep = 0;
    crypto_auth_hmacsha256_update(&st, &sep, 1);
  };
  feed(scope);
  feed(account_id);
  feed(value);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return "kh_" + HexEncode(std::span<const uint8_t>(mac, sizeof mac));
}

}  // namespace lethe
