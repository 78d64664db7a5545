#pragma once

// Value types of the slot engine (DESIGN.md: "SlotEngine: working hours -
// (appointments + buffers) - busy --> bookable slots"). No store, no I/O:
// SlotFinder takes these in and gives slots (and reasons) out.
//
// Units: instants are UnixTime (UTC seconds); durations are seconds; wall
// times of a day are minutes since local midnight in the employee's zone.

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/Domain.h"
#include "engine/slots/WorkSchedule.h"

namespace creneau::engine {

// What the finder needs of a service. durationSec > 0; stepSec <= 0 means
// "step by the duration". capacity >= 1 (group services: > 1).
struct SlotService {
  Id id = 0;
  std::string externalId;
  std::int64_t durationSec = 3600;
  std::int64_t bufferBeforeSec = 0;
  std::int64_t bufferAfterSec = 0;
  int capacity = 1;
  std::int64_t stepSec = 0;
  bool operator==(const SlotService&) const = default;
};

// How to treat an employee with a busy source that could not be read
// (DESIGN.md decision 6: fail safe, not open).
enum class UnverifiedPolicy {
  Hide,            // offer none of that employee's slots (reason: unverified source)
  MarkUnverified,  // offer them with Slot::unverified set
};

struct SlotRules {
  UnixTime now = 0;
  std::int64_t minNoticeSec = 0;   // a slot must start at or after now + minNoticeSec
  std::optional<int> horizonDays;  // last bookable local day: today + horizonDays; none: no limit
  UnverifiedPolicy unverified = UnverifiedPolicy::Hide;
  bool operator==(const SlotRules&) const = default;
};

struct SlotEmployee {
  Id id = 0;
  std::string externalId;
  WorkSchedule schedule;  // schedule.timeZone is the employee's zone
  bool operator==(const SlotEmployee&) const = default;
};

// An existing appointment of an employee. Canceled and rejected ones do not
// block anything; every other status does. `persons` counts the people booked
// on it (group services fill up by persons).
struct SlotAppointment {
  Id id = 0;
  std::string externalId;
  Id serviceId = 0;
  Id employeeId = 0;
  UnixTime start = 0;
  UnixTime end = 0;
  std::int64_t bufferBeforeSec = 0;
  std::int64_t bufferAfterSec = 0;
  int persons = 1;
  Status status = Status::Approved;
  bool operator==(const SlotAppointment&) const = default;
};

// Busy time of an employee read from a source (Google, Graph, CalDAV, ICS,
// the `blocked` calendar): [start, end), end exclusive.
struct SlotBusyPeriod {
  Id employeeId = 0;
  UnixTime start = 0;
  UnixTime end = 0;
  std::string sourceId;
  std::string summary;  // may be empty (free/busy gives no titles)
  bool operator==(const SlotBusyPeriod&) const = default;
};

// A busy source of an employee. unverified: it could not be read this time
// (expired grant, timeout), so its busy time is unknown.
struct BusySource {
  std::string id;
  std::string name;
  Id employeeId = 0;
  bool unverified = false;
  bool operator==(const BusySource&) const = default;
};

// Everything one slot computation looks at.
struct SlotInput {
  SlotService service;
  SlotRules rules;
  std::vector<SlotEmployee> employees;
  std::vector<SlotAppointment> appointments;  // any order, any employee
  std::vector<SlotBusyPeriod> busy;           // any order, any employee
  std::vector<BusySource> sources;
};

// Which slots: local dates [from, to] (both included) in `timeZone`, the zone
// the caller renders in. employeeIds empty: every employee of the input.
struct SlotQuery {
  LocalDate from;
  LocalDate to;
  std::string timeZone = "UTC";
  std::vector<Id> employeeIds;
  bool explain = false;  // also report every candidate not offered, with reasons
};

// One bookable slot. Start and end are UTC; startOffset / endOffset are the
// query zone's UTC offsets (seconds east) at those instants, so the wall time
// in the asked zone is start + startOffset (see formatLocal).
struct Slot {
  Id employeeId = 0;
  UnixTime start = 0;
  UnixTime end = 0;
  int startOffset = 0;
  int endOffset = 0;
  int remaining = 1;        // places left (capacity - persons already booked)
  bool unverified = false;  // a busy source of this employee could not be read
  bool operator==(const Slot&) const = default;
};

enum class SlotReasonKind {
  OutsideWorkingHours,  // the service would not fit in the day's working hours
  DayOff,               // a day off, or a special day with no hours
  MinimumNotice,        // starts before now + minimum notice (or in the past)
  BeyondHorizon,        // its local day is after today + horizon
  Appointment,          // overlaps the time of appointment X itself
  AppointmentBuffer,    // our service time overlaps a buffer of appointment X
  OwnBuffer,            // our own buffer overlaps appointment X (its time or its buffer)
  FullyBooked,          // the group at this start (appointment X) has no place left
  Busy,                 // overlaps a busy period of source Y (own buffers included)
  UnverifiedSource,     // source Y could not be read and the policy is Hide
};

enum class BufferSide { None, Before, After };

// Why a candidate was not offered. Which fields are set depends on `kind`.
struct SlotReason {
  SlotReasonKind kind = SlotReasonKind::OutsideWorkingHours;
  std::string appointmentId{};  // external id (Appointment*, OwnBuffer, FullyBooked)
  std::string sourceId{};       // Busy, UnverifiedSource
  std::string sourceName{};
  std::string summary{};                      // Busy: the busy period's summary, if any
  BufferSide theirBuffer = BufferSide::None;  // AppointmentBuffer, OwnBuffer: X's buffer
  BufferSide ownBuffer = BufferSide::None;    // OwnBuffer, Busy: our buffer that overlaps
  UnixTime start = 0;                         // the conflicting span (appointment or busy period)
  UnixTime end = 0;
  bool operator==(const SlotReason&) const = default;

  // One line for people: "buffer after appointment a17", "busy: Google
  // (g1) \"Dentist\"", "minimum notice".
  [[nodiscard]] std::string text() const;
};

[[nodiscard]] std::string_view toString(SlotReasonKind kind);  // "appointment-buffer", ...

struct RejectedSlot {
  Id employeeId = 0;
  UnixTime start = 0;
  UnixTime end = 0;
  int startOffset = 0;  // as in Slot
  int endOffset = 0;
  std::vector<SlotReason> reasons;  // at least one
  bool operator==(const RejectedSlot&) const = default;
};

struct SlotResult {
  std::vector<Slot> slots;             // by start, then employee
  std::vector<RejectedSlot> rejected;  // only with SlotQuery::explain; same order
};

// "2026-03-29T09:30:00+02:00" for an instant and a UTC offset (always
// +HH:MM, "+00:00" included).
[[nodiscard]] std::string formatLocal(UnixTime t, int offsetSec);

}  // namespace creneau::engine
