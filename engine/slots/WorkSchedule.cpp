#include "engine/slots/WorkSchedule.h"

#include <cstdio>

#include "ical/detail/Civil.h"

namespace creneau::engine {

std::int64_t LocalDate::dayNumber() const {
  return ical::detail::daysFromCivil(year, static_cast<unsigned>(month),
                                     static_cast<unsigned>(day));
}

LocalDate LocalDate::fromDayNumber(std::int64_t days) {
  const auto c = ical::detail::civilFromDays(days);
  return LocalDate{static_cast<int>(c.year), static_cast<int>(c.month), static_cast<int>(c.day)};
}

int LocalDate::weekday() const {
  // 1970-01-01 was a Thursday (3 in Monday-first numbering).
  const std::int64_t w = (dayNumber() + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

std::string LocalDate::toString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::optional<LocalDate> LocalDate::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const int y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > ical::detail::daysInMonth(y, m)) return std::nullopt;
  return LocalDate{y, m, d};
}

}  // namespace creneau::engine
