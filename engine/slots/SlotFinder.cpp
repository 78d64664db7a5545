#include "engine/slots/SlotFinder.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "ical/TimeZones.h"
#include "ical/detail/Civil.h"

namespace creneau::engine {
namespace {

constexpr std::int64_t kDay = 86400;
// More than any daylight-saving shift (one hour almost everywhere, 30 min on
// Lord Howe Island, two hours in a few historical rules).
constexpr std::int64_t kDstMargin = 3 * 3600;

// Floor division for day numbers of (possibly negative) wall seconds.
std::int64_t dayOf(std::int64_t wall) {
  return wall >= 0 ? wall / kDay : -((-wall + kDay - 1) / kDay);
}

// Sorted, with overlapping or touching ranges merged; empty or inverted
// ranges dropped; bounds clamped to the day.
std::vector<TimeRange> normalised(std::vector<TimeRange> ranges) {
  for (auto& r : ranges) {
    r.startMin = std::clamp(r.startMin, 0, 1440);
    r.endMin = std::clamp(r.endMin, 0, 1440);
  }
  std::erase_if(ranges, [](const TimeRange& r) { return r.endMin <= r.startMin; });
  std::sort(ranges.begin(), ranges.end(),
            [](const TimeRange& a, const TimeRange& b) { return a.startMin < b.startMin; });
  std::vector<TimeRange> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.startMin <= merged.back().endMin)
      merged.back().endMin = std::max(merged.back().endMin, r.endMin);
    else
      merged.push_back(r);
  }
  return merged;
}

bool blocks(Status s) {
  return s != Status::Canceled && s != Status::Rejected;
}

// Running maximum of `to`, so "does any of the first k spans reach past t?"
// is maxTo[k - 1] > t.
template <typename Span>
std::vector<UnixTime> runningMax(const std::vector<Span>& spans) {
  std::vector<UnixTime> out;
  out.reserve(spans.size());
  UnixTime m = std::numeric_limits<UnixTime>::min();
  for (const auto& s : spans) out.push_back(m = std::max(m, s.to));
  return out;
}

// Why our candidate [start, end), occupying [from, to) with its buffers,
// conflicts with appointment `a`, which occupies [aFrom, aTo) with its own.
SlotReason appointmentConflict(UnixTime start, UnixTime end, UnixTime from, UnixTime to,
                               UnixTime aFrom, UnixTime aTo, const SlotAppointment& a) {
  SlotReason r{.appointmentId = a.externalId, .start = a.start, .end = a.end};
  if (start < a.end && a.start < end) {
    // Our service time overlaps X's own time.
    r.kind = SlotReasonKind::Appointment;
  } else if (start < aTo && aFrom < end) {
    // Our service time overlaps one of X's buffers (X's, not ours).
    r.kind = SlotReasonKind::AppointmentBuffer;
    r.theirBuffer = start < a.start ? BufferSide::Before : BufferSide::After;
  } else if (aTo <= start) {
    // X lies before us: our buffer before reaches X's time, or X's buffer after.
    r.kind = SlotReasonKind::OwnBuffer;
    r.ownBuffer = BufferSide::Before;
    r.theirBuffer = a.end > from ? BufferSide::None : BufferSide::After;
  } else {
    // X lies after us: our buffer after reaches X's time, or X's buffer before.
    r.kind = SlotReasonKind::OwnBuffer;
    r.ownBuffer = BufferSide::After;
    r.theirBuffer = a.start < to ? BufferSide::None : BufferSide::Before;
  }
  return r;
}

// Busy period `p` overlaps our candidate [start, end) or one of its buffers.
SlotReason busyConflict(UnixTime start, UnixTime end, const SlotBusyPeriod& p,
                        const std::vector<const BusySource*>& sources) {
  SlotReason r{.kind = SlotReasonKind::Busy,
               .sourceId = p.sourceId,
               .summary = p.summary,
               .start = p.start,
               .end = p.end};
  for (const BusySource* s : sources)
    if (s->id == p.sourceId) r.sourceName = s->name;
  if (!(p.start < end && start < p.end))
    r.ownBuffer = p.end <= start ? BufferSide::Before : BufferSide::After;
  return r;
}

