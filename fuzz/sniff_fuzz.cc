// Fuzzes the media sniffer: no out-of-bounds reads on short or odd input,
// and MatchDeclared agrees with SniffContainer.
//
// Input: a declared Content-Type, '\n', then the head of the body.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "media/sniff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view declared = input.substr(0, nl);
  const size_t head_at = nl == std::string_view::npos ? 0 : nl + 1;
  // An exact-size copy so ASan catches any read past the end.
  const std::vector<uint8_t> head(data + head_at, data + size);

  const auto container = lethe::SniffContainer(head);
  const auto matched = lethe::MatchDeclared(declared, head);
  if (matched.ok() && !container) abort();  // nothing is accepted unsniffed
  if (!matched.ok() && matched.status().code() != lethe::Status::Code::kUnsupportedMedia) abort();
  if (matched.ok() && lethe::KindName(matched->kind).empty()) abort();
  return 0;
}
