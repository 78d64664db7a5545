#include <gtest/gtest.h>

#include <sstream>

#include "IcalPrinters.h"
#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"
#include "ical/Validator.h"

namespace creneau::ical {
namespace {

std::vector<std::string> physicalLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find("\r\n", pos);
    if (eol == std::string::npos) {
      lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 2;
  }
  return lines;
}

bool validUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80             ? 1
                    : (c & 0xE0) == 0xC0 ? 2
                    : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

Event basicEvent(std::string uid) {
  Event e;
  e.uid = std::move(uid);
  e.dtstamp = DateTime::local(2026, 1, 2, 3, 4, 5, "UTC");
  e.start = DateTime::local(2026, 3, 30, 9, 0, 0, "Europe/Paris");
  e.end = DateTime::local(2026, 3, 30, 10, 0, 0, "Europe/Paris");
  e.summary = "Coupe";
  return e;
}

Calendar richCalendar() {
  Calendar cal;
  cal.prodId = "-//Créneau//Tests//FR";
  cal.method = "PUBLISH";
  cal.name = "Salon Zoë – rendez-vous";
  cal.description = "Agenda, avec; des \\ caractères\net des lignes";
  cal.timezoneHint = "Europe/Paris";
  cal.refreshIntervalSec = 3600;

  Event a = basicEvent("rich-1@creneau.test");
  a.sequence = 7;
  a.created = DateTime::local(2025, 12, 1, 8, 0, 0, "UTC");
  a.lastModified = DateTime::local(2025, 12, 2, 8, 0, 0, "UTC");
  a.summary = "Coupe & brushing 💇‍♀️ — François, Zoë; Ångström";
  a.description = std::string("Line one, with comma; semicolon \\ backslash\nLine two: ") +
                  std::string(300, 'x') + " 日本語のテキスト 😀😀😀 ends with blanks  ";
  a.location = "1 rue de la Paix, 75002 Paris; 2e étage";
  a.url = "https://salon.example/a?x=1&y=2";
  a.categories = {"Coiffure, soins", "VIP; fidèle", "back\\slash"};
  a.classification = "PRIVATE";
  a.status = EventStatus::Confirmed;
  a.transparency = Transparency::Opaque;
  a.organizer = Organizer{"staff@salon.example", "Zoë Ångström: \"Chef\""};
  Attendee c1;
  c1.email = "francois@example.com";
  c1.commonName = "François Dupont, Jr.";
  c1.role = Role::ReqParticipant;
  c1.partStat = PartStat::Accepted;
  c1.rsvp = true;
  c1.extraParams = {{"X-CRENEAU-KIND", "customer"}, {"X-NUM-GUESTS", "0"}};
  Attendee c2;
  c2.email = "room1@salon.example";
  c2.commonName = "Salle ①";
  c2.role = Role::NonParticipant;
  c2.partStat = PartStat::Tentative;
  c2.cuType = CalendarUserType::Room;
  a.attendees = {c1, c2};
  a.conferences = {
      Conference{"https://meet.example.com/abc-defg", {"AUDIO", "VIDEO"}, "Join: video, audio"}};
  a.rrule = "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261231T230000Z";
  a.exdates = {DateTime::local(2026, 4, 1, 9, 0, 0, "Europe/Paris"),
               DateTime::local(2026, 4, 6, 9, 0, 0, "Europe/Paris")};
  a.rdates = {DateTime::local(2026, 4, 3, 9, 0, 0, "Europe/Paris")};
  a.extra = {ExtraProperty{"X-CRENEAU-APPOINTMENT-ID", "a-42, b;c", {}},
             ExtraProperty{"X-CRENEAU-NOTE", "multi\nline", {{"X-SOURCE", "renderer:v1"}}},
             ExtraProperty{"PRIORITY", "5", {}}};

  Event allDay;
  allDay.uid = "all-day@creneau.test";
  allDay.dtstamp = DateTime::local(2026, 1, 2, 3, 4, 5, "UTC");
  allDay.start = DateTime::date(2026, 7, 14);
  allDay.end = DateTime::date(2026, 7, 15);
  allDay.summary = "Fête nationale";
  allDay.transparency = Transparency::Transparent;

  Event utcEvent;
  utcEvent.uid = "utc@creneau.test";
  utcEvent.dtstamp = DateTime::local(2026, 1, 2, 3, 4, 5, "UTC");
  utcEvent.start = DateTime::local(2026, 11, 1, 5, 30, 0, "UTC");
  utcEvent.durationSec = 90 * 60;
  utcEvent.summary = "UTC with duration";
  utcEvent.status = EventStatus::Tentative;

  Event ny = basicEvent("ny@creneau.test");
  ny.start = DateTime::local(2026, 11, 1, 1, 30, 0, "America/New_York");
  ny.end = DateTime::local(2026, 11, 1, 3, 0, 0, "America/New_York");

  Event override = basicEvent("rich-1@creneau.test");
  override.recurrenceId = DateTime::local(2026, 4, 8, 9, 0, 0, "Europe/Paris");
  override.recurrenceThisAndFuture = true;
  override.start = DateTime::local(2026, 4, 8, 11, 0, 0, "Europe/Paris");
  override.end = DateTime::local(2026, 4, 8, 12, 0, 0, "Europe/Paris");
  override.status = EventStatus::Cancelled;

  cal.events = {a, allDay, utcEvent, ny, override};
  return cal;
}

TEST(SerializerTest, Serialize_WritesCrlfLinesAndCalendarProperties) {
  const std::string out = serialize(richCalendar());
  EXPECT_EQ(out.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 0), 0u);
  for (const char* needle :
       {"\r\nCALSCALE:GREGORIAN\r\n", "\r\nMETHOD:PUBLISH\r\n",
        "\r\nNAME:Salon Zoë – rendez-vous\r\n", "\r\nX-WR-CALNAME:Salon Zoë – rendez-vous\r\n",
        "\r\nX-WR-CALDESC:Agenda\\, avec\\; des \\\\ caractères\\net des lignes\r\n",
        "\r\nX-WR-TIMEZONE:Europe/Paris\r\n", "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n",
        "\r\nX-PUBLISHED-TTL:PT1H\r\n"})
    EXPECT_NE(out.find(needle), std::string::npos) << needle;
  EXPECT_EQ(out.substr(out.size() - 15), "END:VCALENDAR\r\n");
  for (std::size_t pos = 0; (pos = out.find('\n', pos)) != std::string::npos; ++pos)
    ASSERT_EQ(out[pos - 1], '\r') << "bare LF at " << pos;
}

