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
  DateTime recurrenceId;  // the instance's RECURRENCE-ID value
  const Event* source = nullptr;  // the master, or the override that replaced it
  bool operator==(const Occurrence&) const = default;
};

struct ExpandResult {
  std::vector<Occurrence> occurrences;  // sorted by start
  bool truncated = false;               // the cap stopped the expansion
};

// Occurrences of a recurring set that overlap [from, to): RRULE, RDATE and
// EXDATE of the master, RECURRENCE-ID overrides (RANGE=THISANDFUTURE included)
// replacing or cancelling (STATUS:CANCELLED) instances. A non-recurring event
// yields itself when it overlaps. Never produces more than maxCount
// occurrences and never iterates past `to`, whatever the RRULE says.
// `components` are all VEVENTs sharing one UID (master first or not).
[[nodiscard]] ExpandResult expand(const std::vector<const Event*>& components, UnixTime from,
                                  UnixTime to, std::size_t maxCount = 10000,
                                  std::string_view floatingZone = {});

}  // namespace creneau::ical
