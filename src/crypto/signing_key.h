// SigningKey: the deployment's Ed25519 key (libsodium), for what Lethe must
// be able to prove to others later: erasure receipts and signed audit-chain
// checkpoints. Made from a 32-byte seed, which is all that is stored
// (`<data>/signing.key`, beside the master key); the public key is served at
// GET /.well-known/lethe/signing-key so anyone can verify offline.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/key_wrap.h"

namespace lethe {

class SigningKey {
 public:
  static constexpr size_t kPublicKeyBytes = 32;
  static constexpr size_t kSignatureBytes = 64;
  using PublicKey = std::array<uint8_t, kPublicKeyBytes>;
  using Signature = std::array<uint8_t, kSignatureBytes>;

  // The key pair of `seed`. The same seed always gives the same pair.
  explicit SigningKey(const Key& seed);
  ~SigningKey();  // wipes the secret key
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  const PublicKey& public_key() const { return public_key_; }
  // A detached Ed25519 signature of `message`.
  Signature Sign(std::span<const uint8_t> message) const;
  // Whether `signature` is `public_key`'s signature of `message`.
  static bool Verify(const PublicKey& public_key, std::span<const uint8_t> message,
                     const Signature& signature);

 private:
  PublicKey public_key_{};
  std::array<uint8_t, 64> secret_key_{};
};

// A public key as a person passes it around: standard base64 of the 32
// bytes, as GET /.well-known/lethe/signing-key serves it in `public_key`,
// or 64 hex digits. std::nullopt for anything else.
std::optional<SigningKey::PublicKey> ParsePublicKey(std::string_view text);

}  // namespace lethe