TEST(SerializerTest, Serialize_WritesEventPropertiesInRfc5545Form) {
  const std::string out = serialize(richCalendar());
  const std::string unfolded = [&] {
    std::string u;
    for (const auto& l : physicalLines(out))
      u += (!l.empty() && l[0] == ' ') ? l.substr(1) : "\n" + l;
    return u;
  }();
  for (const char* needle : {
           "\nDTSTART;TZID=Europe/Paris:20260330T090000",
           "\nDTEND;TZID=Europe/Paris:20260330T100000",
           "\nDTSTART;VALUE=DATE:20260714",
           "\nDTSTART:20261101T053000Z",
           "\nDURATION:PT1H30M",
           "\nDTSTAMP:20260102T030405Z",
           "\nSEQUENCE:7",
           "\nEXDATE;TZID=Europe/Paris:20260401T090000,20260406T090000",
           "\nRDATE;TZID=Europe/Paris:20260403T090000",
           "\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Paris:20260408T090000",
           "\nCATEGORIES:Coiffure\\, soins,VIP\\; fidèle,back\\\\slash",
           "\nLOCATION:1 rue de la Paix\\, 75002 Paris\\; 2e étage",
           "\nORGANIZER;CN=\"Zoë Ångström: ^'Chef^'\":mailto:staff@salon.example",
           "\nATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE;CN=\"François Dupont, "
           "Jr.\";X-CRENEAU-KIND=customer;X-NUM-GUESTS=0:mailto:francois@example.com",
           "\nATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=TENTATIVE;CN=Salle ①:mailto:"
           "room1@salon.example",
           "\nCONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=\"Join: video, audio\":https://"
           "meet.example.com/abc-defg",
           "\nX-CRENEAU-APPOINTMENT-ID:a-42\\, b\\;c",
           "\nX-CRENEAU-NOTE;X-SOURCE=\"renderer:v1\":multi\\nline",
           "\nPRIORITY:5",
           "\nSTATUS:CANCELLED",
           "\nTRANSP:TRANSPARENT",
       })
    EXPECT_NE(unfolded.find(needle), std::string::npos) << needle;
}

