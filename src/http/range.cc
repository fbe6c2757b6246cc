#include "http/range.h"

#include <optional>

namespace lethe {
namespace {

bool IsOws(char c) { return c == ' ' || c == '\t'; }

void SkipOws(std::string_view& s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes a run of digits from the front of `s`. Returns nullopt when there
// is none or when the value does not fit in 64 bits; a value that large can
// only be an attack or a bug, and either way the header is not usable.
std::optional<uint64_t> ConsumeNumber(std::string_view& s) {
  if (s.empty() || !IsDigit(s.front())) return std::nullopt;
  uint64_t value = 0;
  while (!s.empty() && IsDigit(s.front())) {
    const uint64_t digit = static_cast<uint64_t>(s.front() - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    s.remove_prefix(1);
  }
  return value;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

constexpr RangeDecision kNone{RangeOutcome::kNone, {}};
constexpr RangeDecision kUnsatisfiable{RangeOutcome::kUnsatisfiable, {}};

}  // namespace

RangeDecision ParseRange(std::string_view header, uint64_t size) {
  std::string_view s = header;
  SkipOws(s);
  constexpr std::string_view kUnit = "bytes";
  if (s.size() < kUnit.size() || !EqualsIgnoreCase(s.substr(0, kUnit.size()), kUnit)) {
    return kNone;
  }
  s.remove_prefix(kUnit.size());
  SkipOws(s);
  if (s.empty() || s.front() != '=') return kNone;
  s.remove_prefix(1);
  SkipOws(s);

  // first-pos is optional only in the suffix form.
  std::optional<uint64_t> first;
  if (!s.empty() && IsDigit(s.front())) {
    first = ConsumeNumber(s);
    if (!first) return kNone;  // overflow
    SkipOws(s);
  }
  if (s.empty() || s.front() != '-') return kNone;
  s.remove_prefix(1);
  SkipOws(s);
  std::optional<uint64_t> last;
  if (!s.empty() && IsDigit(s.front())) {
    last = ConsumeNumber(s);
    if (!last) return kNone;  // overflow
    SkipOws(s);
  }
  // Anything left over, a comma in particular, means this is not a single
  // well-formed range; serving the whole content is always allowed.
  if (!s.empty()) return kNone;

  if (!first) {
    if (!last) return kNone;  // "bytes=-"
    const uint64_t suffix = *last;
    if (suffix == 0 || size == 0) return kUnsatisfiable;
    const uint64_t start = suffix >= size ? 0 : size - suffix;
    return {RangeOutcome::kSatisfiable, {start, size - 1}};
  }
  if (last && *first > *last) return kNone;   // invalid per RFC 9110 14.1.1
  if (*first >= size) return kUnsatisfiable;  // also covers size == 0
  const uint64_t end = (!last || *last >= size) ? size - 1 : *last;
  return {RangeOutcome::kSatisfiable, {*first, end}};
}

}  // namespace lethe
