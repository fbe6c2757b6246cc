#include "common/time_format.h"

#include <charconv>
#include <cstdio>

namespace lethe {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Howard Hinnant's civil_from_days.
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{static_cast<int>(y + (m <= 2)), m, d};
}

// Whole days since the epoch, rounded down (also before 1970).
int64_t FloorDays(int64_t millis) {
  return millis >= 0 ? millis / kMillisPerDay : (millis - kMillisPerDay + 1) / kMillisPerDay;
}

}  // namespace

int64_t DaysFromCivil(const CivilDate& date) {
  int64_t y = date.year - (date.month <= 2);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = date.month > 2 ? date.month - 3 : date.month + 9;
  int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string FormatHttpDate(int64_t millis) {
  static constexpr const char* kWeekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t days = FloorDays(millis);
  int64_t secs = (millis - days * kMillisPerDay) / 1000;
  CivilDate d = CivilFromDays(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kWeekdays[((days % 7) + 7) % 7], d.day, kMonths[d.month - 1], d.year,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

CivilDate DateOf(int64_t millis) { return CivilFromDays(FloorDays(millis)); }

std::string FormatRfc3339(int64_t millis) {
  CivilDate d = DateOf(millis);
  int64_t in_day = millis - DaysFromCivil(d) * kMillisPerDay;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                static_cast<int>(in_day / 3'600'000), static_cast<int>(in_day / 60'000 % 60),
                static_cast<int>(in_day / 1000 % 60), static_cast<int>(in_day % 1000));
  return buf;
}

std::optional<CivilDate> ParseDate(std::string_view s) {
  CivilDate d{};
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!Digits(s, 0, 4, d.year) || !Digits(s, 5, 2, d.month) || !Digits(s, 8, 2, d.day)) {
    return std::nullopt;
  }
  if (d.year < 1800 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > DaysInMonth(d.year, d.month)) {
    return std::nullopt;
  }
  return d;
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  auto date = ParseDate(s.substr(0, 10));
  if (!date) return std::nullopt;
  int64_t ms = DaysFromCivil(*date) * kMillisPerDay;
  if (s.size() == 10) return ms;
  int hh, mm, ss;
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':' || !Digits(s, 11, 2, hh) || !Digits(s, 14, 2, mm) || !Digits(s, 17, 2, ss) ||
      hh > 23 || mm > 59 || ss > 60) {
    return std::nullopt;
  }
  ms += (hh * 3600LL + mm * 60LL + ss) * 1000;
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t frac = 0, scale = 100;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
    ms += frac;
  }
  if (pos == s.size()) return std::nullopt;
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return ms;
  int oh, om;
  if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':' ||
      !Digits(s, pos + 1, 2, oh) || !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
    return std::nullopt;
  }
  int64_t offset = (oh * 60LL + om) * 60'000;
  return s[pos] == '+' ? ms - offset : ms + offset;
}

}  // namespace lethe
