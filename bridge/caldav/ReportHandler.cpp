// REPORT on the read-only appointments calendars and on the personal
// (read-write) calendars: calendar-multiget, calendar-query (RFC 4791 7.8,
// 7.9), free-busy-query (RFC 4791 7.10) and sync-collection (RFC 6578).
// Anything else is 403 DAV:supported-report.
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <pugixml.hpp>
#include <set>

#include "bridge/caldav/DavHandlers.h"
#include "engine/feeds/FreeBusy.h"
#include "engine/render/Renderer.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"
#include "ical/Recurrence.h"
#include "ical/TimeZones.h"

namespace creneau::bridge::dav {

namespace {

constexpr std::string_view kSyncPrefix = "urn:creneau:sync:";

pugi::xml_node child(pugi::xml_node parent, const std::string& name) {
  for (auto c : elements(parent))
    if (clarkOf(c) == name) return c;
  return {};
}

std::string textOf(pugi::xml_node n) {
  std::string t = n.text().get();
  const auto b = t.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = t.find_last_not_of(" \t\r\n");
  return t.substr(b, e - b + 1);
}

// RFC 4791 9.6.5 / 9.6.6: how calendar-data returns recurring sets.
struct RecurrenceWindow {
  engine::UnixTime start = 0;
  engine::UnixTime end = 0;
};

// The requested properties of a report (DAV:prop); empty for none/allprop.
struct PropRequest {
  std::vector<std::string> props;
  bool all = false;
  std::optional<RecurrenceWindow> expand;      // instances, in UTC, no RRULE
  std::optional<RecurrenceWindow> limitRecur;  // master + overrides in range
};

std::string calendarDataName() {
  return clark(kCalDavNs, "calendar-data");
}

engine::UnixTime parseUtc(const std::string& v);

RecurrenceWindow windowOf(pugi::xml_node node) {
  const std::string start = node.attribute("start").value();
  const std::string end = node.attribute("end").value();
  if (start.empty() || end.empty())
    throw HttpError(400, std::string(node.name()) + " needs start and end");
  RecurrenceWindow w{parseUtc(start), parseUtc(end)};
  if (w.end <= w.start) throw HttpError(400, "the recurrence window must end after it starts");
  return w;
}

PropRequest propsOf(pugi::xml_node root) {
  PropRequest q;
  if (auto p = child(root, clark(kDavNs, "prop"))) {
    for (auto e : elements(p)) {
      q.props.push_back(clarkOf(e));
      if (clarkOf(e) != calendarDataName()) continue;
      if (auto x = child(e, clark(kCalDavNs, "expand"))) q.expand = windowOf(x);
      if (auto x = child(e, clark(kCalDavNs, "limit-recurrence-set"))) q.limitRecur = windowOf(x);
    }
  } else if (child(root, clark(kDavNs, "allprop"))) {
    q.all = true;
  }
  return q;
}

// 9.6.5: every instance overlapping the window as its own VEVENT, times in
// UTC, no RRULE/RDATE/EXDATE, with a RECURRENCE-ID when the set recurs.
// 9.6.6: the master and only the overrides that overlap the window.
std::string recurrenceView(const std::string& text, const PropRequest& q) {
  constexpr std::size_t kMaxInstances = 5000;
  const auto parsed = ical::parse(text);
  std::map<std::string, std::vector<const ical::Event*>> byUid;
  for (const auto& e : parsed.calendar.events) byUid[e.uid].push_back(&e);
  ical::Calendar out;
  out.prodId = parsed.calendar.prodId;
  for (const auto& [uid, components] : byUid) {
    (void)uid;
    const bool recurring = std::ranges::any_of(components, [](const ical::Event* e) {
      return !e->rrule.empty() || !e->rdates.empty() || e->recurrenceId.has_value();
    });
    if (q.expand) {
      const auto result = ical::expand(components, q.expand->start, q.expand->end, kMaxInstances);
      for (const auto& o : result.occurrences) {
        ical::Event e = *o.source;
        e.rrule.clear();
        e.rdates.clear();
        e.exdates.clear();
        e.recurrenceThisAndFuture = false;
        e.start = ical::fromUnix(o.start, "UTC");
        e.end = ical::fromUnix(o.end, "UTC");
        e.durationSec.reset();
        e.recurrenceId.reset();
        if (recurring) e.recurrenceId = ical::fromUnix(ical::toUnix(o.recurrenceId), "UTC");
        out.events.push_back(std::move(e));
      }
      continue;
    }
    for (const auto* e : components) {
      if (e->recurrenceId) {
        const bool overlaps =
            !ical::expand({e}, q.limitRecur->start, q.limitRecur->end, 1).occurrences.empty();
        const bool appliesLater =
            e->recurrenceThisAndFuture && ical::toUnix(*e->recurrenceId) < q.limitRecur->end;
        if (!overlaps && !appliesLater) continue;
      }
      out.events.push_back(*e);
    }
  }
  return ical::serialize(out);
}

// RFC 4791 9.9: "20261124T190000Z" -> Unix time; 400 when malformed.
engine::UnixTime parseUtc(const std::string& v) {
  std::tm tm{};
  if (v.size() != 16 || v[8] != 'T' || v[15] != 'Z')
    throw HttpError(400, "time-range values must be UTC date-times like 20261124T190000Z");
  for (std::size_t i = 0; i < 15; ++i)
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(v[i])))
      throw HttpError(400, "bad time-range value '" + v + "'");
  tm.tm_year = std::stoi(v.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(v.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(v.substr(6, 2));
  tm.tm_hour = std::stoi(v.substr(9, 2));
  tm.tm_min = std::stoi(v.substr(11, 2));
  tm.tm_sec = std::stoi(v.substr(13, 2));
  return static_cast<engine::UnixTime>(timegm(&tm));
}

struct TimeRange {
  std::optional<engine::UnixTime> from;
  std::optional<engine::UnixTime> to;
};

TimeRange timeRangeOf(pugi::xml_node node) {
  TimeRange r;
  if (auto a = node.attribute("start")) r.from = parseUtc(a.value());
  if (auto a = node.attribute("end")) r.to = parseUtc(a.value());
  if (!r.from && !r.to) throw HttpError(400, "time-range needs start or end");
  return r;
}

// The parsed request body (DavXml's parseBody refuses DOCTYPEs).
pugi::xml_node reportBody(pugi::xml_document& doc, const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw HttpError(400, "REPORT needs a body");
  return parseBody(doc, body);
}

// Depth: "0", "1", "infinity" or absent; anything else is 400.
void checkDepth(const Request& req) {
  const auto h = req.header("Depth");
  if (h && *h != "0" && *h != "1" && *h != "infinity" && *h != "Infinity")
    throw HttpError(400, "bad Depth header '" + *h + "'");
}

const DavResource& requireCalendar(const DavResource& r) {
  if (r.kind != ResourceKind::Calendar)
    throw HttpError(403, {"DAV:", "supported-report"}, "this report applies to a calendar");
  return r;
}

// The multistatus with extra raw elements (status-only responses, the sync
// token) inserted before its end tag.
std::string multistatusWith(const std::vector<DavResponse>& responses, const std::string& extra) {
  std::string x = multistatus(responses);
  const auto end = x.rfind("</D:multistatus>");
  x.insert(end, extra);
  return x;
}

std::string statusResponse(const std::string& href, const std::string& status) {
  return "<D:response><D:href>" + xmlEscape(href) + "</D:href><D:status>HTTP/1.1 " + status +
         "</D:status></D:response>";
}

// Rendered objects come from the cache; on a miss, one Directory is loaded
// for the whole report.
class ObjectRenderer {
 public:
  explicit ObjectRenderer(const DavContext& ctx) : ctx_(ctx), renderer_(ctx.settings) {}
  [[nodiscard]] std::shared_ptr<const RenderedAppointment> rendered(
      const engine::Appointment& a) const {
    return ctx_.cache.rendered(a, ctx_.settingsTag, [&] {
      if (!dir_) dir_ = engine::Directory::load(ctx_.store);
      return renderer_.render(a, *dir_);
    });
  }
  // Appends r's response to `out`. A personal object's response for a plain
  // list of live properties is kept per revision: a calendar of 10k events
  // answers its reports from prepared XML.
  void write(MultistatusWriter& out, const DavResource& r, const PropRequest& q) const {
    // Dead properties can change without a new revision (PROPPATCH): only
    // requests for the object's live properties are kept.
    static const std::set<std::string> kLive = {clark(kDavNs, "getetag"),
                                                clark(kDavNs, "getcontenttype"),
                                                clark(kDavNs, "getlastmodified"),
                                                clark(kDavNs, "resourcetype"),
                                                clark(kDavNs, "current-user-principal"),
                                                clark(kDavNs, "current-user-privilege-set"),
                                                calendarDataName()};
    const bool cacheable =
        r.personalObject && !q.all && !q.expand && !q.limitRecur &&
        std::ranges::all_of(q.props, [](const std::string& p) { return kLive.contains(p); });
    if (!cacheable) return out.add(answer(r, q));
    // The row id and ETag too: an object deleted and made again under the
    // same name starts at revision 1 again.
    std::string key =
        r.href + '\n' + std::to_string(r.personalObject->id) + '\n' + r.personalObject->etag;
    for (const auto& p : q.props) key += '\n' + p;
    const auto xml = ctx_.cache.response(key, r.personalObject->revision, [&] {
      return MultistatusWriter::responseXml(answer(r, q));
    });
    out.addRaw(*xml);
  }
  [[nodiscard]] DavResponse answer(const DavResource& r, const PropRequest& q) const {
    DavResponse out;
    out.href = r.href;
    PropValues all = liveProperties(ctx_, r);
    const bool wantsData = q.all || std::ranges::find(q.props, calendarDataName()) != q.props.end();
    if (wantsData) {
      const std::string& text =
          r.personalObject ? r.personalObject->icalText : rendered(*r.appointment)->text;
      all[calendarDataName()] =
          xmlEscape(q.expand || q.limitRecur ? recurrenceView(text, q) : text);
    }
    if (q.all || needsDeadProperties(all, q.props)) addDeadProperties(ctx_, r, all);
    if (q.all) {
      out.found = std::move(all);
      return out;
    }
    for (const auto& name : q.props) {
      if (auto it = all.find(name); it != all.end())
        out.found.insert(*it);
      else
        out.missing.push_back(name);
    }
    return out;
  }

 private:
  const DavContext& ctx_;
  engine::Renderer renderer_;
  mutable std::optional<engine::Directory> dir_;
};

// The object resource named by `href` inside `calendar`, or nullopt.
std::optional<DavResource> objectAt(const DavContext& ctx, const DavResource& calendar,
                                    const std::string& href) {
  std::string path;
  try {
    const Poco::URI uri(href);
    path = uri.getPath();  // decoded
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (path.find("..") != std::string::npos) return std::nullopt;
  auto r = resolve(ctx, path);
  if (!r || r->kind != ResourceKind::Object || !(r->appointment || r->personalObject) ||
      !r->href.starts_with(calendar.href))
    return std::nullopt;
  return r;
}

// The object resource of `o` inside the personal calendar `calendar`.
DavResource personalMember(const DavResource& calendar, const engine::PersonalObject& o) {
  DavResource r;
  r.kind = ResourceKind::Object;
  r.href = calendar.href + encodeSegment(o.name);
  r.employee = calendar.employee;
  r.personal = calendar.personal;
  r.personalObject = o;
  return r;
}

// The objects of a personal calendar (none before its first write).
std::vector<std::shared_ptr<const engine::PersonalObject>> personalMembers(
    const DavContext& ctx, const DavResource& calendar) {
  std::vector<std::shared_ptr<const engine::PersonalObject>> out;
  const auto snapshot = personalSnapshot(ctx, calendar);
  out.reserve(snapshot->objects.size());
  for (const auto& [name, o] : snapshot->objects) out.push_back(o);
  return out;
}

void reply207(Response& res, std::string body) {
  res.setStatus(207);
  res.setBody(std::move(body), "application/xml; charset=utf-8");
}

// ---- calendar-multiget (RFC 4791 7.9) ---------------------------------------

void multiget(const DavContext& ctx, const DavResource& resource, pugi::xml_node root,
              Response& res) {
  const DavResource& calendar = requireCalendar(resource);
  const PropRequest q = propsOf(root);
  const ObjectRenderer renderer(ctx);
  std::vector<DavResponse> found;
  std::string missing;
  // A personal calendar's members come from its snapshot: no query per href.
  std::shared_ptr<const PersonalSnapshot> snapshot;
  std::string calendarPath;
  if (calendar.isPersonal()) {
    snapshot = personalSnapshot(ctx, calendar);
    Poco::URI::decode(calendar.href, calendarPath);
  }
  for (auto e : elements(root)) {
    if (clarkOf(e) != clark(kDavNs, "href")) continue;
    const std::string href = textOf(e);
    if (snapshot) {
      std::string path;
      try {
        path = Poco::URI(href).getPath();
      } catch (const std::exception&) {
      }
      if (path.starts_with(calendarPath)) {
        const std::string name = path.substr(calendarPath.size());
        if (const auto it = snapshot->objects.find(name); it != snapshot->objects.end()) {
          found.push_back(renderer.answer(personalMember(calendar, *it->second), q));
          continue;
        }
      }
    }
    if (auto obj = objectAt(ctx, calendar, href))
      found.push_back(renderer.answer(*obj, q));
    else
      missing += statusResponse(href, "404 Not Found");
  }
  reply207(res, multistatusWith(found, missing));
}

// ---- calendar-query (RFC 4791 7.8, 9.7) -------------------------------------

struct TextMatch {
  std::string text;  // lower-cased
  bool negate = false;
};

struct PropFilter {
  std::string name;  // upper-case property name
  bool isNotDefined = false;
  std::optional<TextMatch> match;
};

struct QueryFilter {
  bool none = false;  // a component we never hold (VTODO...)
  TimeRange range;
  std::vector<PropFilter> props;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

QueryFilter parseFilter(pugi::xml_node root) {
  QueryFilter f;
  const auto filter = child(root, clark(kCalDavNs, "filter"));
  if (!filter) throw HttpError(400, "calendar-query needs a CALDAV:filter");
  const auto cal = child(filter, clark(kCalDavNs, "comp-filter"));
  if (!cal || upper(cal.attribute("name").value()) != "VCALENDAR")
    throw HttpError(403, {kCalDavNs, "valid-filter"}, "the filter must start with VCALENDAR");
  if (child(cal, clark(kCalDavNs, "is-not-defined"))) f.none = true;
  const auto ev = child(cal, clark(kCalDavNs, "comp-filter"));
  if (!ev) return f;
  if (upper(ev.attribute("name").value()) != "VEVENT" ||
      child(ev, clark(kCalDavNs, "is-not-defined"))) {
    f.none = true;
    return f;
  }
  if (auto tr = child(ev, clark(kCalDavNs, "time-range"))) f.range = timeRangeOf(tr);
  for (auto pf : elements(ev)) {
    if (clarkOf(pf) != clark(kCalDavNs, "prop-filter")) continue;
    PropFilter p;
    p.name = upper(pf.attribute("name").value());
    if (child(pf, clark(kCalDavNs, "is-not-defined"))) p.isNotDefined = true;
    if (auto tm = child(pf, clark(kCalDavNs, "text-match"))) {
      const std::string collation = tm.attribute("collation").value();
      if (!collation.empty() && collation != "i;ascii-casemap" &&
          collation != "i;unicode-casemap" && collation != "i;octet")
        throw HttpError(403, {kCalDavNs, "supported-collation"}, "unsupported collation");
      p.match = TextMatch{lower(textOf(tm)),
                          std::string(tm.attribute("negate-condition").value()) == "yes"};
    }
    f.props.push_back(std::move(p));
  }
  return f;
}

// The values of a property of the rendered event; empty when not defined.
std::vector<std::string> valuesOf(const ical::Event& ev, const std::string& name) {
  auto one = [](const std::string& s) {
    return s.empty() ? std::vector<std::string>{} : std::vector<std::string>{s};
  };
  if (name == "SUMMARY") return one(ev.summary);
  if (name == "LOCATION") return one(ev.location);
  if (name == "DESCRIPTION") return one(ev.description);
  if (name == "UID") return one(ev.uid);
  if (name == "CATEGORIES") return ev.categories;
  if (name == "STATUS") {
    switch (ev.status) {
      case ical::EventStatus::Tentative:
        return {"TENTATIVE"};
      case ical::EventStatus::Confirmed:
        return {"CONFIRMED"};
      case ical::EventStatus::Cancelled:
        return {"CANCELLED"};
      case ical::EventStatus::None:
        break;
    }
    return {};
  }
  if (name == "DTSTART" || name == "DTEND") return {"defined"};
  return {};
}

bool matches(const ical::Event& ev, const std::vector<PropFilter>& filters) {
  for (const auto& f : filters) {
    const auto values = valuesOf(ev, f.name);
    if (f.isNotDefined) {
      if (!values.empty()) return false;
      continue;
    }
    if (values.empty()) return false;
    if (!f.match) continue;
    const bool hit = std::ranges::any_of(values, [&](const std::string& v) {
      return lower(v).find(f.match->text) != std::string::npos;
    });
    if (hit == f.match->negate) return false;
  }
  return true;
}

// Whether a personal object's text matches the filter: one of its UIDs has
// an instance overlapping the time range (recurrence expanded, end-exclusive)
// and its first component passes the property filters.
std::vector<BusyInstance> allInstances(const std::string& icalText, engine::UnixTime from,
                                       engine::UnixTime to);

bool personalMatches(const DavContext& ctx, const engine::PersonalObject& o, const QueryFilter& f) {
  // The stored bounds hold every instance: outside them, nothing matches;
  // for a single instance they are exact (RFC 4791 9.9).
  const auto& b = o.bounds;
  if (f.range.from && b.last <= *f.range.from) return false;
  if (f.range.to && b.first >= *f.range.to) return false;
  if (!b.recurring && f.props.empty()) return true;
  if (f.props.empty() && f.range.from && f.range.to) {
    // A recurring set: its instances, expanded once per revision.
    const auto from = *f.range.from;
    const auto to = *f.range.to;
    const auto memo = ctx.cache.objectInstances(
        o, from, to, std::time(nullptr),
        [&](engine::UnixTime a, engine::UnixTime z) { return allInstances(o.icalText, a, z); });
    return std::ranges::any_of(memo->instances, [&](const BusyInstance& i) {
      return i.start < to && (i.end > from || (i.end == i.start && i.start >= from));
    });
  }
  const auto parsed = ical::parse(o.icalText);
  // STATUS does not take an event out of a time-range (RFC 4791 9.9): the
  // expansion sees cancelled events like the others.
  std::vector<ical::Event> timing = parsed.calendar.events;
  for (auto& e : timing) e.status = ical::EventStatus::None;
  std::map<std::string, std::vector<const ical::Event*>> byUid;
  std::map<std::string, std::vector<const ical::Event*>> timingByUid;
  for (const auto& e : parsed.calendar.events) byUid[e.uid].push_back(&e);
  for (const auto& e : timing) timingByUid[e.uid].push_back(&e);
  constexpr engine::UnixTime kFarFuture = 253402300799;  // 9999-12-31T23:59:59Z
  for (const auto& entry : byUid) {
    const auto& components = entry.second;
    if (f.range.from || f.range.to) {
      const auto from = f.range.from.value_or(0);
      const auto to = f.range.to.value_or(kFarFuture);
      if (ical::expand(timingByUid[entry.first], from, to, 1).occurrences.empty()) continue;
    }
    if (!f.props.empty() && !matches(*components.front(), f.props)) continue;
    return true;
  }
  return false;
}

void query(const DavContext& ctx, const DavResource& resource, pugi::xml_node root, Response& res) {
  const PropRequest q = propsOf(root);
  const QueryFilter f = parseFilter(root);
  const ObjectRenderer renderer(ctx);
  MultistatusWriter responses;
  auto considerPersonal = [&](const DavResource& obj) {
    if (personalMatches(ctx, *obj.personalObject, f)) renderer.write(responses, obj, q);
  };
  auto consider = [&](const DavResource& obj) {
    if (obj.personalObject) return considerPersonal(obj);
    const auto& a = *obj.appointment;
    if (f.range.from && a.end <= *f.range.from) return;
    if (f.range.to && a.start >= *f.range.to) return;
    if (!f.props.empty() && !matches(renderer.rendered(a)->event, f.props)) return;
    responses.add(renderer.answer(obj, q));
  };
  if (!f.none && resource.kind == ResourceKind::Object &&
      (resource.appointment || resource.personalObject)) {
    consider(resource);
  } else if (!f.none && requireCalendar(resource).isPersonal()) {
    if (f.range.from || f.range.to) {
      // Through the snapshot's time index: only objects that may overlap.
      const auto snapshot = personalSnapshot(ctx, resource);
      for (const auto& o :
           snapshot->overlapping(f.range.from.value_or(0), f.range.to.value_or(engine::kFarFuture)))
        considerPersonal(personalMember(resource, *o));
    } else {
      for (const auto& o : personalMembers(ctx, resource))
        considerPersonal(personalMember(resource, *o));
    }
  } else if (!f.none) {
    const DavResource& calendar = requireCalendar(resource);
    engine::RecordFilter filter;  // the store's start/end index does the window
    filter.employeeId = calendar.employee->id;
    filter.from = f.range.from;
    filter.to = f.range.to;
    ctx.store.forEachAppointment(filter, [&](const engine::Appointment& a) {
      auto obj = objectIn(calendar, a);
      consider(obj);
      return true;
    });
  }
  reply207(res, responses.finish());
}

// ---- sync-collection (RFC 6578) ---------------------------------------------

std::optional<std::int64_t> parseToken(const std::string& token) {
  if (!token.starts_with(kSyncPrefix)) return std::nullopt;
  const std::string digits = token.substr(kSyncPrefix.size());
  if (digits.empty() || digits.size() > 18 ||
      !std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(digits);
}

std::string tokenElement(std::int64_t seq) {
  return "<D:sync-token>" + std::string(kSyncPrefix) + std::to_string(seq) + "</D:sync-token>";
}

void syncCollection(const DavContext& ctx, const DavResource& resource, pugi::xml_node root,
                    const Request& req, Response& res) {
  // RFC 6578 3.2 defines the report for Depth: 0; python3-caldav (0.11)
  // always sends Depth: 1, and both mean "this collection's members" here.
  if (const auto d = req.header("Depth"); d && *d != "0" && *d != "1")
    throw HttpError(400, "sync-collection takes Depth: 0");
  const DavResource& calendar = requireCalendar(resource);
  const bool personal = calendar.isPersonal();
  const bool exists = !personal || calendar.personal->id != 0;
  const std::string collection = personal ? engine::personalCollection(calendar.personal->id)
                                          : engine::employeeCollection(calendar.employee->id);
  const std::int64_t latest = exists ? ctx.store.latestChange(collection) : 0;
  const PropRequest q = propsOf(root);

  const auto tokenNode = child(root, clark(kDavNs, "sync-token"));
  if (!tokenNode) throw HttpError(400, "sync-collection needs DAV:sync-token");
  const std::string token = textOf(tokenNode);
  const auto level = textOf(child(root, clark(kDavNs, "sync-level")));
  if (!level.empty() && level != "1" && level != "infinite")
    throw HttpError(400, "bad sync-level '" + level + "'");

  std::optional<std::size_t> limit;
  if (auto l = child(root, clark(kDavNs, "limit"))) {
    const std::string n = textOf(child(l, clark(kDavNs, "nresults")));
    if (n.empty() || n.size() > 9 ||
        !std::ranges::all_of(n, [](char c) { return c >= '0' && c <= '9'; }))
      throw HttpError(400, "bad DAV:limit");
    limit = static_cast<std::size_t>(std::stoul(n));
  }

  // One entry per member, in the order a client gets them; seq is the change
  // that entry reflects (for truncation's next token).
  struct Entry {
    std::int64_t seq = 0;
    std::string name;  // object segment ("appointment-<ext>.ics")
    // Pointers: 10k entries of an initial listing stay small.
    std::shared_ptr<const engine::Appointment> appointment;
    std::shared_ptr<const engine::PersonalObject> personalObject;
  };
  std::vector<Entry> entries;
  bool initial = token.empty();
  if (initial && personal) {
    for (auto& o : personalMembers(ctx, calendar)) entries.push_back({0, {}, nullptr, o});
  } else if (initial) {
    engine::RecordFilter filter;
    filter.employeeId = calendar.employee->id;
    ctx.store.forEachAppointment(filter, [&](const engine::Appointment& a) {
      entries.push_back({0, {}, std::make_shared<const engine::Appointment>(a), nullptr});
      return true;
    });
  } else {
    const auto since = parseToken(token);
    if (!since || *since > latest)
      throw HttpError(403, {"DAV:", "valid-sync-token"}, "unknown sync token");
    const auto snapshot = personalSnapshot(ctx, calendar);
    std::map<std::string, engine::Change> last;  // by uid, newest wins
    if (exists)
      for (auto& c : ctx.store.changesSince(collection, *since))
        if (personal || c.kind == "appointment") last[c.uid] = c;
    std::vector<engine::Change> changes;
    for (auto& [uid, c] : last) changes.push_back(c);
    std::ranges::sort(changes, {}, &engine::Change::seq);
    for (const auto& c : changes) {
      Entry e{c.seq, personal ? c.uid : c.uid + ".ics", nullptr, nullptr};
      if (personal) {
        if (!c.deleted) {
          const auto& objects = snapshot->objects;
          if (auto it = objects.find(c.uid); it != objects.end()) e.personalObject = it->second;
        }
      } else if (!c.deleted) {
        const std::string ext = c.uid.substr(std::string_view("appointment-").size());
        auto a = ctx.store.appointmentByExternalId(ext);
        if (a && a->employeeId == calendar.employee->id)
          e.appointment = std::make_shared<const engine::Appointment>(std::move(*a));
      }
      entries.push_back(std::move(e));
    }
  }

  std::int64_t next = latest;
  bool truncated = false;
  if (limit && entries.size() > *limit) {
    truncated = true;
    entries.resize(*limit);
    // An initial listing restarts from the beginning of the log next time;
    // an incremental one from the last change it reported.
    if (initial)
      next = 0;
    else if (!entries.empty())
      next = entries.back().seq;
    else
      next = *parseToken(token);
  }

  const ObjectRenderer renderer(ctx);
  // Everything was checked: the answer goes out as it is written (chunked).
  res.setStatus(207);
  res.setHeader("Content-Type", "application/xml; charset=utf-8");
  MultistatusWriter out(&res.beginStream());
  std::string extra;
  for (const auto& e : entries) {
    if (e.personalObject) {
      renderer.write(out, personalMember(calendar, *e.personalObject), q);
    } else if (e.appointment) {
      out.add(renderer.answer(objectIn(calendar, *e.appointment), q));
    } else {
      extra += statusResponse(calendar.href + encodeSegment(e.name), "404 Not Found");
    }
  }
  if (truncated) extra += statusResponse(calendar.href, "507 Insufficient Storage");
  extra += tokenElement(next);
  out.addRaw(extra);
  (void)out.finish();
}

// ---- free-busy-query (RFC 4791 7.10) ----------------------------------------

void addAppointmentBusy(const DavContext& ctx, const DavResource& calendar, const TimeRange& range,
                        engine::FreeBusyTimeline& timeline);
void addPersonalBusy(const DavContext& ctx, const DavResource& calendar, const TimeRange& range,
                     engine::FreeBusyTimeline& timeline);

void freeBusy(const DavContext& ctx, const DavResource& resource, pugi::xml_node root,
              Response& res) {
  const DavResource& calendar = requireCalendar(resource);
  const auto tr = child(root, clark(kCalDavNs, "time-range"));
  if (!tr) throw HttpError(400, "free-busy-query needs a CALDAV:time-range");
  const TimeRange range = timeRangeOf(tr);
  if (!range.from || !range.to || *range.from >= *range.to)
    throw HttpError(400, "free-busy-query needs a time-range with start before end");

  engine::FreeBusyTimeline timeline(*range.from, *range.to);
  if (calendar.isPersonal()) {
    // This calendar's instances, whatever the range (the store's busy index
    // covers a window around the time each object was written); a
    // transparent calendar still answers, since RFC 4791 7.10 asks for the
    // calendar's own free/busy, not the scheduling view of RFC 6638.
    addPersonalBusy(ctx, calendar, range, timeline);
  } else {
    addAppointmentBusy(ctx, calendar, range, timeline);
  }
  engine::FreeBusyHeader header;
  header.uid = std::string(calendar.isPersonal() ? "freebusy-personal-" : "freebusy-employee-") +
               std::to_string(calendar.employee->id) + "@" + ctx.settings.uidDomain;
  header.stamp =
      static_cast<engine::UnixTime>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
  header.from = *range.from;
  header.to = *range.to;
  res.setStatus(200);
  res.setHeader("Cache-Control", "private, no-cache");
  res.setBody(engine::writeFreeBusyCalendar(
                  header, timeline.periods(engine::FreeBusyTimeline::Shape::PerType)),
              "text/calendar; charset=utf-8");
}

// RFC 4791 7.10: opaque instances count, cancelled ones and TRANSP:TRANSPARENT
// do not; STATUS:TENTATIVE is BUSY-TENTATIVE.
std::vector<BusyInstance> busyInstances(const std::string& icalText, engine::UnixTime from,
                                        engine::UnixTime to) {
  constexpr std::size_t kMax = 20000;
  const auto parsed = ical::parse(icalText);
  std::map<std::string, std::vector<const ical::Event*>> byUid;
  for (const auto& e : parsed.calendar.events) byUid[e.uid].push_back(&e);
  std::vector<BusyInstance> out;
  for (const auto& [uid, components] : byUid) {
    (void)uid;
    for (const auto& o : ical::expand(components, from, to, kMax).occurrences) {
      if (!o.source || o.source->transparency == ical::Transparency::Transparent ||
          o.source->status == ical::EventStatus::Cancelled)
        continue;
      out.push_back({o.start, o.end, o.source->status == ical::EventStatus::Tentative});
    }
  }
  return out;
}

// Every instance, whatever its STATUS or TRANSP (RFC 4791 9.9).
std::vector<BusyInstance> allInstances(const std::string& icalText, engine::UnixTime from,
                                       engine::UnixTime to) {
  constexpr std::size_t kMax = 20000;
  auto parsed = ical::parse(icalText);
  for (auto& e : parsed.calendar.events) e.status = ical::EventStatus::None;
  std::map<std::string, std::vector<const ical::Event*>> byUid;
  for (const auto& e : parsed.calendar.events) byUid[e.uid].push_back(&e);
  std::vector<BusyInstance> out;
  for (const auto& [uid, components] : byUid) {
    (void)uid;
    for (const auto& o : ical::expand(components, from, to, kMax).occurrences)
      out.push_back({o.start, o.end, false});
  }
  return out;
}

void addPersonalBusy(const DavContext& ctx, const DavResource& calendar, const TimeRange& range,
                     engine::FreeBusyTimeline& timeline) {
  const engine::UnixTime now = std::time(nullptr);
  for (const auto& o : personalSnapshot(ctx, calendar)->overlapping(*range.from, *range.to)) {
    const auto busy = ctx.cache.objectBusy(*o, *range.from, *range.to, now,
                                           [&](engine::UnixTime from, engine::UnixTime to) {
                                             return busyInstances(o->icalText, from, to);
                                           });
    for (const auto& b : busy->instances)
      if (b.end > *range.from && b.start < *range.to) timeline.add(b.start, b.end, b.tentative);
  }
}

void addAppointmentBusy(const DavContext& ctx, const DavResource& calendar, const TimeRange& range,
                        engine::FreeBusyTimeline& timeline) {
  engine::RecordFilter filter;
  filter.employeeId = calendar.employee->id;
  filter.from = range.from;
  filter.to = range.to;
  filter.statuses = {engine::Status::Approved, engine::Status::Pending, engine::Status::NoShow};
  ctx.store.forEachAppointment(filter, [&](const engine::Appointment& a) {
    timeline.add(a.start, a.end, a.status == engine::Status::Pending);
    return true;
  });
}

}  // namespace

void handleReport(const DavContext& ctx, const DavResource& resource, Request& req, Response& res) {
  checkDepth(req);
  pugi::xml_document doc;
  const auto root = reportBody(doc, req.body());
  const std::string name = clarkOf(root);
  if (name == clark(kCalDavNs, "calendar-multiget")) return multiget(ctx, resource, root, res);
  if (name == clark(kCalDavNs, "calendar-query")) return query(ctx, resource, root, res);
  if (name == clark(kDavNs, "sync-collection"))
    return syncCollection(ctx, resource, root, req, res);
  if (name == clark(kCalDavNs, "free-busy-query")) return freeBusy(ctx, resource, root, res);
  throw HttpError(403, {"DAV:", "supported-report"}, "unsupported report " + name);
}

}  // namespace creneau::bridge::dav
