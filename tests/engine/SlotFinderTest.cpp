#include "engine/slots/SlotFinder.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "ical/TimeZones.h"

namespace creneau::engine {
namespace {

constexpr std::int64_t kMin = 60;
constexpr std::int64_t kHour = 3600;

UnixTime at(const std::string& zone, int y, int mo, int d, int h, int mi) {
  return ical::toUnix(ical::DateTime::local(y, mo, d, h, mi, 0, zone));
}
UnixTime utc(int y, int mo, int d, int h, int mi) {
  return at("UTC", y, mo, d, h, mi);
}

TimeRange hours(int h1, int m1, int h2, int m2) {
  return TimeRange{h1 * 60 + m1, h2 * 60 + m2};
}

// An employee working the same ranges every day of the week.
SlotEmployee everyDay(Id id, const std::string& zone, std::vector<TimeRange> ranges) {
  SlotEmployee e;
  e.id = id;
  e.externalId = "e" + std::to_string(id);
  e.schedule.timeZone = zone;
  for (auto& day : e.schedule.weekly) day = ranges;
  return e;
}

SlotService service(int durationMin, int stepMin, int capacity = 1) {
  SlotService s;
  s.id = 1;
  s.externalId = "s1";
  s.durationSec = durationMin * kMin;
  s.stepSec = stepMin * kMin;
  s.capacity = capacity;
  return s;
}

SlotAppointment appointment(const std::string& ext, UnixTime start, UnixTime end,
                            Id employeeId = 1) {
  SlotAppointment a;
  a.id = static_cast<Id>(std::hash<std::string>{}(ext) % 100000);
  a.externalId = ext;
  a.serviceId = 99;  // another service unless a test says so
  a.employeeId = employeeId;
  a.start = start;
  a.end = end;
  return a;
}

SlotQuery day(const std::string& zone, int y, int m, int d, bool explain = false) {
  SlotQuery q;
  q.from = LocalDate{y, m, d};
  q.to = q.from;
  q.timeZone = zone;
  q.explain = explain;
  return q;
}

// The slots' starts as the caller sees them in the asked zone.
std::vector<std::string> starts(const SlotResult& r) {
  std::vector<std::string> out;
  for (const auto& s : r.slots) out.push_back(formatLocal(s.start, s.startOffset));
  return out;
}

// The reasons given for the candidate starting at `start`, as text.
std::vector<std::string> reasonsAt(const SlotResult& r, UnixTime start) {
  for (const auto& rej : r.rejected)
    if (rej.start == start) {
      std::vector<std::string> out;
      for (const auto& reason : rej.reasons) out.push_back(reason.text());
      return out;
    }
  return {};
}

const RejectedSlot* rejectedAt(const SlotResult& r, UnixTime start) {
  for (const auto& rej : r.rejected)
    if (rej.start == start) return &rej;
  return nullptr;
}

bool offersAt(const SlotResult& r, UnixTime start) {
  for (const auto& s : r.slots)
    if (s.start == start) return true;
  return false;
}

SlotInput input(SlotService svc, std::vector<SlotEmployee> employees, UnixTime now = 0) {
  SlotInput in;
  in.service = std::move(svc);
  in.employees = std::move(employees);
  in.rules.now = now;
  return in;
}

// ---- DST -------------------------------------------------------------------

TEST(SlotFinder, SpringForward_Paris_SkipsNonexistentHour) {
  // 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST.
  SlotFinder finder(input(service(30, 30), {everyDay(1, "Europe/Paris", {hours(0, 0, 6, 0)})}));
  const auto r = finder.find(day("Europe/Paris", 2026, 3, 29));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-03-29T00:00:00+01:00", "2026-03-29T00:30:00+01:00",
                                      "2026-03-29T01:00:00+01:00", "2026-03-29T01:30:00+01:00",
                                      "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00",
                                      "2026-03-29T04:00:00+02:00", "2026-03-29T04:30:00+02:00",
                                      "2026-03-29T05:00:00+02:00", "2026-03-29T05:30:00+02:00"}));
  for (const auto& s : r.slots) EXPECT_EQ(s.end - s.start, 30 * kMin);
}

TEST(SlotFinder, SpringForward_Paris_ServiceAcrossTheGapLastsItsRealDuration) {
  SlotFinder finder(input(service(60, 30), {everyDay(1, "Europe/Paris", {hours(1, 0, 4, 0)})}));
  const auto r = finder.find(day("Europe/Paris", 2026, 3, 29));
  // 01:00-04:00 local is two real hours: 01:00 CET and 01:30 CET (ending
  // 03:30 CEST), then 03:00 CEST; 02:00 and 02:30 do not exist.
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-03-29T01:00:00+01:00", "2026-03-29T01:30:00+01:00",
                                      "2026-03-29T03:00:00+02:00"}));
  EXPECT_EQ(formatLocal(r.slots[1].end, r.slots[1].endOffset), "2026-03-29T03:30:00+02:00");
}

