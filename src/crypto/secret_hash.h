// Hashing of secrets and generation of identifiers and tokens.
//
// Passwords are low-entropy, so they get a slow, memory-hard hash (argon2id,
// libsodium's self-describing "$argon2id$..." string that carries its own
// salt and cost). Tokens and API secrets are high-entropy (>= 128 random
// bits), so a plain SHA-256 is enough to store them at rest and look them up
// by digest without keeping the secret itself. Sha256 also fingerprints
// uploads, so it streams and runs at hardware speed (OpenSSL EVP).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "ports/random.h"

// Forward declaration so this header does not pull in OpenSSL.
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace lethe {

// argon2id cost parameters. Interactive() is the production default
// (~0.1 s, 64 MiB); Minimum() exists so tests run fast and must never be
// used for real passwords.
struct PasswordCost {
  uint64_t ops;
  size_t mem_bytes;

  static PasswordCost Interactive();
  static PasswordCost Minimum();
};

// Hashes `password` with argon2id and a fresh random salt.
// Returns the encoded hash string (ASCII, < 128 bytes) on success; Internal
// if hashing fails (out of memory for the requested cost).
Result<std::string> HashPassword(std::string_view password,
                                 PasswordCost cost = PasswordCost::Interactive());

// Returns true iff `stored_hash` is a hash produced by HashPassword (any
// cost) for exactly `password`. Returns false on mismatch and on any error
// (malformed hash, unsupported algorithm, out of memory).
bool VerifyPassword(std::string_view stored_hash, std::string_view password);

// Returns true if `stored_hash` was made with a cost other than `cost` (or is
// malformed), so a login that just verified can re-hash the password.
bool PasswordNeedsRehash(std::string_view stored_hash,
                         PasswordCost cost = PasswordCost::Interactive());

// Lowercase hex SHA-256 of a high-entropy token (64 characters). Store this
// instead of the token; look tokens up by it. Not for passwords.
std::string TokenDigest(std::string_view token);

// Compares two secrets in time that depends only on their lengths, so an
// attacker cannot learn a matching prefix from timing. Returns a == b.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Incremental SHA-256. Feed bytes with Update() in any pieces; Final()
// returns the digest and resets the hasher for reuse. Not thread-safe.
class Sha256 {
 public:
  static constexpr size_t kDigestBytes = 32;

  // Throws std::bad_alloc if OpenSSL cannot allocate its context.
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::span<const uint8_t> bytes);
  void Update(std::string_view bytes);

  // Returns the lowercase hex digest (64 characters) of all bytes fed since
  // construction or the previous Final(), then starts over.
  std::string Final();
  // As Final(), but returns the raw 32 bytes.
  std::array<uint8_t, kDigestBytes> FinalBytes();

 private:
  EVP_MD_CTX* ctx_ = nullptr;
};

// Lowercase hex SHA-256 of `bytes` (64 characters).
std::string Sha256Hex(std::span<const uint8_t> bytes);
std::string Sha256Hex(std::string_view bytes);

// Returns `prefix` followed by base64url (unpadded) of `bytes` random bytes,
// e.g. RandomToken(r, "lt_") -> "lt_" + 43 characters for 32 bytes. Use for
// bearer tokens and secrets shown once to a user.
std::string RandomToken(Random& random, std::string_view prefix, size_t bytes = 32);

// Returns `prefix` followed by kRandomIdChars characters from
// kRandomIdAlphabet (100 random bits), e.g. "acc_k3j5...". Ids are public
// handles: unguessable so they leak nothing about counts or order, but not
// secrets.
inline constexpr size_t kRandomIdChars = 20;
inline constexpr std::string_view kRandomIdAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
std::string RandomId(Random& random, std::string_view prefix);

}  // namespace lethe
