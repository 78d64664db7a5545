#include "bridge/caldav/DavResources.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <cstdint>
#include <ctime>
#include <string_view>

#include "engine/render/Renderer.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"

namespace creneau::bridge::dav {

namespace {

constexpr std::string_view kRoot = "/dav/";
constexpr std::string_view kCalendarPrefix = "appointments-";
constexpr std::string_view kObjectPrefix = "appointment-";
constexpr std::string_view kObjectSuffix = ".ics";
constexpr std::string_view kBlockedPrefix = "blocked-";

DavResource simple(ResourceKind kind, std::string href) {
  DavResource r;
  r.kind = kind;
  r.href = std::move(href);
  return r;
}

std::vector<std::string> segmentsOf(std::string_view rest) {
  std::vector<std::string> out;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto seg = rest.substr(0, slash);
    if (!seg.empty()) out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

std::string href(const std::string& s) {
  return std::string("<D:href>") + xmlEscape(s) + "</D:href>";
}

std::string principalHref(const DavContext& ctx) {
  return "/dav/principals/" + encodeSegment(ctx.principal.login) + "/";
}
std::string homeHref(const DavContext& ctx) {
  return "/dav/calendars/" + encodeSegment(ctx.principal.login) + "/";
}

// The calendar's segment in the home: "appointments" for an employee's own,
// "appointments-<external id>" in the admin's home.
std::string calendarSegment(const DavContext& ctx, const engine::Employee& e) {
  if (ctx.principal.isAdmin) return std::string(kCalendarPrefix) + e.externalId;
  return "appointments";
}

DavResource calendarResource(const DavContext& ctx, const engine::Employee& e) {
  DavResource r;
  r.kind = ResourceKind::Calendar;
  r.href = homeHref(ctx) + encodeSegment(calendarSegment(ctx, e)) + "/";
  r.employee = e;
  return r;
}

DavResource objectResource(const DavResource& calendar, const engine::Appointment& a) {
  DavResource r;
  r.kind = ResourceKind::Object;
  r.href = calendar.href +
           encodeSegment(std::string(kObjectPrefix) + a.externalId + std::string(kObjectSuffix));
  r.employee = calendar.employee;
  r.appointment = a;
  return r;
}

std::optional<engine::Employee> employeeById(const engine::Store& store, engine::Id id) {
  for (auto& e : store.employees())
    if (e.id == id) return e;
  return std::nullopt;
}

// The employee behind an employee login, read once per request.
std::optional<engine::Employee> ownEmployee(const DavContext& ctx) {
  if (!ctx.principal.employeeId) return std::nullopt;
  if (!ctx.ownEmployee) ctx.ownEmployee = employeeById(ctx.store, *ctx.principal.employeeId);
  return *ctx.ownEmployee;
}

// A folder or file inside a personal calendar.
DavResource fileResource(const DavResource& calendar, engine::DavFile f) {
  DavResource r;
  r.kind = f.collection ? ResourceKind::Folder : ResourceKind::File;
  std::string href = calendar.href;
  std::string_view rest = f.path;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    href += encodeSegment(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    href += '/';
    rest.remove_prefix(slash + 1);
  }
  r.href = std::move(href);
  r.employee = calendar.employee;
  r.personal = calendar.personal;
  r.file = std::move(f);
  return r;
}

// A personal calendar's segment: its slug in the employee's home; in the
// admin's, "blocked-<external id>" for `blocked` and "<external id>~<slug>"
// for the ones the employee made (slugs never contain '~').
std::string personalSegment(const DavContext& ctx, const engine::Employee& e,
                            const std::string& slug) {
  if (!ctx.principal.isAdmin) return slug;
  if (slug == engine::kBlockedSlug) return std::string(kBlockedPrefix) + e.externalId;
  return e.externalId + "~" + slug;
}

DavResource personalResource(const DavContext& ctx, const engine::Employee& e,
                             engine::PersonalCalendar calendar) {
  DavResource r;
  r.kind = ResourceKind::Calendar;
  r.href = homeHref(ctx) + encodeSegment(personalSegment(ctx, e, calendar.slug)) + "/";
  r.employee = e;
  r.personal = std::move(calendar);
  return r;
}

// The employee's `blocked` calendar. It exists implicitly (id 0 until the
// first PUT or PROPPATCH).
DavResource blockedResource(const DavContext& ctx, const engine::Employee& e) {
  return personalResource(ctx, e,
                          ctx.store.personalCalendar(e.id, engine::kBlockedSlug)
                              .value_or(engine::blockedCalendarDefaults(e.id)));
}

DavResource personalObjectResource(const DavResource& calendar, const engine::PersonalObject& o) {
  DavResource r;
  r.kind = ResourceKind::Object;
  r.href = calendar.href + encodeSegment(o.name);
  r.employee = calendar.employee;
  r.personal = calendar.personal;
  r.personalObject = o;
  return r;
}

}  // namespace

std::optional<PersonalTarget> personalTarget(const DavContext& ctx, const std::string& segment) {
  std::optional<engine::Employee> employee;
  std::string slug;
  if (ctx.principal.isAdmin) {
    if (segment.starts_with(kBlockedPrefix)) {
      employee = ctx.store.employeeByExternalId(segment.substr(kBlockedPrefix.size()));
      slug = engine::kBlockedSlug;
    } else if (const auto tilde = segment.rfind('~'); tilde != std::string::npos) {
      employee = ctx.store.employeeByExternalId(segment.substr(0, tilde));
      slug = segment.substr(tilde + 1);
    }
  } else if (ctx.principal.employeeId && !segment.starts_with(kCalendarPrefix) &&
             !segment.starts_with(kBlockedPrefix) && segment != "appointments") {
    employee = ownEmployee(ctx);
    slug = segment;
  }
  if (!employee || !ctx.principal.canSeeEmployee(employee->id) || !validSlug(slug))
    return std::nullopt;
  return PersonalTarget{*employee, slug};
}

bool validSlug(const std::string& slug) {
  if (slug.empty() || slug.size() > 128 || slug == "." || slug == "..") return false;
  for (const char c : slug)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '@' || c == '+'))
      return false;
  return true;
}