TEST(SlotFinder, SpringForward_Paris_RangeStartInTheGapMovesForwardByTheGap) {
  // 02:30 does not exist on 2026-03-29; as in RFC 5545 3.3.5 it reads as
  // 03:30 CEST, so the range is 03:30-04:00 and 03:00 is not offered.
  SlotFinder finder(input(service(30, 30), {everyDay(1, "Europe/Paris", {hours(2, 30, 4, 0)})}));
  const auto r = finder.find(day("Europe/Paris", 2026, 3, 29));
  EXPECT_EQ(starts(r), (std::vector<std::string>{"2026-03-29T03:30:00+02:00"}));
}

TEST(SlotFinder, SpringForward_Paris_RangeStartingAtTheGapStartsWhenTheClockJumps) {
  SlotFinder finder(input(service(30, 30), {everyDay(1, "Europe/Paris", {hours(2, 0, 4, 0)})}));
  const auto r = finder.find(day("Europe/Paris", 2026, 3, 29));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"}));
}

TEST(SlotFinder, FallBack_Paris_OffersBothReadingsOfTheRepeatedHourWithoutDuplicatesOrGaps) {
  // 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET.
  SlotFinder finder(input(service(30, 30), {everyDay(1, "Europe/Paris", {hours(0, 0, 5, 0)})}));
  const auto r = finder.find(day("Europe/Paris", 2026, 10, 25));
  EXPECT_EQ(
      starts(r),
      (std::vector<std::string>{
          "2026-10-25T00:00:00+02:00", "2026-10-25T00:30:00+02:00", "2026-10-25T01:00:00+02:00",
          "2026-10-25T01:30:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00",
          "2026-10-25T02:00:00+01:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00",
          "2026-10-25T03:30:00+01:00", "2026-10-25T04:00:00+01:00", "2026-10-25T04:30:00+01:00"}));
  // Six real hours, every half hour exactly once.
  ASSERT_EQ(r.slots.size(), 12u);
  for (std::size_t i = 1; i < r.slots.size(); ++i)
    EXPECT_EQ(r.slots[i].start - r.slots[i - 1].start, 30 * kMin);
}

TEST(SlotFinder, SpringForward_NewYork_SkipsNonexistentHour) {
  // 2026-03-08: at 02:00 EST the clocks jump to 03:00 EDT.
  SlotFinder finder(input(service(30, 30), {everyDay(1, "America/New_York", {hours(1, 0, 4, 0)})}));
  const auto r = finder.find(day("America/New_York", 2026, 3, 8));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-03-08T01:00:00-05:00", "2026-03-08T01:30:00-05:00",
                                      "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"}));
}

TEST(SlotFinder, FallBack_NewYork_RepeatedHourOfferedOnceEach) {
  // 2026-11-01: at 02:00 EDT the clocks go back to 01:00 EST.
  SlotFinder finder(input(service(60, 60), {everyDay(1, "America/New_York", {hours(0, 0, 3, 0)})}));
  const auto r = finder.find(day("America/New_York", 2026, 11, 1));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-11-01T00:00:00-04:00", "2026-11-01T01:00:00-04:00",
                                      "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"}));
  EXPECT_EQ(r.slots.front().start, utc(2026, 11, 1, 4, 0));
  EXPECT_EQ(r.slots.back().end, utc(2026, 11, 1, 8, 0));
}

TEST(SlotFinder, FallBack_NewYork_RangeStartingInTheRepeatedHourHasNoGap) {
  // The range starts at the first 01:30 (EDT) and ends at 03:00 EST: 2.5
  // real hours, every half hour of them offered, 01:00 EST included.
  SlotFinder finder(
      input(service(30, 30), {everyDay(1, "America/New_York", {hours(1, 30, 3, 0)})}));
  const auto r = finder.find(day("America/New_York", 2026, 11, 1));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00",
                                      "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00",
                                      "2026-11-01T02:30:00-05:00"}));
}

TEST(SlotFinder, FallBack_NewYork_RenderedInUtcHasNoDuplicates) {
  SlotFinder finder(input(service(30, 30), {everyDay(1, "America/New_York", {hours(0, 0, 3, 0)})}));
  const auto r = finder.find(day("UTC", 2026, 11, 1));
  // 00:00 EDT .. 03:00 EST is 04:00Z .. 08:00Z: eight half hours.
  ASSERT_EQ(r.slots.size(), 8u);
  EXPECT_EQ(formatLocal(r.slots.front().start, r.slots.front().startOffset),
            "2026-11-01T04:00:00+00:00");
  EXPECT_EQ(formatLocal(r.slots.back().start, r.slots.back().startOffset),
            "2026-11-01T07:30:00+00:00");
}

