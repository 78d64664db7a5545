#pragma once

#include <string>
#include <vector>

#include "engine/model/Domain.h"
#include "engine/slots/SlotTypes.h"

namespace creneau::engine {

class Store;

// One slot question as the API or the command line asks it, in the booking
// system's ids.
struct SlotRequest {
  std::string serviceExt;                 // the service to book
  std::vector<std::string> employeeExts;  // empty: every employee in the store
  LocalDate from;                         // local days [from, to] in `timeZone`
  LocalDate to;
  std::string timeZone = "UTC";  // the zone the caller renders in
  bool explain = false;
  UnixTime now = 0;
  UnverifiedPolicy unverified = UnverifiedPolicy::Hide;
};

// The answer, or why there is none (error non-empty: an unknown service or
// employee, an invalid query). Expected failures are values, not exceptions.
struct SlotAnswer {
  std::string error;
  Service service;
  std::vector<Employee> employees;  // those asked about, so callers can map ids
  SlotResult result;
  [[nodiscard]] bool ok() const { return error.empty(); }
  [[nodiscard]] const Employee* employee(Id id) const {
    for (const auto& e : employees)
      if (e.id == id) return &e;
    return nullptr;
  }
};

// Loads what one query needs from the store and runs SlotFinder:
//   - the service and its slot rules (Store::serviceSlotSettings): step,
//     minimum notice, horizon;
//   - each employee's working hours (Store::employeeSchedule);
//   - their appointments around the window, any service, with the buffers of
//     each appointment's own service and its persons (bookings not canceled
//     or rejected; 1 when it has no bookings);
//   - their group events (organizer or staff): every period blocks like an
//     appointment without buffers (reported as "appointment <event id>");
//   - busy time of their personal calendars (source "personal", the CalDAV
//     `blocked` calendar and friends). When that read fails the source is
//     unverified and `unverified` decides (DESIGN.md decision 6);
//   - imported busy time (engine/busy): the cached periods of each busy
//     source ("busy-<id>", with its label and the period's summary for
//     explain). A source never read, in error, older than busy.max_age_sec
//     (3600) or whose cache does not cover the asked days is unverified.
//     Google / Microsoft sources count only while busy.remove_busy_slots is
//     on. The policy for unverified sources is per employee
//     (busy_employee_policy), else the setting busy.unverified_policy
//     (hide | mark), else `unverified`.
// Throws StoreError when the store itself fails.
[[nodiscard]] SlotAnswer findSlots(const Store& store, const SlotRequest& request);

}  // namespace creneau::engine
