#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ical/DateTime.h"

namespace creneau::ical {

// Time zones come from libical's built-in database (the system tzdata).
// Names are plain IANA names ("Europe/Paris"); libical's long form
// ("/freeassociation.sourceforge.net/Europe/Paris") is mapped back.

[[nodiscard]] bool isKnownZone(std::string_view tzid);

// The plain IANA name for a TZID as found in the wild (libical long form,
// softwarestudio.org prefix, Windows names such as "W. Europe Standard Time"),
// or nullopt when it names no zone we know.
[[nodiscard]] std::optional<std::string> canonicalZone(std::string_view tzid);

// A VTIMEZONE component text (BEGIN:VTIMEZONE ... END:VTIMEZONE, CRLF) with
// TZID set to the plain IANA name and history before `since` trimmed.
[[nodiscard]] std::string vtimezone(std::string_view tzid, int sinceYear = 1970);

// Instant of a DateTime: UTC as is, TZID through the zone, floating and DATE
// values in `floatingZone` (UTC when empty). Nonexistent local times (spring
// forward gap) move forward by the gap, as RFC 5545 3.3.5 says.
[[nodiscard]] UnixTime toUnix(const DateTime& dt, std::string_view floatingZone = {});

// Wall-clock reading of an instant in a zone ("UTC" gives a Z value).
[[nodiscard]] DateTime fromUnix(UnixTime t, std::string_view tzid);

}  // namespace creneau::ical
