#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "engine/feeds/Feed.h"
#include "engine/model/Domain.h"

namespace creneau::engine {

class Store;
class Renderer;
class Directory;

// The records a feed shows: those overlapping [from, to).
struct FeedWindow {
  UnixTime from = 0;
  UnixTime to = 0;
  bool operator==(const FeedWindow&) const = default;
};

// From midnight UTC `daysBack` days before `now` to the end of the day
// `daysAhead` days after it: the window moves once a day, so a feed's
// output (and ETag) stays the same all day long when nothing changes.
[[nodiscard]] FeedWindow feedWindow(UnixTime now, int daysBack, int daysAhead);

// "Créneau – Sophie Martin-Dubois", "Créneau – Coupe femme", "Créneau".
[[nodiscard]] std::string feedCalendarName(const Feed& feed, const Directory& dir);

struct FeedOutput {
  std::string name;                             // NAME / X-WR-CALNAME
  std::optional<long long> refreshIntervalSec;  // REFRESH-INTERVAL / X-PUBLISHED-TTL
};

// One VCALENDAR with the feed's appointments and group-event periods in the
// window, rendered by `renderer` (DESIGN.md decision 2): approved and no-show
// always, pending (STATUS:TENTATIVE) when the feed includes them, canceled and
// rejected (STATUS:CANCELLED, TRANSP:TRANSPARENT) when it includes them, so
// subscribers remove what was canceled. Service feeds have no group events.
void writeFeedIcs(const Store& store, const Renderer& renderer, const Directory& dir,
                  const Feed& feed, const FeedWindow& window, const FeedOutput& output,
                  std::ostream& out);

// One VCALENDAR with one VFREEBUSY for the window: the busy time of the
// feed's appointments and group events, from the rendered events (so buffers
// count when the settings include them). Cancelled and transparent events
// are free, tentative ones BUSY-TENTATIVE, whatever the feed's options. No
// customer data: no summaries, names, attendees, locations or notes.
[[nodiscard]] std::string writeFeedFreeBusy(const Store& store, const Renderer& renderer,
                                            const Directory& dir, const Feed& feed,
                                            const FeedWindow& window, const FeedOutput& output,
                                            UnixTime stamp);

}  // namespace creneau::engine
