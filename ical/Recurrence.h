#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ical/DateTime.h"
#include "ical/Event.h"

namespace creneau::ical {

struct Occurrence {
  UnixTime start = 0;
  UnixTime end = 0;
  DateTime recurrenceId;          // the instance's RECURRENCE-ID value
  const Event* source = nullptr;  // the master, or the override that replaced it
  bool operator==(const Occurrence&) const = default;
};

struct ExpandResult {
  std::vector<Occurrence> occurrences;  // sorted by start
  bool truncated = false;               // the cap stopped the expansion
};

// Occurrences of a recurring set that overlap [from, to) (an occurrence
// ending exactly at `from` is out; a zero-length one counts when from <= start
// < to): RRULE, RDATE and
// EXDATE of the master, RECURRENCE-ID overrides (RANGE=THISANDFUTURE included)
// replacing or cancelling (STATUS:CANCELLED) instances. A non-recurring event
// yields itself when it overlaps. Never produces more than maxCount
// occurrences and never iterates past `to`, whatever the RRULE says.
// `components` are all VEVENTs sharing one UID (master first or not).
// A cancelled master (STATUS:CANCELLED) yields nothing. An override whose
// RECURRENCE-ID matches no generated instance (moved from outside the
// window, or sent without its master) still yields itself. DATE values are
// whole days in `floatingZone` (UTC when empty); so are floating times.
// Instances follow the wall clock of DTSTART's zone (DST-correct). The RRULE
// iterator skips ahead to the window when the rule has no COUNT, and never
// takes more than 500k steps (then `truncated` is set).
[[nodiscard]] ExpandResult expand(const std::vector<const Event*>& components, UnixTime from,
                                  UnixTime to, std::size_t maxCount = 10000,
                                  std::string_view floatingZone = {});

}  // namespace creneau::ical
