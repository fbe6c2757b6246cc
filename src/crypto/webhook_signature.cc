#include "crypto/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

#include "common/encoding.h"

namespace lethe {

std::string WebhookSecretText(std::span<const uint8_t> key) {
  return std::string(kWebhookSecretPrefix) + Base64Encode(key);
}

std::string WebhookSignature(std::span<const uint8_t> key, std::string_view id,
                             std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(id.size() + timestamp.size() + body.size() + 2);
  message.append(id).append(".").append(timestamp).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  std::string out = "v1," + Base64Encode(std::span<const uint8_t>(mac, len));
  OPENSSL_cleanse(mac, sizeof mac);
  return out;
}

bool VerifyWebhookSignature(std::string_view secret_text, std::string_view id,
                            std::string_view timestamp, std::string_view body,
                            std::string_view header) {
  if (!secret_text.starts_with(kWebhookSecretPrefix)) return false;
  auto key = Base64Decode(secret_text.substr(kWebhookSecretPrefix.size()));
  if (!key || key->empty()) return false;
  std::string expected = WebhookSignature(*key, id, timestamp, body);
  OPENSSL_cleanse(key->data(), key->size());
  bool found = false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t space = header.find(' ', pos);
    if (space == std::string_view::npos) space = header.size();
    std::string_view item = header.substr(pos, space - pos);
    if (item.size() == expected.size() &&
        CRYPTO_memcmp(item.data(), expected.data(), expected.size()) == 0) {
      found = true;
    }
    pos = space + 1;
  }
  return found;
}

}  // namespace lethe
