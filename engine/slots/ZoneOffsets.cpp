#include "engine/slots/ZoneOffsets.h"

#include <algorithm>

#include "ical/TimeZones.h"
#include "ical/detail/Civil.h"

namespace creneau::engine {
namespace {

constexpr std::int64_t kDay = 86400;
// No zone is further than this from UTC (UTC+14, UTC-12, with margin).
constexpr std::int64_t kMaxOffset = 20 * 3600;

int sampleOffset(const std::string& zone, UnixTime t) {
  const ical::DateTime wall = ical::fromUnix(t, zone);
  return static_cast<int>(ical::detail::wallSeconds(wall) - t);
}

}  // namespace

ZoneOffsets::ZoneOffsets(const std::string& zone, UnixTime from, UnixTime to) {
  const UnixTime first = std::min(from, to) - 2 * kDay;
  const UnixTime last = std::max(from, to) + 2 * kDay;
  int current = sampleOffset(zone, first);
  segments_.push_back({first, current});
  for (UnixTime prev = first; prev < last;) {
    const UnixTime next = std::min(prev + kSample, last);
    const int offset = sampleOffset(zone, next);
    if (offset != current) {
      // Bisect (prev, next] for the first second with the new offset.
      UnixTime lo = prev, hi = next;
      while (hi - lo > 1) {
        const UnixTime mid = lo + (hi - lo) / 2;
        (sampleOffset(zone, mid) == current ? lo : hi) = mid;
      }
      segments_.push_back({hi, offset});
      current = offset;
    }
    prev = next;
  }
}

std::size_t ZoneOffsets::segmentAt(UnixTime t) const {
  // The last segment starting at or before t (the first one for earlier t).
  auto it = std::upper_bound(segments_.begin(), segments_.end(), t,
                             [](UnixTime v, const Segment& s) { return v < s.from; });
  return it == segments_.begin() ? 0 : static_cast<std::size_t>(it - segments_.begin()) - 1;
}

int ZoneOffsets::offsetAt(UnixTime t) const {
  return segments_[segmentAt(t)].offset;
}

int ZoneOffsets::instantsOf(std::int64_t wall, UnixTime out[2]) const {
  int n = 0;
  const std::size_t lo = segmentAt(wall - kMaxOffset);
  const std::size_t hi = segmentAt(wall + kMaxOffset);
  for (std::size_t i = lo; i <= hi && n < 2; ++i) {
    const UnixTime t = wall - segments_[i].offset;
    const bool afterStart = i == 0 || t >= segments_[i].from;
    const bool beforeEnd = i + 1 == segments_.size() || t < segments_[i + 1].from;
    if (afterStart && beforeEnd) out[n++] = t;
  }
  if (n == 2 && out[1] < out[0]) std::swap(out[0], out[1]);
  return n;
}

UnixTime ZoneOffsets::gapInstant(std::int64_t wall) const {
  // A gap lies between segment i and i + 1 (offset grows): with the old
  // offset the instant is already past the transition, with the new one not
  // yet there. The old offset moves `wall` forward by the gap.
  const std::size_t lo = segmentAt(wall - kMaxOffset);
  const std::size_t hi = segmentAt(wall + kMaxOffset);
  for (std::size_t i = lo; i < hi; ++i) {
    const UnixTime transition = segments_[i + 1].from;
    if (wall - segments_[i].offset >= transition && wall - segments_[i + 1].offset < transition)
      return wall - segments_[i].offset;
  }
  return wall - offsetAt(wall);
}

UnixTime ZoneOffsets::firstInstant(std::int64_t wall) const {
  UnixTime t[2];
  return instantsOf(wall, t) > 0 ? t[0] : gapInstant(wall);
}

UnixTime ZoneOffsets::lastInstant(std::int64_t wall) const {
  UnixTime t[2];
  const int n = instantsOf(wall, t);
  return n > 0 ? t[n - 1] : gapInstant(wall);
}

}  // namespace creneau::engine