namespace {

// The personal calendar named `segment` in the caller's home, if it exists
// (`blocked` always does).
std::optional<DavResource> personalNamed(const DavContext& ctx, const std::string& segment) {
  const auto target = personalTarget(ctx, segment);
  if (!target) return std::nullopt;
  if (target->slug == engine::kBlockedSlug) return blockedResource(ctx, target->employee);
  auto calendar = ctx.store.personalCalendar(target->employee.id, target->slug);
  if (!calendar) return std::nullopt;
  return personalResource(ctx, target->employee, std::move(*calendar));
}

constexpr const char* kSupportedReports =
    "<D:supported-report><D:report><C:calendar-query/></D:report></D:supported-report>"
    "<D:supported-report><D:report><C:calendar-multiget/></D:report></D:supported-report>"
    "<D:supported-report><D:report><C:free-busy-query/></D:report></D:supported-report>"
    "<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>";

// RFC 4791 5.2.2: a VCALENDAR holding the VTIMEZONE of the employee's zone.
// ical::vtimezone caches the VTIMEZONE text per zone.
std::string timezoneProperty(const engine::Employee& e) {
  std::string text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Creneau//Creneau 0.1//EN\r\n";
  text += ical::vtimezone(e.timeZone);
  text += "END:VCALENDAR\r\n";
  return xmlEscape(text);
}

// Properties of a personal calendar (RFC 4791 5.2, RFC 6638 9.1).
void personalCalendarProperties(const DavContext& ctx, const DavResource& r, PropValues& p) {
  const auto& c = *r.personal;
  const std::int64_t seq = c.id == 0 ? 0 : ctx.store.latestChange(engine::personalCollection(c.id));
  p[clark(kDavNs, "resourcetype")] = "<D:collection/><C:calendar/>";
  p[clark(kDavNs, "displayname")] = xmlEscape(c.displayName);
  p[clark(kCalDavNs, "calendar-description")] = xmlEscape(c.description);
  p[clark("http://apple.com/ns/ical/", "calendar-color")] = xmlEscape(c.color);
  p[clark(kCalDavNs, "supported-calendar-component-set")] = "<C:comp name=\"VEVENT\"/>";
  p[clark(kCalDavNs, "schedule-calendar-transp")] =
      c.transparent ? "<C:transparent/>" : "<C:opaque/>";
  p[clark(kCalendarServerNs, "getctag")] = "personal-" + std::to_string(seq);
  p[clark(kDavNs, "sync-token")] = "urn:creneau:sync:" + std::to_string(seq);
  p[clark(kDavNs, "current-user-privilege-set")] =
      "<D:privilege><D:read/></D:privilege><D:privilege><D:write/></D:privilege>"
      "<D:privilege><D:write-content/></D:privilege><D:privilege><D:bind/></D:privilege>"
      "<D:privilege><D:unbind/></D:privilege><D:privilege><C:read-free-busy/></D:privilege>";
  p[clark(kDavNs, "owner")] = href(principalHref(ctx));
  p[clark(kDavNs, "supported-report-set")] = kSupportedReports;
  p[clark(kCalDavNs, "max-resource-size")] = std::to_string(kMaxResourceSize);
  p[clark(kCalDavNs, "calendar-timezone")] = timezoneProperty(*r.employee);
}

// The calendar named `segment` in the caller's home, if the caller sees it.
std::optional<DavResource> calendarNamed(const DavContext& ctx, const std::string& segment) {
  std::optional<engine::Employee> employee;
  if (ctx.principal.isAdmin) {
    if (!segment.starts_with(kCalendarPrefix)) return std::nullopt;
    employee = ctx.store.employeeByExternalId(segment.substr(kCalendarPrefix.size()));
  } else if (segment == "appointments" && ctx.principal.employeeId) {
    employee = ownEmployee(ctx);
  }
  if (!employee || !ctx.principal.canSeeEmployee(employee->id)) return std::nullopt;
  return calendarResource(ctx, *employee);
}

bool isOwnLogin(const DavContext& ctx, const std::string& segment) {
  const auto login = engine::normalizeLogin(segment);
  return login && *login == ctx.principal.login;
}

// FNV-1a of everything in the settings that changes rendered output.
std::string computeSettingsTag(const engine::RenderSettings& s) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view text) {
    for (const char c : text) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // field separator
    h *= 1099511628211ULL;
  };
  mix(s.appointmentTitle);
  mix(s.appointmentDescription);
  mix(s.eventTitle);
  mix(s.eventDescription);
  mix(s.language);
  mix(s.includeBuffers ? "1" : "0");
  mix(s.addAttendees ? "1" : "0");
  mix(s.uidDomain);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) out += kHex[(h >> (60 - 4 * i)) & 15];
  return out;
}

