#include "engine/feeds/FeedRenderer.h"

#include <ostream>
#include <set>

#include "engine/feeds/FreeBusy.h"
#include "engine/render/Renderer.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"

namespace creneau::engine {

namespace {

constexpr UnixTime kDay = 86400;

UnixTime floorDiv(UnixTime a, UnixTime b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Which records a feed selects, window included.
RecordFilter filterOf(const Feed& feed, const FeedWindow& window, std::vector<Status> statuses) {
  RecordFilter f;
  switch (feed.scope) {
    case FeedScope::Employee:
      f.employeeId = feed.recordId.value_or(0);
      break;
    case FeedScope::Service:
      f.serviceId = feed.recordId.value_or(0);
      break;
    case FeedScope::Location:
      f.locationId = feed.recordId.value_or(0);
      break;
    case FeedScope::All:
      break;
  }
  f.from = window.from;
  f.to = window.to;
  f.statuses = std::move(statuses);
  return f;
}

std::vector<Status> icsStatuses(const Feed& feed) {
  std::vector<Status> s{Status::Approved, Status::NoShow};
  if (feed.includePending) s.push_back(Status::Pending);
  if (feed.includeCanceled) {
    s.push_back(Status::Canceled);
    s.push_back(Status::Rejected);
  }
  return s;
}

// Instants of a rendered event: DTEND, else DURATION, else an instant.
std::pair<UnixTime, UnixTime> spanOf(const ical::Event& ev) {
  const UnixTime start = ical::toUnix(ev.start);
  if (ev.end) return {start, ical::toUnix(*ev.end)};
  if (ev.durationSec) return {start, start + *ev.durationSec};
  return {start, start};
}

bool overlaps(const std::pair<UnixTime, UnixTime>& span, const FeedWindow& w) {
  // An instant (start == end) at the window's start still belongs to it.
  return span.first < w.to && (span.second > w.from || span.first >= w.from);
}

// Renders every selected appointment and event period inside the window.
template <typename Fn>
void forEachRendered(const Store& store, const Renderer& renderer, const Directory& dir,
                     const Feed& feed, const FeedWindow& window, std::vector<Status> statuses,
                     Fn&& fn) {
  const RecordFilter filter = filterOf(feed, window, std::move(statuses));
  store.forEachAppointment(filter, [&](const Appointment& a) {
    fn(renderer.render(a, dir));
    return true;
  });
  if (feed.scope == FeedScope::Service) return;  // group events have no service
  store.forEachEvent(filter, [&](const GroupEvent& e) {
    for (auto& ev : renderer.render(e, dir))
      if (overlaps(spanOf(ev), window)) fn(ev);  // only the periods inside the window
    return true;
  });
}

}  // namespace

FeedWindow feedWindow(UnixTime now, int daysBack, int daysAhead) {
  const UnixTime today = floorDiv(now, kDay) * kDay;
  return FeedWindow{today - static_cast<UnixTime>(daysBack) * kDay,
                    today + (static_cast<UnixTime>(daysAhead) + 1) * kDay};
}

std::string feedCalendarName(const Feed& feed, const Directory& dir) {
  std::string name = "Créneau";
  const Id id = feed.recordId.value_or(0);
  switch (feed.scope) {
    case FeedScope::Employee:
      if (const auto* e = dir.employee(id)) name += " – " + e->fullName();
      break;
    case FeedScope::Service:
      if (const auto* s = dir.service(id)) name += " – " + s->name;
      break;
    case FeedScope::Location:
      if (const auto* l = dir.location(id)) name += " – " + l->name;
      break;
    case FeedScope::All:
      break;
  }
  return name;
}

void writeFeedIcs(const Store& store, const Renderer& renderer, const Directory& dir,
                  const Feed& feed, const FeedWindow& window, const FeedOutput& output,
                  std::ostream& out) {
  ical::Calendar header;
  header.name = output.name;
  header.refreshIntervalSec = output.refreshIntervalSec;
  std::set<std::string> zones;
  const Employee* employee =
      feed.scope == FeedScope::Employee ? dir.employee(feed.recordId.value_or(0)) : nullptr;
  if (employee) {
    header.timezoneHint = employee->timeZone;
    zones.insert(employee->timeZone);
  } else {
    for (const auto& e : store.employees()) zones.insert(e.timeZone.empty() ? "UTC" : e.timeZone);
  }
  zones.erase("UTC");  // written with Z, no VTIMEZONE
  zones.erase("");

  ical::CalendarWriter writer(out, header, zones);
  forEachRendered(store, renderer, dir, feed, window, icsStatuses(feed),
                  [&](const ical::Event& ev) { writer.add(ev); });
  writer.finish();
}

std::string writeFeedFreeBusy(const Store& store, const Renderer& renderer, const Directory& dir,
                              const Feed& feed, const FeedWindow& window, const FeedOutput& output,
                              UnixTime stamp) {
  FreeBusyTimeline timeline(window.from, window.to);
  forEachRendered(store, renderer, dir, feed, window,
                  {Status::Approved, Status::NoShow, Status::Pending}, [&](const ical::Event& ev) {
                    if (ev.status == ical::EventStatus::Cancelled ||
                        ev.transparency == ical::Transparency::Transparent)
                      return;
                    const auto [start, end] = spanOf(ev);
                    timeline.add(start, end, ev.status == ical::EventStatus::Tentative);
                  });
  FreeBusyHeader header;
  header.name = output.name;
  header.refreshIntervalSec = output.refreshIntervalSec;
  header.uid = "freebusy-" + std::string(toString(feed.scope)) +
               (feed.recordId ? "-" + std::to_string(*feed.recordId) : std::string()) + "@" +
               renderer.settings().uidDomain;
  header.stamp = stamp;
  header.from = window.from;
  header.to = window.to;
  return writeFreeBusyCalendar(header, timeline.periods());
}

}  // namespace creneau::engine
