#include "domain/legal_clock.h"

#include <cstdio>

namespace lethe {

namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// The inverse of DaysFromCivil (H. Hinnant's algorithm).
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return {y, m, d};
}

// Regulation 1182/71 Art. 3(4): a period ending on a weekend ends on the
// next working day.
CivilDate NextWorkingDay(const CivilDate& d) {
  int wd = Weekday(d);
  return wd < 5 ? d : AddDays(d, 7 - wd);
}

}  // namespace

CivilDate AddMonths(const CivilDate& d, int months) {
  int index = d.year * 12 + (d.month - 1) + months;
  int y = index / 12;
  int m = index % 12 + 1;
  int day = d.day < DaysInMonth(y, m) ? d.day : DaysInMonth(y, m);
  return {y, m, day};
}

CivilDate AddDays(const CivilDate& d, int days) { return CivilFromDays(DaysFromCivil(d) + days); }

int Weekday(const CivilDate& d) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  int64_t w = (DaysFromCivil(d) + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

CivilDate AddBusinessDays(const CivilDate& d, int days) {
  CivilDate at = d;
  while (days > 0) {
    at = AddDays(at, 1);
    if (Weekday(at) < 5) --days;
  }
  return at;
}

std::string FormatDate(const CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

Result<RequestDeadlines> DeadlinesFor(const std::string& jurisdiction, const CivilDate& received) {
  RequestDeadlines out;
  if (jurisdiction == "gdpr") {
    out.due = NextWorkingDay(AddMonths(received, 1));
    out.latest_extended_due = NextWorkingDay(AddMonths(received, 3));
    return out;
  }
  if (jurisdiction == "ccpa") {
    out.acknowledge_by = AddBusinessDays(received, 10);
    out.due = AddDays(received, 45);
    out.latest_extended_due = AddDays(received, 90);
    return out;
  }
  return Status::InvalidArgument("invalid-field", "jurisdiction must be \"gdpr\" or \"ccpa\"");
}

}  // namespace lethe
