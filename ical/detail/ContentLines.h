#pragma once

// Our own strict reading of iCalendar text (RFC 5545 3.1): physical lines,
// unfolding, content lines (name, parameters, value) and the BEGIN/END
// component tree, each with the physical line where it starts. libical gives
// no line numbers and repairs some input silently; this pass gives both the
// lines for diagnostics and the lexical checks. No libical here.

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "ical/Diagnostic.h"

namespace creneau::ical::detail {

struct RawParam {
  std::string name;                 // upper case
  std::vector<std::string> values;  // unquoted, RFC 6868 decoded
  [[nodiscard]] const std::string& first() const {
    static const std::string kEmpty;
    return values.empty() ? kEmpty : values.front();
  }
};

struct ContentLine {
  int line = 0;           // physical line where the content line starts (1-based)
  std::string_view text;  // unfolded text (into the input or into LexResult storage)
  std::string name;       // upper case
  std::vector<RawParam> params;
  std::string_view value;  // raw value, still TEXT-escaped
  bool bad = false;        // not a usable content line (no colon, bad name, ...)
  bool repaired = false;   // a producer quirk was read around: feed `normalized`
  std::string normalized;  // regenerated text when repaired

  [[nodiscard]] const RawParam* param(std::string_view upperName) const {
    for (const auto& p : params)
      if (p.name == upperName) return &p;
    return nullptr;
  }
};

struct RawComponent {
  std::string name;  // upper case, e.g. "VEVENT"
  int line = 0;      // line of BEGIN
  int endLine = 0;   // line of END, 0 when never closed
  std::size_t beginIndex = 0;
  std::size_t endIndex = static_cast<std::size_t>(-1);  // index of the END content line
  std::vector<std::size_t> properties;                  // indices into LexResult::lines
  std::vector<RawComponent> children;
};

struct LexResult {
  std::vector<ContentLine> lines;
  std::vector<RawComponent> roots;  // top-level components (VCALENDAR, or bare fragments)
  std::vector<Diagnostic> diagnostics;
  std::deque<std::string> storage;  // unfolded lines that are not a slice of the input
  std::size_t unclosedDepth = 0;    // components still open at the end of the text
  int physicalLines = 0;
  bool finalNewline = true;
};

// Never throws on bad input; problems become diagnostics.
[[nodiscard]] LexResult lex(std::string_view text);

}  // namespace creneau::ical::detail