PropValues commonProperties(const DavContext& ctx) {
  PropValues p;
  p[clark(kDavNs, "current-user-principal")] = href(principalHref(ctx));
  p[clark(kDavNs, "current-user-privilege-set")] = "<D:privilege><D:read/></D:privilege>";
  return p;
}

}  // namespace

std::string httpDate(engine::UnixTime t) {
  return Poco::DateTimeFormatter::format(
      Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(t)),
      Poco::DateTimeFormat::HTTP_FORMAT);
}

std::optional<DavResource> resolve(const DavContext& ctx, const std::string& path) {
  if (path == "/dav") return simple(ResourceKind::Root, std::string(kRoot));
  if (!path.starts_with(kRoot)) return std::nullopt;
  const auto segs = segmentsOf(std::string_view(path).substr(kRoot.size()));
  const bool trailingSlash = path.ends_with('/');
  if (segs.empty()) return simple(ResourceKind::Root, std::string(kRoot));

  if (segs[0] == "principals") {
    if (segs.size() == 1) return simple(ResourceKind::PrincipalsRoot, "/dav/principals/");
    if (segs.size() == 2 && isOwnLogin(ctx, segs[1]))
      return simple(ResourceKind::Principal, principalHref(ctx));
    return std::nullopt;
  }
  if (segs[0] != "calendars") return std::nullopt;
  if (segs.size() == 1) return simple(ResourceKind::CalendarsRoot, "/dav/calendars/");
  if (!isOwnLogin(ctx, segs[1])) return std::nullopt;
  if (segs.size() == 2) return simple(ResourceKind::Home, homeHref(ctx));
  if (auto personal = personalNamed(ctx, segs[2])) {
    if (segs.size() == 3) return personal;
    if (personal->personal->id == 0) return std::nullopt;
    if (segs.size() == 4 && !trailingSlash && segs[3].ends_with(kObjectSuffix)) {
      // One indexed row: cheaper than bringing the calendar's snapshot up to
      // date, which a stream of PUTs would do for every request.
      if (auto object = ctx.store.personalObject(personal->personal->id, segs[3]))
        return personalObjectResource(*personal, *object);
    }
    // A plain folder or a file in one.
    std::string rel;
    for (std::size_t i = 3; i < segs.size(); ++i) rel += (i > 3 ? "/" : "") + segs[i];
    auto file = ctx.store.davFile(personal->personal->id, rel + "/");
    if (!file && !trailingSlash && segs.size() > 4)
      file = ctx.store.davFile(personal->personal->id, rel);
    if (!file) return std::nullopt;
    return fileResource(*personal, std::move(*file));
  }
  auto calendar = calendarNamed(ctx, segs[2]);
  if (!calendar) return std::nullopt;
  if (segs.size() == 3) return calendar;
  if (segs.size() != 4 || trailingSlash) return std::nullopt;

  const std::string& name = segs[3];
  if (!name.starts_with(kObjectPrefix) || !name.ends_with(kObjectSuffix)) return std::nullopt;
  const std::string ext =
      name.substr(kObjectPrefix.size(), name.size() - kObjectPrefix.size() - kObjectSuffix.size());
  auto appointment = ctx.store.appointmentByExternalId(ext);
  if (!appointment || appointment->employeeId != calendar->employee->id) return std::nullopt;
  return objectResource(*calendar, *appointment);
}

