#include "engine/export/graph/GraphEventMapping.h"

#include <cstdio>

#include <Poco/JSON/Array.h>
#include <Poco/SHA1Engine.h>
#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>

#include "engine/text/Markup.h"
#include "ical/TimeZones.h"

namespace creneau::engine::graph {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Namespace of our name-based transaction ids (chosen once, never changed).
constexpr const char* kTransactionNamespace = "3d292362-5dba-41e8-b841-8f2e3342b4d6";

Object::Ptr newObject() {
  return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string paramValue(const ical::Attendee& a, std::string_view name) {
  for (const auto& p : a.extraParams)
    if (p.name == name) return p.value;
  return {};
}

// OData string literal content: a quote is written twice.
std::string odataQuoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// ---- times -----------------------------------------------------------------

// Graph's dateTimeTimeZone.dateTime: local wall time, 7 fractional digits.
std::string formatWall(const ical::DateTime& d) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.0000000", d.year, d.month, d.day,
                d.hour, d.minute, d.second);
  return buf;
}

Object::Ptr zoned(const ical::DateTime& wall, const std::string& zone) {
  auto o = newObject();
  o->set("dateTime", formatWall(wall));
  o->set("timeZone", zone);
  return o;
}

std::optional<std::string> zoneName(const std::string& tzid) {
  if (tzid == "UTC") return tzid;
  return ical::canonicalZone(tzid);
}

struct Times {
  Object::Ptr start;
  Object::Ptr end;
  bool allDay = false;
  std::string error;
};

Times mapTimes(const ical::Event& ev, const GraphMappingOptions& options) {
  const std::string fallback = options.floatingZone.empty() ? "UTC" : options.floatingZone;
  const ical::DateTime& s = ev.start;
  if (s.isDate) {
    // isAllDay: both ends at midnight, in one zone.
    if (ev.end && !ev.end->isDate)
      return {{}, {}, false, "DTSTART is a DATE but DTEND a DATE-TIME"};
    const ical::UnixTime s0 = ical::toUnix(s, "UTC");
    ical::UnixTime e0 = s0 + 86400;
    if (ev.end)
      e0 = ical::toUnix(*ev.end, "UTC");
    else if (ev.durationSec)
      e0 = s0 + (*ev.durationSec / 86400) * 86400;
    if (e0 <= s0) return {{}, {}, false, "all-day event ends before it starts"};
    ical::DateTime startWall = s;
    ical::DateTime endWall = ical::fromUnix(e0, "UTC");
    startWall.isDate = endWall.isDate = false;
    startWall.hour = startWall.minute = startWall.second = 0;
    return {zoned(startWall, fallback), zoned(endWall, fallback), true, {}};
  }
  std::string zone = fallback;
  if (!s.isFloating()) {
    auto z = zoneName(s.tzid);
    if (!z) return {{}, {}, false, "unknown time zone '" + s.tzid + "'"};
    zone = *z;
  }
  if (ev.end && ev.end->isDate) return {{}, {}, false, "DTSTART is a DATE-TIME but DTEND a DATE"};
  if (ev.end && !ev.end->isFloating() && !zoneName(ev.end->tzid))
    return {{}, {}, false, "unknown time zone '" + ev.end->tzid + "'"};
  // TZIDs as found in the wild (Windows names, libical's long form) are
  // read through their IANA name.
  ical::DateTime startDt = s;
  if (!startDt.isFloating()) startDt.tzid = zone;
  const ical::UnixTime start = ical::toUnix(startDt, zone);
  ical::UnixTime end = start;
  if (ev.end) {
    ical::DateTime endDt = *ev.end;
    if (!endDt.isFloating()) endDt.tzid = *zoneName(endDt.tzid);
    end = ical::toUnix(endDt, zone);
  } else if (ev.durationSec)
    end = start + *ev.durationSec;
  if (end < start) return {{}, {}, false, "event ends before it starts"};
  return {
      zoned(ical::fromUnix(start, zone), zone), zoned(ical::fromUnix(end, zone), zone), false, {}};
}

// ---- body ------------------------------------------------------------------

std::string showAsOf(const ical::Event& ev) {
  if (ev.status == ical::EventStatus::Cancelled ||
      ev.transparency == ical::Transparency::Transparent)
    return "free";
  if (ev.status == ical::EventStatus::Tentative) return "tentative";
  return "busy";
}

// Customers only: staff of a group event and the organizer are not invited.
Array::Ptr attendeesOf(const ical::Event& ev) {
  Array::Ptr list = new Array;
  for (const ical::Attendee& a : ev.attendees) {
    if (a.email.empty() || paramValue(a, "X-CRENEAU-ROLE") == "staff") continue;
    if (ev.organizer && ev.organizer->email == a.email) continue;
    auto address = newObject();
    address->set("address", a.email);
    if (!a.commonName.empty()) address->set("name", a.commonName);
    auto o = newObject();
    o->set("emailAddress", address);
    o->set("type", std::string(a.role == ical::Role::OptParticipant ? "optional" : "required"));
    list->add(o);
  }
  return list;
}

