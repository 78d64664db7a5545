#include "ical/Validator.h"

#include <gtest/gtest.h>

namespace creneau::ical {
namespace {

// A calendar around the given VEVENT body lines: BEGIN:VEVENT is line 4 (5
// with a one-line header), the body starts at line 6.
std::string calendar(const std::string& body, const std::string& header = "") {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Creneau//Tests//EN\r\n" + header +
         "BEGIN:VEVENT\r\nUID:u1@example.com\r\n" + body + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}
const std::string kStamp = "DTSTAMP:20260101T000000Z\r\n";
const std::string kStart = "DTSTART:20260105T090000Z\r\n";

// Is there an Error at `line` whose message contains `words`?
::testing::AssertionResult hasError(const std::vector<Diagnostic>& ds, int line,
                                    const std::string& words) {
  for (const auto& d : ds)
    if (d.severity == Diagnostic::Severity::Error && d.line == line &&
        d.message.find(words) != std::string::npos)
      return ::testing::AssertionSuccess();
  std::string all;
  for (const auto& d : ds) all += "\n  " + format(d);
  return ::testing::AssertionFailure()
         << "no error at line " << line << " with \"" << words << "\" in:" << all;
}

TEST(ValidatorTest, Validate_MinimalValidCalendar_HasNoDiagnostics) {
  const auto ds = validate(calendar(kStamp + kStart + "DTEND:20260105T100000Z\r\n"));
  EXPECT_TRUE(ds.empty()) << format(ds.front());
}

TEST(ValidatorTest, Validate_LineWithoutColon_IsAnErrorAtThatLine) {
  EXPECT_TRUE(
      hasError(validate(calendar(kStamp + kStart + "SUMMARY no colon here\r\n")), 8, "no ':'"));
  EXPECT_TRUE(
      hasError(validate(calendar(kStamp + kStart + "DESCRIPTION;This is text\r\n")), 8, "no ':'"));
}

TEST(ValidatorTest, Validate_EmptyParameterAndUnterminatedQuote) {
  EXPECT_TRUE(hasError(validate(calendar(kStamp + "DTSTART;;VALUE=DATE:20260105\r\n")), 7,
                       "empty parameter"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "SUMMARY;X-A=\"open:value\r\n")), 8,
                       "unterminated"));
}

TEST(ValidatorTest, Validate_ControlCharactersAndLoneCr) {
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + std::string("SUMMARY:a\0b\r\n", 13))), 8,
                       "control character 0x00"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "SUMMARY:a\rb\r\n")), 8,
                       "lone carriage return"));
}

TEST(ValidatorTest, Validate_FoldedLinesReportTheirFirstPhysicalLine) {
  const auto ds = validate(
      calendar(kStamp + kStart + "SUMMARY:folded\r\n  text\r\nDTSTART:2026010\r\n 5T090000Z\r\n"));
  EXPECT_TRUE(hasError(ds, 10, "DTSTART appears more than once"));
}

TEST(ValidatorTest, Validate_StructureErrors) {
  EXPECT_TRUE(
      hasError(validate("SUMMARY:x\r\n" + calendar(kStamp + kStart)), 1, "outside any component"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "END:VALARM\r\n")), 8,
                       "does not close BEGIN:VEVENT"));
  const auto missingEnd =
      validate("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n" + kStamp +
               kStart + "END:VEVENT\r\n");
  bool found = false;
  for (const auto& d : missingEnd)
    found = found || (d.severity == Diagnostic::Severity::Error && d.line == 0 &&
                      d.message.find("END:VCALENDAR") != std::string::npos);
  EXPECT_TRUE(found);
}

TEST(ValidatorTest, Validate_RequiredAndUniqueProperties) {
  const std::string noUid = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n" +
                            kStamp + kStart + "END:VEVENT\r\nEND:VCALENDAR\r\n";
  EXPECT_TRUE(hasError(validate(noUid), 4, "no UID"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp)), 4, "no DTSTART"));
  EXPECT_FALSE(hasErrors(validate(calendar(kStamp, "METHOD:CANCEL\r\n"))));  // iTIP: optional
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + kStart)), 8, "more than once"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "SUMMARY:a\r\nSUMMARY:b\r\n")), 9,
                       "SUMMARY appears more than once"));
}

TEST(ValidatorTest, Validate_MissingVersionProdIdAndDtstampAreWarnings) {
  const auto ds = validate("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n" + kStart +
                           "END:VEVENT\r\nEND:VCALENDAR\r\n");
  EXPECT_FALSE(hasErrors(ds));
  EXPECT_EQ(ds.size(), 3u);
}

TEST(ValidatorTest, Validate_DtendChecks) {
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "DTEND:20260105T080000Z\r\n")), 8,
                       "DTEND is before DTSTART"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "DTEND;VALUE=DATE:20260106\r\n")), 8,
                       "same value type"));
  EXPECT_TRUE(
      hasError(validate(calendar(kStamp + kStart + "DTEND:20260105T100000Z\r\nDURATION:PT1H\r\n")),
               9, "DTEND (line 8) and DURATION"));
  // Different zones are compared as instants: 09:00Z vs 10:30 Paris (09:30Z).
  EXPECT_FALSE(hasErrors(
      validate(calendar(kStamp + kStart + "DTEND;TZID=Europe/Paris:20260105T103000\r\n"))));
  EXPECT_TRUE(
      hasError(validate(calendar(kStamp + kStart + "DTEND;TZID=Europe/Paris:20260105T093000\r\n")),
               8, "before"));
}

