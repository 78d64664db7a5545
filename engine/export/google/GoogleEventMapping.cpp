#include "engine/export/google/GoogleEventMapping.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/SHA2Engine.h>
#include <Poco/URI.h>

#include "ical/TimeZones.h"

namespace creneau::engine::google {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr const char* kMeetSolution = "hangoutsMeet";

// RFC 4648 section 7 alphabet, lower case: what Google accepts in an id.
std::string base32hex(const std::vector<unsigned char>& bytes) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::string_view kindName(RecordKind k) {
  return k == RecordKind::Appointment ? "appointment" : "event";
}

// SHA-256 over length-prefixed fields, so ("ab", "c") and ("a", "bc") differ.
std::vector<unsigned char> digestOf(std::initializer_list<std::string_view> fields) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  for (std::string_view f : fields) {
    const std::string len = std::to_string(f.size()) + ":";
    sha.update(len);
    sha.update(f.data(), static_cast<unsigned>(f.size()));
  }
  return sha.digest();
}

Object::Ptr newObject() {
  return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

// JSON text with object members sorted, so a body read back from the store
// compares equal to the same body built in another key order.
std::string canonical(const Poco::Dynamic::Var& v) {
  if (v.type() == typeid(Object::Ptr)) {
    const Object::Ptr o = v.extract<Object::Ptr>();
    if (!o) return "null";
    std::vector<std::string> names;
    o->getNames(names);
    std::sort(names.begin(), names.end());
    std::string out = "{";
    for (const std::string& n : names) {
      out += canonical(Poco::Dynamic::Var(n)) + ":" + canonical(o->get(n)) + ",";
    }
    return out + "}";
  }
  if (v.type() == typeid(Array::Ptr)) {
    const Array::Ptr a = v.extract<Array::Ptr>();
    if (!a) return "null";
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i)
      out += canonical(a->get(static_cast<unsigned>(i))) + ",";
    return out + "]";
  }
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(v, out, 0, -1, Poco::JSON_WRAP_STRINGS);
  return out.str();
}

std::string paramValue(const ical::Attendee& a, std::string_view name) {
  for (const auto& p : a.extraParams)
    if (p.name == name) return p.value;
  return {};
}

// ---- times -----------------------------------------------------------------

std::string formatDate(const ical::DateTime& d) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string formatWall(const ical::DateTime& d) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day, d.hour,
                d.minute, d.second);
  return buf;
}

std::string formatOffset(long long seconds) {
  const char sign = seconds < 0 ? '-' : '+';
  const long long a = std::llabs(seconds);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", sign, a / 3600, (a % 3600) / 60);
  return buf;
}

// The IANA name Google should get for a TZID, or nullopt.
std::optional<std::string> zoneName(const std::string& tzid) {
  if (tzid == "UTC") return tzid;
  return ical::canonicalZone(tzid);
}

// An instant in `zone` as EventDateTime {dateTime (RFC 3339 with offset),
// timeZone}.
Object::Ptr timedValue(ical::UnixTime instant, const std::string& zone) {
  auto o = newObject();
  const ical::DateTime wall = ical::fromUnix(instant, zone);
  ical::DateTime asUtc = wall;
  asUtc.tzid = "UTC";
  const long long offset = ical::toUnix(asUtc) - instant;
  o->set("dateTime", formatWall(wall) + (zone == "UTC" ? std::string("Z") : formatOffset(offset)));
  o->set("timeZone", zone);
  return o;
}

Object::Ptr dateValue(const ical::DateTime& d) {
  auto o = newObject();
  o->set("date", formatDate(d));
  return o;
}

struct Times {
  Object::Ptr start;
  Object::Ptr end;
  std::string error;
};

