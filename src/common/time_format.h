// RFC 3339 timestamps and calendar dates, in UTC, without locale or TZ
// lookups (so formatting is thread-safe and the same on every machine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lethe {

struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

// "2026-11-29T22:53:28.123Z" for `millis` since the epoch.
std::string FormatRfc3339(int64_t millis);

// The IMF-fixdate of RFC 9110 section 5.6.7, "Sun, 06 Nov 1994 08:49:37 GMT",
// for `millis` since the epoch (HTTP's Last-Modified and Date).
std::string FormatHttpDate(int64_t millis);

// Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]" (or just "YYYY-MM-DD").
// Returns nullopt for anything else or an impossible date.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Parses a strict "YYYY-MM-DD" that names a real calendar day.
std::optional<CivilDate> ParseDate(std::string_view text);

// The UTC calendar date of `millis`.
CivilDate DateOf(int64_t millis);

// Days since 1970-01-01 for a civil date (proleptic Gregorian).
int64_t DaysFromCivil(const CivilDate& d);

}  // namespace lethe
