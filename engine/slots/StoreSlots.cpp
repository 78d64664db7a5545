#include "engine/slots/StoreSlots.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "engine/busy/BusyStore.h"
#include "engine/model/Domain.h"
#include "engine/slots/SlotFinder.h"
#include "engine/store/Store.h"
#include "engine/sync/ExportSettings.h"

namespace creneau::engine {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr const char* kPersonalSource = "personal";
// A cache older than this is unverified (busy.max_age_sec overrides): the
// schedule refreshes every 5 minutes, so an hour means it stopped working.
constexpr std::int64_t kDefaultMaxAge = 3600;

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

  // Imported busy time (engine/busy): the cached periods of each source,
  // and the sources that cannot be trusted right now.
  std::optional<busy::BusyStore> imported = busy::BusyStore::of(store);
  std::map<Id, busy::Policy> employeePolicies;
  UnverifiedPolicy defaultPolicy = request.unverified;
  if (auto v = store.setting(busy::keys::kUnverifiedPolicy); v && !v->empty()) {
    if (auto p = busy::parsePolicy(*v))
      defaultPolicy =
          *p == busy::Policy::Hide ? UnverifiedPolicy::Hide : UnverifiedPolicy::MarkUnverified;
  }
  std::int64_t maxAge = kDefaultMaxAge;
  if (auto v = store.setting(busy::keys::kMaxAge); v && !v->empty()) {
    try {
      maxAge = std::max<std::int64_t>(60, std::stoll(*v));
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): keep the default
    }
  }
  const bool removeBusySlots = loadExportSettings(store).removeBusySlots;
  if (imported) employeePolicies = imported->employeePolicies();

  // Adds the employee's imported busy periods and sources to the input. The
  // cache must cover the asked days (any zone) from now on: earlier slots are
  // never offered anyway.
  const UnixTime queryFrom = std::max(query.from.dayNumber() * kDay - kDay, request.now);
  const UnixTime queryTo = (query.to.dayNumber() + 2) * kDay;
  auto addImportedBusy = [&](const busy::BusyStore& bs, Id employeeId, UnixTime lo, UnixTime hi,
                             SlotInput& input) {
    std::map<Id, std::string> ids;
    for (const auto& src : bs.sources(employeeId)) {
      // busy.remove_busy_slots off: the connected Google / Outlook calendars
      // do not hide slots (the admin's "remove busy slots using the calendar").
      if (!removeBusySlots &&
          (src.kind == busy::SourceKind::Google || src.kind == busy::SourceKind::Microsoft))
        continue;
      const std::string id = "busy-" + std::to_string(src.id);
      ids[src.id] = id;
      // Fail safe (DESIGN.md decision 6): never read, in error, stale, or not
      // covering the asked days means its busy time is unknown.
      const bool unverified = src.status != busy::SourceStatus::Ok ||
                              src.fetchedAt + maxAge < request.now || src.windowStart > queryFrom ||
                              src.windowEnd < queryTo;
      input.sources.push_back(BusySource{id, src.displayName(), employeeId, unverified});
    }
    for (const auto& p : bs.periods(employeeId, lo, hi)) {
      auto it = ids.find(p.sourceId);
      if (it == ids.end()) continue;
      input.busy.push_back(SlotBusyPeriod{employeeId, p.start, p.end, it->second, p.summary});
    }
  };

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

    if (imported) addImportedBusy(*imported, e.id, from, to, in);
  }

  // The policy for unverified sources, per employee: busy_employee_policy,
  // else the setting busy.unverified_policy, else the request's.
  std::map<UnverifiedPolicy, std::vector<Id>> groups;
  for (const auto& e : answer.employees) {
    UnverifiedPolicy p = defaultPolicy;
    if (auto it = employeePolicies.find(e.id); it != employeePolicies.end())
      p = it->second == busy::Policy::Hide ? UnverifiedPolicy::Hide
                                           : UnverifiedPolicy::MarkUnverified;
    groups[p].push_back(e.id);
  }
  if (groups.size() <= 1) {
    if (!groups.empty()) in.rules.unverified = groups.begin()->first;
    answer.result = SlotFinder(std::move(in)).find(query);
    return answer;
  }
  // Employees under different policies: one run per policy, merged in the
  // finder's order (start, then employee).
  for (const auto& [policy, ids] : groups) {
    SlotInput part = in;
    part.rules.unverified = policy;
    SlotQuery q = query;
    q.employeeIds = ids;
    auto r = SlotFinder(std::move(part)).find(q);
    auto& slots = answer.result.slots;
    slots.insert(slots.end(), r.slots.begin(), r.slots.end());
    auto& rej = answer.result.rejected;
    rej.insert(rej.end(), r.rejected.begin(), r.rejected.end());
  }
  std::stable_sort(answer.result.slots.begin(), answer.result.slots.end(),
                   [](const Slot& a, const Slot& b) {
                     return std::tie(a.start, a.employeeId) < std::tie(b.start, b.employeeId);
                   });
  std::stable_sort(answer.result.rejected.begin(), answer.result.rejected.end(),
                   [](const RejectedSlot& a, const RejectedSlot& b) {
                     return std::tie(a.start, a.employeeId) < std::tie(b.start, b.employeeId);
                   });
  return answer;
}

}  // namespace creneau::engine
