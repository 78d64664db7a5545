// Busy rules (issue 5, item 2) on parsed calendars, free/busy parsing and
// the arithmetic the fetchers use. No network.

#include <gtest/gtest.h>

#include "BusyTestSupport.h"
#include "engine/busy/BusyFetch.h"
#include "engine/busy/BusyRules.h"
#include "ical/IcalCodec.h"

namespace creneau::engine::busy {
namespace {

using test::utc;
using test::vcalendar;
using test::vevent;

std::vector<std::string> summaries(const std::vector<FetchedPeriod>& periods) {
  std::vector<std::string> out;
  for (const auto& p : periods) out.push_back(p.summary);
  return out;
}

std::vector<FetchedPeriod> busyOf(const std::string& text, BusyRules rules = {},
                                  OwnEvents own = {}) {
  const auto cal = ical::parse(text).calendar;
  return busyFromCalendar(cal, rules, own, {"eve@example.com"}, utc(2026, 12, 1), utc(2026, 12, 8),
                          "Europe/Paris");
}

const std::string kMixed = vcalendar(
    vevent("opaque", ":20261201T090000Z", ":20261201T100000Z", "Opaque") +
    vevent("transparent", ":20261201T100000Z", ":20261201T110000Z", "Transparent",
           "TRANSP:TRANSPARENT\r\n") +
    vevent("cancelled", ":20261201T110000Z", ":20261201T120000Z", "Cancelled",
           "STATUS:CANCELLED\r\n") +
    vevent("tentative", ":20261201T120000Z", ":20261201T130000Z", "Tentative",
           "STATUS:TENTATIVE\r\n") +
    vevent("allday", ";VALUE=DATE:20261202", ";VALUE=DATE:20261203", "All day") +
    vevent("declined", ":20261201T140000Z", ":20261201T150000Z", "Declined",
           "ATTENDEE;PARTSTAT=DECLINED:mailto:Eve@Example.com\r\n") +
    vevent("accepted", ":20261201T150000Z", ":20261201T160000Z", "Accepted",
           "ATTENDEE;PARTSTAT=ACCEPTED:mailto:eve@example.com\r\n") +
    vevent("appointment-42@creneau", ":20261201T160000Z", ":20261201T170000Z", "Ours by UID") +
    vevent("foreign-uid", ":20261201T170000Z", ":20261201T180000Z", "Ours by property",
           "X-CRENEAU-APPOINTMENT-ID:43\r\n"));

TEST(BusyRules, OnlyOpaqueConfirmedNotDeclinedNotOwnEventsCountByDefault) {
  EXPECT_EQ(summaries(busyOf(kMixed)), (std::vector<std::string>{"Opaque", "Accepted"}));
}

TEST(BusyRules, TentativeAndAllDayCountOnlyWithTheirFlags) {
  const auto p = busyOf(kMixed, BusyRules{true, true});
  EXPECT_EQ(summaries(p), (std::vector<std::string>{"Opaque", "Tentative", "Accepted", "All day"}));
  // The all-day event is the employee's whole local day (Europe/Paris).
  EXPECT_EQ(p.back().start, utc(2026, 12, 1, 23));
  EXPECT_EQ(p.back().end, utc(2026, 12, 2, 23));
}

TEST(BusyRules, OwnUidNeedsOurDomainAndPrefix) {
  OwnEvents own;
  own.uidDomain = "booking.example";
  EXPECT_TRUE(own.isOwnUid("appointment-1@booking.example"));
  EXPECT_TRUE(own.isOwnUid("event-7-3@booking.example"));
  EXPECT_FALSE(own.isOwnUid("appointment-1@creneau"));
  EXPECT_FALSE(own.isOwnUid("meeting-1@booking.example"));
  // With another domain, "appointment-42@creneau" is someone else's event.
  EXPECT_EQ(summaries(busyOf(kMixed, {}, own)),
            (std::vector<std::string>{"Opaque", "Accepted", "Ours by UID"}));
  own.remoteIds = {"opaque"};  // an id our export worker wrote
  EXPECT_EQ(summaries(busyOf(kMixed, {}, own)),
            (std::vector<std::string>{"Accepted", "Ours by UID"}));
}

TEST(BusyRules, UnboundedRruleStaysBoundedToTheWindow) {
  const auto text = vcalendar(
      vevent("daily", ":20200101T090000Z", ":20200101T100000Z", "Daily", "RRULE:FREQ=DAILY\r\n") +
      vevent("minutely", ":20200101T000000Z", ":20200101T000030Z", "Minutely",
             "RRULE:FREQ=MINUTELY\r\n"));
  const auto started = std::chrono::steady_clock::now();
  const auto p = busyOf(text);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  std::size_t daily = 0;
  for (const auto& x : p) {
    EXPECT_GE(x.start, utc(2026, 12, 1));
    EXPECT_LE(x.end, utc(2026, 12, 8));
    daily += x.summary == "Daily" ? 1 : 0;
  }
  EXPECT_EQ(daily, 7u);        // one a day of the 7-day window
  EXPECT_LE(p.size(), 5007u);  // the minutely one is capped
}

TEST(BusyRules, RecurrenceOverridesAndExdatesAreHonoured) {
  const auto text = vcalendar(vevent("weekly", ":20261201T090000Z", ":20261201T100000Z", "Weekly",
                                     "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:20261202T090000Z\r\n") +
                              vevent("weekly", ":20261203T120000Z", ":20261203T130000Z", "Moved",
                                     "RECURRENCE-ID:20261203T090000Z\r\n") +
                              vevent("weekly", ":20261204T090000Z", ":20261204T100000Z", "Off",
                                     "RECURRENCE-ID:20261204T090000Z\r\nTRANSP:TRANSPARENT\r\n"));
  const auto p = busyOf(text);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].start, utc(2026, 12, 1, 9));
  EXPECT_EQ(p[1].start, utc(2026, 12, 3, 12));
  EXPECT_EQ(p[1].summary, "Moved");
  EXPECT_EQ(p[2].start, utc(2026, 12, 5, 9));
}

