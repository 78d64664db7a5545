#pragma once

// Internal bridge between TimeZones.cpp and the other libical users of the
// module (parser, recurrence). Not a public header.

#include <libical/ical.h>

#include <cstdint>
#include <string>

#include "ical/DateTime.h"

namespace creneau::ical::detail {

// libical's time zone code is not thread-safe: loading the built-in database
// and the lazy expansion of a zone's transitions mutate shared state. Every
// call into icaltimezone_* goes through the helpers below, which hold this
// lock (it is not recursive: never call them with it held).
// Built-in zone for a plain IANA name, or nullptr.
icaltimezone* builtinZone(const std::string& iana);

// Offset (seconds east of UTC) of `zone` at instant t.
int utcOffset(icaltimezone* zone, UnixTime t);

// Instant of a wall-clock reading (seconds as if UTC) in `zone`. A reading
// in a spring-forward gap moves forward by the gap; a reading that occurs
// twice takes the first occurrence (RFC 5545 3.3.5).
UnixTime localToUtc(icaltimezone* zone, std::int64_t wallSeconds);

// Builds a libical zone from a VTIMEZONE of a parsed file (component is
// cloned; the result is owned by the caller, see TimezonePtr).
icaltimezone* zoneFromComponent(icalcomponent* vtimezone);

}  // namespace creneau::ical::detail
