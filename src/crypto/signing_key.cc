#include "crypto/signing_key.h"

#include <sodium.h>

#include "common/encoding.h"

namespace lethe {

SigningKey::SigningKey(const Key& seed) {
  static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeyBytes);
  static_assert(crypto_sign_SECRETKEYBYTES == 64);
  static_assert(crypto_sign_SEEDBYTES == kKeyBytes);
  crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed.data());
}

SigningKey::~SigningKey() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

SigningKey::Signature SigningKey::Sign(std::span<const uint8_t> message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_key_.data());
  return sig;
}

bool SigningKey::Verify(const PublicKey& public_key, std::span<const uint8_t> message,
                        const Signature& signature) {
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

std::optional<SigningKey::PublicKey> ParsePublicKey(std::string_view text) {
  auto bytes =
      text.size() == 2 * SigningKey::kPublicKeyBytes ? HexDecode(text) : Base64Decode(text);
  if (!bytes || bytes->size() != SigningKey::kPublicKeyBytes) return std::nullopt;
  SigningKey::PublicKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

}  // namespace lethe