TEST(SlotFinder, Kolkata_EmployeeQueriedInLosAngeles_DayWindowInTheAskedZone) {
  // Kolkata is UTC+05:30, Los Angeles UTC-08:00 in December. The Los Angeles
  // day 2026-12-01 is 2026-12-01T08:00Z .. 2026-12-02T08:00Z: the end of the
  // Kolkata Tuesday and the start of the Kolkata Wednesday.
  SlotFinder finder(input(service(60, 60), {everyDay(1, "Asia/Kolkata", {hours(9, 0, 17, 0)})}));
  const auto r = finder.find(day("America/Los_Angeles", 2026, 12, 1));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-12-01T00:30:00-08:00", "2026-12-01T01:30:00-08:00",
                                      "2026-12-01T02:30:00-08:00", "2026-12-01T19:30:00-08:00",
                                      "2026-12-01T20:30:00-08:00", "2026-12-01T21:30:00-08:00",
                                      "2026-12-01T22:30:00-08:00", "2026-12-01T23:30:00-08:00"}));
  EXPECT_EQ(r.slots.front().start, at("Asia/Kolkata", 2026, 12, 1, 14, 0));
  EXPECT_EQ(r.slots.back().start, at("Asia/Kolkata", 2026, 12, 2, 13, 0));
}

// ---- buffers ---------------------------------------------------------------

// Service: 60 min, 15 min buffers on both sides, every 15 min, 08:00-14:00 UTC.
// Appointment a17: 10:00-11:00 with 30 min buffers on both sides, so it
// occupies 09:30-11:30.
SlotInput bufferInput() {
  SlotService svc = service(60, 15);
  svc.bufferBeforeSec = 15 * kMin;
  svc.bufferAfterSec = 15 * kMin;
  SlotInput in = input(svc, {everyDay(1, "UTC", {hours(8, 0, 14, 0)})});
  SlotAppointment a = appointment("a17", utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 11, 0));
  a.bufferBeforeSec = 30 * kMin;
  a.bufferAfterSec = 30 * kMin;
  in.appointments.push_back(a);
  return in;
}

TEST(SlotFinder, Buffers_TheirBufferAfterBlocksOurServiceTime) {
  SlotFinder finder(bufferInput());
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  // 11:00: our service time 11:00-12:00 lies in a17's buffer after (11:00-11:30).
  const auto* rej = rejectedAt(r, utc(2026, 12, 1, 11, 0));
  ASSERT_NE(rej, nullptr);
  ASSERT_EQ(rej->reasons.size(), 1u);
  EXPECT_EQ(rej->reasons[0].kind, SlotReasonKind::AppointmentBuffer);
  EXPECT_EQ(rej->reasons[0].theirBuffer, BufferSide::After);
  EXPECT_EQ(rej->reasons[0].text(), "buffer after appointment a17");
  // 08:45: our service time 08:45-09:45 lies in a17's buffer before (09:30-10:00).
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 8, 45)),
            std::vector<std::string>{"buffer before appointment a17"});
  // 10:30: the appointment itself.
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 10, 30)), std::vector<std::string>{"appointment a17"});
}

TEST(SlotFinder, Buffers_OurOwnBufferMustNotTouchTheirBuffer) {
  SlotFinder finder(bufferInput());
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  // 11:30: service 11:30-12:30 is clear, but our buffer before (11:15-11:30)
  // overlaps a17's buffer after (11:00-11:30).
  const auto* rej = rejectedAt(r, utc(2026, 12, 1, 11, 30));
  ASSERT_NE(rej, nullptr);
  ASSERT_EQ(rej->reasons.size(), 1u);
  EXPECT_EQ(rej->reasons[0].kind, SlotReasonKind::OwnBuffer);
  EXPECT_EQ(rej->reasons[0].ownBuffer, BufferSide::Before);
  EXPECT_EQ(rej->reasons[0].theirBuffer, BufferSide::After);
  EXPECT_EQ(rej->reasons[0].text(), "our buffer before overlaps the buffer after appointment a17");
  // 08:30: our buffer after (09:30-09:45) overlaps a17's buffer before.
  EXPECT_EQ(
      reasonsAt(r, utc(2026, 12, 1, 8, 30)),
      std::vector<std::string>{"our buffer after overlaps the buffer before appointment a17"});
  // End exclusive on both sides: 08:15 (occupies until 09:30) and 11:45
  // (occupies from 11:30) are offered.
  EXPECT_TRUE(offersAt(r, utc(2026, 12, 1, 8, 15)));
  EXPECT_TRUE(offersAt(r, utc(2026, 12, 1, 11, 45)));
  EXPECT_FALSE(offersAt(r, utc(2026, 12, 1, 11, 30)));
}

