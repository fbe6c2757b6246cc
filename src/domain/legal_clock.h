// LegalClock: the deadlines of privacy requests (RGT-2), as calendar
// arithmetic on UTC dates.
//
// GDPR (Art. 12(3)) answers within one month of receipt, extendable once by
// up to two more months. Periods in months follow Regulation 1182/71: the
// day of receipt does not count, and the period ends on the day of the last
// month that bears the same number as the day of receipt, or on that
// month's last day if it has no such day (31 January + 1 month = 28 or 29
// February); a period ending on a Saturday or Sunday ends on the next
// Monday. CCPA acknowledges within 10 business days and answers within 45
// calendar days, extendable once by 45 more.
//
// Public holidays are not counted: they differ by member state and year,
// and Lethe keeps no holiday calendar. Deadlines are therefore never later
// than the law's, at worst a day or two earlier.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "common/time_format.h"

namespace lethe {

// `d` plus `months` calendar months, clamped to the last day of the month.
CivilDate AddMonths(const CivilDate& d, int months);
// `d` plus `days` calendar days (negative goes back).
CivilDate AddDays(const CivilDate& d, int days);
// The `days`-th business day (Monday to Friday) after `d`.
CivilDate AddBusinessDays(const CivilDate& d, int days);
// 0 = Monday ... 6 = Sunday.
int Weekday(const CivilDate& d);
// "YYYY-MM-DD".
std::string FormatDate(const CivilDate& d);

struct RequestDeadlines {
  std::optional<CivilDate> acknowledge_by;  // CCPA only
  CivilDate due;                            // the answer, unless extended
  CivilDate latest_extended_due;            // the furthest one extension may reach
};

// The deadlines of a request received on `received` under `jurisdiction`
// ("gdpr" or "ccpa"). InvalidArgument("invalid-field") for another one.
Result<RequestDeadlines> DeadlinesFor(const std::string& jurisdiction, const CivilDate& received);

}  // namespace lethe
