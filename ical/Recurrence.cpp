// Recurrence expansion (RFC 5545 3.8.5): RRULE through libical's
// icalrecur_iterator on wall-clock times in the event's zone (so a weekly
// 09:00 Europe/Paris event stays at 09:00 across DST), RDATE, EXDATE,
// RECURRENCE-ID overrides (RANGE=THISANDFUTURE included), inside a window,
// with a cap on results and on iterations.

#include "ical/Recurrence.h"

#include <algorithm>
#include <optional>

#include "ical/TimeZones.h"
#include "ical/detail/Civil.h"
#include "ical/detail/IcalPtr.h"
#include "ical/detail/Zones.h"

namespace creneau::ical {
namespace {

// However the rule is written, never step more than this many times.
constexpr std::size_t kMaxIterations = 500'000;

// Converts wall-clock readings of one zone to instants, with the zone looked
// up once (toUnix() would look it up per call).
class Clock {
 public:
  Clock(const DateTime& start, std::string_view floatingZone) {
    std::string name;
    if (start.isDate || start.tzid.empty()) {
      name = std::string(floatingZone);
    } else if (start.isUtc()) {
      name = "UTC";
    } else {
      auto c = canonicalZone(start.tzid);
      name = c ? *c : std::string(floatingZone);  // unknown TZID: floating
    }
    if (auto c = canonicalZone(name); c && *c != "UTC") zone_ = detail::builtinZone(*c);
  }
  [[nodiscard]] UnixTime toUtc(std::int64_t wall) const {
    return zone_ ? detail::localToUtc(zone_, wall) : wall;
  }
  [[nodiscard]] std::int64_t toWall(UnixTime t) const {
    return zone_ ? t + detail::utcOffset(zone_, t) : t;
  }