TEST(SlotFinder, Buffers_OurBufferAfterOverlappingAnAppointmentWithoutBuffers) {
  SlotService svc = service(60, 15);
  svc.bufferAfterSec = 15 * kMin;
  SlotInput in = input(svc, {everyDay(1, "UTC", {hours(8, 0, 14, 0)})});
  in.appointments.push_back(appointment("b2", utc(2026, 12, 1, 13, 0), utc(2026, 12, 1, 13, 30)));
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_TRUE(offersAt(r, utc(2026, 12, 1, 11, 45)));  // buffer ends 13:00 sharp
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 12, 0)),
            std::vector<std::string>{"our buffer after overlaps appointment b2"});
}

TEST(SlotFinder, Buffers_MayReachOutsideWorkingHours) {
  SlotService svc = service(60, 60);
  svc.bufferBeforeSec = 30 * kMin;
  svc.bufferAfterSec = 30 * kMin;
  SlotFinder finder(input(svc, {everyDay(1, "UTC", {hours(9, 0, 11, 0)})}));
  const auto r = finder.find(day("UTC", 2026, 12, 1));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-12-01T09:00:00+00:00", "2026-12-01T10:00:00+00:00"}));
}

TEST(SlotFinder, Appointments_CanceledAndRejectedDoNotBlock) {
  SlotInput in = input(service(60, 60), {everyDay(1, "UTC", {hours(9, 0, 12, 0)})});
  auto a = appointment("c1", utc(2026, 12, 1, 9, 0), utc(2026, 12, 1, 10, 0));
  a.status = Status::Canceled;
  auto b = appointment("r1", utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 11, 0));
  b.status = Status::Rejected;
  auto c = appointment("p1", utc(2026, 12, 1, 11, 0), utc(2026, 12, 1, 12, 0));
  c.status = Status::Pending;  // pending still holds the time
  in.appointments = {a, b, c};
  SlotFinder finder(in);
  EXPECT_EQ(starts(finder.find(day("UTC", 2026, 12, 1))),
            (std::vector<std::string>{"2026-12-01T09:00:00+00:00", "2026-12-01T10:00:00+00:00"}));
}

TEST(SlotFinder, Appointments_OtherEmployeesDoNotBlock) {
  SlotInput in = input(service(60, 60), {everyDay(1, "UTC", {hours(9, 0, 10, 0)}),
                                         everyDay(2, "UTC", {hours(9, 0, 10, 0)})});
  in.appointments.push_back(appointment("x", utc(2026, 12, 1, 9, 0), utc(2026, 12, 1, 10, 0), 2));
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1));
  ASSERT_EQ(r.slots.size(), 1u);
  EXPECT_EQ(r.slots[0].employeeId, 1);
}

// ---- capacity --------------------------------------------------------------

TEST(SlotFinder, Capacity_GroupStaysOfferedWhilePersonsBelowCapacity) {
  SlotInput in = input(service(60, 60, 3), {everyDay(1, "UTC", {hours(9, 0, 12, 0)})});
  auto g1 = appointment("g1", utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 11, 0));
  g1.serviceId = 1;
  g1.persons = 2;
  in.appointments.push_back(g1);
  {
    SlotFinder finder(in);
    const auto r = finder.find(day("UTC", 2026, 12, 1));
    ASSERT_EQ(r.slots.size(), 3u);
    EXPECT_EQ(r.slots[0].remaining, 3);  // 09:00
    EXPECT_EQ(r.slots[1].start, utc(2026, 12, 1, 10, 0));
    EXPECT_EQ(r.slots[1].remaining, 1);
    EXPECT_EQ(r.slots[2].remaining, 3);  // 11:00
  }
  auto g2 = appointment("g2", utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 11, 0));
  g2.serviceId = 1;
  in.appointments.push_back(g2);
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_FALSE(offersAt(r, utc(2026, 12, 1, 10, 0)));
  const auto* rej = rejectedAt(r, utc(2026, 12, 1, 10, 0));
  ASSERT_NE(rej, nullptr);
  ASSERT_EQ(rej->reasons.size(), 1u);
  EXPECT_EQ(rej->reasons[0].kind, SlotReasonKind::FullyBooked);
}

