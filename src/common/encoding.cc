#include "common/encoding.h"

#include <sodium.h>

namespace lethe {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string EncodeBase64(std::span<const uint8_t> bytes, int variant) {
  if (bytes.empty()) return {};
  // The encoded length macro counts the terminating NUL libsodium writes.
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);
  return out;
}

std::optional<std::vector<uint8_t>> DecodeBase64(std::string_view text, int variant) {
  if (text.empty()) return std::vector<uint8_t>{};
  // Every 4 characters carry at most 3 bytes; +3 covers an unpadded tail.
  std::vector<uint8_t> out(text.size() / 4 * 3 + 3);
  size_t out_len = 0;
  const char* end = nullptr;
  // Passing `end` makes libsodium report where it stopped instead of
  // failing, so we insist on it having consumed the whole input.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), /*ignore=*/nullptr,
                        &out_len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

}  // namespace

std::string HexEncode(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return {};
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.resize(out.size() - 1);  // drop the NUL
  return out;
}

std::string HexEncode(std::string_view bytes) { return HexEncode(AsBytes(bytes)); }

std::optional<std::vector<uint8_t>> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  if (hex.empty()) return std::vector<uint8_t>{};
  std::vector<uint8_t> out(hex.size() / 2);
  size_t out_len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), /*ignore=*/nullptr, &out_len,
                     &end) != 0 ||
      end != hex.data() + hex.size() || out_len != out.size()) {
    return std::nullopt;
  }
  return out;
}

std::string Base64UrlEncode(std::span<const uint8_t> bytes) {
  return EncodeBase64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string Base64UrlEncode(std::string_view bytes) { return Base64UrlEncode(AsBytes(bytes)); }

std::optional<std::vector<uint8_t>> Base64UrlDecode(std::string_view text) {
  return DecodeBase64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string Base64Encode(std::span<const uint8_t> bytes) {
  return EncodeBase64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::string Base64Encode(std::string_view bytes) { return Base64Encode(AsBytes(bytes)); }

std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  return DecodeBase64(text, sodium_base64_VARIANT_ORIGINAL);
}

}  // namespace lethe
