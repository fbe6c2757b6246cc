// Text encodings of binary data: hex, base64url (unpadded) and standard
// base64 (padded).
//
// Encoders never fail. Decoders are strict: they accept only the canonical
// form their encoder produces (no whitespace, no missing or extra padding, no
// non-zero trailing bits, for hex both cases) and return std::nullopt for
// anything else, so each value has exactly one accepted spelling. All of
// them run in time independent of the byte values (libsodium's
// constant-time codecs), which matters because they touch secrets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lethe {

// Lowercase hex, two characters per byte.
std::string HexEncode(std::span<const uint8_t> bytes);
std::string HexEncode(std::string_view bytes);

// Accepts an even number of [0-9a-fA-F] characters; returns the bytes, or
// std::nullopt on any other input. An empty string decodes to no bytes.
std::optional<std::vector<uint8_t>> HexDecode(std::string_view hex);

// RFC 4648 section 5 alphabet ("-" and "_"), without "=" padding: safe in
// URLs, cookies and file names.
std::string Base64UrlEncode(std::span<const uint8_t> bytes);
std::string Base64UrlEncode(std::string_view bytes);

// Inverse of Base64UrlEncode. Returns std::nullopt on padding, characters
// outside the alphabet, an impossible length or non-canonical trailing bits.
std::optional<std::vector<uint8_t>> Base64UrlDecode(std::string_view text);

// RFC 4648 section 4 alphabet ("+" and "/"), padded with "=" to a multiple of
// four characters, as HTTP Basic authentication uses.
std::string Base64Encode(std::span<const uint8_t> bytes);
std::string Base64Encode(std::string_view bytes);

// Inverse of Base64Encode. Returns std::nullopt unless `text` is correctly
// padded canonical standard base64.
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

}  // namespace lethe