TEST(SlotFinder, Capacity_GroupOfAnotherStartOrServiceBlocks) {
  SlotInput in = input(service(60, 30, 5), {everyDay(1, "UTC", {hours(9, 0, 12, 0)})});
  auto same = appointment("g1", utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 11, 0));
  same.serviceId = 1;
  in.appointments.push_back(same);
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_TRUE(offersAt(r, utc(2026, 12, 1, 10, 0)));  // joins the group
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 10, 30)), std::vector<std::string>{"appointment g1"});
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 9, 30)), std::vector<std::string>{"appointment g1"});
}

// ---- rules -----------------------------------------------------------------

TEST(SlotFinder, MinimumNotice_HidesSlotsStartingTooSoon) {
  SlotInput in =
      input(service(60, 60), {everyDay(1, "UTC", {hours(8, 0, 14, 0)})}, utc(2026, 12, 1, 9, 10));
  in.rules.minNoticeSec = 2 * kHour;  // earliest start 11:10
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-12-01T12:00:00+00:00", "2026-12-01T13:00:00+00:00"}));
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 11, 0)), std::vector<std::string>{"minimum notice"});
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 8, 0)), std::vector<std::string>{"minimum notice"});
}

TEST(SlotFinder, MinimumNotice_ExactlyAtTheEarliestStartIsOffered) {
  SlotInput in =
      input(service(60, 60), {everyDay(1, "UTC", {hours(8, 0, 14, 0)})}, utc(2026, 12, 1, 9, 0));
  in.rules.minNoticeSec = 2 * kHour;
  SlotFinder finder(in);
  EXPECT_TRUE(offersAt(finder.find(day("UTC", 2026, 12, 1)), utc(2026, 12, 1, 11, 0)));
}

TEST(SlotFinder, Horizon_LastBookableLocalDayIsTodayPlusHorizon) {
  // Now: 2026-12-01 23:30 in Paris (22:30Z), so "today" is Paris's Dec 1.
  SlotInput in = input(service(60, 60), {everyDay(1, "Europe/Paris", {hours(9, 0, 11, 0)})},
                       utc(2026, 12, 1, 22, 30));
  in.rules.horizonDays = 2;
  SlotFinder finder(in);
  SlotQuery q = day("Europe/Paris", 2026, 12, 2, true);
  q.to = LocalDate{2026, 12, 5};
  const auto r = finder.find(q);
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-12-02T09:00:00+01:00", "2026-12-02T10:00:00+01:00",
                                      "2026-12-03T09:00:00+01:00", "2026-12-03T10:00:00+01:00"}));
  EXPECT_EQ(reasonsAt(r, at("Europe/Paris", 2026, 12, 4, 9, 0)),
            std::vector<std::string>{"beyond the booking horizon"});
}

// ---- schedule --------------------------------------------------------------

SlotInput scheduleInput() {
  SlotEmployee e;
  e.id = 1;
  e.schedule.timeZone = "Europe/Paris";
  for (int wd = 0; wd < 5; ++wd) e.schedule.weekly[wd] = {hours(9, 0, 12, 0)};
  e.schedule.daysOff = {LocalDate{2026, 12, 25}};                       // Friday
  e.schedule.special[LocalDate{2026, 12, 24}] = {hours(9, 0, 10, 0)};   // Thursday
  e.schedule.special[LocalDate{2026, 12, 23}] = {};                     // Wednesday: closed
  e.schedule.special[LocalDate{2026, 12, 26}] = {hours(14, 0, 16, 0)};  // Saturday: open
  return input(service(60, 60), {e});
}

TEST(SlotFinder, Schedule_DaysOffAndSpecialDaysReplaceTheWeek) {
  SlotFinder finder(scheduleInput());
  SlotQuery q = day("Europe/Paris", 2026, 12, 21);
  q.to = LocalDate{2026, 12, 27};
  EXPECT_EQ(
      starts(finder.find(q)),
      (std::vector<std::string>{
          "2026-12-21T09:00:00+01:00", "2026-12-21T10:00:00+01:00", "2026-12-21T11:00:00+01:00",
          "2026-12-22T09:00:00+01:00", "2026-12-22T10:00:00+01:00", "2026-12-22T11:00:00+01:00",
          "2026-12-24T09:00:00+01:00", "2026-12-26T14:00:00+01:00", "2026-12-26T15:00:00+01:00"}));
}

