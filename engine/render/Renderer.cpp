#include "engine/render/Renderer.h"

#include "engine/store/Store.h"
#include "ical/TimeZones.h"

namespace creneau::engine {

namespace {

using P = Placeholder;

void set(PlaceholderValues& v, P p, std::string value) {
  v[static_cast<size_t>(p)] = std::move(value);
}

bool isActive(Status s) {
  return s != Status::Canceled && s != Status::Rejected;
}

ical::EventStatus toIcalStatus(Status s) {
  switch (s) {
    case Status::Pending:
      return ical::EventStatus::Tentative;
    case Status::Canceled:
    case Status::Rejected:
      return ical::EventStatus::Cancelled;
    case Status::Approved:
    case Status::NoShow:
      return ical::EventStatus::Confirmed;
  }
  return ical::EventStatus::Confirmed;
}

ical::PartStat toPartStat(Status s) {
  switch (s) {
    case Status::Approved:
    case Status::NoShow:
      return ical::PartStat::Accepted;
    case Status::Pending:
      return ical::PartStat::NeedsAction;
    case Status::Canceled:
    case Status::Rejected:
      return ical::PartStat::Declined;
  }
  return ical::PartStat::NeedsAction;
}

// The bookings whose customers take part: active ones, or every booking when
// none is active (a cancelled appointment still says who it was for).
std::vector<const Booking*> participants(const std::vector<Booking>& bookings) {
  std::vector<const Booking*> out;
  for (const auto& b : bookings)
    if (isActive(b.status)) out.push_back(&b);
  if (out.empty())
    for (const auto& b : bookings) out.push_back(&b);
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

void fillCustomers(PlaceholderValues& v, const PlaceholderMask& used,
                   const std::vector<const Booking*>& bookings, const Directory& dir) {
  std::vector<const Customer*> customers;
  int persons = 0;
  for (const Booking* b : bookings) {
    if (isActive(b->status)) persons += b->persons;
    if (const Customer* c = dir.customer(b->customerId)) customers.push_back(c);
  }
  // Only the lists a template shows are built: this runs once per appointment.
  auto list = [&](P p, auto field) {
    if (!used.test(static_cast<size_t>(p))) return;
    std::vector<std::string> parts;
    parts.reserve(customers.size());
    for (const Customer* c : customers) parts.push_back(field(*c));
    set(v, p, join(parts));
  };
  list(P::CustomerFullName, [](const Customer& c) { return c.fullName(); });
  list(P::CustomerFirstName, [](const Customer& c) { return c.firstName; });
  list(P::CustomerLastName, [](const Customer& c) { return c.lastName; });
  list(P::CustomerEmail, [](const Customer& c) { return c.email; });
  list(P::CustomerPhone, [](const Customer& c) { return c.phone; });
  list(P::CustomerNote, [](const Customer& c) { return c.note; });
  set(v, P::BookedPersons, std::to_string(persons));
}

void fillEmployee(PlaceholderValues& v, const Employee* e) {
  if (!e) return;
  set(v, P::EmployeeFullName, e->fullName());
  set(v, P::EmployeeFirstName, e->firstName);
  set(v, P::EmployeeLastName, e->lastName);
  set(v, P::EmployeeEmail, e->email);
  set(v, P::EmployeePhone, e->phone);
}

// Seconds east of UTC that `zone` observes at `t`.
long long utcOffset(UnixTime t, const ical::DateTime& local) {
  return ical::toUnix(ical::DateTime::local(local.year, local.month, local.day, local.hour,
                                            local.minute, local.second, "UTC")) -
         t;
}

// How `t` is written: its wall-clock reading `local` in `zone`, or its UTC
// form when that reading is ambiguous (the repeated hour when clocks fall
// back). RFC 5545 3.3.5 reads an ambiguous local time as its first
// occurrence, but python-icalendar and ical.js read it as the second: only
// UTC means the same instant to everyone.
ical::DateTime written(UnixTime t, const ical::DateTime& local, const std::string& zone) {
  // No offset change within two hours either side (the common case): nothing
  // can repeat. Otherwise look for the same reading one shift away.
  const auto before = ical::fromUnix(t - 7200, zone);
  const auto after = ical::fromUnix(t + 7200, zone);
  if (utcOffset(t - 7200, before) == utcOffset(t + 7200, after)) return local;
  for (UnixTime shift : {3600, 1800, 7200}) {  // DST shifts in use: 1 h, 30 min (Lord Howe), 2 h
    if (ical::fromUnix(t - shift, zone) == local || ical::fromUnix(t + shift, zone) == local)
      return ical::fromUnix(t, "UTC");
  }
  return local;
}

struct Span {
  ical::DateTime startLocal, endLocal;  // for the placeholders
  ical::DateTime start, end;            // for DTSTART / DTEND
};

Span span(UnixTime start, UnixTime end, const std::string& zone) {
  Span s;
  s.startLocal = ical::fromUnix(start, zone);
  s.endLocal = ical::fromUnix(end, zone);
  s.start = written(start, s.startLocal, zone);
  s.end = written(end, s.endLocal, zone);
  return s;
}

void fillTimes(PlaceholderValues& v, const PlaceholderMask& used, const ical::DateTime& s,
               const ical::DateTime& e, Language lang) {
  auto wants = [&](P p) { return used.test(static_cast<size_t>(p)); };
  if (wants(P::AppointmentDate)) set(v, P::AppointmentDate, formatDate(s, lang));
  if (wants(P::AppointmentDateTime)) set(v, P::AppointmentDateTime, formatDateTime(s, lang));
  if (wants(P::AppointmentStartTime)) set(v, P::AppointmentStartTime, formatTime(s, lang));
  if (wants(P::AppointmentEndTime)) set(v, P::AppointmentEndTime, formatTime(e, lang));
}

std::string locationText(const Location* l) {
  if (!l) return {};
  if (l->address.empty()) return l->name;
  if (l->name.empty()) return l->address;
  return l->name + ", " + l->address;
}

void addAttendees(ical::Event& ev, const std::vector<const Booking*>& bookings,
                  const Directory& dir) {
  for (const Booking* b : bookings) {
    const Customer* c = dir.customer(b->customerId);
    if (!c || c->email.empty()) continue;  // ATTENDEE needs a cal-address (RFC 5545 3.8.4.1)
    ical::Attendee at;
    at.email = c->email;
    at.commonName = c->fullName();
    at.role = ical::Role::ReqParticipant;
    at.partStat = toPartStat(b->status);
    at.rsvp = false;  // the booking system collects answers, not the calendar
    // Extra persons on one booking, as Google and Apple write it.
    if (b->persons > 1) at.extraParams.push_back({"X-NUM-GUESTS", std::to_string(b->persons - 1)});
    ev.attendees.push_back(std::move(at));
  }
}

void setStamps(ical::Event& ev, std::int64_t revision, UnixTime created, UnixTime updated,
               UnixTime fallback) {
  ev.sequence = static_cast<int>(revision);
  const UnixTime stamp = updated ? updated : (created ? created : fallback);
  ev.dtstamp = ical::fromUnix(stamp, "UTC");
  ev.lastModified = ev.dtstamp;
  if (created) ev.created = ical::fromUnix(created, "UTC");
}

void setMeeting(ical::Event& ev, const std::string& url) {
  if (url.empty()) return;
  ev.url = url;
  ev.conferences.push_back(ical::Conference{url, {"AUDIO", "VIDEO"}, "Online meeting"});
}

}  // namespace

Directory Directory::load(const Store& store) {
  Directory d;
  for (auto& e : store.employees()) d.add(std::move(e));
  for (auto& c : store.customers()) d.add(std::move(c));
  for (auto& s : store.services()) d.add(std::move(s));
  for (auto& l : store.locations()) d.add(std::move(l));
  return d;
}

Renderer::Renderer(RenderSettings settings)
    : settings_(std::move(settings)),
      lang_(settings_.lang()),
      appointmentTitle_(settings_.appointmentTitle),
      appointmentDescription_(settings_.appointmentDescription),
      eventTitle_(settings_.eventTitle),
      eventDescription_(settings_.eventDescription) {
  for (size_t i = 0; i < used_.size(); ++i) {
    const auto p = static_cast<Placeholder>(i);
    used_[i] = appointmentTitle_.uses(p) || appointmentDescription_.uses(p) ||
               eventTitle_.uses(p) || eventDescription_.uses(p);
  }
}

std::string Renderer::appointmentUid(const std::string& externalId) const {
  return "appointment-" + externalId + "@" + settings_.uidDomain;
}

std::string Renderer::eventUid(const std::string& externalId, const std::string& periodKey) const {
  return "event-" + externalId + "-" + periodKey + "@" + settings_.uidDomain;
}

std::string Renderer::zoneOf(const Appointment& a, const Directory& dir) {
  const Employee* e = dir.employee(a.employeeId);
  return e && !e->timeZone.empty() ? e->timeZone : "UTC";
}

std::string Renderer::zoneOf(const GroupEvent& ev, const Directory& dir) {
  const Employee* e = ev.organizerId ? dir.employee(*ev.organizerId) : nullptr;
  if (!e && !ev.staffIds.empty()) e = dir.employee(ev.staffIds.front());
  return e && !e->timeZone.empty() ? e->timeZone : "UTC";
}

ical::Event Renderer::render(const Appointment& a, const Directory& dir) const {
  const Employee* emp = dir.employee(a.employeeId);
  const Service* svc = dir.service(a.serviceId);
  const Location* loc = a.locationId ? dir.location(*a.locationId) : nullptr;
  const std::string zone = zoneOf(a, dir);
  const auto bookings = participants(a.bookings);

  PlaceholderValues v;
  if (svc) {
    set(v, P::ServiceName, svc->name);
    set(v, P::ServiceDescription, svc->description);
    set(v, P::ServiceDuration, formatDuration(svc->durationMin, lang_));
    set(v, P::ServicePrice, formatPrice(svc->price, svc->currency, lang_));
    set(v, P::AppointmentPrice, formatPrice(a.price, svc->currency, lang_));
  } else {
    set(v, P::AppointmentPrice, a.price);
  }
  fillEmployee(v, emp);
  fillCustomers(v, used_, bookings, dir);
  const Span booked = span(a.start, a.end, zone);
  fillTimes(v, used_, booked.startLocal, booked.endLocal, lang_);
  set(v, P::AppointmentId, a.externalId);
  set(v, P::AppointmentNotes, a.notes);
  set(v, P::AppointmentStatus, statusLabel(a.status, lang_));
  set(v, P::LocationName, loc ? loc->name : std::string());
  set(v, P::LocationAddress, loc ? loc->address : std::string());
  set(v, P::MeetingUrl, a.meetingUrl);

  ical::Event ev;
  ev.uid = appointmentUid(a.externalId);
  setStamps(ev, a.revision, a.createdAt, a.updatedAt, a.start);

  const bool buffers =
      settings_.includeBuffers && svc && (svc->bufferBeforeMin || svc->bufferAfterMin);
  if (buffers) {
    const Span blocked = span(a.start - static_cast<UnixTime>(svc->bufferBeforeMin) * 60,
                              a.end + static_cast<UnixTime>(svc->bufferAfterMin) * 60, zone);
    ev.start = blocked.start;
    ev.end = blocked.end;
  } else {
    ev.start = booked.start;
    ev.end = booked.end;
  }

  ev.summary = appointmentTitle_.render(v);
  ev.description = appointmentDescription_.render(v);
  ev.location = locationText(loc);
  if (svc && !svc->name.empty()) ev.categories.push_back(svc->name);
  ev.status = toIcalStatus(a.status);
  ev.transparency = ev.status == ical::EventStatus::Cancelled ? ical::Transparency::Transparent
                                                              : ical::Transparency::Opaque;
  if (emp && !emp->email.empty()) ev.organizer = ical::Organizer{emp->email, emp->fullName()};
  if (settings_.addAttendees) addAttendees(ev, bookings, dir);
  setMeeting(ev, a.meetingUrl.empty() ? a.conferenceUrl : a.meetingUrl);

  ev.extra.push_back({"X-CRENEAU-KIND", "appointment", {}});
  ev.extra.push_back({"X-CRENEAU-APPOINTMENT-ID", a.externalId, {}});
  if (emp) ev.extra.push_back({"X-CRENEAU-EMPLOYEE-ID", emp->externalId, {}});
  if (svc) ev.extra.push_back({"X-CRENEAU-SERVICE-ID", svc->externalId, {}});
  if (loc) ev.extra.push_back({"X-CRENEAU-LOCATION-ID", loc->externalId, {}});
  ev.extra.push_back({"X-CRENEAU-STATUS", std::string(toString(a.status)), {}});
  if (buffers) {
    ev.extra.push_back({"X-CRENEAU-BUFFER-BEFORE", std::to_string(svc->bufferBeforeMin), {}});
    ev.extra.push_back({"X-CRENEAU-BUFFER-AFTER", std::to_string(svc->bufferAfterMin), {}});
  }
  // Outlook shows a subscribed event as tentative only through this property.
  if (a.status == Status::Pending)
    ev.extra.push_back({"X-MICROSOFT-CDO-BUSYSTATUS", "TENTATIVE", {}});
  return ev;
}

std::vector<ical::Event> Renderer::render(const GroupEvent& e, const Directory& dir) const {
  const Employee* organizer = e.organizerId ? dir.employee(*e.organizerId) : nullptr;
  const Location* loc = e.locationId ? dir.location(*e.locationId) : nullptr;
  const std::string zone = zoneOf(e, dir);
  const auto bookings = participants(e.bookings);

  PlaceholderValues base;
  fillEmployee(base, organizer);
  fillCustomers(base, used_, bookings, dir);
  set(base, P::EventName, e.name);
  set(base, P::EventDescription, e.description);
  set(base, P::EventLocation, locationText(loc));
  set(base, P::EventId, e.externalId);
  set(base, P::AppointmentStatus, statusLabel(e.status, lang_));
  set(base, P::AppointmentPrice, e.price);
  set(base, P::LocationName, loc ? loc->name : std::string());
  set(base, P::LocationAddress, loc ? loc->address : std::string());
  set(base, P::MeetingUrl, e.meetingUrl);

  std::vector<ical::Event> out;
  out.reserve(e.periods.size());
  for (size_t i = 0; i < e.periods.size(); ++i) {
    const EventPeriod& p = e.periods[i];
    const std::string key = p.externalId.empty() ? std::to_string(i + 1) : p.externalId;
    PlaceholderValues v = base;
    const Span times = span(p.start, p.end, zone);
    fillTimes(v, used_, times.startLocal, times.endLocal, lang_);

    ical::Event ev;
    ev.uid = eventUid(e.externalId, key);
    setStamps(ev, e.revision, e.createdAt, e.updatedAt, p.start);
    ev.start = times.start;
    ev.end = times.end;
    ev.summary = eventTitle_.render(v);
    ev.description = eventDescription_.render(v);
    ev.location = locationText(loc);
    ev.status = toIcalStatus(e.status);
    ev.transparency = ev.status == ical::EventStatus::Cancelled ? ical::Transparency::Transparent
                                                                : ical::Transparency::Opaque;
    if (organizer && !organizer->email.empty())
      ev.organizer = ical::Organizer{organizer->email, organizer->fullName()};
    // Staff run the event: they are always listed; customers follow the setting.
    for (Id sid : e.staffIds) {
      const Employee* s = dir.employee(sid);
      if (!s || s->email.empty() || s == organizer) continue;
      ical::Attendee at;
      at.email = s->email;
      at.commonName = s->fullName();
      at.role = ical::Role::ReqParticipant;
      at.partStat = ical::PartStat::Accepted;
      at.extraParams.push_back({"X-CRENEAU-ROLE", "staff"});
      ev.attendees.push_back(std::move(at));
    }
    if (settings_.addAttendees) addAttendees(ev, bookings, dir);
    setMeeting(ev, e.meetingUrl.empty() ? e.conferenceUrl : e.meetingUrl);
    ev.extra.push_back({"X-CRENEAU-KIND", "event", {}});
    ev.extra.push_back({"X-CRENEAU-EVENT-ID", e.externalId, {}});
    ev.extra.push_back({"X-CRENEAU-PERIOD-ID", key, {}});
    if (organizer) ev.extra.push_back({"X-CRENEAU-EMPLOYEE-ID", organizer->externalId, {}});
    if (loc) ev.extra.push_back({"X-CRENEAU-LOCATION-ID", loc->externalId, {}});
    ev.extra.push_back({"X-CRENEAU-STATUS", std::string(toString(e.status)), {}});
    if (e.status == Status::Pending)
      ev.extra.push_back({"X-MICROSOFT-CDO-BUSYSTATUS", "TENTATIVE", {}});
    out.push_back(std::move(ev));
  }
  return out;
}

}  // namespace creneau::engine
