#include "engine/busy/BusyRules.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "ical/Recurrence.h"

namespace creneau::engine::busy {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool declinedBy(const ical::Event& e, const std::set<std::string>& selfEmails) {
  for (const auto& a : e.attendees)
    if (a.partStat == ical::PartStat::Declined && selfEmails.contains(lower(a.email))) return true;
  return false;
}

}  // namespace

bool OwnEvents::isOwnUid(std::string_view uid) const {
  const std::string suffix = "@" + uidDomain;
  if (uid.size() <= suffix.size() || !uid.ends_with(suffix)) return false;
  return uid.starts_with("appointment-") || uid.starts_with("event-");
}

bool OwnEvents::isOwn(const ical::Event& event) const {
  if (isOwnUid(event.uid)) return true;
  if (!event.extraValue("X-CRENEAU-APPOINTMENT-ID").empty() ||
      !event.extraValue("X-CRENEAU-EVENT-ID").empty())
    return true;
  if (!remoteIds.empty() && remoteIds.contains(event.uid)) return true;
  return false;
}

std::vector<FetchedPeriod> busyFromCalendar(const ical::Calendar& calendar, const BusyRules& rules,
                                            const OwnEvents& own,
                                            const std::set<std::string>& selfEmails, UnixTime from,
                                            UnixTime to, std::string_view floatingZone,
                                            std::size_t maxOccurrences) {
  // One recurring set per UID (master and its RECURRENCE-ID overrides).
  std::map<std::string, std::vector<const ical::Event*>> sets;
  for (const auto& e : calendar.events) sets[e.uid].push_back(&e);

  std::vector<FetchedPeriod> out;
  for (const auto& [uid, components] : sets) {
    if (std::any_of(components.begin(), components.end(),
                    [&](const ical::Event* e) { return own.isOwn(*e); }))
      continue;
    const auto expanded = ical::expand(components, from, to, maxOccurrences, floatingZone);
    for (const auto& occ : expanded.occurrences) {
      const ical::Event& e = *occ.source;
      if (e.status == ical::EventStatus::Cancelled) continue;
      if (e.transparency == ical::Transparency::Transparent) continue;
      if (e.status == ical::EventStatus::Tentative && !rules.tentativeBusy) continue;
      if (e.start.isDate && !rules.allDayBusy) continue;
      if (declinedBy(e, selfEmails)) continue;
      const UnixTime s = std::max(occ.start, from);
      const UnixTime t = std::min(occ.end, to);
      if (t <= s) continue;
      out.push_back({s, t, e.summary});
    }
  }
  std::sort(out.begin(), out.end(), [](const FetchedPeriod& a, const FetchedPeriod& b) {
    return std::tie(a.start, a.end, a.summary) < std::tie(b.start, b.end, b.summary);
  });
  return out;
}

std::vector<FetchedPeriod> subtract(std::vector<FetchedPeriod> periods, std::vector<Span> own) {
  if (own.empty()) return periods;
  std::sort(own.begin(), own.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  std::vector<FetchedPeriod> out;
  for (const auto& p : periods) {
    UnixTime cursor = p.start;
    for (const auto& o : own) {
      if (o.end <= cursor) continue;
      if (o.start >= p.end) break;
      if (o.start > cursor) out.push_back({cursor, o.start, p.summary});
      cursor = std::max(cursor, o.end);
      if (cursor >= p.end) break;
    }
    if (cursor < p.end) out.push_back({cursor, p.end, p.summary});
  }
  return out;
}

std::vector<FetchedPeriod> normalize(std::vector<FetchedPeriod> periods) {
  std::sort(periods.begin(), periods.end(), [](const FetchedPeriod& a, const FetchedPeriod& b) {
    return std::tie(a.start, a.end) < std::tie(b.start, b.end);
  });
  std::vector<FetchedPeriod> out;
  for (auto& p : periods) {
    if (p.end <= p.start) continue;
    if (!out.empty() && out.back().summary == p.summary && p.start <= out.back().end) {
      out.back().end = std::max(out.back().end, p.end);
      continue;
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace creneau::engine::busy
