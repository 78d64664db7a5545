#include "engine/export/IcsExport.h"

#include <ostream>
#include <set>

#include "engine/render/Renderer.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"

namespace creneau::engine {

namespace {

std::vector<Status> wantedStatuses(const ExportOptions& o) {
  std::vector<Status> s{Status::Approved, Status::NoShow};
  if (o.includePending) s.push_back(Status::Pending);
  if (o.includeCanceled) {
    s.push_back(Status::Canceled);
    s.push_back(Status::Rejected);
  }
  return s;
}

}  // namespace

ExportStats exportIcs(const Store& store, const Renderer& renderer, const ExportOptions& options,
                      std::ostream& out, const ExportProgress& progress) {
  RecordFilter filter;
  filter.from = options.from;
  filter.to = options.to;
  filter.statuses = wantedStatuses(options);

  ical::Calendar header;
  header.name = "Créneau";
  std::set<std::string> zones;

  if (options.employeeExt) {
    auto e = store.employeeByExternalId(*options.employeeExt);
    if (!e) throw ExportError("no employee with id '" + *options.employeeExt + "'");
    filter.employeeId = e->id;
    header.name += " – " + e->fullName();
    header.timezoneHint = e->timeZone;
    zones.insert(e->timeZone);
  }
  if (options.serviceExt) {
    auto s = store.serviceByExternalId(*options.serviceExt);
    if (!s) throw ExportError("no service with id '" + *options.serviceExt + "'");
    filter.serviceId = s->id;
    header.name += " – " + s->name;
  }
  if (options.locationExt) {
    auto l = store.locationByExternalId(*options.locationExt);
    if (!l) throw ExportError("no location with id '" + *options.locationExt + "'");
    filter.locationId = l->id;
    header.name += " – " + l->name;
  }

  const Directory dir = Directory::load(store);
  if (!options.employeeExt)
    for (const auto& e : store.employees()) zones.insert(e.timeZone.empty() ? "UTC" : e.timeZone);
  zones.erase("UTC");  // UTC values are written with Z and need no VTIMEZONE

  const std::size_t total = static_cast<std::size_t>(store.countAppointments(filter));
  ExportStats stats;
  ical::CalendarWriter writer(out, header, zones);

  store.forEachAppointment(filter, [&](const Appointment& a) {
    writer.add(renderer.render(a, dir));
    ++stats.appointments;
    if (progress && stats.appointments % 1000 == 0) progress(stats.appointments, total);
    return true;
  });

  if (options.includeEvents && !options.serviceExt) {
    RecordFilter eventFilter = filter;
    eventFilter.serviceId.reset();
    store.forEachEvent(eventFilter, [&](const GroupEvent& e) {
      for (auto& ev : renderer.render(e, dir)) {
        // Only the periods inside the window: a long course keeps its old sessions out.
        const auto start = ical::toUnix(ev.start);
        const auto end = ev.end ? ical::toUnix(*ev.end) : start;
        if (options.to && start >= *options.to) continue;
        if (options.from && end <= *options.from) continue;
        writer.add(ev);
        ++stats.eventPeriods;
      }
      return true;
    });
  }
  writer.finish();
  if (progress) progress(stats.appointments, total);
  return stats;
}

}  // namespace creneau::engine
