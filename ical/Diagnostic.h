#pragma once

#include <string>
#include <vector>

namespace creneau::ical {

// One problem found in an iCalendar text. line is 1-based and refers to the
// physical line of the input where the offending content line starts
// (0 when the problem concerns the whole file, e.g. a missing END:VCALENDAR).
struct Diagnostic {
  enum class Severity { Warning, Error };
  Severity severity = Severity::Error;
  int line = 0;
  std::string message;

  bool operator==(const Diagnostic&) const = default;
};

[[nodiscard]] inline bool hasErrors(const std::vector<Diagnostic>& ds) {
  for (const auto& d : ds)
    if (d.severity == Diagnostic::Severity::Error) return true;
  return false;
}

// "line 12: error: DTEND is before DTSTART"
[[nodiscard]] std::string format(const Diagnostic& d);

}  // namespace creneau::ical
