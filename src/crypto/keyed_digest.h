// KeyedDigest: HMAC-SHA256 (OpenSSL) as lowercase hex, for short secrets
// that a plain digest would not hide. A 6-digit one-time code has a
// million values: anyone holding SHA-256(code) finds the code at once,
// while HMAC under a key kept outside the store (a KeyRing key) tells a
// reader of the database nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lethe {

// Lowercase hex HMAC-SHA256(key, message): 64 characters.
std::string KeyedDigest(std::span<const uint8_t> key, std::string_view message);

}  // namespace lethe
