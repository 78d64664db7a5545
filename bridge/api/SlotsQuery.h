#pragma once

// What `GET /api/v1/slots` and `creneau slots` share: checking the caller's
// parameters, running the slot engine (engine/slots/StoreSlots.h), the
// clock, and the JSON document both answer with.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/Domain.h"
#include "engine/slots/StoreSlots.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge {

// One slot question as the caller typed it, still text.
struct SlotsParams {
  std::string service;                  // the booking system's service id; required
  std::vector<std::string> employees;   // the booking system's ids; empty: every employee
  std::string from;                     // YYYY-MM-DD, required; both days included
  std::string to;                       // YYYY-MM-DD, required
  std::optional<std::string> timeZone;  // none: the employee's zone when there is one, else UTC
  bool explain = false;
};

enum class SlotsProblem {
  None,
  BadParameter,  // API 400, command line exit 2
  NotFound,      // unknown service or employee: API 404, command line exit 1
};

struct SlotsOutcome {
  SlotsProblem problem = SlotsProblem::None;
  std::string message;  // what to fix, when problem != None
  engine::SlotRequest request;
  engine::SlotAnswer answer;
  [[nodiscard]] bool ok() const { return problem == SlotsProblem::None; }
};

// What is wrong with `params` that can be told without the store (a
// missing service, a bad day, from after to, too many days, an unknown
// zone), or nullopt. Messages name the parameters as the caller wrote them:
// `prefix` is "--" on the command line ("--from ..."), "" in the API.
[[nodiscard]] std::optional<std::string> checkSlotsParams(const SlotsParams& params,
                                                          std::string_view prefix);

// Checks `params`, resolves the default zone, and runs findSlots at `now`.
// Messages as checkSlotsParams's. Throws engine::StoreError when the store fails.
[[nodiscard]] SlotsOutcome runSlotsQuery(const engine::Store& store, const SlotsParams& params,
                                         engine::UnixTime now, std::string_view prefix);

// The answer as one JSON document (UTF-8, with a final newline):
//   {"service", "timeZone", "from", "to", "employees": [{id, name, timeZone}],
//    "slots": [{employee, start, end, startUtc, remaining, unverified}],
//    "rejected": [{employee, start, end, startUtc, reasons: [{kind, text, ...}]}]}
// `rejected` only when the request asked to explain.
[[nodiscard]] std::string slotsJson(const engine::SlotRequest& request,
                                    const engine::SlotAnswer& answer);

// The clock slot queries read "now" from (minimum notice, horizon).
using SlotClock = std::function<engine::UnixTime()>;

// The environment variable (and hidden `creneau slots --now`) that fixes
// "now" for tests: an ISO 8601 date-time with Z or an offset.
inline constexpr const char* kFixedNowVariable = "CRENEAU_NOW";

// nullopt and a sentence in `why` when `text` is not a date-time with Z or
// an offset.
[[nodiscard]] std::optional<engine::UnixTime> parseFixedNow(std::string_view text,
                                                            std::string* why);

// The system clock, or always `fixedNow` when it is set (CRENEAU_NOW).
// Throws std::invalid_argument naming CRENEAU_NOW when it is malformed.
[[nodiscard]] SlotClock makeSlotClock(const std::optional<std::string>& fixedNow);

}  // namespace creneau::bridge
