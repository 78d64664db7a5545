#pragma once

// Proleptic Gregorian calendar arithmetic on plain integers (H. Hinnant's
// days_from_civil / civil_from_days). No libical, no locale, no time zone.

#include <cstdint>

#include "ical/DateTime.h"

namespace creneau::ical::detail {

constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civilFromDays(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{y + (m <= 2), m, d};
}

constexpr bool isLeapYear(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int daysInMonth(std::int64_t y, int m) noexcept {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && isLeapYear(y) ? 29 : kDays[m - 1];
}

// The wall-clock fields of dt read as if they were UTC.
constexpr std::int64_t wallSeconds(const DateTime& dt) noexcept {
  return daysFromCivil(dt.year, static_cast<unsigned>(dt.month), static_cast<unsigned>(dt.day)) *
             86400 +
         dt.hour * 3600 + dt.minute * 60 + dt.second;
}

// Wall-clock fields of a seconds count read as UTC (tzid left empty).
constexpr DateTime wallFromSeconds(std::int64_t s) noexcept {
  std::int64_t days = s / 86400;
  std::int64_t rem = s % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const Civil c = civilFromDays(days);
  DateTime dt;
  dt.year = static_cast<int>(c.year);
  dt.month = static_cast<int>(c.month);
  dt.day = static_cast<int>(c.day);
  dt.hour = static_cast<int>(rem / 3600);
  dt.minute = static_cast<int>(rem / 60 % 60);
  dt.second = static_cast<int>(rem % 60);
  return dt;
}

}  // namespace creneau::ical::detail