bool insidePersonalCalendar(const DavContext& ctx, const std::string& path) {
  if (!path.starts_with(kRoot)) return false;
  const auto segs = segmentsOf(std::string_view(path).substr(kRoot.size()));
  if (segs.size() < 4 || segs[0] != "calendars" || !isOwnLogin(ctx, segs[1])) return false;
  const auto calendar = personalNamed(ctx, segs[2]);
  return calendar && calendar->personal->id != 0;
}

std::optional<DavResource> parentCalendar(const DavContext& ctx, const std::string& path) {
  auto trimmed = std::string_view(path);
  while (trimmed.ends_with('/')) trimmed.remove_suffix(1);
  const auto slash = trimmed.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto parent = resolve(ctx, std::string(trimmed.substr(0, slash + 1)));
  if (parent && parent->kind == ResourceKind::Calendar) return parent;
  return std::nullopt;
}

std::vector<DavResource> children(const DavContext& ctx, const DavResource& r) {
  std::vector<DavResource> out;
  forEachChild(ctx, r, [&](const DavResource& c) { out.push_back(c); });
  return out;
}

void forEachChild(const DavContext& ctx, const DavResource& r,
                  const std::function<void(const DavResource&)>& fn) {
  // A vector-like sink: members are handed over one by one.
  struct Sink {
    const std::function<void(const DavResource&)>& fn;
    void push_back(const DavResource& c) const { fn(c); }
  } out{fn};
  switch (r.kind) {
    case ResourceKind::Root:
      out.push_back(simple(ResourceKind::PrincipalsRoot, "/dav/principals/"));
      out.push_back(simple(ResourceKind::CalendarsRoot, "/dav/calendars/"));
      break;
    case ResourceKind::PrincipalsRoot:
      out.push_back(simple(ResourceKind::Principal, principalHref(ctx)));
      break;
    case ResourceKind::CalendarsRoot:
      out.push_back(simple(ResourceKind::Home, homeHref(ctx)));
      break;
    case ResourceKind::Home:
      for (auto& e : ctx.store.employees())
        if (ctx.principal.isAdmin || ctx.principal.employeeId == e.id) {
          out.push_back(calendarResource(ctx, e));
          out.push_back(blockedResource(ctx, e));
          for (auto& c : ctx.store.personalCalendars(e.id))
            if (c.slug != engine::kBlockedSlug) out.push_back(personalResource(ctx, e, c));
        }
      break;
    case ResourceKind::Calendar: {
      if (r.isPersonal()) {
        for (const auto& [name, o] : personalSnapshot(ctx, r)->objects)
          out.push_back(personalObjectResource(r, *o));
        if (r.personal->id != 0)
          for (auto& f : ctx.store.davFiles(r.personal->id, ""))
            out.push_back(fileResource(r, std::move(f)));
        break;
      }
      engine::RecordFilter filter;
      filter.employeeId = r.employee->id;
      ctx.store.forEachAppointment(filter, [&](const engine::Appointment& a) {
        out.push_back(objectResource(r, a));
        return true;
      });
      break;
    }
    case ResourceKind::Folder: {
      DavResource calendar = r;
      calendar.href =
          homeHref(ctx) + encodeSegment(personalSegment(ctx, *r.employee, r.personal->slug)) + "/";
      for (auto& f : ctx.store.davFiles(r.personal->id, r.file->path))
        out.push_back(fileResource(calendar, std::move(f)));
      break;
    }
    case ResourceKind::Principal:
    case ResourceKind::Object:
    case ResourceKind::File:
      break;
  }
}

