#include <gtest/gtest.h>

#include <thread>

#include "IcalPrinters.h"
#include "TestSupport.h"
#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"
#include "ical/Validator.h"

namespace creneau::ical {
namespace {

std::string corpus(const std::string& name) {
  return test::readFile(test::corpusDir() / name);
}

const char* kSimple =
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//y//EN\nBEGIN:VEVENT\nUID:a@b\n"
    "DTSTAMP:20260101T000000Z\nDTSTART;TZID=Europe/Paris:20260105T090000\n"
    "DTEND;TZID=Europe/Paris:20260105T100000\nSUMMARY:Caf\xC3\xA9\\, cr\xC3\xA8me\n"
    "X-UNKNOWN;X-P=\"a:b\":some\\, text\nGEO:48.85;2.35\nEND:VEVENT\nEND:VCALENDAR";

TEST(ParserTest, Parse_LfOnlyWithoutFinalNewline) {
  const ParseResult r = parse(kSimple);
  ASSERT_EQ(r.calendar.events.size(), 1u);
  const Event& e = r.calendar.events[0];
  EXPECT_EQ(e.uid, "a@b");
  EXPECT_EQ(e.summary, "Café, crème");
  EXPECT_EQ(e.start, DateTime::local(2026, 1, 5, 9, 0, 0, "Europe/Paris"));
  EXPECT_EQ(e.end, DateTime::local(2026, 1, 5, 10, 0, 0, "Europe/Paris"));
  EXPECT_EQ(e.dtstamp, DateTime::local(2026, 1, 1, 0, 0, 0, "UTC"));
  EXPECT_FALSE(hasErrors(r.diagnostics));
}

TEST(ParserTest, Parse_UnknownPropertiesGoToExtra) {
  const Event e = parse(kSimple).calendar.events.at(0);
  ASSERT_EQ(e.extra.size(), 2u);
  EXPECT_EQ(e.extra[0].name, "X-UNKNOWN");
  EXPECT_EQ(e.extra[0].value, "some, text");  // TEXT: unescaped
  EXPECT_EQ(e.extra[0].params, (std::vector<Parameter>{{"X-P", "a:b"}}));
  EXPECT_EQ(e.extra[1].name, "GEO");
  EXPECT_EQ(e.extra[1].value, "48.85;2.35");  // not TEXT: verbatim
  EXPECT_EQ(e.extraValue("X-UNKNOWN"), "some, text");
}

TEST(ParserTest, Parse_BomAndCrlf) {
  // The BOM is not part of the first line: no diagnostic at all.
  const ParseResult r = parse(corpus("bom-calendar.ics"));
  for (const auto& d : r.diagnostics) EXPECT_EQ(d.message.find("0xEF"), std::string::npos);
  EXPECT_FALSE(hasErrors(r.diagnostics));
  const ParseResult b = parse("\xEF\xBB\xBF" + std::string(kSimple));
  EXPECT_EQ(b.calendar.events.size(), 1u);
  EXPECT_EQ(b.calendar.events, parse(kSimple).calendar.events);
}

TEST(ParserTest, Parse_CalendarHeaderFields) {
  const ParseResult r = parse(corpus("google-alarm-acknowledged.ics"));
  EXPECT_EQ(r.calendar.prodId, "-//Google Inc//Google Calendar 70.9054//EN");
  EXPECT_EQ(r.calendar.method, "PUBLISH");
  EXPECT_EQ(r.calendar.timezoneHint, "Europe/London");
  EXPECT_EQ(r.calendar.name, "Nicco Kunzmann");
}

TEST(ParserTest, Parse_WindowsTzidsMapToIana) {
  const ParseResult r = parse(corpus("outlook-ms-timezones.ics"));
  ASSERT_FALSE(r.calendar.events.empty());
  for (const auto& e : r.calendar.events) {
    EXPECT_FALSE(e.start.isFloating()) << e.uid;
    EXPECT_TRUE(e.start.tzid == "UTC" || isKnownZone(e.start.tzid)) << e.start.tzid;
  }
  // The Outlook line TZID="W. Europe Standard Time:20200609T090000" is read.
  bool found = false;
  for (const auto& e : r.calendar.events)
    found = found || e.start == DateTime::local(2020, 6, 9, 9, 0, 0, "Europe/Berlin");
  EXPECT_TRUE(found);
}

TEST(ParserTest, Parse_QuotedWindowsDisplayNameWithoutVtimezone) {
  const ParseResult r = parse(corpus("windows-quoted-tz-rrule.ics"));
  ASSERT_EQ(r.calendar.events.size(), 1u);
  EXPECT_EQ(r.calendar.events[0].start, DateTime::local(2015, 7, 6, 12, 0, 0, "America/New_York"));
  EXPECT_EQ(r.calendar.events[0].exdates.size(), 2u);
}

TEST(ParserTest, Parse_LongFormAndSoftwarestudioTzids) {
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
      "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Paris:20260105T090000\r\n"
      "DTEND;TZID=/softwarestudio.org/Olson_20011030_5/Europe/Paris:20260105T100000\r\n"
      "END:VEVENT\r\nEND:VCALENDAR\r\n";
  const Event e = parse(text).calendar.events.at(0);
  EXPECT_EQ(e.start.tzid, "Europe/Paris");
  EXPECT_EQ(e.end->tzid, "Europe/Paris");
}

TEST(ParserTest, Parse_UnknownTzidIsKeptFloatingWithTheNameAndAWarning) {
  const ParseResult r = parse(corpus("office365-invalid-timezone.ics"));
  bool found = false;
  for (const auto& e : r.calendar.events)
    if (e.start.tzid == "Customized Time Zone") {
      found = true;
      EXPECT_EQ(e.start, DateTime::local(2024, 4, 26, 14, 0, 0, "Customized Time Zone"));
    }
  EXPECT_TRUE(found);
  bool warned = false;
  for (const auto& d : r.diagnostics)
    warned =
        warned || (d.line == 38 && d.message.find("Customized Time Zone") != std::string::npos);
  EXPECT_TRUE(warned);
  EXPECT_FALSE(hasErrors(r.diagnostics));
}

TEST(ParserTest, Parse_CustomVtimezoneIsAppliedAndGivesUtc) {
  // "GMT +0100 (Standard) / GMT +0200 (Daylight)": Exchange CDO's own zone.
  const ParseResult r = parse(corpus("exchange-cdo-request.ics"));
  ASSERT_EQ(r.calendar.events.size(), 1u);
  const Event& e = r.calendar.events[0];
  EXPECT_EQ(e.start, DateTime::local(2015, 7, 3, 8, 0, 0, "UTC"));  // 10:00 at +02:00
  EXPECT_EQ(e.rrule, "FREQ=DAILY;UNTIL=20150722T080000Z;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;WKST=SU");
  // It has no UID: a stable one is derived.
  EXPECT_EQ(e.uid.rfind("derived-", 0), 0u);
  EXPECT_EQ(parse(corpus("exchange-cdo-request.ics")).calendar.events[0].uid, e.uid);
}

TEST(ParserTest, Parse_AttendeesOrganizerAndEscapes) {
  const ParseResult r = parse(corpus("attendees-partstat-folded.ics"));
  ASSERT_EQ(r.calendar.events.size(), 1u);
  const Event& e = r.calendar.events[0];
  ASSERT_EQ(e.attendees.size(), 6u);
  EXPECT_EQ(e.attendees[2].commonName, "Jane Doe");  // folded before the ':'
  EXPECT_EQ(e.attendees[2].email, "jdoe@example.com");
  EXPECT_EQ(e.attendees[4].partStat, PartStat::Declined);
  EXPECT_EQ(e.attendees[0].partStat, PartStat::Tentative);
  EXPECT_EQ(e.attendees[0].commonName, "Henry Cabot");
  EXPECT_EQ(e.attendees[1].role, Role::NonParticipant);
  EXPECT_EQ(e.attendees[1].partStat, PartStat::Delegated);
  ASSERT_EQ(e.attendees[0].extraParams.size(), 1u);
  EXPECT_EQ(e.attendees[0].extraParams[0],
            (Parameter{"DELEGATED-FROM", "mailto:iamboss@example.com"}));

  const ParseResult esc = parse(corpus("escaped-characters.ics"));
  ASSERT_TRUE(esc.calendar.events.at(0).organizer);
  EXPECT_EQ(esc.calendar.events[0].organizer->commonName, "that, that; %th%%at%\\ that:");
}

TEST(ParserTest, Parse_Rfc6868CaretsAndCategoriesWithCommas) {
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
      "DTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\n"
      "ORGANIZER;CN=\"Chef ^'Zo^^\xC3\xAB^'^nLine\":mailto:z@example.com\r\n"
      "CATEGORIES:a\\,b,c\r\nCATEGORIES:d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  const Event e = parse(text).calendar.events.at(0);
  EXPECT_EQ(e.organizer->commonName, "Chef \"Zo^\xC3\xAB\"\nLine");
  EXPECT_EQ(e.organizer->email, "z@example.com");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"a,b", "c", "d"}));
}

