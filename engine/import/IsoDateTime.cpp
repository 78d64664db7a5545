#include "engine/import/IsoDateTime.h"

namespace creneau::engine {

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

int daysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
long long daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<IsoDateTime> fail(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<IsoDateTime> parseIsoDateTime(std::string_view s, std::string* why) {
  const std::string expected =
      "write a date-time such as 2026-11-24T10:00:00+01:00, 2026-11-24T09:00:00Z, or "
      "2026-11-24T10:00:00 for the employee's local time";
  IsoDateTime t;
  auto& w = t.wall;
  if (!digits(s, 0, 4, w.year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, w.month) ||
      s[7] != '-' || !digits(s, 8, 2, w.day))
    return fail(why, "\"" + std::string(s) + "\" is not a date-time: " + expected);
  if (s.size() == 10)
    return fail(why, "\"" + std::string(s) + "\" has a date but no time: " + expected);
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, w.hour) ||
      s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, w.minute))
    return fail(why, "\"" + std::string(s) + "\" is not a date-time: " + expected);
  std::size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, i + 1, 2, w.second))
      return fail(why, "\"" + std::string(s) + "\" has malformed seconds: " + expected);
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      if (j == i + 1)
        return fail(why, "\"" + std::string(s) + "\" has an empty fraction of a second");
      i = j;
    }
  }
  if (w.year < 1900 || w.year > 2999)
    return fail(why, "year " + std::to_string(w.year) + " in \"" + std::string(s) +
                         "\" is out of range (1900-2999)");
  if (w.month < 1 || w.month > 12)
    return fail(
        why, "month " + std::to_string(w.month) + " in \"" + std::string(s) + "\" does not exist");
  if (w.day < 1 || w.day > daysInMonth(w.year, w.month))
    return fail(why, "day " + std::to_string(w.day) + " in \"" + std::string(s) +
                         "\" does not exist in that month");
  if (w.hour > 23 || w.minute > 59 || w.second > 59)
    return fail(why, "time in \"" + std::string(s) + "\" is out of range (00:00:00-23:59:59)");

  if (i == s.size()) return t;  // local time
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    t.offsetSeconds = 0;
    return t;
  }
  if (s[i] != '+' && s[i] != '-')
    return fail(why, "\"" + std::string(s) + "\" has unexpected text after the time: " + expected);
  const int sign = s[i] == '-' ? -1 : 1;
  int oh = 0, om = 0;
  const std::size_t rest = s.size() - i - 1;
  bool ok = false;
  if (rest == 2)
    ok = digits(s, i + 1, 2, oh);
  else if (rest == 4)
    ok = digits(s, i + 1, 2, oh) && digits(s, i + 3, 2, om);
  else if (rest == 5)
    ok = digits(s, i + 1, 2, oh) && s[i + 3] == ':' && digits(s, i + 4, 2, om);
  if (!ok)
    return fail(why, "\"" + std::string(s) + "\" has a malformed UTC offset: write +01:00 or Z");
  if (oh > 18 || om > 59)
    return fail(why, "UTC offset in \"" + std::string(s) + "\" is out of range (at most 18:00)");
  t.offsetSeconds = sign * (oh * 3600 + om * 60);
  return t;
}

ical::UnixTime instantOf(const IsoDateTime& t) {
  const auto& w = t.wall;
  return daysFromCivil(w.year, w.month, w.day) * 86400 + w.hour * 3600 + w.minute * 60 + w.second -
         t.offsetSeconds.value_or(0);
}

}  // namespace creneau::engine
