#include "engine/store/PersonalCalendar.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <map>

#include "ical/IcalCodec.h"
#include "ical/Recurrence.h"

namespace creneau::engine {

PersonalCalendar blockedCalendarDefaults(Id employeeId) {
  PersonalCalendar c;
  c.employeeId = employeeId;
  c.slug = kBlockedSlug;
  c.displayName = "Blocked time";
  c.description = "Events added here are busy time: no appointment is booked over them";
  c.color = "#B0413EFF";
  return c;
}

std::string personalEtag(std::string_view icalText) {
  Poco::SHA1Engine sha;
  sha.update(icalText.data(), static_cast<unsigned>(icalText.size()));
  return "\"" + Poco::DigestEngine::digestToHex(sha.digest()) + "\"";
}

namespace {

// First start and last end of one recurring set (all components of a UID).
// A cancelled event still has its instances for calendar-query (RFC 4791
// 9.9 looks at times, not STATUS), so bounds are computed as if none were.
ObjectBounds boundsOf(const std::vector<const ical::Event*>& components) {
  constexpr std::size_t kCap = 5000;
  ObjectBounds b{kFarFuture, 0};
  bool recurring = false;
  std::vector<ical::Event> copies;
  copies.reserve(components.size());
  for (const auto* e : components) {
    if (!e->rrule.empty() || !e->rdates.empty()) recurring = true;
    copies.push_back(*e);
    copies.back().status = ical::EventStatus::None;
  }
  std::vector<const ical::Event*> uncancelled;
  for (const auto& c : copies) uncancelled.push_back(&c);
  const auto result = ical::expand(uncancelled, 0, kFarFuture, recurring ? kCap : 1000);
  for (const auto& o : result.occurrences) {
    b.first = std::min(b.first, o.start);
    b.last = std::max(b.last, std::max(o.end, o.start + 1));
  }
  if (result.truncated || result.occurrences.size() >= kCap) b.last = kFarFuture;
  b.recurring = recurring || components.size() > 1;
  if (result.occurrences.empty()) b = ObjectBounds{0, 0, false};  // never matches a range
  return b;
}

std::vector<BusyInterval> busyOf(const std::vector<const ical::Event*>& components, UnixTime now) {
  std::vector<BusyInterval> out;
  const auto result = ical::expand(components, now - kBusyBack, now + kBusyAhead, kMaxBusyPeriods);
  for (const auto& o : result.occurrences) {
    if (o.source && (o.source->transparency == ical::Transparency::Transparent ||
                     o.source->status == ical::EventStatus::Cancelled))
      continue;
    out.push_back(BusyInterval{o.start, o.end});
  }
  return out;
}

void sortAndCap(std::vector<BusyInterval>& out) {
  std::sort(out.begin(), out.end(), [](const BusyInterval& a, const BusyInterval& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  if (out.size() > kMaxBusyPeriods) out.resize(kMaxBusyPeriods);
}

}  // namespace

ObjectAnalysis analyzeObject(std::string_view icalText, UnixTime now) {
  const auto parsed = ical::parse(icalText);
  std::map<std::string, std::vector<const ical::Event*>> byUid;
  for (const auto& e : parsed.calendar.events) byUid[e.uid].push_back(&e);
  ObjectAnalysis out;
  bool any = false;
  for (const auto& [uid, components] : byUid) {
    (void)uid;
    auto busy = busyOf(components, now);
    out.busy.insert(out.busy.end(), busy.begin(), busy.end());
    const auto b = boundsOf(components);
    if (b.first == 0 && b.last == 0) continue;
    out.bounds = any ? ObjectBounds{std::min(out.bounds.first, b.first),
                                    std::max(out.bounds.last, b.last), true}
                     : b;
    any = true;
  }
  if (!any) out.bounds = ObjectBounds{0, 0, false};
  sortAndCap(out.busy);
  return out;
}

std::vector<BusyInterval> busyPeriodsOf(std::string_view icalText, UnixTime now) {
  const auto parsed = ical::parse(icalText);
  std::map<std::string, std::vector<const ical::Event*>> byUid;
  for (const auto& e : parsed.calendar.events) byUid[e.uid].push_back(&e);
  std::vector<BusyInterval> out;
  for (const auto& [uid, components] : byUid) {
    (void)uid;
    const auto result =
        ical::expand(components, now - kBusyBack, now + kBusyAhead, kMaxBusyPeriods);
    for (const auto& o : result.occurrences) {
      if (o.source && (o.source->transparency == ical::Transparency::Transparent ||
                       o.source->status == ical::EventStatus::Cancelled))
        continue;
      out.push_back(BusyInterval{o.start, o.end});
    }
  }
  std::sort(out.begin(), out.end(), [](const BusyInterval& a, const BusyInterval& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  if (out.size() > kMaxBusyPeriods) out.resize(kMaxBusyPeriods);
  return out;
}

}  // namespace creneau::engine