void addDeadProperties(const DavContext& ctx, const DavResource& r, PropValues& p) {
  const auto key = deadPropertyKey(ctx, r);
  if (!key) return;
  for (auto& d : ctx.store.deadProperties(*key)) p[d.name] = std::move(d.value);
}

bool needsDeadProperties(const PropValues& live, const std::vector<std::string>& wanted) {
  for (const auto& name : wanted)
    if (!live.contains(name)) return true;
  return false;
}

PropValues properties(const DavContext& ctx, const DavResource& r) {
  PropValues p = liveProperties(ctx, r);
  addDeadProperties(ctx, r, p);
  return p;
}

PropValues liveProperties(const DavContext& ctx, const DavResource& r) {
  PropValues p = commonProperties(ctx);
  const std::string collection = "<D:collection/>";
  switch (r.kind) {
    case ResourceKind::Root:
    case ResourceKind::PrincipalsRoot:
    case ResourceKind::CalendarsRoot:
      p[clark(kDavNs, "resourcetype")] = collection;
      p[clark(kDavNs, "displayname")] = "Créneau";
      p[clark(kDavNs, "principal-collection-set")] = href("/dav/principals/");
      break;
    case ResourceKind::Principal: {
      p[clark(kDavNs, "resourcetype")] = collection + "<D:principal/>";
      p[clark(kDavNs, "principal-URL")] = href(principalHref(ctx));
      p[clark(kCalDavNs, "calendar-home-set")] = href(homeHref(ctx));
      std::string name = ctx.principal.login;
      if (ctx.principal.employeeId) {
        if (auto e = employeeById(ctx.store, *ctx.principal.employeeId)) {
          name = e->fullName();
          if (!e->email.empty())
            p[clark(kCalDavNs, "calendar-user-address-set")] = href("mailto:" + e->email);
        }
      }
      p[clark(kDavNs, "displayname")] = xmlEscape(name);
      break;
    }
    case ResourceKind::Home:
      p[clark(kDavNs, "resourcetype")] = collection;
      p[clark(kDavNs, "displayname")] = xmlEscape(ctx.principal.login);
      p[clark(kDavNs, "owner")] = href(principalHref(ctx));
      break;
    case ResourceKind::Calendar: {
      if (r.isPersonal()) {
        personalCalendarProperties(ctx, r, p);
        break;
      }
      const auto& e = *r.employee;
      const std::int64_t seq = ctx.store.latestChange(engine::employeeCollection(e.id));
      p[clark(kDavNs, "resourcetype")] = collection + "<C:calendar/>";
      p[clark(kDavNs, "displayname")] = xmlEscape("Appointments – " + e.fullName());
      p[clark(kCalDavNs, "calendar-description")] =
          xmlEscape("Appointments of " + e.fullName() + " (read-only, from the booking system)");
      p[clark(kCalDavNs, "supported-calendar-component-set")] = "<C:comp name=\"VEVENT\"/>";
      p[clark(kDavNs, "supported-report-set")] = kSupportedReports;
      p[clark(kCalDavNs, "calendar-timezone")] = timezoneProperty(e);
      p[clark(kCalDavNs, "schedule-calendar-transp")] = "<C:opaque/>";
      p[clark(kCalendarServerNs, "getctag")] =
          xmlEscape(std::to_string(seq) + "-" + ctx.settingsTag);
      p[clark(kDavNs, "sync-token")] = "urn:creneau:sync:" + std::to_string(seq);
      p[clark(kDavNs, "current-user-privilege-set")] =
          "<D:privilege><D:read/></D:privilege><D:privilege><C:read-free-busy/></D:privilege>";
      p[clark(kDavNs, "owner")] = href(principalHref(ctx));
      break;
    }
    case ResourceKind::Folder:
      p[clark(kDavNs, "resourcetype")] = collection;
      p[clark(kDavNs, "getlastmodified")] = httpDate(r.file->lastModified);
      p[clark(kDavNs, "current-user-privilege-set")] =
          "<D:privilege><D:read/></D:privilege><D:privilege><D:write/></D:privilege>";
      break;
    case ResourceKind::File:
      p[clark(kDavNs, "resourcetype")] = "";
      p[clark(kDavNs, "getetag")] = xmlEscape(r.file->etag);
      p[clark(kDavNs, "getcontenttype")] = xmlEscape(r.file->contentType);
      p[clark(kDavNs, "getcontentlength")] = std::to_string(r.file->content.size());
      p[clark(kDavNs, "getlastmodified")] = httpDate(r.file->lastModified);
      p[clark(kDavNs, "current-user-privilege-set")] =
          "<D:privilege><D:read/></D:privilege><D:privilege><D:write/></D:privilege>";
      break;
    case ResourceKind::Object: {
      if (r.personalObject) {
        p[clark(kDavNs, "resourcetype")] = "";
        p[clark(kDavNs, "getetag")] = xmlEscape(r.personalObject->etag);
        p[clark(kDavNs, "getcontenttype")] = "text/calendar; charset=utf-8; component=vevent";
        p[clark(kDavNs, "getlastmodified")] = httpDate(r.personalObject->lastModified);
        break;
      }
      const auto& a = *r.appointment;
      p[clark(kDavNs, "resourcetype")] = "";
      p[clark(kDavNs, "getetag")] = xmlEscape(objectEtag(ctx, a));
      p[clark(kDavNs, "getcontenttype")] = "text/calendar; charset=utf-8; component=vevent";
      p[clark(kDavNs, "getlastmodified")] = httpDate(a.updatedAt);
      break;
    }
  }
  return p;
}

