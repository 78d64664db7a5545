// parse() feeds libical one component at a time and reads plain events
// without it: the result must not depend on where components sit.
#include <gtest/gtest.h>

#include <string>

#include "IcalPrinters.h"
#include "ical/IcalCodec.h"
#include "ical/Validator.h"

namespace creneau::ical {
namespace {

// A custom zone (no known name): times using it become UTC.
const char* kCustomZone =
    "BEGIN:VTIMEZONE\r\nTZID:Custom/Plus2\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0200\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

std::string event(const std::string& uid, const std::string& more) {
  return "BEGIN:VEVENT\r\nUID:" + uid +
         "\r\nSEQUENCE:3\r\nDTSTAMP:20260101T000000Z\r\n"
         "DTSTART;TZID=Custom/Plus2:20260105T090000\r\n"
         "DTEND;TZID=Custom/Plus2:20260105T100000\r\nSUMMARY:S " +
         uid + "\r\nSTATUS:TENTATIVE\r\nTRANSP:TRANSPARENT\r\n" + more + "END:VEVENT\r\n";
}

TEST(PiecewiseParseTest, ZoneAfterEventsOverrideBeforeMasterAndFragments) {
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n" +
      event("o", "RECURRENCE-ID;TZID=Custom/Plus2:20260106T090000\r\n") +
      event("m", "RRULE:FREQ=DAILY;COUNT=3\r\n") +
      // Through libical: a VALARM inside, a parameter value in quotes.
      event("a",
            "ATTENDEE;CN=\"Doe, Jane\";PARTSTAT=DECLINED:mailto:j@example.com\r\n"
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM\r\n") +
      kCustomZone + "END:VCALENDAR\r\n" + event("f", "");
  const ParseResult r = parse(text);
  ASSERT_EQ(r.calendar.events.size(), 4u);
  EXPECT_EQ(r.calendar.events[0].uid, "o");
  EXPECT_EQ(r.calendar.events[1].uid, "m");
  EXPECT_EQ(r.calendar.events[2].uid, "a");
  EXPECT_EQ(r.calendar.events[3].uid, "f");
  for (const Event& e : r.calendar.events) {
    SCOPED_TRACE(e.uid);
    EXPECT_EQ(e.sequence, 3);
    EXPECT_EQ(e.status, EventStatus::Tentative);
    EXPECT_EQ(e.transparency, Transparency::Transparent);
    EXPECT_EQ(e.summary, "S " + e.uid);
    // VTIMEZONEs are the file's, wherever they are (the fragment too).
    EXPECT_EQ(e.start, DateTime::local(2026, 1, 5, 7, 0, 0, "UTC"));
    ASSERT_TRUE(e.end);
    EXPECT_EQ(*e.end, DateTime::local(2026, 1, 5, 8, 0, 0, "UTC"));
  }
  ASSERT_TRUE(r.calendar.events[0].recurrenceId);
  EXPECT_EQ(*r.calendar.events[0].recurrenceId, DateTime::local(2026, 1, 6, 7, 0, 0, "UTC"));
  EXPECT_EQ(r.calendar.events[1].rrule, "FREQ=DAILY;COUNT=3");
  ASSERT_EQ(r.calendar.events[2].attendees.size(), 1u);
  EXPECT_EQ(r.calendar.events[2].attendees[0].commonName, "Doe, Jane");
  EXPECT_EQ(r.calendar.events[2].attendees[0].partStat, PartStat::Declined);
  EXPECT_EQ(r.diagnostics, validate(text));
}

TEST(PiecewiseParseTest, LibicalComplaintsKeepTheirLines) {
  // Line 8: a value libical cannot read, in an event read piecewise.
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n" + event("1", "") +
      "BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\n"
      "GEO:north\r\nEND:VEVENT\r\n" +
      kCustomZone + "END:VCALENDAR\r\n";
  const ParseResult r = parse(text);
  ASSERT_EQ(r.calendar.events.size(), 2u);
  bool geo = false;
  for (const auto& d : r.diagnostics)
    geo = geo || (d.line == 18 && d.message.find("GEO") != std::string::npos);
  EXPECT_TRUE(geo) << ::testing::PrintToString(r.diagnostics);
}

}  // namespace
}  // namespace creneau::ical
