#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/model/Domain.h"

namespace creneau::engine {

// The UTC offsets of one zone over a window, as a piecewise-constant table
// with the exact transition instants. The zone data itself comes from
// ical/TimeZones.h (libical's built-in zones): the table only samples
// ical::fromUnix and bisects between samples, so the slot engine can convert
// tens of thousands of wall times without a libical call (and its lock) each.
//
// Assumes transitions are at least kSample apart (true of every IANA zone).
class ZoneOffsets {
 public:
  static constexpr std::int64_t kSample = 6 * 3600;

  // Covers [from - 2 days, to + 2 days]; outside that the nearest offset is
  // used. An unknown zone reads as UTC (check it with ical::isKnownZone).
  ZoneOffsets(const std::string& zone, UnixTime from, UnixTime to);

  // Seconds east of UTC at instant t.
  [[nodiscard]] int offsetAt(UnixTime t) const;

  // True when no transition happens in [from, to]: one offset maps wall
  // times to instants there.
  [[nodiscard]] bool steady(UnixTime from, UnixTime to) const {
    return segmentAt(from) == segmentAt(to);
  }

  // The wall-clock reading of t as seconds since 1970-01-01T00:00 local.
  [[nodiscard]] std::int64_t wallOf(UnixTime t) const { return t + offsetAt(t); }

  // The instants whose wall-clock reading is `wall` (seconds since
  // 1970-01-01T00:00 local), ascending: none inside a spring-forward gap,
  // two inside a fall-back repeated hour, else one. Returns the count.
  int instantsOf(std::int64_t wall, UnixTime out[2]) const;

  // The first instant reading `wall`; inside a gap, `wall` moved forward by
  // the gap (RFC 5545 3.3.5, as ical::toUnix does: 02:30 reads as 03:30).
  [[nodiscard]] UnixTime firstInstant(std::int64_t wall) const;
  // The last instant reading `wall`; inside a gap, as firstInstant.
  [[nodiscard]] UnixTime lastInstant(std::int64_t wall) const;

 private:
  struct Segment {
    UnixTime from;  // the offset holds from here to the next segment's `from`
    int offset;
  };
  [[nodiscard]] std::size_t segmentAt(UnixTime t) const;
  [[nodiscard]] UnixTime gapInstant(std::int64_t wall) const;

  std::vector<Segment> segments_;  // ascending; segments_[0].from is the window start
};

}  // namespace creneau::engine
