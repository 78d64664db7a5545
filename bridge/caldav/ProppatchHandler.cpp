// PROPPATCH (RFC 4918 9.2): every set and remove of one request is applied,
// in document order, or none is. A property we cannot change fails with its
// own status (403 protected, 409 bad value) and every other one of the
// request answers 424 Failed Dependency.
//
// What can change: on a calendar, displayname, calendar-description,
// calendar-color and calendar-timezone, schedule-calendar-transp on a
// personal calendar (RFC 6638 9.1), and any dead property a client keeps
// (Apple's calendar-order, colours in other namespaces); dead properties on
// the calendar home and on objects of personal calendars too.
#include <set>
#include <string>
#include <vector>

#include "bridge/caldav/DavHandlers.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"

namespace creneau::bridge::dav {

namespace {

const std::string kAppleNs = "http://apple.com/ns/ical/";

// Live properties computed by the server (RFC 4918 15, RFC 4791 5.2, RFC
// 6578 4, RFC 5397, RFC 3744): a PROPPATCH of one is 403
// DAV:cannot-modify-protected-property.
bool isProtected(const std::string& name) {
  static const std::set<std::string> kProtected = {
      clark(kDavNs, "resourcetype"),
      clark(kDavNs, "getetag"),
      clark(kDavNs, "getcontenttype"),
      clark(kDavNs, "getcontentlength"),
      clark(kDavNs, "getlastmodified"),
      clark(kDavNs, "creationdate"),
      clark(kDavNs, "lockdiscovery"),
      clark(kDavNs, "supportedlock"),
      clark(kDavNs, "sync-token"),
      clark(kDavNs, "owner"),
      clark(kDavNs, "current-user-principal"),
      clark(kDavNs, "current-user-privilege-set"),
      clark(kDavNs, "principal-URL"),
      clark(kDavNs, "principal-collection-set"),
      clark(kDavNs, "supported-report-set"),
      clark(kDavNs, "quota-available-bytes"),
      clark(kDavNs, "quota-used-bytes"),
      clark(kCalDavNs, "calendar-home-set"),
      clark(kCalDavNs, "calendar-user-address-set"),
      clark(kCalDavNs, "supported-calendar-component-set"),
      clark(kCalDavNs, "supported-calendar-data"),
      clark(kCalDavNs, "max-resource-size"),
      clark(kCalDavNs, "min-date-time"),
      clark(kCalDavNs, "max-date-time"),
      clark(kCalDavNs, "max-instances"),
      clark(kCalDavNs, "max-attendees-per-instance"),
      clark(kCalendarServerNs, "getctag"),
  };
  return kProtected.contains(name);
}

struct Operation {
  bool remove = false;
  std::string name;  // Clark
  pugi::xml_node value;
};

struct Failure {
  int status = 403;
  std::string description;
};

std::vector<Operation> parseUpdate(pugi::xml_node root) {
  if (clarkOf(root) != clark(kDavNs, "propertyupdate"))
    throw HttpError(400, "expected a DAV:propertyupdate document, got " + clarkOf(root));
  std::vector<Operation> ops;
  for (auto action : elements(root)) {
    const std::string kind = clarkOf(action);
    const bool remove = kind == clark(kDavNs, "remove");
    if (!remove && kind != clark(kDavNs, "set")) continue;  // extensions: ignored (RFC 4918 17)
    bool sawProp = false;
    for (auto prop : elements(action)) {
      if (clarkOf(prop) != clark(kDavNs, "prop")) continue;
      sawProp = true;
      for (auto p : elements(prop)) ops.push_back(Operation{remove, clarkOf(p), p});
    }
    if (!sawProp) throw HttpError(400, "DAV:" + splitClark(kind).local + " needs a DAV:prop");
  }
  if (ops.empty()) throw HttpError(400, "DAV:propertyupdate changes no property");
  return ops;
}

// RFC 4791 5.2.2: exactly one VTIMEZONE in an iCalendar object.
std::optional<Failure> checkTimezone(const std::string& text) {
  std::size_t count = 0;
  for (std::size_t at = text.find("BEGIN:VTIMEZONE"); at != std::string::npos;
       at = text.find("BEGIN:VTIMEZONE", at + 1))
    ++count;
  const auto parsed = ical::parse(text);
  for (const auto& d : parsed.diagnostics)
    if (d.severity == ical::Diagnostic::Severity::Error)
      return Failure{403, "calendar-timezone is not valid iCalendar: " + ical::format(d)};
  if (count != 1 || !parsed.calendar.events.empty())
    return Failure{403, "calendar-timezone must hold exactly one VTIMEZONE and nothing else"};
  return std::nullopt;
}

}  // namespace

void handleProppatch(engine::Store& store, const DavContext& ctx, const DavResource& resource,
                     Request& req, Response& res) {
  pugi::xml_document doc;
  const auto ops = parseUpdate(parseBody(doc, req.body()));

  const auto key = deadPropertyKey(ctx, resource);
  const bool writable =
      resource.kind == ResourceKind::Home || resource.kind == ResourceKind::Calendar ||
      resource.kind == ResourceKind::Folder || resource.kind == ResourceKind::File ||
      (resource.kind == ResourceKind::Object && resource.personalObject);
  if (!writable || (!key && !(resource.kind == ResourceKind::Calendar && resource.isPersonal()))) {
    res.setStatus(403);
    res.setBody(needPrivilegesBody(resource.href, "write-properties"),
                "application/xml; charset=utf-8");
    return;
  }
  const bool personalCalendar = resource.kind == ResourceKind::Calendar && resource.isPersonal();
  const bool calendar = resource.kind == ResourceKind::Calendar;

  engine::PropertyPatch patch;
  if (personalCalendar)
    patch.personal = std::make_pair(resource.employee->id, resource.personal->slug);
  else
    patch.resource = *key;

  // Decide every operation first; apply only when none failed.
  std::vector<std::pair<std::string, Failure>> failures;
  std::vector<std::string> names;
  auto liveText = [&](const Operation& op, std::optional<std::string>& field) {
    if (op.remove) {
      field = "";
      return;
    }
    const auto text = textOnly(op.value);
    if (!text) {
      failures.push_back({op.name, {409, splitClark(op.name).local + " takes text only"}});
      return;
    }
    field = *text;
  };
  for (const auto& op : ops) {
    names.push_back(op.name);
    if (isProtected(op.name)) {
      failures.push_back({op.name,
                          {403, "cannot-modify-protected-property: " + splitClark(op.name).local +
                                    " is computed by the server"}});
      continue;
    }
    if (op.name == clark(kCalDavNs, "schedule-calendar-transp")) {
      if (!personalCalendar) {
        failures.push_back({op.name,
                            {403,
                             "cannot-modify-protected-property: appointments are always "
                             "busy time"}});
        continue;
      }
      if (op.remove) {
        patch.transparent = false;  // the default (RFC 6638 9.1): opaque
        continue;
      }
      std::optional<bool> transparent;
      for (auto child : elements(op.value)) {
        const auto n = clarkOf(child);
        if (n == clark(kCalDavNs, "transparent")) transparent = true;
        if (n == clark(kCalDavNs, "opaque")) transparent = false;
      }
      if (!transparent) {
        failures.push_back({op.name,
                            {409,
                             "schedule-calendar-transp takes CALDAV:opaque or "
                             "CALDAV:transparent"}});
        continue;
      }
      patch.transparent = transparent;
      continue;
    }
    if (calendar && op.name == clark(kCalDavNs, "calendar-timezone") && !op.remove) {
      const auto text = textOnly(op.value);
      if (!text) {
        failures.push_back({op.name, {409, "calendar-timezone takes iCalendar text"}});
        continue;
      }
      if (auto f = checkTimezone(*text)) {
        failures.push_back({op.name, *f});
        continue;
      }
    }
    if (personalCalendar) {
      if (op.name == clark(kDavNs, "displayname")) {
        liveText(op, patch.displayName);
        continue;
      }
      if (op.name == clark(kCalDavNs, "calendar-description")) {
        liveText(op, patch.description);
        continue;
      }
      if (op.name == clark(kAppleNs, "calendar-color")) {
        liveText(op, patch.color);
        continue;
      }
    }
    // A dead property (or a live one we keep as an override on the
    // appointments calendar: its name, description and colour). A later
    // operation on the same name wins, as in document order.
    std::erase_if(patch.set, [&](const engine::DeadProperty& d) { return d.name == op.name; });
    std::erase(patch.remove, op.name);
    if (op.remove)
      patch.remove.push_back(op.name);
    else
      patch.set.push_back(engine::DeadProperty{op.name, innerXml(op.value)});
  }

  std::vector<PropStatus> groups;
  if (failures.empty()) {
    store.patchProperties(patch);
    groups.push_back(PropStatus{200, names, ""});
  } else {
    std::set<std::string> failed;
    for (const auto& [name, f] : failures) {
      failed.insert(name);
      groups.push_back(PropStatus{f.status, {name}, f.description});
    }
    PropStatus dependent{424, {}, "not changed: another property of this request failed"};
    for (const auto& n : names)
      if (!failed.contains(n)) dependent.names.push_back(n);
    groups.push_back(std::move(dependent));
  }
  res.setStatus(207);
  res.setBody(
      document(clark(kDavNs, "multistatus"), "<D:response><D:href>" + xmlEscape(resource.href) +
                                                 "</D:href>" + propstats(groups) + "</D:response>"),
      "application/xml; charset=utf-8");
}

}  // namespace creneau::bridge::dav
