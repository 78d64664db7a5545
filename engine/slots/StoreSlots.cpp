#include "engine/slots/StoreSlots.h"

#include <algorithm>
#include <unordered_map>

#include "engine/slots/SlotFinder.h"
#include "engine/store/Store.h"

namespace creneau::engine {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr const char* kPersonalSource = "personal";

bool blocks(Status s) {
  return s != Status::Canceled && s != Status::Rejected;
}

int personsOf(const std::vector<Booking>& bookings) {
  if (bookings.empty()) return 1;
  int n = 0;
  for (const auto& b : bookings)
    if (blocks(b.status)) n += b.persons;
  return n;
}

}  // namespace

SlotAnswer findSlots(const Store& store, const SlotRequest& request) {
  SlotAnswer answer;
  const auto service = store.serviceByExternalId(request.serviceExt);
  if (!service) {
    answer.error = "no service with id \"" + request.serviceExt + "\"";
    return answer;
  }
  answer.service = *service;

  SlotQuery query;
  query.from = request.from;
  query.to = request.to;
  query.timeZone = request.timeZone;
  query.explain = request.explain;
  if (auto error = SlotFinder::validate(query)) {
    answer.error = *error;
    return answer;
  }

  if (request.employeeExts.empty()) {
    answer.employees = store.employees();
  } else {
    for (const auto& ext : request.employeeExts) {
      const auto e = store.employeeByExternalId(ext);
      if (!e) {
        answer.error = "no employee with id \"" + ext + "\"";
        return answer;
      }
      if (std::none_of(answer.employees.begin(), answer.employees.end(),
                       [&](const Employee& x) { return x.id == e->id; }))
        answer.employees.push_back(*e);
    }
  }

  const ServiceSlotSettings settings = store.serviceSlotSettings(service->id);
  SlotInput in;
  in.service.id = service->id;
  in.service.externalId = service->externalId;
  in.service.durationSec = std::int64_t{service->durationMin} * 60;
  in.service.bufferBeforeSec = std::int64_t{service->bufferBeforeMin} * 60;
  in.service.bufferAfterSec = std::int64_t{service->bufferAfterMin} * 60;
  in.service.capacity = service->capacity;
  in.service.stepSec = std::int64_t{settings.slotStepMin} * 60;
  in.rules.now = request.now;
  in.rules.minNoticeSec = std::int64_t{settings.minNoticeMin} * 60;
  in.rules.horizonDays = settings.horizonDays;
  in.rules.unverified = request.unverified;

  // Buffers of every service, for the appointments of other services.
  std::unordered_map<Id, Service> services;
  for (auto& s : store.services()) services.emplace(s.id, std::move(s));
  std::int64_t maxBuffer = in.service.bufferBeforeSec + in.service.bufferAfterSec;
  for (const auto& [id, s] : services)
    maxBuffer =
        std::max<std::int64_t>(maxBuffer, std::int64_t{s.bufferBeforeMin + s.bufferAfterMin} * 60);

  // Wide enough for any zone (UTC-12 .. UTC+14), the longest service and
  // every buffer: a record outside it cannot touch a slot of the window.
  const UnixTime from =
      query.from.dayNumber() * kDay - 2 * kDay - in.service.durationSec - maxBuffer;
  const UnixTime to =
      (query.to.dayNumber() + 1) * kDay + 2 * kDay + in.service.durationSec + maxBuffer;

  for (const auto& e : answer.employees) {
    SlotEmployee se;
    se.id = e.id;
    se.externalId = e.externalId;
    se.schedule = store.employeeSchedule(e.id);
    se.schedule.timeZone = e.timeZone;
    in.employees.push_back(std::move(se));

    RecordFilter filter;
    filter.employeeId = e.id;
    filter.from = from;
    filter.to = to;
    store.forEachAppointment(filter, [&](const Appointment& a) {
      SlotAppointment sa;
      sa.id = a.id;
      sa.externalId = a.externalId;
      sa.serviceId = a.serviceId;
      sa.employeeId = e.id;
      sa.start = a.start;
      sa.end = a.end;
      if (auto it = services.find(a.serviceId); it != services.end()) {
        sa.bufferBeforeSec = std::int64_t{it->second.bufferBeforeMin} * 60;
        sa.bufferAfterSec = std::int64_t{it->second.bufferAfterMin} * 60;
      }
      sa.persons = personsOf(a.bookings);
      sa.status = a.status;
      in.appointments.push_back(std::move(sa));
      return true;
    });
    store.forEachEvent(filter, [&](const GroupEvent& ev) {
      for (const auto& p : ev.periods) {
        if (p.end <= from || p.start >= to) continue;
        SlotAppointment sa;
        sa.externalId = ev.externalId;
        sa.employeeId = e.id;
        sa.start = p.start;
        sa.end = p.end;
        sa.status = ev.status;
        in.appointments.push_back(std::move(sa));
      }
      return true;
    });

    BusySource source{kPersonalSource, "personal calendars", e.id, false};
    try {
      for (const auto& b : store.personalBusy(e.id, from, to))
        in.busy.push_back(SlotBusyPeriod{e.id, b.start, b.end, kPersonalSource, {}});
    } catch (const StoreError&) {
      source.unverified = true;  // fail safe: unknown busy time is not free time
    }
    in.sources.push_back(std::move(source));
  }

  answer.result = SlotFinder(std::move(in)).find(query);
  return answer;
}

}  // namespace creneau::engine