std::optional<std::string> deadPropertyKey(const DavContext& ctx, const DavResource& r) {
  switch (r.kind) {
    case ResourceKind::Home:
      return "home:" + ctx.principal.login;
    case ResourceKind::Calendar:
      if (!r.isPersonal()) return engine::appointmentsResource(r.employee->id);
      if (r.personal->id == 0) return std::nullopt;
      return engine::personalResource(r.personal->id);
    case ResourceKind::Folder:
    case ResourceKind::File:
      return engine::davFileResource(r.personal->id, r.file->path);
    case ResourceKind::Object:
      if (!r.personalObject) return std::nullopt;
      return engine::personalResource(r.personal->id) + "/" + r.personalObject->name;
    default:
      return std::nullopt;
  }
}

std::string objectEtag(const DavContext& ctx, const engine::Appointment& a) {
  return "\"" + std::to_string(a.revision) + "-" + ctx.settingsTag + "\"";
}

std::string settingsTag(const engine::RenderSettings& s) {
  return computeSettingsTag(s);
}

std::shared_ptr<const PersonalSnapshot> personalSnapshot(const DavContext& ctx,
                                                         const DavResource& calendar) {
  if (!calendar.personal || calendar.personal->id == 0)
    return std::make_shared<const PersonalSnapshot>();
  return ctx.cache.personal(ctx.store, calendar.personal->id);
}

std::shared_ptr<const RenderedAppointment> renderedAppointment(const DavContext& ctx,
                                                               const engine::Appointment& a) {
  return ctx.cache.rendered(a, ctx.settingsTag, [&] {
    const engine::Renderer renderer(ctx.settings);
    return renderer.render(a, engine::Directory::load(ctx.store));
  });
}

std::string renderObject(const DavContext& ctx, const engine::Appointment& a) {
  return renderedAppointment(ctx, a)->text;
}

DavResource objectIn(const DavResource& calendar, const engine::Appointment& a) {
  return objectResource(calendar, a);
}

}  // namespace creneau::bridge::dav
