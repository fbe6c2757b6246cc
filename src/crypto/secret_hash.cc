#include "crypto/secret_hash.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "common/encoding.h"

namespace lethe {
namespace {

static_assert(kRandomIdAlphabet.size() == 32, "RandomId takes 5 bits per character");

// sodium_init picks the fastest argon2 implementation for this CPU; it is
// idempotent and thread-safe, and cheap after the first call.
void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // libsodium cannot work at all; nothing sane to do
}

// Fetched once: an implicit fetch per context costs a provider lookup.
// Deliberately never freed.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return m != nullptr ? m : EVP_sha256();
  }();
  return md;
}

}  // namespace

PasswordCost PasswordCost::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::Minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("password hashing failed");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
  // libsodium wants a NUL-terminated hash that fits its buffer size.
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  EnsureSodium();
  const std::string hash(stored_hash);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view stored_hash, PasswordCost cost) {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return true;
  EnsureSodium();
  const std::string hash(stored_hash);
  // Returns 1 for "different parameters" and -1 for "not a valid hash".
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost.ops, cost.mem_bytes) != 0;
}

std::string TokenDigest(std::string_view token) { return Sha256Hex(token); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Lengths are not secret (tokens have a fixed format), so an early exit
  // on them leaks nothing; the content comparison is constant-time.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::bad_alloc();
  if (EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) std::abort();  // SHA-256 is built in
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256::Sha256(Sha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void Sha256::Update(std::span<const uint8_t> bytes) {
  // EVP_DigestUpdate takes size_t, so no chunking is needed for large spans.
  if (!bytes.empty()) EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
}

void Sha256::Update(std::string_view bytes) {
  Update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::array<uint8_t, Sha256::kDigestBytes> Sha256::FinalBytes() {
  std::array<uint8_t, kDigestBytes> digest{};
  unsigned int len = 0;
  // Both calls only fail on misuse (null ctx) or a broken provider.
  if (EVP_DigestFinal_ex(ctx_, digest.data(), &len) != 1 || len != kDigestBytes ||
      EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) {
    std::abort();
  }
  return digest;
}

std::string Sha256::Final() { return HexEncode(FinalBytes()); }

std::string Sha256Hex(std::span<const uint8_t> bytes) {
  std::array<uint8_t, Sha256::kDigestBytes> digest{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, Sha256Md(), nullptr) != 1) {
    std::abort();
  }
  return HexEncode(digest);
}

std::string Sha256Hex(std::string_view bytes) {
  return Sha256Hex(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string RandomToken(Random& random, std::string_view prefix, size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  random.Fill(raw);
  std::string token(prefix);
  token += Base64UrlEncode(raw);
  sodium_memzero(raw.data(), raw.size());  // the token is a secret
  return token;
}

std::string RandomId(Random& random, std::string_view prefix) {
  // 13 bytes = 104 bits; 20 characters use the first 100 of them.
  std::array<uint8_t, (kRandomIdChars * 5 + 7) / 8> raw{};
  random.Fill(raw);
  std::string id(prefix);
  id.reserve(prefix.size() + kRandomIdChars);
  for (size_t i = 0; i < kRandomIdChars; ++i) {
    const size_t bit = i * 5;
    // A 16-bit window from the byte holding `bit` always contains the
    // 5 bits wanted (bit % 8 <= 7, 7 + 5 <= 16).
    const unsigned hi = raw[bit / 8];
    const unsigned lo = bit / 8 + 1 < raw.size() ? raw[bit / 8 + 1] : 0;
    const unsigned window = (hi << 8) | lo;
    id.push_back(kRandomIdAlphabet[(window >> (11 - bit % 8)) & 31]);
  }
  return id;
}

}  // namespace lethe