// Merges consecutive runs, each sorted by start, into one list sorted by
// start then employee (a k-way merge: n log k instead of sorting it all).
template <typename T>
std::vector<T> mergeRuns(std::vector<T> items, const std::vector<std::size_t>& runStarts) {
  if (runStarts.size() <= 1) return items;
  struct Cursor {  // the key is copied in, so the heap compares without chasing items
    UnixTime start;
    Id employeeId;
    std::size_t pos, end;
  };
  std::vector<Cursor> heap;
  for (std::size_t r = 0; r < runStarts.size(); ++r) {
    const std::size_t end = r + 1 < runStarts.size() ? runStarts[r + 1] : items.size();
    if (runStarts[r] < end)
      heap.push_back(
          {items[runStarts[r]].start, items[runStarts[r]].employeeId, runStarts[r], end});
  }
  auto after = [](const Cursor& a, const Cursor& b) {  // min-heap on (start, employee)
    return a.start != b.start ? a.start > b.start : a.employeeId > b.employeeId;
  };
  std::make_heap(heap.begin(), heap.end(), after);
  std::vector<T> out;
  out.reserve(items.size());
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    Cursor& c = heap.back();
    out.push_back(std::move(items[c.pos]));
    if (++c.pos < c.end) {
      c.start = items[c.pos].start;
      c.employeeId = items[c.pos].employeeId;
      std::push_heap(heap.begin(), heap.end(), after);
    } else {
      heap.pop_back();
    }
  }
  return out;
}

}  // namespace

// A start time to look at: either inside working hours (to be checked
// against bookings and rules) or, when explaining, one that already failed
// because of the schedule.
struct SlotFinder::Candidate {
  UnixTime start;
  std::int64_t day;  // local day number in the employee's zone
  bool scheduleFailed;
  SlotReasonKind scheduleReason;
};

struct SlotFinder::Output {
  std::vector<Slot> slots;
  std::vector<RejectedSlot> rejected;
};

SlotFinder::SlotFinder(SlotInput input) : input_(std::move(input)) {
  if (input_.service.durationSec <= 0)
    throw std::invalid_argument("the service needs a positive duration");
  employees_.reserve(input_.employees.size());
  for (std::size_t i = 0; i < input_.employees.size(); ++i) {
    const SlotEmployee& emp = input_.employees[i];
    EmployeeData d;
    d.employee = &emp;
    for (std::size_t w = 0; w < 7; ++w) d.weekly[w] = normalised(emp.schedule.weekly[w]);
    d.daysOff = emp.schedule.daysOff;
    std::sort(d.daysOff.begin(), d.daysOff.end());
    for (const auto& [date, ranges] : emp.schedule.special) d.special[date] = normalised(ranges);
    byId_[emp.id] = i;
    employees_.push_back(std::move(d));
  }
  for (const auto& a : input_.appointments) {
    auto it = byId_.find(a.employeeId);
    if (it == byId_.end() || !blocks(a.status)) continue;
    employees_[it->second].occupied.push_back(
        {a.start - a.bufferBeforeSec, a.end + a.bufferAfterSec, &a});
  }
  for (const auto& b : input_.busy) {
    auto it = byId_.find(b.employeeId);
    if (it == byId_.end() || b.end <= b.start) continue;
    employees_[it->second].busy.push_back({b.start, b.end, &b});
  }
  for (const auto& s : input_.sources) {
    auto it = byId_.find(s.employeeId);
    if (it == byId_.end()) continue;
    employees_[it->second].sources.push_back(&s);
    if (s.unverified) employees_[it->second].unverified.push_back(&s);
  }
  for (auto& d : employees_) {
    std::sort(d.occupied.begin(), d.occupied.end(),
              [](const Occupied& a, const Occupied& b) { return a.from < b.from; });
    std::sort(d.busy.begin(), d.busy.end(),
              [](const BusyRef& a, const BusyRef& b) { return a.from < b.from; });
    d.occupiedMaxTo = runningMax(d.occupied);
    d.busyMaxTo = runningMax(d.busy);
  }
}

