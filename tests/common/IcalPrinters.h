#pragma once

// GoogleTest printers for the ical value types: a failing EXPECT_EQ shows the
// iCalendar text of the values instead of their bytes.

#include <ostream>

#include "ical/IcalCodec.h"

namespace creneau::ical {

inline void PrintTo(const Event& e, std::ostream* os) {
  Calendar c;
  c.events = {e};
  const std::string text = serialize(c);
  const auto begin = text.find("BEGIN:VEVENT");
  const auto end = text.find("END:VEVENT");
  *os << "\n" << (begin == std::string::npos ? text : text.substr(begin, end - begin));
}

inline void PrintTo(const DateTime& d, std::ostream* os) {
  *os << d.year << "-" << d.month << "-" << d.day;
  if (!d.isDate)
    *os << " " << d.hour << ":" << d.minute << ":" << d.second << " [" << d.tzid << "]";
}

inline void PrintTo(const Calendar& c, std::ostream* os) {
  *os << "\n" << serialize(c);
}

}  // namespace creneau::ical
