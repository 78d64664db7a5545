#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ical/DateTime.h"

namespace creneau::engine {

// A date-time as the import format writes it (ISO 8601 / RFC 3339):
//   2026-11-24T10:00:00Z        UTC
//   2026-11-24T10:00:00+01:00   with an offset (also +0100, +01)
//   2026-11-24T10:00:00         local time of the employee (no offset)
// 'T', 't' or one space between date and time; seconds optional; a fraction
// of a second is accepted and dropped.
struct IsoDateTime {
  ical::DateTime wall;               // the fields as written (tzid empty)
  std::optional<int> offsetSeconds;  // nullopt: local time, no offset given
  bool operator==(const IsoDateTime&) const = default;
};

// nullopt and a sentence in `why` when `text` is not such a value.
[[nodiscard]] std::optional<IsoDateTime> parseIsoDateTime(std::string_view text, std::string* why);

// The instant of a value with an offset (offsetSeconds must be set).
[[nodiscard]] ical::UnixTime instantOf(const IsoDateTime& t);

}  // namespace creneau::engine
