#pragma once

// The one pass behind parse() and validate(): our strict content-line
// reading, the RFC 5545 checks libical skips, libical's own parse (values,
// VTIMEZONEs) with its X-LIC-ERRORs classified, and the model.

#include <string_view>
#include <vector>

#include "ical/Calendar.h"
#include "ical/Diagnostic.h"
#include "ical/detail/ContentLines.h"

namespace creneau::ical::detail {

struct Analysis {
  Calendar calendar;
  std::vector<Diagnostic> diagnostics;  // sorted by line
};

[[nodiscard]] Analysis analyze(std::string_view text, bool buildModel);

// RFC 5545 structure and value checks on our own reading (Validator.cpp).
void checkDocument(const LexResult& doc, std::vector<Diagnostic>& out);

// Known producer quirks keyed by PRODID (in the spirit of KCalendarCore's
// Compat classes): what a real producer is known to get wrong, read in the
// unambiguous way and reported as a warning instead of an error.
struct ProducerQuirks {
  bool omitsUid = false;                 // Microsoft Exchange / Outlook / CDO
  bool tzidWithoutVtimezone = false;     // Microsoft: TZIDs with no VTIMEZONE
  bool zeroDurationBesideDtend = false;  // Mozilla Thunderbird/Lightning: DURATION:PT0S
};
[[nodiscard]] ProducerQuirks quirksFor(std::string_view prodId);

}  // namespace creneau::ical::detail