std::optional<std::string> SlotFinder::validate(const SlotQuery& query) {
  if (!ical::isKnownZone(query.timeZone)) return "unknown time zone \"" + query.timeZone + "\"";
  if (query.to < query.from) return "the last day is before the first";
  if (query.to.dayNumber() - query.from.dayNumber() + 1 > kMaxQueryDays)
    return "at most " + std::to_string(kMaxQueryDays) + " days per query";
  return std::nullopt;
}

SlotResult SlotFinder::find(const SlotQuery& query) const {
  if (auto error = validate(query)) throw std::invalid_argument(*error);

  // The window: from the first day's midnight to the midnight after the last
  // day, in the asked zone.
  const std::int64_t firstWall = query.from.dayNumber() * kDay;
  const std::int64_t endWall = (query.to.dayNumber() + 1) * kDay;
  const ZoneOffsets out(query.timeZone, firstWall - kDay, endWall + kDay);
  const UnixTime windowFrom = out.firstInstant(firstWall);
  const UnixTime windowTo = out.firstInstant(endWall);

  std::vector<std::size_t> which;
  if (query.employeeIds.empty()) {
    for (std::size_t i = 0; i < employees_.size(); ++i) which.push_back(i);
  } else {
    for (Id id : query.employeeIds)
      if (auto it = byId_.find(id); it != byId_.end()) which.push_back(it->second);
    std::sort(which.begin(), which.end());
    which.erase(std::unique(which.begin(), which.end()), which.end());
  }

  // One offset table per employee zone, shared by employees in that zone.
  std::map<std::string, ZoneOffsets> zones;
  Output result;
  std::vector<std::size_t> slotRuns, rejectedRuns;  // where each employee's part starts
  for (std::size_t i : which) {
    slotRuns.push_back(result.slots.size());
    rejectedRuns.push_back(result.rejected.size());
    const EmployeeData& e = employees_[i];
    const std::string& zone = e.employee->schedule.timeZone;
    auto it = zones.find(zone);
    if (it == zones.end())
      it = zones.emplace(zone, ZoneOffsets(zone, windowFrom - kDay, windowTo + kDay)).first;
    findFor(e, query, windowFrom, windowTo, it->second, out, result);
  }

  // Each employee's part is sorted by start already: merge them.
  return SlotResult{mergeRuns(std::move(result.slots), slotRuns),
                    mergeRuns(std::move(result.rejected), rejectedRuns)};
}

