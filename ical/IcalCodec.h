#pragma once

#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ical/Calendar.h"
#include "ical/Diagnostic.h"

namespace creneau::ical {

struct ParseResult {
  Calendar calendar;                    // every VEVENT that could be read
  std::vector<Diagnostic> diagnostics;  // warnings and errors, by line
  [[nodiscard]] bool ok() const { return !hasErrors(diagnostics); }
};

// Parses any iCalendar text (CRLF or LF, folded, with or without BOM).
// TZIDs: a known zone (IANA, libical's long form, Windows names) keeps its
// wall clock under the plain IANA name; a custom VTIMEZONE of the file that
// maps to no known zone is applied and the time becomes UTC; an unknown
// TZID is kept as a floating reading with the TZID recorded (and a warning).
// A VEVENT without UID gets a stable derived one ("derived-<hash>@creneau.invalid").
// Diagnostics are exactly validate()'s (see Validator.h).
// Never throws on bad input and never hangs: problems become diagnostics.
// Errors are what RFC 5545 forbids (see Validator.h); what real producers
// commonly get wrong but is unambiguous is a warning.
[[nodiscard]] ParseResult parse(std::string_view text);

// RFC 5545 output: CRLF line ends, lines folded at 75 octets without splitting
// a UTF-8 sequence, TEXT values escaped, one VTIMEZONE for every TZID used.
[[nodiscard]] std::string serialize(const Calendar& calendar);

// Streaming writer for large exports: memory stays flat whatever the number of
// events. Output is the same bytes serialize() would produce for the same
// events when the same zones are announced.
class CalendarWriter {
 public:
  // zones: TZIDs the caller knows it will use; their VTIMEZONEs are written
  // up front. A TZID first seen in add() gets its VTIMEZONE before END:VCALENDAR.
  CalendarWriter(std::ostream& out, const Calendar& header, const std::set<std::string>& zones);
  ~CalendarWriter();
  CalendarWriter(const CalendarWriter&) = delete;
  CalendarWriter& operator=(const CalendarWriter&) = delete;

  void add(const Event& event);
  void finish();  // writes pending VTIMEZONEs and END:VCALENDAR; idempotent

 private:
  struct Impl;
  std::ostream& out_;
  std::unique_ptr<Impl> impl_;  // event writer and its buffer
  std::set<std::string> written_;
  std::set<std::string> pending_;
  bool finished_ = false;
};

}  // namespace creneau::ical