Array::Ptr extendedProperties(const GraphTarget& target) {
  auto p = newObject();
  p->set("id", extendedPropertyId(target.kind));
  p->set("value", extendedPropertyValue(target));
  Array::Ptr list = new Array;
  list->add(p);
  return list;
}

GraphMapResult fullBody(const ical::Event& ev, const GraphTarget& target,
                        const GraphMappingOptions& options) {
  GraphMapResult r;
  if (target.externalId.empty()) {
    r.error = "no record id (X-CRENEAU-APPOINTMENT-ID)";
    return r;
  }
  Times times = mapTimes(ev, options);
  if (!times.error.empty()) {
    r.error = times.error;
    return r;
  }
  const bool attendees = options.addAttendees && options.sendInvitations;
  r.attendeesWithheld = options.addAttendees && !options.sendInvitations;

  auto b = newObject();
  b->set("subject", ev.summary);
  auto body = newObject();
  body->set("contentType", std::string("HTML"));
  body->set("content", htmlText(ev.description));
  b->set("body", body);
  b->set("start", times.start);
  b->set("end", times.end);
  b->set("isAllDay", times.allDay);
  auto location = newObject();
  location->set("displayName", ev.location);
  b->set("location", location);
  b->set("showAs", showAsOf(ev));
  b->set("attendees", attendees ? attendeesOf(ev) : Array::Ptr(new Array));
  b->set("hideAttendees", !options.customersSeeEachOther);
  // The booking system collects answers and decides times, not Outlook.
  b->set("responseRequested", false);
  b->set("allowNewTimeProposals", false);
  if (options.addTeams) {
    b->set("isOnlineMeeting", true);
    b->set("onlineMeetingProvider", std::string("teamsForBusiness"));
  }
  b->set("transactionId", transactionId(target));
  b->set("singleValueExtendedProperties", extendedProperties(target));
  r.body = b;
  return r;
}

}  // namespace

std::optional<GraphTarget> targetOf(const ical::Event& ev) {
  GraphTarget t;
  if (ev.extraValue("X-CRENEAU-KIND") == "event") {
    t.kind = RecordKind::Event;
    t.externalId = ev.extraValue("X-CRENEAU-EVENT-ID");
    t.periodId = ev.extraValue("X-CRENEAU-PERIOD-ID");
  } else {
    t.externalId = ev.extraValue("X-CRENEAU-APPOINTMENT-ID");
  }
  if (t.externalId.empty()) return std::nullopt;
  return t;
}

GraphAction actionFor(const ical::Event& ev) {
  return ev.status == ical::EventStatus::Cancelled ? GraphAction::Delete : GraphAction::Upsert;
}

std::string transactionId(const GraphTarget& t) {
  // Length-prefixed fields, so ("ab", "c") and ("a", "bc") differ.
  std::string name;
  for (const std::string& f :
       {std::string(t.kind == RecordKind::Appointment ? "appointment" : "event"), t.externalId,
        t.periodId, t.mailbox, t.calendarId, std::to_string(t.generation)})
    name += std::to_string(f.size()) + ":" + f;
  Poco::SHA1Engine sha1;
  Poco::UUIDGenerator generator;
  return generator
      .createFromName(Poco::UUID(kTransactionNamespace), name, sha1,
                      Poco::UUID::UUID_NAME_BASED_SHA1)
      .toString();
}

std::string extendedPropertyId(RecordKind kind) {
  return std::string("String ") + kPropertySetGuid + " Name " +
         (kind == RecordKind::Appointment ? "CreneauAppointmentId" : "CreneauEventPeriodId");
}

std::string extendedPropertyValue(const GraphTarget& target) {
  if (target.kind == RecordKind::Appointment) return target.externalId;
  return target.externalId + "/" + target.periodId;
}

std::string lookupFilter(const GraphTarget& target) {
  return "singleValueExtendedProperties/Any(ep: ep/id eq " +
         odataQuoted(extendedPropertyId(target.kind)) + " and ep/value eq " +
         odataQuoted(extendedPropertyValue(target)) + ")";
}

std::string lookupExpand(RecordKind kind) {
  return "singleValueExtendedProperties($filter=id eq " + odataQuoted(extendedPropertyId(kind)) +
         ")";
}

std::string htmlText(const std::string& text) {
  // Each line escaped (engine/text/Markup.h), line breaks (LF, CRLF or CR) as <br>.
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\r' && text[i] != '\n') continue;
    out += xmlEscape(std::string_view(text).substr(start, i - start));
    if (i == text.size()) break;
    out += "<br>";
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  return out;
}

GraphMapResult createBody(const ical::Event& ev, const GraphTarget& target,
                          const GraphMappingOptions& options) {
  return fullBody(ev, target, options);
}

GraphMapResult patchBody(const ical::Event& ev, const GraphTarget& target,
                         const GraphMappingOptions& options, const GraphRemoteState& remote) {
  GraphMapResult r = fullBody(ev, target, options);
  if (!r) return r;
  r.body->remove("transactionId");
  if (remote.hasOnlineMeeting) {
    r.body->remove("isOnlineMeeting");
    r.body->remove("onlineMeetingProvider");
  }
  return r;
}

}  // namespace creneau::engine::graph