TEST(SerializerTest, Serialize_FoldsAt75OctetsWithoutSplittingUtf8) {
  Calendar cal;
  Event e = basicEvent("fold@creneau.test");
  // Multi-byte characters of every length, so that fold points fall inside
  // sequences at various offsets.
  for (int i = 0; i < 40; ++i) e.description += "é日😀a";
  e.summary = std::string(70, 'a') + "éééééééé";  // "SUMMARY:" + 70 = 78: cut inside é
  cal.events = {e};
  const std::string out = serialize(cal);
  bool sawFold = false;
  for (const auto& line : physicalLines(out)) {
    EXPECT_LE(line.size(), 75u) << line;
    EXPECT_TRUE(validUtf8(line)) << "line splits a UTF-8 sequence: " << line;
    sawFold = sawFold || (!line.empty() && line[0] == ' ');
  }
  EXPECT_TRUE(sawFold);
  const ParseResult back = parse(out);
  ASSERT_EQ(back.calendar.events.size(), 1u);
  EXPECT_EQ(back.calendar.events[0].description, e.description);
  EXPECT_EQ(back.calendar.events[0].summary, e.summary);
}

TEST(SerializerTest, Serialize_LinesOfExactly75And76Octets) {
  Calendar cal;
  Event e75 = basicEvent("u75");
  e75.summary = std::string(75 - 8, 's');  // "SUMMARY:" + 67 = 75 octets: no fold
  Event e76 = basicEvent("u76");
  e76.summary = std::string(76 - 8, 't');  // 76 octets: folds before the last octet
  Event e76u = basicEvent("u76utf8");
  e76u.summary = std::string(66, 'u') + "é";  // 8 + 66 + 2 = 76: é must move whole
  cal.events = {e75, e76, e76u};
  const std::string out = serialize(cal);
  const auto lines = physicalLines(out);
  auto at = [&](const std::string& prefix) {
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (lines[i].rfind(prefix, 0) == 0) return i;
    return lines.size();
  };
  const std::size_t i75 = at("SUMMARY:sss");
  ASSERT_LT(i75 + 1, lines.size());
  EXPECT_EQ(lines[i75].size(), 75u);
  EXPECT_NE(lines[i75 + 1][0], ' ');
  const std::size_t i76 = at("SUMMARY:ttt");
  ASSERT_LT(i76 + 1, lines.size());
  EXPECT_EQ(lines[i76].size(), 75u);
  EXPECT_EQ(lines[i76 + 1], " t");
  const std::size_t iu = at("SUMMARY:uuu");
  ASSERT_LT(iu + 1, lines.size());
  EXPECT_EQ(lines[iu].size(), 74u);
  EXPECT_EQ(lines[iu + 1], " é");
  const ParseResult back = parse(out);
  ASSERT_EQ(back.calendar.events.size(), 3u);
  EXPECT_EQ(back.calendar.events[0].summary, e75.summary);
  EXPECT_EQ(back.calendar.events[1].summary, e76.summary);
  EXPECT_EQ(back.calendar.events[2].summary, e76u.summary);
}

TEST(SerializerTest, Serialize_OneVtimezonePerTzidUsedAndNoneForUtc) {
  const std::string out = serialize(richCalendar());
  auto count = [&](const std::string& s) {
    std::size_t n = 0;
    for (std::size_t pos = 0; (pos = out.find(s, pos)) != std::string::npos; ++pos) ++n;
    return n;
  };
  EXPECT_EQ(count("BEGIN:VTIMEZONE"), 2u);
  EXPECT_EQ(count("TZID:Europe/Paris\r\n"), 1u);
  EXPECT_EQ(count("TZID:America/New_York\r\n"), 1u);
  EXPECT_EQ(count("TZID:UTC"), 0u);
  EXPECT_EQ(count("freeassociation"), 0u);
}