TEST(SlotFinder, Schedule_ExplainsDayOffAndShortenedDay) {
  SlotFinder finder(scheduleInput());
  SlotQuery q = day("Europe/Paris", 2026, 12, 23, true);
  q.to = LocalDate{2026, 12, 25};
  const auto r = finder.find(q);
  EXPECT_EQ(reasonsAt(r, at("Europe/Paris", 2026, 12, 23, 9, 0)),
            std::vector<std::string>{"day off"});  // special day without hours
  EXPECT_EQ(reasonsAt(r, at("Europe/Paris", 2026, 12, 24, 10, 0)),
            std::vector<std::string>{"outside working hours"});
  EXPECT_EQ(reasonsAt(r, at("Europe/Paris", 2026, 12, 25, 11, 0)),
            std::vector<std::string>{"day off"});
}

TEST(SlotFinder, Schedule_ServiceMustFitBeforeTheRangeEnds) {
  SlotFinder finder(input(service(45, 30), {everyDay(1, "UTC", {hours(9, 0, 10, 30)})}));
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-12-01T09:00:00+00:00", "2026-12-01T09:30:00+00:00"}));
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 10, 0)),
            std::vector<std::string>{"outside working hours"});
}

TEST(SlotFinder, Schedule_OverlappingAndTouchingRangesMergeWithoutDuplicates) {
  SlotFinder finder(
      input(service(60, 60),
            {everyDay(1, "UTC", {hours(10, 0, 11, 0), hours(9, 0, 10, 30), hours(11, 0, 12, 0)})}));
  EXPECT_EQ(starts(finder.find(day("UTC", 2026, 12, 1))),
            (std::vector<std::string>{"2026-12-01T09:00:00+00:00", "2026-12-01T10:00:00+00:00",
                                      "2026-12-01T11:00:00+00:00"}));
}

// ---- busy periods ----------------------------------------------------------

SlotInput busyInput(std::int64_t bufferAfterSec = 0) {
  SlotService svc = service(60, 60);
  svc.bufferAfterSec = bufferAfterSec;
  SlotInput in = input(svc, {everyDay(1, "UTC", {hours(8, 0, 13, 0)})});
  in.sources.push_back(BusySource{"g1", "Google", 1, false});
  in.busy.push_back(
      SlotBusyPeriod{1, utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 11, 0), "g1", "Dentist"});
  return in;
}

TEST(SlotFinder, Busy_ExactEdgesAreFree_EndExclusive) {
  SlotFinder finder(busyInput());
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_TRUE(offersAt(r, utc(2026, 12, 1, 9, 0)));  // ends 10:00 when busy starts
  EXPECT_FALSE(offersAt(r, utc(2026, 12, 1, 10, 0)));
  EXPECT_TRUE(offersAt(r, utc(2026, 12, 1, 11, 0)));  // starts 11:00 when busy ends
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 10, 0)),
            std::vector<std::string>{"busy period from Google (g1) \"Dentist\""});
}

TEST(SlotFinder, Busy_OurBufferMustNotOverlapBusyTime) {
  SlotFinder finder(busyInput(15 * kMin));
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  const auto* rej = rejectedAt(r, utc(2026, 12, 1, 9, 0));
  ASSERT_NE(rej, nullptr);
  ASSERT_EQ(rej->reasons.size(), 1u);
  EXPECT_EQ(rej->reasons[0].kind, SlotReasonKind::Busy);
  EXPECT_EQ(rej->reasons[0].ownBuffer, BufferSide::After);
  EXPECT_EQ(rej->reasons[0].sourceId, "g1");
  EXPECT_EQ(rej->reasons[0].summary, "Dentist");
  EXPECT_EQ(rej->reasons[0].text(),
            "busy period from Google (g1) \"Dentist\" (overlaps our buffer after)");
  EXPECT_TRUE(offersAt(r, utc(2026, 12, 1, 8, 0)));  // its buffer ends 09:15
}

TEST(SlotFinder, Busy_LongPeriodAndManyShortOnesAllFound) {
  SlotInput in = input(service(30, 30), {everyDay(1, "UTC", {hours(8, 0, 12, 0)})});
  in.sources.push_back(BusySource{"ics", "Feed", 1, false});
  in.busy.push_back(
      SlotBusyPeriod{1, utc(2026, 12, 1, 0, 0), utc(2026, 12, 1, 9, 0), "ics", "Night"});
  in.busy.push_back(
      SlotBusyPeriod{1, utc(2026, 12, 1, 8, 0), utc(2026, 12, 1, 8, 15), "ics", "Short"});
  in.busy.push_back(SlotBusyPeriod{1, utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 10, 1), "ics", ""});
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 8, 0)),
            (std::vector<std::string>{"busy period from Feed (ics) \"Night\"",
                                      "busy period from Feed (ics) \"Short\""}));
  EXPECT_EQ(starts(r),
            (std::vector<std::string>{"2026-12-01T09:00:00+00:00", "2026-12-01T09:30:00+00:00",
                                      "2026-12-01T10:30:00+00:00", "2026-12-01T11:00:00+00:00",
                                      "2026-12-01T11:30:00+00:00"}));
}