Times mapTimes(const ical::Event& ev, const GoogleMappingOptions& options) {
  Times t;
  const ical::DateTime& s = ev.start;
  if (s.isDate) {
    if (ev.end && !ev.end->isDate) return {{}, {}, "DTSTART is a DATE but DTEND a DATE-TIME"};
    const ical::UnixTime s0 = ical::toUnix(s, "UTC");
    ical::UnixTime e0 = s0 + 86400;
    if (ev.end)
      e0 = ical::toUnix(*ev.end, "UTC");
    else if (ev.durationSec)
      e0 = s0 + (*ev.durationSec / 86400) * 86400;
    if (e0 <= s0) return {{}, {}, "all-day event ends before it starts"};
    t.start = dateValue(s);
    t.end = dateValue(ical::fromUnix(e0, "UTC"));
    return t;
  }
  std::string zone = options.floatingZone.empty() ? "UTC" : options.floatingZone;
  if (!s.isFloating()) {
    auto z = zoneName(s.tzid);
    if (!z) return {{}, {}, "unknown time zone '" + s.tzid + "'"};
    zone = *z;
  }
  if (ev.end && ev.end->isDate) return {{}, {}, "DTSTART is a DATE-TIME but DTEND a DATE"};
  if (ev.end && !ev.end->isFloating() && !zoneName(ev.end->tzid))
    return {{}, {}, "unknown time zone '" + ev.end->tzid + "'"};
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
  if (end < start) return {{}, {}, "event ends before it starts"};
  // Both ends in the start's zone, as Google shows them.
  t.start = timedValue(start, zone);
  t.end = timedValue(end, zone);
  return t;
}

// ---- body ------------------------------------------------------------------

std::string_view statusOf(ical::EventStatus s) {
  switch (s) {
    case ical::EventStatus::Tentative:
      return "tentative";
    case ical::EventStatus::Cancelled:
      return "cancelled";
    case ical::EventStatus::Confirmed:
    case ical::EventStatus::None:
      break;
  }
  return "confirmed";
}

std::string_view responseOf(ical::PartStat p) {
  switch (p) {
    case ical::PartStat::Accepted:
      return "accepted";
    case ical::PartStat::Declined:
      return "declined";
    case ical::PartStat::Tentative:
      return "tentative";
    case ical::PartStat::NeedsAction:
    case ical::PartStat::Delegated:
      break;
  }
  return "needsAction";
}

// Customers only: staff of a group event (X-CRENEAU-ROLE=staff) and the
// organizer (the calendar owner) are not invited.
Array::Ptr attendeesOf(const ical::Event& ev) {
  Array::Ptr list = new Array;
  for (const ical::Attendee& a : ev.attendees) {
    if (a.email.empty() || paramValue(a, "X-CRENEAU-ROLE") == "staff") continue;
    if (ev.organizer && ev.organizer->email == a.email) continue;
    auto o = newObject();
    o->set("email", a.email);
    if (!a.commonName.empty()) o->set("displayName", a.commonName);
    if (a.role == ical::Role::OptParticipant) o->set("optional", true);
    o->set("responseStatus", std::string(responseOf(a.partStat)));
    const std::string guests = paramValue(a, "X-NUM-GUESTS");
    if (!guests.empty()) {
      const int n = std::atoi(guests.c_str());
      if (n > 0) o->set("additionalGuests", n);
    }
    list->add(o);
  }
  return list;
}

Object::Ptr privateProperties(const ical::Event& ev, const GoogleTarget& target) {
  auto priv = newObject();
  priv->set("creneauKind", std::string(kindName(target.kind)));
  priv->set(recordPropertyName(target.kind), target.externalId);
  if (!target.periodId.empty()) priv->set("creneauPeriodId", target.periodId);
  priv->set("creneauRevision", std::to_string(ev.sequence));
  auto ext = newObject();
  ext->set("private", priv);
  return ext;
}

Object::Ptr conferenceRequest(const GoogleTarget& target) {
  auto key = newObject();
  key->set("type", std::string(kMeetSolution));
  auto create = newObject();
  create->set("requestId", conferenceRequestId(target));
  create->set("conferenceSolutionKey", key);
  auto data = newObject();
  data->set("createRequest", create);
  return data;
}

struct Body {
  Object::Ptr object;
  std::string error;
};

// The full resource, id first. conferenceData only when `wantConference`.
Body fullBody(const ical::Event& ev, const GoogleTarget& target,
              const GoogleMappingOptions& options, bool wantConference) {
  if (target.externalId.empty()) return {{}, "no record id (X-CRENEAU-APPOINTMENT-ID)"};
  Times times = mapTimes(ev, options);
  if (!times.error.empty()) return {{}, times.error};

  auto b = newObject();
  b->set("id", eventId(target));
  b->set("status", std::string(statusOf(ev.status)));
  b->set("summary", ev.summary);
  b->set("description", ev.description);
  b->set("location", ev.location);
  b->set("start", times.start);
  b->set("end", times.end);
  b->set(
      "transparency",
      std::string(ev.transparency == ical::Transparency::Transparent ? "transparent" : "opaque"));
  b->set("attendees", options.addAttendees ? attendeesOf(ev) : Array::Ptr(new Array));
  b->set("guestsCanSeeOtherGuests", options.guestsCanSeeOtherGuests);
  b->set("guestsCanInviteOthers", false);  // seats are counted by the booking system
  b->set("extendedProperties", privateProperties(ev, target));
  if (wantConference) b->set("conferenceData", conferenceRequest(target));
  return {b, {}};
}

