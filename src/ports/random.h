// Random: the one source of randomness for ids, tokens and keys.
// The production implementation draws from the OS CSPRNG (libsodium).
// Tests may inject a deterministic one; it must never be used in `serve`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lethe {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes. Never fails: a broken CSPRNG aborts.
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// Cryptographically secure randomness: OpenSSL's DRBG, seeded by the OS.
class SystemRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override;
};

}  // namespace lethe