TEST(SerializerTest, Serialize_WindowsTzidIsWrittenAsIanaWithItsVtimezone) {
  Calendar cal;
  Event e = basicEvent("win");
  e.start.tzid = "W. Europe Standard Time";
  e.end->tzid = "W. Europe Standard Time";
  cal.events = {e};
  const std::string out = serialize(cal);
  EXPECT_NE(out.find("DTSTART;TZID=Europe/Berlin:20260330T090000"), std::string::npos);
  EXPECT_NE(out.find("TZID:Europe/Berlin\r\n"), std::string::npos);
  EXPECT_EQ(out.find("W. Europe"), std::string::npos);
}

TEST(SerializerTest, RoundTrip_RichEventsComeBackEqual) {
  const Calendar cal = richCalendar();
  const std::string out = serialize(cal);
  const ParseResult back = parse(out);
  for (const auto& d : back.diagnostics) ADD_FAILURE() << format(d);
  EXPECT_EQ(back.calendar.prodId, cal.prodId);
  EXPECT_EQ(back.calendar.method, cal.method);
  EXPECT_EQ(back.calendar.name, cal.name);
  EXPECT_EQ(back.calendar.description, cal.description);
  EXPECT_EQ(back.calendar.timezoneHint, cal.timezoneHint);
  EXPECT_EQ(back.calendar.refreshIntervalSec, cal.refreshIntervalSec);
  ASSERT_EQ(back.calendar.events.size(), cal.events.size());
  for (std::size_t i = 0; i < cal.events.size(); ++i)
    EXPECT_EQ(back.calendar.events[i], cal.events[i]) << "event " << i;
  EXPECT_EQ(back.calendar, cal);
  // And the output is what validate() accepts without a single remark.
  EXPECT_TRUE(validate(out).empty());
}

TEST(SerializerTest, Serialize_DurationsUseRfc5545Grammar) {
  const std::vector<std::pair<long long, std::string>> cases = {
      {90 * 60, "PT1H30M"},   {3601, "PT1H0M1S"}, {45, "PT45S"}, {7 * 86400, "P1W"},
      {86400 + 60, "P1DT1M"}, {2 * 86400, "P2D"}, {0, "PT0S"}};
  for (const auto& [seconds, text] : cases) {
    Calendar cal;
    Event e = basicEvent("d");
    e.end.reset();
    e.durationSec = seconds;
    cal.events = {e};
    const std::string out = serialize(cal);
    EXPECT_NE(out.find("\r\nDURATION:" + text + "\r\n"), std::string::npos) << text;
    EXPECT_EQ(parse(out).calendar.events.at(0).durationSec, seconds) << text;
  }
}

TEST(SerializerTest, CalendarWriter_StreamsTheSameBytesAsSerialize) {
  const Calendar cal = richCalendar();
  std::ostringstream out;
  {
    CalendarWriter w(out, cal, {"Europe/Paris", "America/New_York"});
    for (const auto& e : cal.events) w.add(e);
    w.finish();
    w.finish();  // idempotent
  }
  EXPECT_EQ(out.str(), serialize(cal));
}

TEST(SerializerTest, CalendarWriter_WritesAsItGoesAndAddsLateZonesBeforeTheEnd) {
  std::ostringstream out;
  Calendar header;
  CalendarWriter w(out, header, {"Europe/Paris"});
  const std::size_t afterHeader = out.str().size();
  EXPECT_GT(afterHeader, 0u);
  for (int i = 0; i < 2000; ++i) w.add(basicEvent("u" + std::to_string(i)));
  EXPECT_GT(out.str().size(), afterHeader + 64 * 1024);  // flushed before finish()
  Event tokyo = basicEvent("tokyo");
  tokyo.start.tzid = "Asia/Tokyo";
  tokyo.end->tzid = "Asia/Tokyo";
  w.add(tokyo);
  w.finish();
  const std::string s = out.str();
  const auto zone = s.find("TZID:Asia/Tokyo\r\n");
  ASSERT_NE(zone, std::string::npos);
  EXPECT_GT(zone, s.find("UID:tokyo"));
  EXPECT_EQ(s.substr(s.size() - 15), "END:VCALENDAR\r\n");
  const ParseResult back = parse(s);
  EXPECT_EQ(back.calendar.events.size(), 2001u);
  EXPECT_TRUE(back.ok());
}

}  // namespace
}  // namespace creneau::ical
