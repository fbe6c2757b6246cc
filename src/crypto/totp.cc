#include "crypto/totp.h"

#include <liboath/oath.h>

#include <cstdlib>
#include <ctime>

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

// liboath wants one oath_init per process before use; it is never undone.
bool OathReady() {
  static const bool ready = oath_init() == OATH_OK;
  return ready;
}

}  // namespace

Result<std::string> TotpCode(std::span<const uint8_t> seed, int64_t step, int digits) {
  if (seed.empty() || step < 0 || digits < 6 || digits > 8) {
    return Status::InvalidArgument("invalid-field", "TOTP needs a seed, a step >= 0, 6-8 digits");
  }
  if (!OathReady()) return Status::Internal("liboath did not initialise");
  char out[16] = {};
  // liboath counts steps from the start offset: hand it the step's first
  // second, so the step is exactly `step`.
  int rc = oath_totp_generate(reinterpret_cast<const char*>(seed.data()), seed.size(),
                              static_cast<time_t>(step * kTotpStepSeconds), kTotpStepSeconds,
                              OATH_TOTP_DEFAULT_START_TIME, static_cast<unsigned>(digits), out);
  if (rc != OATH_OK) return Status::Internal(std::string("liboath: ") + oath_strerror(rc));
  std::string code(out, static_cast<size_t>(digits));
  return code;
}

std::optional<int64_t> TotpMatch(std::span<const uint8_t> seed, std::string_view code, int64_t step,
                                 int window) {
  if (code.size() != static_cast<size_t>(kTotpDigits)) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  // Every candidate is computed and compared, so the time taken says
  // nothing about which step (if any) matched.
  std::optional<int64_t> matched;
  for (int64_t s = step - window; s <= step + window; ++s) {
    if (s < 0) continue;
    auto candidate = TotpCode(seed, s);
    if (candidate.ok() && ConstantTimeEquals(*candidate, code) && !matched) matched = s;
  }
  return matched;
}

std::string Base32Encode(std::span<const uint8_t> bytes) {
  if (!OathReady()) return "";
  char* out = nullptr;
  size_t out_len = 0;
  if (oath_base32_encode(reinterpret_cast<const char*>(bytes.data()), bytes.size(), &out,
                         &out_len) != OATH_OK) {
    return "";
  }
  std::string encoded(out, out_len);
  std::free(out);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return encoded;
}

std::optional<std::vector<uint8_t>> Base32Decode(std::string_view text) {
  if (!OathReady()) return std::nullopt;
  std::string padded(text);
  while (padded.size() % 8 != 0) padded.push_back('=');
  char* out = nullptr;
  size_t out_len = 0;
  if (oath_base32_decode(padded.data(), padded.size(), &out, &out_len) != OATH_OK) {
    return std::nullopt;
  }
  std::vector<uint8_t> bytes(out, out + out_len);
  std::free(out);
  return bytes;
}

}  // namespace lethe
