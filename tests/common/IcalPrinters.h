#pragma once

#include <ostream>

#include "ical/IcalCodec.h"

// GoogleTest printers: a failed comparison of events shows their iCalendar
// text instead of raw bytes.
namespace creneau::ical {

inline void PrintTo(const Event& e, std::ostream* os) {
  Calendar c;
  c.events.push_back(e);
  *os << "\n" << serialize(c);
}

inline void PrintTo(const DateTime& d, std::ostream* os) {
  *os << d.year << "-" << d.month << "-" << d.day;
  if (!d.isDate)
    *os << " " << d.hour << ":" << d.minute << ":" << d.second << " [" << d.tzid << "]";
}

}  // namespace creneau::ical
