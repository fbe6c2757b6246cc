// UTF-8 validation for text that reaches JSON output without passing a JSON
// parser first (query strings, headers, form fields).
#pragma once

#include <string_view>

namespace lethe {

// True when `text` is well-formed UTF-8: no overlong forms, no surrogates,
// nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

}  // namespace lethe