std::vector<std::pair<std::string, std::string>> writeQuery(const GoogleMappingOptions& options) {
  std::vector<std::pair<std::string, std::string>> q;
  if (options.addMeet) q.emplace_back("conferenceDataVersion", "1");
  q.emplace_back("sendUpdates", sendUpdates(options));
  return q;
}

}  // namespace

std::string GoogleRequest::queryString() const {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    std::string n, v;
    Poco::URI::encode(name, "!#$&'()*+,/:;=?@[]", n);
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", v);
    out += n + "=" + v;
  }
  return out;
}

std::optional<std::string> GoogleRequest::queryValue(const std::string& name) const {
  for (const auto& [n, v] : query)
    if (n == name) return v;
  return std::nullopt;
}

std::optional<GoogleTarget> targetOf(const ical::Event& ev) {
  GoogleTarget t;
  const std::string kind = ev.extraValue("X-CRENEAU-KIND");
  if (kind == "event") {
    t.kind = RecordKind::Event;
    t.externalId = ev.extraValue("X-CRENEAU-EVENT-ID");
    t.periodId = ev.extraValue("X-CRENEAU-PERIOD-ID");
  } else {
    t.kind = RecordKind::Appointment;
    t.externalId = ev.extraValue("X-CRENEAU-APPOINTMENT-ID");
  }
  if (t.externalId.empty()) return std::nullopt;
  return t;
}

std::string eventId(const GoogleTarget& t) {
  return base32hex(digestOf({"creneau-google-event-v1", kindName(t.kind), t.externalId, t.periodId,
                             t.account, t.calendarId}));
}

std::string conferenceRequestId(const GoogleTarget& t) {
  const std::string generation = std::to_string(t.generation);
  return "creneau-" + base32hex(digestOf({"creneau-google-meet-v1", kindName(t.kind), t.externalId,
                                          t.periodId, t.account, t.calendarId, generation}))
                          .substr(0, 32);
}

std::string recordPropertyName(RecordKind kind) {
  return kind == RecordKind::Appointment ? "creneauAppointmentId" : "creneauEventId";
}

std::pair<std::string, std::string> lookupParameter(const GoogleTarget& target) {
  return {"privateExtendedProperty", recordPropertyName(target.kind) + "=" + target.externalId};
}

std::string sendUpdates(const GoogleMappingOptions& options) {
  return options.addAttendees && options.sendInvitations ? "all" : "none";
}

GoogleMapResult insertRequest(const ical::Event& ev, const GoogleTarget& target,
                              const GoogleMappingOptions& options) {
  const bool meet = options.addMeet && ev.status != ical::EventStatus::Cancelled;
  Body body = fullBody(ev, target, options, meet);
  if (!body.object) return {std::nullopt, body.error};
  return {GoogleRequest{eventId(target), body.object, writeQuery(options)}, {}};
}

GoogleMapResult patchRequest(const ical::Event& ev, const GoogleTarget& target,
                             const GoogleMappingOptions& options, const GoogleRemoteState& remote) {
  const bool meet =
      options.addMeet && !remote.hasConference && ev.status != ical::EventStatus::Cancelled;
  Body body = fullBody(ev, target, options, meet);
  if (!body.object) return {std::nullopt, body.error};
  body.object->remove("id");
  Object::Ptr out = body.object;
  if (remote.lastSentBody) out = changedFields(*remote.lastSentBody, *body.object);
  if (remote.hasConference) out->remove("conferenceData");
  return {GoogleRequest{eventId(target), out, writeQuery(options)}, {}};
}

std::vector<std::pair<std::string, std::string>> deleteQuery(const GoogleMappingOptions& options) {
  return {{"sendUpdates", sendUpdates(options)}};
}

Object::Ptr changedFields(const Object& before, const Object& after) {
  auto out = newObject();
  std::vector<std::string> names;
  after.getNames(names);
  for (const std::string& name : names) {
    if (name == "id") continue;
    const Poco::Dynamic::Var value = after.get(name);
    if (!before.has(name) || canonical(before.get(name)) != canonical(value)) out->set(name, value);
  }
  return out;
}

}  // namespace creneau::engine::google
