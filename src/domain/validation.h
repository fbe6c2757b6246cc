// Field rules shared by the domain services. Each returns OK or
// InvalidArgument("invalid-field") naming the field, never its value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lethe {

// Well-formed UTF-8 text of 1..max_len bytes with no control characters.
Status CheckText(std::string_view field, std::string_view value, size_t max_len);
Status CheckOptionalText(std::string_view field, const std::optional<std::string>& value,
                         size_t max_len);
// A plausible address: local@domain.tld, at most 254 bytes, no spaces.
Status CheckEmail(std::string_view value);
// Two upper-case ASCII letters (ISO 3166-1 alpha-2 shape).
Status CheckCountry(std::string_view value);
// Digits, spaces and + - ( ), 4..32 characters.
Status CheckPhone(const std::optional<std::string>& value);

}  // namespace lethe
