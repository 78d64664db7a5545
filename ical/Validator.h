#pragma once

#include <string_view>
#include <vector>

#include "ical/Diagnostic.h"

namespace creneau::ical {

// Full check of an iCalendar text, as `creneau validate` and every import path
// use it. libical alone is no validator (it repairs silently and flags valid
// producer quirks), so this reads content lines strictly, classifies libical's
// X-LIC-ERRORs into warnings and errors, and adds the RFC 5545 checks libical
// skips: required and unique properties (3.6.1, 3.6.5, 3.6.6), value types and
// ranges (3.3), DTEND after DTSTART (3.8.2.2), UTC offsets (3.3.14).
[[nodiscard]] std::vector<Diagnostic> validate(std::string_view text);

}  // namespace creneau::ical
