#pragma once

#include <cstdint>
#include <string>

namespace creneau::ical {

// Seconds since the Unix epoch, UTC. Every instant crossing a module boundary
// is one of these; wall-clock values only exist inside DateTime.
using UnixTime = std::int64_t;

// An iCalendar DATE or DATE-TIME value (RFC 5545 3.3.4, 3.3.5) as written:
// a wall-clock reading plus how to interpret it.
//   tzid == ""    and !isDate : floating time (form #1)
//   tzid == "UTC" and !isDate : UTC time, written with a trailing Z (form #2)
//   tzid == other and !isDate : local time with a TZID parameter (form #3)
//   isDate                    : a calendar day (VALUE=DATE); tzid is empty
struct DateTime {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  bool isDate = false;
  std::string tzid;

  bool operator==(const DateTime&) const = default;

  [[nodiscard]] bool isUtc() const { return !isDate && tzid == "UTC"; }
  [[nodiscard]] bool isFloating() const { return !isDate && tzid.empty(); }

  static DateTime date(int y, int m, int d) { return DateTime{y, m, d, 0, 0, 0, true, {}}; }
  static DateTime local(int y, int m, int d, int h, int mi, int s, std::string zone) {
    return DateTime{y, m, d, h, mi, s, false, std::move(zone)};
  }
};

}  // namespace creneau::ical
