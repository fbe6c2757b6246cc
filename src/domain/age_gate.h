// AgeGate (SEC-4): nobody under 13 may sign up, nor anybody under 16 whose
// country is in the European Economic Area. The check runs before anything
// about the person is stored or logged, so a refusal leaves no trace.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace lethe {

inline constexpr int kMinimumAge = 13;
inline constexpr int kMinimumAgeEea = 16;

// True for the 27 EU member states plus Iceland, Liechtenstein and Norway.
// `country` is an upper-case ISO 3166 alpha-2 code.
bool IsEeaCountry(std::string_view country);

// Full years between `birth_date` (YYYY-MM-DD) and the UTC date of `now_ms`.
// Someone born on 29 February has a birthday on 1 March in common years.
int AgeInYears(int birth_year, int birth_month, int birth_day, int64_t now_ms);

// OK when a person born on `birth_date` in `country` may sign up at `now_ms`.
// Returns InvalidArgument("invalid-field") for a malformed or future date and
// Unprocessable("age-gate") when the person is too young.
Status CheckSignupAge(std::string_view birth_date, std::string_view country, int64_t now_ms);

}  // namespace lethe