TEST(BusySubtract, OwnAppointmentTimeIsCutOut) {
  std::vector<FetchedPeriod> in{{100, 200, "a"}, {300, 400, "b"}};
  const auto out = subtract(in, {{150, 160}, {90, 110}, {350, 500}});
  EXPECT_EQ(out, (std::vector<FetchedPeriod>{{110, 150, "a"}, {160, 200, "a"}, {300, 350, "b"}}));
}

TEST(BusyFreeBusy, PeriodsWithEndOrDurationAndTentativeByRule) {
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VFREEBUSY\r\n"
      "DTSTAMP:20261101T000000Z\r\n"
      "FREEBUSY;FBTYPE=BUSY:20261201T090000Z/20261201T100000Z,20261201T110000Z/PT30M\r\n"
      "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261201T130000Z/20261201T140000Z\r\n"
      "FREEBUSY;FBTYPE=FREE:20261201T150000Z/20261201T160000Z\r\n"
      "FREEBUSY:20261201T160000Z/20261201T163000Z\r\n"
      "END:VFREEBUSY\r\nEND:VCALENDAR\r\n";
  auto p = freeBusyPeriods(text, false);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].start, utc(2026, 12, 1, 9));
  EXPECT_EQ(p[0].end, utc(2026, 12, 1, 10));
  EXPECT_EQ(p[1].start, utc(2026, 12, 1, 11));
  EXPECT_EQ(p[1].end, utc(2026, 12, 1, 11, 30));
  EXPECT_EQ(p[2].start, utc(2026, 12, 1, 16));
  EXPECT_EQ(freeBusyPeriods(text, true).size(), 4u);
}

TEST(BusySplit, WindowsNeverExceedTheLimit) {
  const auto w = splitWindow(0, 100, 30);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[3].start, 90);
  EXPECT_EQ(w[3].end, 100);
  EXPECT_EQ(splitWindow(0, kGraphMaxWindow, kGraphMaxWindow).size(), 1u);
  EXPECT_LT(kGraphMaxWindow, 62 * 86400);
}

}  // namespace
}  // namespace creneau::engine::busy