void SlotFinder::findFor(const EmployeeData& e, const SlotQuery& query, UnixTime windowFrom,
                         UnixTime windowTo, const ZoneOffsets& local, const ZoneOffsets& out,
                         Output& result) const {
  const SlotService& svc = input_.service;
  const SlotRules& rules = input_.rules;
  const std::int64_t duration = svc.durationSec;
  const std::int64_t step = svc.stepSec > 0 ? svc.stepSec : duration;
  const bool explain = query.explain;

  // ---- candidates, in the employee's local days covering the window -------
  std::vector<Candidate> candidates;
  const std::int64_t firstDay = dayOf(local.wallOf(windowFrom));
  const std::int64_t lastDay = dayOf(local.wallOf(windowTo - 1));

  // Grid points of a range: wall times start, start + step, ... before the
  // range end, each mapped to its 0, 1 or 2 instants. Across a fall-back
  // transition, wall times just outside [start, end) can read instants
  // inside the range (01:10 EST comes after 01:50 EDT): with a transition
  // nearby the grid is walked kDstMargin further on both sides and every
  // grid instant inside the real range is taken, so nothing is missed.
  auto addRange = [&](std::int64_t day, const TimeRange& r, bool inSchedule,
                      SlotReasonKind failReason) {
    const std::int64_t wallStart = day * kDay + r.startMin * 60;
    const std::int64_t wallEnd = day * kDay + r.endMin * 60;
    const UnixTime rangeFrom = local.firstInstant(wallStart);
    const UnixTime rangeTo = local.lastInstant(wallEnd);
    auto add = [&](UnixTime t, bool insideWall) {
      if (t < rangeFrom) return;
      const bool fits = t + duration <= rangeTo;
      if (inSchedule && fits)
        candidates.push_back({t, day, false, failReason});
      else if (explain && insideWall)
        candidates.push_back(
            {t, day, true, inSchedule ? SlotReasonKind::OutsideWorkingHours : failReason});
    };
    if (local.steady(rangeFrom - kDstMargin, rangeTo + kDstMargin)) {
      const int offset = local.offsetAt(rangeFrom);  // the common case: one offset all day
      for (std::int64_t wall = wallStart; wall < wallEnd; wall += step) add(wall - offset, true);
      return;
    }
    const std::int64_t before = (kDstMargin + step - 1) / step * step;
    for (std::int64_t wall = wallStart - before; wall < wallEnd + kDstMargin; wall += step) {
      UnixTime instants[2];
      const int n = local.instantsOf(wall, instants);  // 0: spring-forward gap
      for (int k = 0; k < n; ++k) add(instants[k], wall >= wallStart && wall < wallEnd);
    }
  };

  for (std::int64_t day = firstDay; day <= lastDay; ++day) {
    const LocalDate date = LocalDate::fromDayNumber(day);
    const auto& weekly = e.weekly[static_cast<std::size_t>(date.weekday())];
    const bool dayOff = std::binary_search(e.daysOff.begin(), e.daysOff.end(), date);
    const auto special = e.special.find(date);
    const bool isSpecial = special != e.special.end();
    if (!dayOff) {
      for (const auto& r : isSpecial ? special->second : weekly)
        addRange(day, r, true, SlotReasonKind::OutsideWorkingHours);
    }
    // Explaining: the usual weekly candidates this day does not have.
    if (explain && (dayOff || isSpecial)) {
      const bool closed = dayOff || special->second.empty();
      for (const auto& r : weekly)
        addRange(day, r, false,
                 closed ? SlotReasonKind::DayOff : SlotReasonKind::OutsideWorkingHours);
    }
  }

  // By start; at equal starts a schedulable one first, then drop the rest
  // (the same instant reached from two ranges, or an explain-only copy).
  // Usually they come sorted already (ranges are sorted and merged).
  auto byStart = [](const Candidate& a, const Candidate& b) {
    return a.start != b.start ? a.start < b.start : a.scheduleFailed < b.scheduleFailed;
  };
  if (!std::is_sorted(candidates.begin(), candidates.end(), byStart))
    std::sort(candidates.begin(), candidates.end(), byStart);
  candidates.erase(
      std::unique(candidates.begin(), candidates.end(),
                  [](const Candidate& a, const Candidate& b) { return a.start == b.start; }),
      candidates.end());

  // ---- the sweep -----------------------------------------------------------
  const UnixTime earliest = rules.now + rules.minNoticeSec;
  std::optional<std::int64_t> lastBookableDay;
  if (rules.horizonDays) {
    const ical::DateTime now = ical::fromUnix(rules.now, e.employee->schedule.timeZone);
    const std::int64_t today = dayOf(ical::detail::wallSeconds(now));
    lastBookableDay = today + *rules.horizonDays;
  }
  const bool hide = !e.unverified.empty() && rules.unverified == UnverifiedPolicy::Hide;
  const bool mark = !e.unverified.empty() && rules.unverified == UnverifiedPolicy::MarkUnverified;

  // Room for every candidate, growing geometrically across employees.
  if (result.slots.capacity() < result.slots.size() + candidates.size())
    result.slots.reserve(
        std::max(2 * result.slots.capacity(), result.slots.size() + candidates.size()));

  std::size_t nextOccupied = 0;  // first appointment span with from >= the candidate's end
  std::size_t nextBusy = 0;
  std::vector<SlotReason> reasons;

  for (const Candidate& c : candidates) {
    if (c.start < windowFrom || c.start >= windowTo) continue;
    const UnixTime start = c.start;
    const UnixTime end = start + duration;
    const UnixTime from = start - svc.bufferBeforeSec;  // what we occupy, buffers included
    const UnixTime to = end + svc.bufferAfterSec;
    reasons.clear();
    bool failed = false;
    // Without explain the first failure settles it and no reason is built
    // (nothing copied); with explain every reason is collected.
    auto reject = [&](auto&& makeReason) {
      failed = true;
      if (explain) reasons.push_back(makeReason());
      return !explain;  // true: stop looking
    };

    // Cursors only move forward: `to` grows with the start.
    while (nextOccupied < e.occupied.size() && e.occupied[nextOccupied].from < to) ++nextOccupied;
    while (nextBusy < e.busy.size() && e.busy[nextBusy].from < to) ++nextBusy;

    int persons = 0;  // already booked in the group at this start
    [&] {
      if (c.scheduleFailed && reject([&] { return SlotReason{.kind = c.scheduleReason}; })) return;
      if (start < earliest &&
          reject([] { return SlotReason{.kind = SlotReasonKind::MinimumNotice}; }))
        return;
      if (lastBookableDay && c.day > *lastBookableDay &&
          reject([] { return SlotReason{.kind = SlotReasonKind::BeyondHorizon}; }))
        return;
      if (c.scheduleFailed) return;  // no booking checks for times nobody works

      // Appointments: spans starting before our `to` are the first
      // nextOccupied ones; any of them overlaps iff its end passes `from`.
      const SlotAppointment* group = nullptr;
      if (nextOccupied > 0 && e.occupiedMaxTo[nextOccupied - 1] > from) {
        for (std::size_t i = nextOccupied; i-- > 0 && e.occupiedMaxTo[i] > from;) {
          const Occupied& o = e.occupied[i];
          if (o.to <= from) continue;
          const SlotAppointment& a = *o.appointment;
          if (a.serviceId == svc.id && a.start == start) {  // the group we would join
            persons += a.persons;
            if (!group) group = &a;
            continue;
          }
          if (reject([&] { return appointmentConflict(start, end, from, to, o.from, o.to, a); }))
            return;
        }
      }
      if (group && persons >= svc.capacity && reject([&] {
            return SlotReason{.kind = SlotReasonKind::FullyBooked,
                              .appointmentId = group->externalId,
                              .start = group->start,
                              .end = group->end};
          }))
        return;

      // Busy periods, our buffers included (see SlotFinder.h).
      if (nextBusy > 0 && e.busyMaxTo[nextBusy - 1] > from) {
        for (std::size_t i = nextBusy; i-- > 0 && e.busyMaxTo[i] > from;) {
          const BusyRef& b = e.busy[i];
          if (b.to <= from) continue;
          if (reject([&] { return busyConflict(start, end, *b.period, e.sources); })) return;
        }
      }

      if (hide) {
        for (const BusySource* src : e.unverified)
          if (reject([&] {
                return SlotReason{.kind = SlotReasonKind::UnverifiedSource,
                                  .sourceId = src->id,
                                  .sourceName = src->name};
              }))
            return;
      }
    }();

    if (!failed) {
      result.slots.push_back(Slot{e.employee->id, start, end, out.offsetAt(start),
                                  out.offsetAt(end), svc.capacity - persons, mark});
    } else if (explain) {
      // Appointments and busy periods were found newest first; show them by
      // kind, then in time order.
      std::stable_sort(reasons.begin(), reasons.end(),
                       [](const SlotReason& a, const SlotReason& b) {
                         return a.kind != b.kind ? a.kind < b.kind : a.start < b.start;
                       });
      result.rejected.push_back(RejectedSlot{e.employee->id, start, end, out.offsetAt(start),
                                             out.offsetAt(end), reasons});
    }
  }
}

}  // namespace creneau::engine
