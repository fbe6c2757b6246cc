// Data keys and their wrapping under a key-encryption key (KEK).
//
// Every blob, account or subject gets its own random 256-bit key; only its
// wrapped form is stored, sealed under a KEK with AES-256-GCM. The wrapped
// form is kWrappedKeyBytes long: random nonce (12) || ciphertext (32) ||
// tag (16). The caller's `context` string names the slot the key belongs to
// ("account:acc_x", "subject:acc_x:enduser", ...) and is bound as
// associated data, so a wrapped key copied into another slot (another row,
// another account) fails to unwrap instead of silently decrypting the wrong
// owner's data. Random nonces are safe here: a KEK wraps far fewer than the
// 2^32 messages at which 96-bit random nonces start to risk a collision.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/aead.h"
#include "ports/random.h"

namespace lethe {

using Key = std::array<uint8_t, kKeyBytes>;

inline constexpr size_t kWrappedKeyBytes = kNonceBytes + kKeyBytes + kTagBytes;

// Returns a fresh key drawn from `random`.
Key GenerateKey(Random& random);

// Overwrites `key` with zeros in a way the compiler cannot elide. Call on
// keys that are about to go out of scope.
void WipeKey(Key& key);

// Wipes a Key when it leaves scope, for locals holding key material:
//   Key key = ...; KeyWiper wipe(key);
class KeyWiper {
 public:
  explicit KeyWiper(Key& key) : key_(key) {}
  ~KeyWiper() { WipeKey(key_); }
  KeyWiper(const KeyWiper&) = delete;
  KeyWiper& operator=(const KeyWiper&) = delete;

 private:
  Key& key_;
};

// Seals `key` under `kek` with a random nonce from `random`, binding
// `context`. Returns kWrappedKeyBytes bytes. Never fails short of OpenSSL
// being unusable, which aborts (no data could be protected anyway).
std::vector<uint8_t> WrapKey(const Key& kek, const Key& key, std::string_view context,
                             Random& random);

// Recovers the key from WrapKey output.
// Returns the key on success; DataLoss if `wrapped` has the wrong length, was
// made under another KEK or another `context`, or was altered; Internal if
// OpenSSL fails.
Result<Key> UnwrapKey(const Key& kek, std::span<const uint8_t> wrapped, std::string_view context);

}  // namespace lethe
