// Fuzzes ParseRange: no crash or UB, and every satisfiable answer lies
// inside the content.
//
// Input: 8 bytes of content size (little-endian; short inputs use what is
// there), then the Range header value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/range.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t content_size = 0;
  size_t i = 0;
  for (; i < 8 && i < size; ++i) content_size |= static_cast<uint64_t>(data[i]) << (8 * i);
  // Small sizes are where the edge cases are; fold most inputs into them.
  if (size > 0 && (data[0] & 1)) content_size %= 64;
  const std::string_view header(reinterpret_cast<const char*>(data + i), size - i);

  const lethe::RangeDecision d = lethe::ParseRange(header, content_size);
  switch (d.outcome) {
    case lethe::RangeOutcome::kSatisfiable:
      if (content_size == 0 || d.range.first > d.range.last) abort();
      if (d.range.last >= content_size) abort();
      if (d.range.length() == 0 || d.range.length() > content_size) abort();
      break;
    case lethe::RangeOutcome::kUnsatisfiable:
    case lethe::RangeOutcome::kNone:
      break;
    default:
      abort();
  }
  // A multi-range header is never honoured.
  if (header.find(',') != std::string_view::npos && d.outcome != lethe::RangeOutcome::kNone) {
    abort();
  }
  return 0;
}
