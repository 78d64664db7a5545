#include "engine/slots/SlotTypes.h"

#include <cstdio>

#include "ical/detail/Civil.h"

namespace creneau::engine {

std::string_view toString(SlotReasonKind kind) {
  switch (kind) {
    case SlotReasonKind::OutsideWorkingHours:
      return "outside-working-hours";
    case SlotReasonKind::DayOff:
      return "day-off";
    case SlotReasonKind::MinimumNotice:
      return "minimum-notice";
    case SlotReasonKind::BeyondHorizon:
      return "beyond-horizon";
    case SlotReasonKind::Appointment:
      return "appointment";
    case SlotReasonKind::AppointmentBuffer:
      return "appointment-buffer";
    case SlotReasonKind::OwnBuffer:
      return "own-buffer";
    case SlotReasonKind::FullyBooked:
      return "fully-booked";
    case SlotReasonKind::Busy:
      return "busy";
    case SlotReasonKind::UnverifiedSource:
      return "unverified-source";
  }
  return "unknown";
}

namespace {

std::string_view sideName(BufferSide side) {
  return side == BufferSide::Before ? "before" : "after";
}

std::string sourceLabel(const SlotReason& r) {
  if (r.sourceName.empty() || r.sourceName == r.sourceId) return r.sourceId;
  return r.sourceName + " (" + r.sourceId + ")";
}

}  // namespace

std::string SlotReason::text() const {
  switch (kind) {
    case SlotReasonKind::OutsideWorkingHours:
      return "outside working hours";
    case SlotReasonKind::DayOff:
      return "day off";
    case SlotReasonKind::MinimumNotice:
      return "minimum notice";
    case SlotReasonKind::BeyondHorizon:
      return "beyond the booking horizon";
    case SlotReasonKind::Appointment:
      return "appointment " + appointmentId;
    case SlotReasonKind::AppointmentBuffer:
      return "buffer " + std::string(sideName(theirBuffer)) + " appointment " + appointmentId;
    case SlotReasonKind::OwnBuffer: {
      std::string s = "our buffer " + std::string(sideName(ownBuffer)) + " overlaps ";
      if (theirBuffer != BufferSide::None)
        s += "the buffer " + std::string(sideName(theirBuffer)) + " ";
      return s + "appointment " + appointmentId;
    }
    case SlotReasonKind::FullyBooked:
      return "fully booked (appointment " + appointmentId + ")";
    case SlotReasonKind::Busy: {
      std::string s = "busy period from " + sourceLabel(*this);
      if (!summary.empty()) s += " \"" + summary + "\"";
      if (ownBuffer != BufferSide::None)
        s += " (overlaps our buffer " + std::string(sideName(ownBuffer)) + ")";
      return s;
    }
    case SlotReasonKind::UnverifiedSource:
      return "unverified source " + sourceLabel(*this) + ": it could not be read";
  }
  return "unknown";
}

std::string formatLocal(UnixTime t, int offsetSec) {
  const ical::DateTime w = ical::detail::wallFromSeconds(t + offsetSec);
  const int a = offsetSec < 0 ? -offsetSec : offsetSec;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", w.year, w.month, w.day,
                w.hour, w.minute, w.second, offsetSec < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
  return buf;
}

}  // namespace creneau::engine
