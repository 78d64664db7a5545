#pragma once

// From calendar data to busy periods, by the rules of issue 5, item 2.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/busy/BusySource.h"
#include "ical/Calendar.h"

namespace creneau::engine::busy {

// Créneau's own exported events, which never count as busy time (DESIGN.md
// decision 5): an appointment must not block its own slot once it comes back
// through the employee's calendar.
struct OwnEvents {
  // render.uid_domain: our UIDs are "appointment-<id>@<domain>" and
  // "event-<id>-<period>@<domain>".
  std::string uidDomain = "creneau";
  // Remote ids our export worker wrote (sync_remote.remote_id): Google event
  // ids, Graph event ids, CalDAV object names.
  std::set<std::string> remoteIds;

  // By UID (ours: "appointment-"/"event-" + "@" + uidDomain), by one of our
  // X-CRENEAU-* ids, or by a remote id we wrote.
  [[nodiscard]] bool isOwn(const ical::Event& event) const;
  [[nodiscard]] bool isOwnUid(std::string_view uid) const;
};

// The busy periods of a parsed calendar inside [from, to): opaque, not
// cancelled, not declined by one of `selfEmails` (lower case), not ours;
// tentative and all-day per `rules`. Recurring sets are expanded with libical
// inside the window and capped at `maxOccurrences`, so an RRULE without end
// stays bounded. DATE and floating values are read in `floatingZone` (the
// employee's zone). Sorted by start.
[[nodiscard]] std::vector<FetchedPeriod> busyFromCalendar(
    const ical::Calendar& calendar, const BusyRules& rules, const OwnEvents& own,
    const std::set<std::string>& selfEmails, UnixTime from, UnixTime to,
    std::string_view floatingZone, std::size_t maxOccurrences = 5000);

// A span of our own appointments (with buffers when the export includes
// them), to subtract from free/busy answers that carry no ids.
struct Span {
  UnixTime start = 0;
  UnixTime end = 0;
};

// `periods` minus every span of `own`: what is left of each period, in order.
// Used for Google freeBusy, Graph getSchedule and CalDAV free-busy-query,
// whose answers carry no event ids: the time of our own appointments is taken
// out instead (a foreign event at exactly that time is hidden too; it would
// collide with the appointment anyway).
[[nodiscard]] std::vector<FetchedPeriod> subtract(std::vector<FetchedPeriod> periods,
                                                  std::vector<Span> own);

// Sorted, with overlapping or touching periods of the same summary merged.
[[nodiscard]] std::vector<FetchedPeriod> normalize(std::vector<FetchedPeriod> periods);

}  // namespace creneau::engine::busy