TEST(ParserTest, Parse_RecurrenceFields) {
  const ParseResult r = parse(corpus("range-thisandfuture.ics"));
  bool range = false;
  for (const auto& e : r.calendar.events) range = range || e.recurrenceThisAndFuture;
  EXPECT_TRUE(range);
  const ParseResult g = parse(corpus("google-birthday.ics"));
  bool dateRdate = false;  // "RDATE:20131210Z" is read as the DATE it means
  for (const auto& e : g.calendar.events)
    for (const auto& d : e.rdates) dateRdate = dateRdate || d == DateTime::date(2013, 12, 10);
  EXPECT_TRUE(dateRdate);
}

TEST(ParserTest, Parse_DiagnosticsCarryPhysicalLines) {
  const std::string text =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
      "DTSTAMP:20260101T000000Z\r\nDESCRIPTION:long\r\n  folded\r\n  text\r\n"
      "DTSTART:20260105T090000Z\r\nDTEND:20260105T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  const ParseResult r = parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.at(0).line, 11);
  EXPECT_EQ(r.calendar.events.size(), 1u);  // still read
}

TEST(ParserTest, Parse_EventsOutsideVcalendarAreRead) {
  const ParseResult r = parse(corpus("rfc2445-examples.ics"));
  EXPECT_GE(r.calendar.events.size(), 5u);
  EXPECT_FALSE(hasErrors(r.diagnostics));
}

}  // namespace
}  // namespace creneau::ical

namespace creneau::ical {
namespace {

// The server calls these from several threads (run under ThreadSanitizer
// with -DCMAKE_CXX_FLAGS=-fsanitize=thread).
TEST(ParserTest, ParseValidateSerialize_FromManyThreadsAgree) {
  const std::vector<std::string> files = {"outlook-ms-timezones.ics", "exchange-cdo-request.ics",
                                          "google-kiev-tz.ics", "recurring-events-moved.ics",
                                          "malformed-exdate-type-mismatch.ics"};
  std::vector<std::string> texts;
  std::vector<std::string> expected;
  for (const auto& f : files) {
    texts.push_back(corpus(f));
    expected.push_back(serialize(parse(texts.back()).calendar));
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round)
        for (std::size_t i = 0; i < texts.size(); ++i) {
          const std::size_t k = (i + static_cast<std::size_t>(t)) % texts.size();
          const ParseResult r = parse(texts[k]);
          if (serialize(r.calendar) != expected[k]) ++mismatches[t];
          (void)validate(texts[k]);
        }
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace creneau::ical
