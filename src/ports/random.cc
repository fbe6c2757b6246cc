#include "ports/random.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <iostream>

namespace lethe {

// OpenSSL's DRBG: seeded from the OS, per thread, fork-safe, and without a
// system call per draw (ids are drawn several times per request).
void SystemRandom::Fill(std::span<uint8_t> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::cerr << "lethe: the random generator failed\n";
    std::abort();
  }
}

}  // namespace lethe
