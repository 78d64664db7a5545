#pragma once

// Text-level helpers shared by the writer, the parser and the validator:
// RFC 5545 TEXT escaping (3.3.11), parameter quoting (3.2) with RFC 6868
// caret encoding, folding (3.1), DATE / DATE-TIME / DURATION formatting.
// No libical here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ical/DateTime.h"

namespace creneau::ical::detail {

// Appends `s` escaped as a TEXT value: \\ \; \, and newlines as \n. CR LF
// and lone CR become \n; other control characters (not allowed in TEXT) are
// dropped.
void appendEscapedText(std::string& out, std::string_view s);

// Reverses appendEscapedText: \n and \N give a newline, \\ \; \, \: give the
// character; an unknown escape keeps the backslash.
std::string unescapeText(std::string_view s);

// Appends a parameter value: quoted when it contains ':', ';' or ',', with
// '^', '"' and newlines caret-encoded (RFC 6868); control characters dropped.
void appendParamValue(std::string& out, std::string_view s);

// Decodes RFC 6868 caret escapes (^^, ^', ^n); other carets stay as they are.
std::string decodeCaret(std::string_view s);

// Appends a content line (without its CRLF) folded at 75 octets, never
// splitting a UTF-8 sequence, followed by CRLF.
void appendFolded(std::string& out, std::string_view line);

// "20260329T023000", "20260329T023000Z" or "20260329" (no parameters).
void appendDateTimeValue(std::string& out, const DateTime& dt);

// DURATION value (RFC 5545 3.3.6), e.g. "PT1H30M", "P2W", "-PT15M".
std::string formatDuration(long long seconds);

// Parses a DURATION value. nullopt on bad syntax or when the value does not
// fit in 64-bit seconds (e.g. P999999999999999999W).
std::optional<long long> parseDuration(std::string_view s);

// Parses a DATE ("19970714") or DATE-TIME ("19970714T170000[Z]") value.
// The result has tzid "UTC" for a trailing Z, empty otherwise.
std::optional<DateTime> parseDateTimeValue(std::string_view s);

// UTC offset "+0100", "-053000" (3.3.14). nullopt on bad syntax; `inRange`
// reports hours <= 23, minutes and seconds <= 59 and "-0000" not used.
struct UtcOffset {
  int seconds = 0;
  bool inRange = true;
};
std::optional<UtcOffset> parseUtcOffset(std::string_view s);

bool iequals(std::string_view a, std::string_view b);
std::string toUpper(std::string_view s);

// Whether the value of an "extra" property is TEXT (and so stored unescaped
// in ExtraProperty::value): decided from its VALUE parameter and name.
bool isTextValued(std::string_view name, std::string_view valueParam);

}  // namespace creneau::ical::detail
