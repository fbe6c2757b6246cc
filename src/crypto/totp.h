// TOTP (RFC 6238) through liboath: HMAC-SHA-1, 30-second steps, 6 digits
// by default, the time counted from the Unix epoch. The one-time-password
// arithmetic is liboath's; this wrapper adds what Lethe needs around it:
// time steps in milliseconds, a window matched in constant time, and
// base32 for otpauth:// URIs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lethe {

inline constexpr int kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;
inline constexpr size_t kTotpSeedBytes = 20;  // 160 bits, as RFC 4226 recommends

// The time step that `unix_ms` falls in.
inline int64_t TotpStep(int64_t unix_ms) { return unix_ms / 1000 / kTotpStepSeconds; }

// The code of `seed` for time step `step`, `digits` long (6 to 8), zero
// padded. Returns InvalidArgument for an empty seed, a negative step or
// digits outside 6..8; Internal if liboath fails.
Result<std::string> TotpCode(std::span<const uint8_t> seed, int64_t step, int digits = kTotpDigits);

// The step in [step - window, step + window] whose 6-digit code is `code`,
// comparing every candidate in constant time; nullopt when none matches
// or `code` is not 6 digits.
std::optional<int64_t> TotpMatch(std::span<const uint8_t> seed, std::string_view code, int64_t step,
                                 int window = 1);

// RFC 4648 base32 of `bytes`, without padding (what authenticator apps
// expect in an otpauth:// URI).
std::string Base32Encode(std::span<const uint8_t> bytes);

// Inverse of Base32Encode, padding optional. nullopt for text that is not
// base32.
std::optional<std::vector<uint8_t>> Base32Decode(std::string_view text);

}  // namespace lethe
