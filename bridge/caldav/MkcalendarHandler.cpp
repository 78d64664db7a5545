// MKCALENDAR (RFC 4791 5.3.1) and extended MKCOL (RFC 5689) of a calendar:
// another personal calendar in an employee's home, as Apple Calendar,
// Thunderbird and DAVx5 make one. Its events are busy time unless its
// schedule-calendar-transp is transparent (RFC 6638 9.1). The properties in
// the body are applied with the creation, all or nothing.
//
// DELETE of a personal calendar the employee made removes it with its
// objects; `blocked` and `appointments` are built in and stay.
#include <set>
#include <string>
#include <vector>

#include "bridge/caldav/DavHandlers.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"

namespace creneau::bridge::dav {

namespace {

const std::string kAppleNs = "http://apple.com/ns/ical/";
constexpr const char* kXml = "application/xml; charset=utf-8";

struct PropResult {
  std::string name;
  int status = 200;
  std::string description;
};

std::string lastSegment(const std::string& path) {
  std::string_view s = path;
  while (s.ends_with('/')) s.remove_suffix(1);
  return std::string(s.substr(s.rfind('/') + 1));
}

void refuse(Response& res, int status, const std::string& inner) {
  res.setStatus(status);
  res.setBody(document(clark(kDavNs, "error"), inner), kXml);
}

}  // namespace

void handleMkcalendar(engine::Store& store, const DavContext& ctx, const std::string& path,
                      Request& req, Response& res) {
  const bool mkcol = req.method() == "MKCOL";
  const std::string& body = req.body();
  const bool hasBody = body.find_first_not_of(" \t\r\n") != std::string::npos;

  // The parent must be the caller's home (RFC 4791 5.3.1.2,
  // calendar-collection-location-ok: no calendar inside a calendar).
  std::string_view trimmed = path;
  while (trimmed.ends_with('/')) trimmed.remove_suffix(1);
  const auto parent = resolve(ctx, std::string(trimmed.substr(0, trimmed.rfind('/') + 1)));
  if (!parent) throw HttpError(409, "the parent collection does not exist");
  if (parent->kind != ResourceKind::Home) {
    if (parent->kind == ResourceKind::Calendar || parent->kind == ResourceKind::Object)
      return refuse(res, 403, "<C:calendar-collection-location-ok/>");
    return refuse(res, 403,
                  "<D:need-privileges><D:resource><D:href>" + xmlEscape(parent->href) +
                      "</D:href><D:privilege><D:bind/></D:privilege></D:resource>"
                      "</D:need-privileges>");
  }
  if (mkcol && !hasBody)
    throw HttpError(403,
                    "this home holds calendars only: create one with MKCALENDAR, or an "
                    "extended MKCOL (RFC 5689) whose resourcetype is CALDAV:calendar");

  const std::string segment = lastSegment(path);
  const auto target = personalTarget(ctx, segment);
  if (!target)
    throw HttpError(403, ctx.principal.isAdmin
                             ? "in the admin's home, name a new calendar "
                               "<employee external id>~<name>, with a name of letters, digits "
                               "and ._@+-"
                             : "a calendar's name is 1-128 letters, digits and ._@+- and "
                               "cannot start with appointments- or blocked-");

  engine::PersonalCalendar calendar;
  calendar.employeeId = target->employee.id;
  calendar.slug = target->slug;
  calendar.displayName = target->slug;
  std::vector<engine::DeadProperty> dead;
  std::vector<PropResult> results;

  if (hasBody) {
    pugi::xml_document doc;
    const auto root = parseBody(doc, body);
    const std::string expected = mkcol ? clark(kDavNs, "mkcol") : clark(kCalDavNs, "mkcalendar");
    if (clarkOf(root) != expected)
      throw HttpError(400, "expected a " + expected + " document, got " + clarkOf(root));
    bool isCalendar = !mkcol;
    for (auto set : elements(root)) {
      if (clarkOf(set) != clark(kDavNs, "set")) continue;
      for (auto prop : elements(set)) {
        if (clarkOf(prop) != clark(kDavNs, "prop")) continue;
        for (auto p : elements(prop)) {
          const std::string name = clarkOf(p);
          PropResult r{name, 200, ""};
          if (name == clark(kDavNs, "resourcetype")) {
            std::set<std::string> types;
            for (auto t : elements(p)) types.insert(clarkOf(t));
            if (types.contains(clark(kCalDavNs, "calendar"))) isCalendar = true;
            for (const auto& t : types)
              if (t != clark(kDavNs, "collection") && t != clark(kCalDavNs, "calendar")) {
                r = {name, 403, "valid-resourcetype: only calendars can be made here"};
                isCalendar = true;  // reported through this property
              }
          } else if (name == clark(kDavNs, "displayname")) {
            calendar.displayName = textOnly(p).value_or("");
          } else if (name == clark(kCalDavNs, "calendar-description")) {
            calendar.description = textOnly(p).value_or("");
          } else if (name == clark(kAppleNs, "calendar-color")) {
            calendar.color = textOnly(p).value_or("");
          } else if (name == clark(kCalDavNs, "schedule-calendar-transp")) {
            for (auto t : elements(p))
              calendar.transparent = clarkOf(t) == clark(kCalDavNs, "transparent");
          } else if (name == clark(kCalDavNs, "supported-calendar-component-set")) {
            bool event = false;
            for (auto comp : elements(p))
              if (std::string_view(comp.attribute("name").value()) == "VEVENT") event = true;
            if (!event)
              r = {name, 403,
                   "supported-calendar-component: this server keeps VEVENT calendars only"};
          } else if (name == clark(kCalDavNs, "calendar-timezone")) {
            const auto text = textOnly(p).value_or("");
            const auto parsed = ical::parse(text);
            bool ok = text.find("BEGIN:VTIMEZONE") != std::string::npos;
            for (const auto& d : parsed.diagnostics)
              if (d.severity == ical::Diagnostic::Severity::Error) ok = false;
            if (!ok)
              r = {name, 403, "valid-calendar-data: calendar-timezone needs a VTIMEZONE"};
            else
              dead.push_back({name, innerXml(p)});
          } else {
            dead.push_back({name, innerXml(p)});
          }
          results.push_back(std::move(r));
        }
      }
    }
    if (!isCalendar)
      return refuse(res, 403,
                    "<D:valid-resourcetype/><D:responsedescription>this home holds calendars "
                    "only: set the resourcetype to CALDAV:calendar</D:responsedescription>");
  }

  bool failed = false;
  for (const auto& r : results) failed = failed || r.status != 200;
  if (failed) {
    // RFC 4791 5.3.1.2 / RFC 5689 3: the properties that failed and 424 for
    // the others; nothing is created.
    std::vector<PropStatus> groups;
    PropStatus dependent{424, {}, "not applied: another property failed"};
    for (const auto& r : results) {
      if (r.status != 200)
        groups.push_back(PropStatus{r.status, {r.name}, r.description});
      else
        dependent.names.push_back(r.name);
    }
    groups.push_back(std::move(dependent));
    res.setStatus(403);
    res.setBody(
        document(mkcol ? clark(kDavNs, "mkcol-response") : clark(kCalDavNs, "mkcalendar-response"),
                 propstats(groups)),
        kXml);
    return;
  }

  if (store.createPersonalCalendar(calendar, dead) == engine::CreateCalendarOutcome::Exists)
    throw HttpError(405, "a calendar already exists here").withHeader("Allow", kAllow);
  res.setStatus(201);
  res.setHeader("Cache-Control", "no-cache");
  res.setHeader("Location", parent->href + encodeSegment(segment) + "/");
}

void handleDeleteCalendar(engine::Store& store, const DavResource& calendar, Response& res) {
  if (!calendar.isPersonal() || calendar.personal->slug == engine::kBlockedSlug) {
    std::string_view href = calendar.href;
    href.remove_suffix(1);
    res.setStatus(403);
    res.setBody(needPrivilegesBody(std::string(href.substr(0, href.rfind('/') + 1)), "unbind"),
                kXml);
    return;
  }
  if (!store.deletePersonalCalendar(calendar.personal->id))
    throw HttpError(404, "no such calendar");
  res.setStatus(204);
}

}  // namespace creneau::bridge::dav
