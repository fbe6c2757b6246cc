// AES-256-GCM authenticated encryption (OpenSSL EVP), the one AEAD used for
// data at rest.
//
// Sealed layout: ciphertext (same length as the plaintext) then a 16-byte
// tag. The caller owns nonce uniqueness: a (key, nonce) pair must never seal
// two different messages, or GCM loses both confidentiality and integrity.
// Callers either use a fresh random nonce per message (few messages per key,
// as in key wrapping) or a counter under a key that is used for one object
// only (as in chunked_cipher.h).
//
// AesGcm holds an expanded key in reusable OpenSSL contexts, so sealing or
// opening does no allocation and runs at AES-NI speed: use it on hot paths.
// The free Seal/Open functions build a context per call and suit one-off
// messages. An AesGcm instance is not thread-safe; use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/status.h"

// Forward declaration so this header does not pull in OpenSSL.
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace lethe {

inline constexpr size_t kKeyBytes = 32;
inline constexpr size_t kNonceBytes = 12;
inline constexpr size_t kTagBytes = 16;

using AeadKeyView = std::span<const uint8_t, kKeyBytes>;
using AeadNonceView = std::span<const uint8_t, kNonceBytes>;

class AesGcm {
 public:
  // Expands `key`. The raw key is not retained; OpenSSL cleanses its key
  // schedule when the object dies. Throws std::bad_alloc if OpenSSL cannot
  // allocate its contexts (out of memory, like any allocation).
  explicit AesGcm(AeadKeyView key);
  ~AesGcm();
  AesGcm(AesGcm&& other) noexcept;
  AesGcm& operator=(AesGcm&& other) noexcept;
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;

  // Encrypts `plaintext` and authenticates it together with `aad`, writing
  // ciphertext || tag to `out`. `out` may be exactly the plaintext buffer
  // (in place) but must not partially overlap it.
  // Returns OK on success; InvalidArgument if out.size() !=
  // plaintext.size() + kTagBytes; Internal if OpenSSL fails.
  Status Seal(AeadNonceView nonce, std::span<const uint8_t> aad, std::span<const uint8_t> plaintext,
              std::span<uint8_t> out);

  // Verifies and decrypts `sealed` (ciphertext || tag) with `aad`, writing
  // the plaintext to `out`. `out` may be exactly the sealed buffer.
  // Returns OK on success; DataLoss if the tag does not verify (wrong key,
  // nonce or aad, or tampered data), in which case `out` is zeroed so no
  // unauthenticated plaintext escapes; InvalidArgument if sealed.size() <
  // kTagBytes or out.size() != sealed.size() - kTagBytes; Internal if
  // OpenSSL fails.
  Status Open(AeadNonceView nonce, std::span<const uint8_t> aad, std::span<const uint8_t> sealed,
              std::span<uint8_t> out);

 private:
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
  bool init_ok_ = false;  // false if OpenSSL refused the key (no provider)
};

// One-shot AesGcm(key).Seal(...); same contract.
Status Seal(AeadKeyView key, AeadNonceView nonce, std::span<const uint8_t> aad,
            std::span<const uint8_t> plaintext, std::span<uint8_t> out);

// One-shot AesGcm(key).Open(...); same contract.
Status Open(AeadKeyView key, AeadNonceView nonce, std::span<const uint8_t> aad,
            std::span<const uint8_t> sealed, std::span<uint8_t> out);

}  // namespace lethe
