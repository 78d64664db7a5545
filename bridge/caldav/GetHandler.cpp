// GET and HEAD (RFC 4918 9.4, RFC 4791 5.3.4 for calendar objects). GET on a
// calendar answers the whole calendar as one iCalendar body, as Apple's
// "subscribe", Outlook and the perf harness ask for: built once per
// change-log position, gzipped when the client accepts it, 304 on a match.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "bridge/caldav/DavHandlers.h"
#include "bridge/feed/FeedHandler.h"
#include "engine/feeds/FeedService.h"
#include "engine/render/Renderer.h"
#include "engine/store/Store.h"
#include "ical/IcalCodec.h"

namespace creneau::bridge::dav {

namespace {

constexpr const char* kCalendarType = "text/calendar; charset=utf-8";

std::string_view stripCr(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// The components (VEVENT, VTIMEZONE) of the VCALENDARs in `texts`, with
// their lines as the client wrote them (folding kept), in one VCALENDAR;
// a VTIMEZONE appears once per TZID.
std::string mergeObjects(const std::vector<std::string_view>& texts, const std::string& name) {
  std::string zones;
  std::string events;
  std::set<std::string> seenZones;
  for (std::string_view text : texts) {
    int depth = 0;
    std::string block;
    bool isZone = false;
    std::string tzid;
    while (!text.empty()) {
      const auto eol = text.find('\n');
      const std::string_view line =
          stripCr(text.substr(0, eol == std::string_view::npos ? text.size() : eol));
      text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
      if (line.empty()) continue;
      const bool begin = startsWithNoCase(line, "BEGIN:");
      const bool end = startsWithNoCase(line, "END:");
      if (begin) ++depth;
      if (depth >= 2) {
        if (begin && depth == 2) {
          block.clear();
          isZone = startsWithNoCase(line, "BEGIN:VTIMEZONE");
          tzid.clear();
        }
        if (isZone && depth == 2 && startsWithNoCase(line, "TZID")) tzid = std::string(line);
        block.append(line).append("\r\n");
        if (end && depth == 2) {
          if (!isZone)
            events += block;
          else if (seenZones.insert(tzid).second)
            zones += block;
        }
      }
      if (end) --depth;
    }
  }
  std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Creneau//Creneau 0.1//EN\r\n";
  out += "X-WR-CALNAME:";
  for (const char c : name) {
    if (c == '\\' || c == ';' || c == ',') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += "\r\n";
  out += zones;
  out += events;
  out += "END:VCALENDAR\r\n";
  return out;
}

CollectionBody finish(std::string body, std::string etag, engine::UnixTime lastModified) {
  CollectionBody b;
  b.etag = std::move(etag);
  b.lastModified = lastModified;
  b.gzipped = std::make_shared<const std::string>(engine::gzipCompress(body));
  b.body = std::make_shared<const std::string>(std::move(body));
  return b;
}

engine::UnixTime nowSeconds() {
  return static_cast<engine::UnixTime>(std::time(nullptr));
}

std::shared_ptr<const CollectionBody> collectionBody(const DavContext& ctx,
                                                     const DavResource& calendar) {
  if (calendar.isPersonal()) {
    const auto snapshot = personalSnapshot(ctx, calendar);
    const std::string key = "personal:" + std::to_string(calendar.personal->id);
    return ctx.cache.collection(key, snapshot->seq, [&] {
      std::vector<std::string_view> texts;
      engine::UnixTime last = 0;
      for (const auto& [name, o] : snapshot->objects) {
        texts.push_back(o->icalText);
        last = std::max(last, o->lastModified);
      }
      return finish(mergeObjects(texts, calendar.personal->displayName),
                    "\"c" + std::to_string(calendar.personal->id) + "-" +
                        std::to_string(snapshot->seq) + "\"",
                    last ? last : nowSeconds());
    });
  }
  const auto& e = *calendar.employee;
  const std::int64_t seq = ctx.store.latestChange(engine::employeeCollection(e.id));
  const std::string key = "appointments:" + std::to_string(e.id) + ":" + ctx.settingsTag;
  return ctx.cache.collection(key, seq, [&] {
    const engine::Renderer renderer(ctx.settings);
    std::optional<engine::Directory> dir;
    ical::Calendar out;
    out.name = "Appointments – " + e.fullName();
    engine::UnixTime last = 0;
    engine::RecordFilter filter;
    filter.employeeId = e.id;
    ctx.store.forEachAppointment(filter, [&](const engine::Appointment& a) {
      const auto r = ctx.cache.rendered(a, ctx.settingsTag, [&] {
        if (!dir) dir = engine::Directory::load(ctx.store);
        return renderer.render(a, *dir);
      });
      out.events.push_back(r->event);
      last = std::max(last, a.updatedAt);
      return true;
    });
    return finish(
        ical::serialize(out),
        "\"a" + std::to_string(e.id) + "-" + std::to_string(seq) + "-" + ctx.settingsTag + "\"",
        last ? last : nowSeconds());
  });
}

void handleGetCollection(const DavContext& ctx, const DavResource& calendar, Request& req,
                         Response& res) {
  const auto body = collectionBody(ctx, calendar);
  const auto acceptEncoding = req.header("Accept-Encoding");
  const bool gzip = acceptEncoding && acceptsGzip(*acceptEncoding);
  std::string etag = body->etag;
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  res.setHeader("ETag", etag);
  res.setHeader("Last-Modified", httpDate(body->lastModified));
  res.setHeader("Vary", "Accept-Encoding");
  res.setHeader("Cache-Control", "private, no-cache");
  if (const auto inm = req.header("If-None-Match"); inm && noneMatchHits(*inm, body->etag)) {
    res.setStatus(304);
    return;
  }
  if (gzip) {
    res.setHeader("Content-Encoding", "gzip");
    res.setSharedBody(body->gzipped, kCalendarType);
  } else {
    res.setSharedBody(body->body, kCalendarType);
  }
}

}  // namespace

void handleGet(const DavContext& ctx, const DavResource& resource, Request& req, Response& res) {
  if (resource.kind == ResourceKind::Calendar) return handleGetCollection(ctx, resource, req, res);
  if (resource.kind != ResourceKind::Object)
    throw HttpError(405, "GET is answered on calendars and calendar objects; use PROPFIND here")
        .withHeader("Allow", "OPTIONS, PROPFIND");

  if (resource.personalObject) return handleGetPersonal(resource, req, res);

  const auto& appointment = *resource.appointment;
  const std::string etag = objectEtag(ctx, appointment);
  res.setHeader("ETag", etag);
  res.setHeader("Last-Modified", httpDate(appointment.updatedAt));
  res.setHeader("Cache-Control", "private, no-cache");
  if (const auto inm = req.header("If-None-Match"); inm && noneMatchHits(*inm, etag)) {
    res.setStatus(304);  // nothing rendered
    return;
  }
  res.setBody(renderObject(ctx, appointment), "text/calendar; charset=utf-8; component=vevent");
}

}  // namespace creneau::bridge::dav
