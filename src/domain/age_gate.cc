#include "domain/age_gate.h"

#include <algorithm>
#include <array>

#include "common/time_format.h"

namespace lethe {

bool IsEeaCountry(std::string_view country) {
  static constexpr std::array<std::string_view, 30> kEea = {
      "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
      "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"};
  return std::find(kEea.begin(), kEea.end(), country) != kEea.end();
}

int AgeInYears(int y, int m, int d, int64_t now_ms) {
  CivilDate today = DateOf(now_ms);
  int age = today.year - y;
  if (today.month < m || (today.month == m && today.day < d)) --age;
  return age;
}

Status CheckSignupAge(std::string_view birth_date, std::string_view country, int64_t now_ms) {
  auto date = ParseDate(birth_date);
  if (!date) {
    return Status::InvalidArgument("invalid-field", "birth_date must be a real date, YYYY-MM-DD");
  }
  int age = AgeInYears(date->year, date->month, date->day, now_ms);
  if (age < 0) return Status::InvalidArgument("invalid-field", "birth_date is in the future");
  int minimum = IsEeaCountry(country) ? kMinimumAgeEea : kMinimumAge;
  if (age < minimum) {
    // Say which rule applied, never echo the person's data.
    return Status::Unprocessable("age-gate", "sign-up requires an age of at least " +
                                                 std::to_string(minimum) + " in this country");
  }
  return Status::Ok();
}

}  // namespace lethe
