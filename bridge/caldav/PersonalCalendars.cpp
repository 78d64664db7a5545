// PUT, DELETE and GET of objects in personal (read-write) calendars: the
// employee's `blocked` calendar (DESIGN.md, "CalDAV and feed layout").
// RFC 4791 5.3.2 (PUT preconditions), RFC 4918 9.6/9.7, RFC 9110 13.1.
#include <set>
#include <string>
#include <string_view>

#include "bridge/caldav/DavHandlers.h"
#include "bridge/feed/FeedHandler.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"

namespace creneau::bridge::dav {

namespace {

constexpr const char* kXml = "application/xml; charset=utf-8";

std::string errorBody(const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<D:error xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" +
         inner + "</D:error>\n";
}

void refuse(Response& res, const std::string& inner) {
  res.setStatus(403);
  res.setBody(errorBody(inner), kXml);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// The first component that is not allowed in a VEVENT-only calendar
// ("VTODO", "VJOURNAL", ...), empty when every one is.
std::string unsupportedComponent(std::string_view text) {
  static const std::set<std::string> kAllowed = {"VCALENDAR", "VEVENT",   "VTIMEZONE",
                                                 "STANDARD",  "DAYLIGHT", "VALARM"};
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string line = upper(trim(text.substr(0, eol)));
    if (line.starts_with("BEGIN:")) {
      const std::string component = std::string(trim(std::string_view(line).substr(6)));
      if (!kAllowed.contains(component)) return component;
    }
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return {};
}

}  // namespace

void handleGetPersonal(const DavResource& object, Request& req, Response& res) {
  const auto& o = *object.personalObject;
  res.setHeader("ETag", o.etag);
  res.setHeader("Last-Modified", httpDate(o.lastModified));
  res.setHeader("Cache-Control", "private, no-cache");
  if (const auto inm = req.header("If-None-Match"); inm && noneMatchHits(*inm, o.etag)) {
    res.setStatus(304);
    return;
  }
  res.setBody(o.icalText, "text/calendar; charset=utf-8; component=vevent");
}

void handlePut(engine::Store& store, const DavResource& calendar, const std::string& name,
               Request& req, Response& res) {
  if (name.size() <= 4 || !name.ends_with(".ics"))
    throw HttpError(403, "calendar object names end in .ics");
  const std::string& body = req.body();
  if (body.size() > kMaxResourceSize) {
    refuse(res, "<C:max-resource-size/><D:responsedescription>the object is " +
                    std::to_string(body.size()) + " bytes, more than the " +
                    std::to_string(kMaxResourceSize) + " a calendar object may have" +
                    "</D:responsedescription>");
    return;
  }

  if (const auto component = unsupportedComponent(body); !component.empty()) {
    refuse(res, "<C:supported-calendar-component/><D:responsedescription>" + xmlEscape(component) +
                    " is not supported here: this calendar holds VEVENTs only"
                    "</D:responsedescription>");
    return;
  }
  const auto parsed = ical::parse(body);
  for (const auto& d : parsed.diagnostics) {
    if (d.severity != ical::Diagnostic::Severity::Error) continue;
    refuse(res, "<C:valid-calendar-data/><D:responsedescription>" + xmlEscape(ical::format(d)) +
                    "</D:responsedescription>");
    return;
  }
  std::set<std::string> uids;
  for (const auto& e : parsed.calendar.events) uids.insert(e.uid);
  if (uids.size() != 1) {
    refuse(res, "<C:valid-calendar-object-resource/><D:responsedescription>" +
                    std::string(uids.empty() ? "no VEVENT in the resource"
                                             : "more than one UID in one resource") +
                    "</D:responsedescription>");
    return;
  }

  engine::PersonalPut put;
  put.employeeId = calendar.employee->id;
  put.slug = calendar.personal->slug;
  put.name = name;
  put.uid = *uids.begin();
  put.icalText = body;
  if (const auto h = req.header("If-Match")) put.ifMatch = std::string(trim(*h));
  if (const auto h = req.header("If-None-Match")) {
    if (trim(*h) == "*") {
      put.ifNoneMatchStar = true;
    } else if (calendar.personal->id != 0) {
      const auto existing = store.personalObject(calendar.personal->id, name);
      if (existing && noneMatchHits(*h, existing->etag))
        throw HttpError(412, "the object matches If-None-Match");
    }
  }

  using Outcome = engine::PersonalPutResult::Outcome;
  const auto result = store.putPersonalObject(put);
  switch (result.outcome) {
    case Outcome::Created:
    case Outcome::Replaced:
      res.setStatus(result.outcome == Outcome::Created ? 201 : 204);
      res.setHeader("ETag", result.object.etag);
      res.setHeader("Last-Modified", httpDate(result.object.lastModified));
      return;
    case Outcome::PreconditionFailed:
      throw HttpError(412, "the object's ETag does not match If-Match / If-None-Match");
    case Outcome::UidConflict:
      refuse(res, "<C:no-uid-conflict><D:href>" +
                      xmlEscape(calendar.href + encodeSegment(result.conflictName)) +
                      "</D:href></C:no-uid-conflict>");
      return;
    case Outcome::NoCalendar:
      throw HttpError(404, "no such calendar");
  }
}

void handleDelete(engine::Store& store, const DavResource& object, Request& req, Response& res) {
  std::optional<std::string> ifMatch;
  if (const auto h = req.header("If-Match")) ifMatch = std::string(trim(*h));
  switch (store.deletePersonalObject(object.personal->id, object.personalObject->name, ifMatch)) {
    case engine::PersonalDeleteOutcome::Deleted:
      res.setStatus(204);
      return;
    case engine::PersonalDeleteOutcome::NotFound:
      throw HttpError(404, "no such calendar object");
    case engine::PersonalDeleteOutcome::PreconditionFailed:
      throw HttpError(412, "the object's ETag does not match If-Match");
  }
}

}  // namespace creneau::bridge::dav