// ---- unverified sources ----------------------------------------------------

TEST(SlotFinder, Unverified_HidePolicyOffersNothingForThatEmployee) {
  SlotInput in = input(service(60, 60), {everyDay(1, "UTC", {hours(9, 0, 11, 0)}),
                                         everyDay(2, "UTC", {hours(9, 0, 11, 0)})});
  in.sources.push_back(BusySource{"o1", "Outlook", 1, true});
  in.sources.push_back(BusySource{"g2", "Google", 2, false});
  in.rules.unverified = UnverifiedPolicy::Hide;
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  ASSERT_EQ(r.slots.size(), 2u);
  for (const auto& s : r.slots) {
    EXPECT_EQ(s.employeeId, 2);
    EXPECT_FALSE(s.unverified);
  }
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].employeeId, 1);
  EXPECT_EQ(r.rejected[0].reasons[0].kind, SlotReasonKind::UnverifiedSource);
  EXPECT_EQ(r.rejected[0].reasons[0].text(),
            "unverified source Outlook (o1): it could not be read");
}

TEST(SlotFinder, Unverified_MarkPolicyOffersSlotsFlagged) {
  SlotInput in = input(service(60, 60), {everyDay(1, "UTC", {hours(9, 0, 11, 0)}),
                                         everyDay(2, "UTC", {hours(9, 0, 11, 0)})});
  in.sources.push_back(BusySource{"o1", "Outlook", 1, true});
  in.rules.unverified = UnverifiedPolicy::MarkUnverified;
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  ASSERT_EQ(r.slots.size(), 4u);
  EXPECT_TRUE(r.rejected.empty());
  for (const auto& s : r.slots) EXPECT_EQ(s.unverified, s.employeeId == 1);
}

// ---- explain ---------------------------------------------------------------

TEST(SlotFinder, Explain_ListsEveryReasonOfACandidate) {
  SlotInput in = busyInput();
  in.rules.now = utc(2026, 12, 1, 10, 30);
  in.appointments.push_back(appointment("a9", utc(2026, 12, 1, 10, 30), utc(2026, 12, 1, 11, 0)));
  SlotFinder finder(in);
  const auto r = finder.find(day("UTC", 2026, 12, 1, true));
  EXPECT_EQ(reasonsAt(r, utc(2026, 12, 1, 10, 0)),
            (std::vector<std::string>{"minimum notice", "appointment a9",
                                      "busy period from Google (g1) \"Dentist\""}));
  const auto* rej = rejectedAt(r, utc(2026, 12, 1, 10, 0));
  ASSERT_NE(rej, nullptr);
  EXPECT_EQ(rej->reasons[1].appointmentId, "a9");
  EXPECT_EQ(rej->reasons[1].start, utc(2026, 12, 1, 10, 30));
  EXPECT_EQ(toString(rej->reasons[2].kind), "busy");
}

TEST(SlotFinder, Explain_OffWithoutExplainGivesNoRejections) {
  SlotFinder finder(busyInput());
  EXPECT_TRUE(finder.find(day("UTC", 2026, 12, 1)).rejected.empty());
}

// ---- queries ---------------------------------------------------------------

TEST(SlotFinder, Query_EmployeeFilterAndOrderByStartThenEmployee) {
  SlotFinder finder(input(service(60, 60), {everyDay(3, "UTC", {hours(9, 0, 11, 0)}),
                                            everyDay(1, "UTC", {hours(9, 0, 11, 0)}),
                                            everyDay(2, "UTC", {hours(9, 0, 11, 0)})}));
  SlotQuery q = day("UTC", 2026, 12, 1);
  auto r = finder.find(q);
  ASSERT_EQ(r.slots.size(), 6u);
  EXPECT_EQ(r.slots[0].employeeId, 1);
  EXPECT_EQ(r.slots[1].employeeId, 2);
  EXPECT_EQ(r.slots[2].employeeId, 3);
  q.employeeIds = {3, 42};
  r = finder.find(q);
  ASSERT_EQ(r.slots.size(), 2u);
  EXPECT_EQ(r.slots[0].employeeId, 3);
}

