#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ical/Event.h"

namespace creneau::ical {

// A VCALENDAR object (RFC 5545 3.4, 3.6) with the calendar-level properties
// feeds and exports use. VTIMEZONEs are not part of the model: the writer
// emits one for every TZID the events use, the parser resolves them.
struct Calendar {
  std::string prodId = "-//Creneau//Creneau 0.1//EN";
  std::string method;  // METHOD, empty when absent
  std::string name;    // NAME (RFC 7986 5.1) and X-WR-CALNAME
  std::string description;
  std::string timezoneHint;                     // X-WR-TIMEZONE
  std::optional<long long> refreshIntervalSec;  // REFRESH-INTERVAL / X-PUBLISHED-TTL
  std::vector<Event> events;

  bool operator==(const Calendar&) const = default;
};

}  // namespace creneau::ical
