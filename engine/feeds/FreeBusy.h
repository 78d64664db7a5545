#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/model/Domain.h"

namespace creneau::engine {

// One FREEBUSY period (RFC 5545 3.8.2.6), in UTC.
struct BusyPeriod {
  UnixTime start = 0;
  UnixTime end = 0;
  bool tentative = false;  // FBTYPE=BUSY-TENTATIVE, else FBTYPE=BUSY
  bool operator==(const BusyPeriod&) const = default;
};

// Busy time inside a window, after sabre/vobject's FreeBusyGenerator: spans
// are clipped to the window, overlapping or touching spans of one type are
// merged, and BUSY wins over BUSY-TENTATIVE where both cover the same time.
class FreeBusyTimeline {
 public:
  FreeBusyTimeline(UnixTime from, UnixTime to) : from_(from), to_(to) {}

  // Ignored when empty or outside the window.
  void add(UnixTime start, UnixTime end, bool tentative);

  // Periods ordered by start. Disjoint: tentative time under busy time is
  // left out (feeds). Per type (RFC 4791 7.10, CalDAV free-busy-query): each
  // FBTYPE coalesced on its own, so a tentative event under a busy one still
  // shows, as CalDAVTester expects.
  enum class Shape { Disjoint, PerType };
  [[nodiscard]] std::vector<BusyPeriod> periods(Shape shape = Shape::Disjoint) const;

 private:
  UnixTime from_;
  UnixTime to_;
  std::vector<BusyPeriod> spans_;
};

// The calendar-level part of a published VFREEBUSY.
struct FreeBusyHeader {
  std::string prodId = "-//Creneau//Creneau 0.1//EN";
  std::string name;                             // NAME and X-WR-CALNAME, when not empty
  std::optional<long long> refreshIntervalSec;  // REFRESH-INTERVAL and X-PUBLISHED-TTL
  std::string uid;
  UnixTime stamp = 0;  // DTSTAMP
  UnixTime from = 0;   // DTSTART
  UnixTime to = 0;     // DTEND
};

// A VCALENDAR (METHOD:PUBLISH) holding one VFREEBUSY with a FREEBUSY
// property per period: CRLF line ends, lines folded at 75 octets.
[[nodiscard]] std::string writeFreeBusyCalendar(const FreeBusyHeader& header,
                                                const std::vector<BusyPeriod>& periods);

}  // namespace creneau::engine
