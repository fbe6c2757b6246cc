#include "ports/random.h"

#include <sodium.h>

namespace lethe {

void SystemRandom::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

}  // namespace lethe