TEST(SlotFinder, Query_ValidateRefusesUnknownZoneAndReversedDays) {
  SlotQuery q = day("Mars/Olympus", 2026, 12, 1);
  EXPECT_TRUE(SlotFinder::validate(q).has_value());
  q = day("UTC", 2026, 12, 2);
  q.to = LocalDate{2026, 12, 1};
  EXPECT_TRUE(SlotFinder::validate(q).has_value());
  SlotFinder finder(input(service(60, 60), {}));
  EXPECT_THROW((void)finder.find(q), std::invalid_argument);
  EXPECT_FALSE(SlotFinder::validate(day("Europe/Paris", 2026, 12, 1)).has_value());
}

TEST(SlotFinder, Service_WithoutDurationIsRefused) {
  EXPECT_THROW(SlotFinder(input(service(0, 30), {})), std::invalid_argument);
}

// The sweep against the obvious nested scan, on random bookings: every
// candidate is offered exactly when nothing overlaps it.
TEST(SlotFinder, Sweep_AgreesWithANestedScanOnRandomData) {
  std::uint32_t seed = 12345;
  auto rnd = [&](int n) {
    seed = seed * 1103515245u + 12345u;
    return static_cast<int>((seed >> 8) % static_cast<std::uint32_t>(n));
  };
  SlotService svc = service(40, 10, 3);
  svc.bufferBeforeSec = 5 * kMin;
  svc.bufferAfterSec = 15 * kMin;
  SlotInput in = input(svc, {everyDay(1, "Europe/Paris", {hours(8, 0, 12, 0), hours(13, 0, 19, 0)}),
                             everyDay(2, "America/New_York", {hours(7, 0, 15, 0)})});
  const UnixTime t0 = utc(2026, 10, 20, 0, 0);
  for (int i = 0; i < 400; ++i) {
    SlotAppointment a = appointment("r" + std::to_string(i), 0, 0, 1 + rnd(2));
    a.start = t0 + rnd(20 * 24 * 6) * 600;
    a.end = a.start + (1 + rnd(12)) * 600;
    a.bufferBeforeSec = rnd(3) * 300;
    a.bufferAfterSec = rnd(3) * 300;
    if (rnd(4) == 0) {
      a.serviceId = 1;  // same service: a group when the starts match
      a.end = a.start + svc.durationSec;
    }
    a.persons = 1 + rnd(2);
    a.status = rnd(10) == 0 ? Status::Canceled : Status::Approved;
    in.appointments.push_back(a);
  }
  for (int i = 0; i < 400; ++i) {
    const UnixTime start = t0 + rnd(20 * 24 * 12) * 300;
    in.busy.push_back(SlotBusyPeriod{1 + rnd(2), start, start + (1 + rnd(30)) * 300, "src", ""});
  }
  SlotFinder finder(in);
  SlotQuery q = day("UTC", 2026, 10, 22, true);
  q.to = LocalDate{2026, 11, 6};  // across both fall-back dates
  const auto r = finder.find(q);
  ASSERT_GT(r.slots.size(), 100u);

  auto freeByScan = [&](Id employee, UnixTime start) {
    const UnixTime end = start + svc.durationSec;
    const UnixTime from = start - svc.bufferBeforeSec, to = end + svc.bufferAfterSec;
    int persons = 0;
    for (const auto& a : in.appointments) {
      if (a.employeeId != employee || a.status == Status::Canceled) continue;
      if (a.serviceId == svc.id && a.start == start) {
        persons += a.persons;
        continue;
      }
      if (from < a.end + a.bufferAfterSec && a.start - a.bufferBeforeSec < to) return false;
    }
    for (const auto& b : in.busy)
      if (b.employeeId == employee && from < b.end && b.start < to) return false;
    return persons < svc.capacity;
  };
  int checked = 0;
  for (const auto& s : r.slots) {
    EXPECT_TRUE(freeByScan(s.employeeId, s.start)) << s.employeeId << " at " << s.start;
    ++checked;
  }
  for (const auto& rej : r.rejected) {
    if (rej.reasons[0].kind == SlotReasonKind::OutsideWorkingHours) continue;
    EXPECT_FALSE(freeByScan(rej.employeeId, rej.start)) << rej.employeeId << " at " << rej.start;
    ++checked;
  }
  EXPECT_GT(checked, 1000);
}

TEST(SlotLocalDate, ParsesPrintsAndKnowsItsWeekday) {
  auto d = LocalDate::parse("2026-11-24");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->weekday(), 1);  // Tuesday
  EXPECT_EQ(d->toString(), "2026-11-24");
  EXPECT_EQ(LocalDate::fromDayNumber(d->dayNumber()), *d);
  EXPECT_FALSE(LocalDate::parse("2026-02-29"));
  EXPECT_FALSE(LocalDate::parse("2026-1-01"));
}

}  // namespace
}  // namespace creneau::engine
