// ByteSource: random-access reads of one object's plaintext, for the media
// modules (probe.h, scrub.h) that demux with FFmpeg or parse with exiv2.
//
// The media modules never see where the bytes come from: the library hands
// them a source that decrypts a sealed blob chunk by chunk, so plaintext is
// only ever in memory, a chunk at a time, and never in a temporary file.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "common/status.h"

namespace lethe {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Total length in bytes.
  virtual uint64_t size() const = 0;
  // Fills the front of `out` with the bytes at `offset`. Returns the count
  // (less than out.size() only at the end, 0 past it); DataLoss when the
  // stored bytes do not authenticate, Internal on I/O failure.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
};

// A source over bytes already in memory (tests, and the output of a scrub).
class MemoryByteSource final : public ByteSource {
 public:
  explicit MemoryByteSource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (offset >= bytes_.size()) return size_t{0};
    size_t n = std::min<uint64_t>(out.size(), bytes_.size() - offset);
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }

 private:
  std::span<const uint8_t> bytes_;
};

// Reads all of `source` into memory. TooLarge when it is over `max_bytes`.
Result<std::vector<uint8_t>> ReadAllBytes(ByteSource& source, uint64_t max_bytes);

}  // namespace lethe
