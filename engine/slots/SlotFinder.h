#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/slots/SlotTypes.h"
#include "engine/slots/ZoneOffsets.h"

namespace creneau::engine {

// Bookable slots of one service: working hours - (appointments + buffers) -
// busy time, with the rules (notice, horizon, unverified sources) applied.
//
// Candidates. For each local day of the employee (in the employee's zone)
// the day's ranges are the special day's if there is one, none on a day off,
// else the weekly ones (overlapping or touching ranges are merged). Inside a
// range, candidates start at the range start and step by the service's step
// in *local wall time*; each wall time is mapped to the instants that read
// it: none inside a spring-forward gap (skipped: that time does not exist),
// two inside a fall-back repeated hour (both offered: they are two different
// real times, so there is neither a duplicate nor an hour missing). A range
// bound inside the gap moves forward by the gap (02:30 reads as 03:30, as in
// RFC 5545 3.3.5 and ical::toUnix); a range start in the repeated hour takes
// its first reading, a range end its last. The
// service time [start, start + duration) is real elapsed time and must lie
// inside the range.
//
// Buffers. A candidate occupies [start - bufferBefore, end + bufferAfter]
// (the service's buffers, end exclusive). An existing appointment X occupies
// [X.start - X.bufferBefore, X.end + X.bufferAfter]. They conflict when those
// two spans overlap, and the reason says whose buffer did it:
//   - Appointment:       our service time overlaps X's own time;
//   - AppointmentBuffer: our service time overlaps one of X's buffers
//                        (theirBuffer says which);
//   - OwnBuffer:         only our buffer (ownBuffer says which) overlaps X,
//                        its time or (theirBuffer set) its buffer.
// Our buffers may reach outside working hours (preparing before opening is
// the employee's business); they may not overlap other bookings.
// Busy periods: our buffers must not overlap busy time either (a buffer is
// time the employee is not free for anything else); SlotReason::ownBuffer is
// set when only a buffer touches the busy period. Everything is end
// exclusive: a busy period ending exactly when our buffer starts is fine.
//
// Groups. An appointment of the same service starting at exactly the
// candidate's start is the group the customer would join, not a conflict:
// the slot stays offered while the persons booked on those appointments are
// fewer than the service's capacity (Slot::remaining is what is left).
//
// Rules. A slot must start at or after now + minimum notice; its local day
// (employee's zone) must be at most today + horizonDays. If a busy source of
// the employee is unverified, UnverifiedPolicy::Hide offers none of the
// employee's slots and MarkUnverified offers them with Slot::unverified.
//
// Speed. Appointments and busy periods are sorted once per employee with a
// running maximum of their ends; candidates come in ascending order, so a
// sweep with two forward-only cursors answers "does anything overlap?" in
// O(1) per candidate. Zone conversions use a ZoneOffsets table per zone.
class SlotFinder {
 public:
  // Throws std::invalid_argument when the service has no positive duration.
  explicit SlotFinder(SlotInput input);
  // The finder points into its own input: move it, never copy it.
  SlotFinder(const SlotFinder&) = delete;
  SlotFinder& operator=(const SlotFinder&) = delete;
  SlotFinder(SlotFinder&&) noexcept = default;
  SlotFinder& operator=(SlotFinder&&) noexcept = default;

  // nullopt, or what is wrong with the query (unknown zone, from after to,
  // more than kMaxQueryDays days).
  [[nodiscard]] static std::optional<std::string> validate(const SlotQuery& query);
  static constexpr int kMaxQueryDays = 366;

  // Slots whose start lies in the query's local days. Throws
  // std::invalid_argument for a query validate() refuses. Unknown employee
  // ids in the filter are ignored.
  [[nodiscard]] SlotResult find(const SlotQuery& query) const;

  [[nodiscard]] const SlotInput& input() const { return input_; }

 private:
  struct Occupied {
    UnixTime from;  // start - bufferBefore
    UnixTime to;    // end + bufferAfter
    const SlotAppointment* appointment;
  };
  struct BusyRef {
    UnixTime from;
    UnixTime to;
    const SlotBusyPeriod* period;
  };
  struct EmployeeData {
    const SlotEmployee* employee = nullptr;
    std::array<std::vector<TimeRange>, 7> weekly;         // merged
    std::vector<LocalDate> daysOff;                       // sorted
    std::map<LocalDate, std::vector<TimeRange>> special;  // merged
    std::vector<Occupied> occupied;                       // blocking appointments, by `from`
    std::vector<UnixTime> occupiedMaxTo;                  // running max of `to`
    std::vector<BusyRef> busy;                            // by `from`
    std::vector<UnixTime> busyMaxTo;
    std::vector<const BusySource*> sources;  // all of the employee's
    std::vector<const BusySource*> unverified;
  };
  struct Candidate;
  struct Output;

  void findFor(const EmployeeData& e, const SlotQuery& query, UnixTime windowFrom,
               UnixTime windowTo, const ZoneOffsets& local, const ZoneOffsets& out,
               Output& result) const;

  SlotInput input_;
  std::vector<EmployeeData> employees_;
  std::unordered_map<Id, std::size_t> byId_;
};

}  // namespace creneau::engine