TEST(ValidatorTest, Validate_DurationSyntaxAndOverflow) {
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "DURATION:P999999999999999999W\r\n")), 8,
                       "DURATION"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "DURATION:PT1H30\r\n")), 8, "DURATION"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "DURATION:1H\r\n")), 8, "DURATION"));
  EXPECT_FALSE(hasErrors(validate(calendar(kStamp + kStart + "DURATION:P1DT2H3M4S\r\n"))));
}

TEST(ValidatorTest, Validate_UtcOffsetRanges) {
  const std::string tz =
      "BEGIN:VTIMEZONE\r\nTZID:Custom/Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0160\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart, tz)), 9, "out of range"));
  const std::string tz2 =
      "BEGIN:VTIMEZONE\r\nTZID:Custom/Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+2400\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart, tz2)), 8, "out of range"));
}

TEST(ValidatorTest, Validate_RruleSyntax) {
  EXPECT_TRUE(
      hasError(validate(calendar(kStamp + kStart + "RRULE:RRULE:FREQ=DAILY\r\n")), 8, "RRULE:"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "RRULE:BYDAY=MO\r\n")), 8, "no FREQ"));
  EXPECT_TRUE(hasError(
      validate(calendar(kStamp + kStart + "RRULE:FREQ=DAILY;COUNT=3;UNTIL=20260110T000000Z\r\n")),
      8, "both UNTIL and COUNT"));
  EXPECT_TRUE(
      hasError(validate(calendar(kStamp + kStart + "RRULE:FREQ=WEEKLY;BYDAY=XX\r\n")), 8, "BYDAY"));
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "RRULE:FREQ=MONTHLY;BYMONTHDAY=32\r\n")),
                       8, "BYMONTHDAY"));
  EXPECT_FALSE(hasErrors(
      validate(calendar(kStamp + kStart + "RRULE:FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1\r\n"))));
}

TEST(ValidatorTest, Validate_ExdateChecks) {
  EXPECT_TRUE(hasError(validate(calendar(kStamp + kStart + "RRULE:FREQ=DAILY\r\nEXDATE:\r\n")), 9,
                       "EXDATE has no value"));
  // A UTC EXDATE against a zoned series that hits no occurrence.
  const std::string zoned =
      "DTSTART;TZID=America/New_York:20261102T090000\r\nRRULE:FREQ=DAILY;COUNT=5\r\n";
  EXPECT_TRUE(hasError(validate(calendar(kStamp + zoned + "EXDATE:20261103T090000Z\r\n")), 9,
                       "matches no occurrence"));
  // The same in UTC on the instant is accepted (a warning at most).
  EXPECT_FALSE(hasErrors(validate(calendar(kStamp + zoned + "EXDATE:20261103T140000Z\r\n"))));
  // A DATE EXDATE against a DATE-TIME series: Google writes it, a warning.
  const auto ds = validate(calendar(kStamp + zoned + "EXDATE;VALUE=DATE:20261103\r\n"));
  EXPECT_FALSE(hasErrors(ds));
  EXPECT_FALSE(ds.empty());
}

TEST(ValidatorTest, Validate_ProducerQuirksAreWarnings) {
  // Google: empty LOCATION / DESCRIPTION.
  EXPECT_TRUE(validate(calendar(kStamp + kStart + "LOCATION:\r\nDESCRIPTION:\r\n")).empty());
  // Outlook: quoted Windows TZID without VTIMEZONE.
  auto ds =
      validate(calendar(kStamp + "DTSTART;TZID=\"W. Europe Standard Time\":20260105T090000\r\n"));
  EXPECT_FALSE(hasErrors(ds));
  EXPECT_FALSE(ds.empty());
  // Google: date-only RDATE marked Z.
  ds = validate(calendar(kStamp + "DTSTART;VALUE=DATE:20260105\r\nRRULE:FREQ=YEARLY\r\n"
                                  "RDATE:20270105Z\r\n"));
  EXPECT_FALSE(hasErrors(ds));
  EXPECT_FALSE(ds.empty());
  // Unknown TZID: an error, except from a producer known to publish them.
  const std::string unknownTz = "DTSTART;TZID=Customized Time Zone:20260105T090000\r\n";
  EXPECT_TRUE(hasError(validate(calendar(kStamp + unknownTz)), 7, "no known zone"));
  EXPECT_FALSE(hasErrors(
      validate("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange Server 2010\r\n"
               "BEGIN:VEVENT\r\nUID:x\r\n" +
               kStamp + unknownTz + "END:VEVENT\r\nEND:VCALENDAR\r\n")));
}

TEST(ValidatorTest, Validate_EveryDiagnosticSaysWhatToFix) {
  const auto ds = validate(calendar(kStamp + kStart +
                                    "DTEND:20260105T080000Z\r\nDURATION:X\r\n"
                                    "RRULE:FREQ=NEVER\r\n"));
  ASSERT_GE(ds.size(), 3u);
  for (const auto& d : ds) {
    EXPECT_GT(d.line, 0);
    EXPECT_GT(d.message.size(), 30u) << d.message;
  }
}

}  // namespace
}  // namespace creneau::ical
