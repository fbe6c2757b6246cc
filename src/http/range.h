// Range: the decision a media GET makes from its Range header (RFC 9110 14).
//
// Players seek by asking for byte ranges, so every media response goes
// through ParseRange. We serve at most one range: RFC 9110 lets a server
// ignore a Range header it does not want to honour and send the whole
// representation with 200, which is what a multi-range request or a
// malformed header gets. Only a well-formed single range that lies wholly
// outside the content is an error (416).
//
// Pure: no I/O, no allocation, bounded work on any input.
#pragma once

#include <cstdint>
#include <string_view>

namespace lethe {

// An inclusive byte range [first, last] with first <= last < size.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;

  uint64_t length() const { return last - first + 1; }
  bool operator==(const ByteRange&) const = default;
};

enum class RangeOutcome {
  kNone,           // no usable Range header: send the whole content (200)
  kSatisfiable,    // send `range` (206 with Content-Range)
  kUnsatisfiable,  // send 416 with "Content-Range: bytes */size"
};

struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::kNone;
  ByteRange range;  // meaningful only when outcome is kSatisfiable
};

// Decides how to answer a request whose Range header is `header` (empty when
// absent) for content of `size` bytes.
//
// Accepts "bytes=a-b", "bytes=a-" and "bytes=-n" (the last n bytes), with
// optional whitespace around the tokens and a case-insensitive unit.
//
// Returns kSatisfiable with `last` clamped to size-1 when the range overlaps
// the content. Returns kUnsatisfiable when a well-formed range starts at or
// beyond `size`, when the suffix length is 0, or when `size` is 0. Returns
// kNone for an empty, malformed or multi-range header, for another unit, for
// a-b with a > b, and for numbers that do not fit in 64 bits.
RangeDecision ParseRange(std::string_view header, uint64_t size);

}  // namespace lethe