 private:
  icaltimezone* zone_ = nullptr;
};

UnixTime instantOf(const DateTime& dt, std::string_view floatingZone) {
  return toUnix(dt, floatingZone);
}

struct Span {
  bool nominalDays = false;  // end = start + days on the wall clock
  std::int64_t days = 0;
  std::int64_t seconds = 0;  // exact duration otherwise
};

Span spanOf(const Event& e, std::string_view floatingZone) {
  Span s;
  if (e.end) {
    if (e.start.isDate || e.end->isDate) {
      s.nominalDays = true;
      s.days = (detail::wallSeconds(*e.end) - detail::wallSeconds(e.start)) / 86400;
      if (s.days < 0) s.days = 0;
    } else {
      // 3.8.5.3: DTEND gives every instance the same exact duration.
      s.seconds = std::max<std::int64_t>(
          0, instantOf(*e.end, floatingZone) - instantOf(e.start, floatingZone));
    }
  } else if (e.durationSec) {
    const long long d = std::max(0LL, *e.durationSec);
    if (d % 86400 == 0 && d > 0) {
      s.nominalDays = true;  // 3.3.6: days and weeks are nominal
      s.days = d / 86400;
    } else {
      s.seconds = d;
    }
  } else if (e.start.isDate) {
    s.nominalDays = true;  // 3.6.1: a DATE DTSTART without end lasts one day
    s.days = 1;
  }
  return s;
}

struct Instance {
  DateTime recurrenceId;  // wall clock as generated (the instance's RECURRENCE-ID)
  UnixTime ridInstant = 0;
  UnixTime start = 0;
  UnixTime end = 0;
  const Event* source = nullptr;
};

UnixTime endOf(const DateTime& startWall, UnixTime start, const Span& span, const Clock& clock) {
  if (span.nominalDays) return clock.toUtc(detail::wallSeconds(startWall) + span.days * 86400);
  return start + span.seconds;
}

bool sameDay(const DateTime& a, const DateTime& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day;
}

// Does a RECURRENCE-ID / EXDATE value designate this instance? By instant,
// or by calendar day when either side is a DATE (Google/Exchange mix them).
bool designates(const DateTime& v, UnixTime vInstant, const Instance& inst) {
  if (v.isDate || inst.recurrenceId.isDate) return sameDay(v, inst.recurrenceId);
  return vInstant == inst.ridInstant;
}

bool overlaps(UnixTime s, UnixTime e, UnixTime from, UnixTime to) {
  if (e <= s) return s >= from && s < to;  // zero-length: a point in [from, to)
  return s < to && e > from;
}

icaltimetype toIcal(const DateTime& dt) {
  icaltimetype t = icaltime_null_time();
  t.year = dt.year;
  t.month = dt.month;
  t.day = dt.day;
  t.is_date = dt.isDate ? 1 : 0;
  if (!dt.isDate) {
    t.hour = dt.hour;
    t.minute = dt.minute;
    t.second = dt.second;
  }
  t.zone = nullptr;  // wall clock: zones are ours, not libical's
  return t;
}

}  // namespace

ExpandResult expand(const std::vector<const Event*>& components, UnixTime from, UnixTime to,
                    std::size_t maxCount, std::string_view floatingZone) {
  ExpandResult result;
  if (to <= from || maxCount == 0) return result;

  const Event* master = nullptr;
  std::vector<const Event*> overrides;
  for (const Event* e : components) {
    if (!e) continue;
    if (e->recurrenceId)
      overrides.push_back(e);
    else if (!master)
      master = e;
  }
  // THISANDFUTURE overrides apply in order of their RECURRENCE-ID.
  struct Override {
    const Event* event;
    UnixTime ridInstant;
    bool used = false;
  };
  std::vector<Override> ovs;
  for (const Event* o : overrides) ovs.push_back({o, instantOf(*o->recurrenceId, floatingZone)});
  std::sort(ovs.begin(), ovs.end(),
            [](const Override& a, const Override& b) { return a.ridInstant < b.ridInstant; });

  std::vector<Occurrence> found;
  auto emit = [&](const Event* src, UnixTime s, UnixTime e, const DateTime& rid) {
    if (overlaps(s, e, from, to)) found.push_back(Occurrence{s, e, rid, src});
  };

  // An instance of the master, after EXDATE and overrides; true when kept.
  std::vector<std::pair<DateTime, UnixTime>> exdates;
  // An override whose DTEND is before its DTSTART (moved, DTEND forgotten:
  // see Validator.cpp) keeps the series' duration.
  const Span masterSpan = master ? spanOf(*master, floatingZone) : Span{};
  auto overrideEnd = [&](const Event& o, UnixTime s, const Clock& clock) {
    const bool backwards =
        o.end && !o.start.isDate && !o.end->isDate && instantOf(*o.end, floatingZone) < s;
    return endOf(o.start, s, backwards ? masterSpan : spanOf(o, floatingZone), clock);
  };
  auto place = [&](Instance inst) -> bool {
    for (const auto& [x, xi] : exdates)
      if (designates(x, xi, inst)) return false;
    // Exact override first, then the latest THISANDFUTURE before it.
    for (auto& ov : ovs) {
      if (designates(*ov.event->recurrenceId, ov.ridInstant, inst)) {
        ov.used = true;
        if (ov.event->status == EventStatus::Cancelled) return false;
        const UnixTime s = instantOf(ov.event->start, floatingZone);
        const Clock clock(ov.event->start, floatingZone);
        emit(ov.event, s, overrideEnd(*ov.event, s, clock), inst.recurrenceId);
        return true;
      }
    }
    const Override* range = nullptr;
    for (const auto& ov : ovs)
      if (ov.event->recurrenceThisAndFuture && ov.ridInstant < inst.ridInstant) range = &ov;
    if (range) {
      // 3.8.4.4 RANGE=THISANDFUTURE: later instances take the override's
      // shift of start and its duration.
      if (range->event->status == EventStatus::Cancelled) return false;
      const UnixTime shift = instantOf(range->event->start, floatingZone) - range->ridInstant;
      const Span span = spanOf(*range->event, floatingZone);
      const UnixTime s = inst.start + shift;
      const UnixTime e = span.nominalDays ? s + span.days * 86400 : s + span.seconds;
      emit(range->event, s, e, inst.recurrenceId);
      return true;
    }
    emit(inst.source, inst.start, inst.end, inst.recurrenceId);
    return true;
  };

  if (master && master->status != EventStatus::Cancelled) {
    const Clock clock(master->start, floatingZone);
    const Span span = spanOf(*master, floatingZone);
    for (const auto& x : master->exdates) exdates.emplace_back(x, instantOf(x, floatingZone));
    auto instance = [&](const DateTime& wall) {
      Instance inst;
      inst.recurrenceId = wall;
      inst.start = clock.toUtc(detail::wallSeconds(wall));
      if (wall.isUtc()) inst.start = detail::wallSeconds(wall);
      inst.ridInstant = inst.start;
      inst.end = endOf(wall, inst.start, span, clock);
      inst.source = master;
      return inst;
    };

    bool iterated = false;
    if (!master->rrule.empty()) {
      icalrecurrencetype rule = icalrecurrencetype_from_string(master->rrule.c_str());
      if (rule.freq != ICAL_NO_RECURRENCE) {
        iterated = true;
        // UNTIL is UTC for zoned starts (3.3.10): compare on the same wall clock.
        if (!icaltime_is_null_time(rule.until)) {
          DateTime u{rule.until.year,   rule.until.month,  rule.until.day,          rule.until.hour,
                     rule.until.minute, rule.until.second, rule.until.is_date != 0, {}};
          if (!u.isDate && icaltime_is_utc(rule.until)) {
            u = detail::wallFromSeconds(clock.toWall(detail::wallSeconds(u)));
          }
          if (master->start.isDate && !u.isDate) {
            u.isDate = true;  // Google: DATE start with DATE-TIME UNTIL, by date
            u.hour = u.minute = u.second = 0;
          }
          rule.until = toIcal(u);
        }
        DateTime startWall = master->start;
        startWall.tzid.clear();
        detail::RecurIteratorPtr it(icalrecur_iterator_new(rule, toIcal(startWall)));
        if (it) {
          // Skip ahead when the window is far from DTSTART (not with COUNT:
          // counting needs every instance). Start a little earlier than
          // `from` so instances that began before it but still overlap come.
          const std::int64_t longest =
              (span.nominalDays ? span.days * 86400 + 2 * 86400 : span.seconds + 86400);
          const UnixTime skipTo = from - longest;
          if (rule.count == 0 && skipTo > instantOf(master->start, floatingZone)) {
            bool hasRange = false;
            for (const auto& ov : ovs) hasRange = hasRange || ov.event->recurrenceThisAndFuture;
            if (!hasRange) {
              DateTime w = detail::wallFromSeconds(clock.toWall(skipTo));
              w.isDate = master->start.isDate;
              if (w.isDate) w.hour = w.minute = w.second = 0;
              icalrecur_iterator_set_start(it.get(), toIcal(w));
            }
          }
          std::size_t kept = 0;
          std::size_t steps = 0;
          for (icaltimetype t = icalrecur_iterator_next(it.get()); !icaltime_is_null_time(t);
               t = icalrecur_iterator_next(it.get())) {
            if (++steps > kMaxIterations) {
              result.truncated = true;
              break;
            }
            DateTime wall{t.year, t.month, t.day, t.hour, t.minute, t.second, t.is_date != 0, {}};
            if (wall.isDate) wall.hour = wall.minute = wall.second = 0;
            DateTime rid = wall;
            rid.tzid = master->start.isDate ? std::string() : master->start.tzid;
            Instance inst = instance(rid);
            if (inst.start >= to) {
              // Overrides may still pull later instances into the window;
              // they are emitted below as unmatched overrides.
              break;
            }
            const std::size_t before = found.size();
            place(inst);
            if (found.size() > before && ++kept > maxCount) break;
          }
        }
      }
    }
    if (!iterated) {
      place(instance(master->start));
    }
    for (const auto& r : master->rdates) {
      Instance inst;
      inst.recurrenceId = r;
      inst.start = instantOf(r, floatingZone);
      inst.ridInstant = inst.start;
      const Clock rclock(r, floatingZone);
      inst.end = endOf(r, inst.start, span, rclock);
      inst.source = master;
      bool duplicate = false;
      for (const auto& o : found)
        duplicate = duplicate || (o.source == master && o.start == inst.start);
      if (!duplicate) place(inst);
    }
  }

  // Overrides that replaced no generated instance: moved occurrences whose
  // original time is outside the iterated range, or an override sent
  // without its master (as Google/Outlook do for single-instance invites).
  for (const auto& ov : ovs) {
    if (ov.used || ov.event->status == EventStatus::Cancelled) continue;
    if (master && master->status == EventStatus::Cancelled) continue;
    const Clock clock(ov.event->start, floatingZone);
    const UnixTime s = instantOf(ov.event->start, floatingZone);
    emit(ov.event, s, overrideEnd(*ov.event, s, clock), *ov.event->recurrenceId);
  }

  std::stable_sort(found.begin(), found.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  // The same instance may come from the loop and the unmatched pass.
  found.erase(std::unique(found.begin(), found.end(),
                          [](const Occurrence& a, const Occurrence& b) {
                            return a.start == b.start && a.source == b.source;
                          }),
              found.end());
  if (found.size() > maxCount) {
    found.resize(maxCount);
    result.truncated = true;
  }
  result.occurrences = std::move(found);
  return result;
}

}  // namespace creneau::ical
