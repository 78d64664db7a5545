#include "engine/store/PersonalCalendar.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <map>

#include "ical/IcalCodec.h"
#include "ical/Recurrence.h"

namespace creneau::engine {

PersonalCalendar blockedCalendarDefaults(Id employeeId) {
  PersonalCalendar c;
  c.employeeId = employeeId;
  c.slug = kBlockedSlug;
  c.displayName = "Blocked time";
  c.description = "Events added here are busy time: no appointment is booked over them";
  c.color = "#B0413EFF";
  return c;
}

std::string personalEtag(std::string_view icalText) {
  Poco::SHA1Engine sha;
  sha.update(icalText.data(), static_cast<unsigned>(icalText.size()));
  return "\"" + Poco::DigestEngine::digestToHex(sha.digest()) + "\"";
}

std::vector<BusyInterval> busyPeriodsOf(std::string_view icalText, UnixTime now) {
  const auto parsed = ical::parse(icalText);
  std::map<std::string, std::vector<const ical::Event*>> byUid;
  for (const auto& e : parsed.calendar.events) byUid[e.uid].push_back(&e);
  std::vector<BusyInterval> out;
  for (const auto& [uid, components] : byUid) {
    (void)uid;
    const auto result =
        ical::expand(components, now - kBusyBack, now + kBusyAhead, kMaxBusyPeriods);
    for (const auto& o : result.occurrences) {
      if (o.source && (o.source->transparency == ical::Transparency::Transparent ||
                       o.source->status == ical::EventStatus::Cancelled))
        continue;
      out.push_back(BusyInterval{o.start, o.end});
    }
  }
  std::sort(out.begin(), out.end(), [](const BusyInterval& a, const BusyInterval& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  if (out.size() > kMaxBusyPeriods) out.resize(kMaxBusyPeriods);
  return out;
}

}  // namespace creneau::engine
