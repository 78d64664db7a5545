#include "engine/busy/BusyFetch.h"

#include <Poco/AutoPtr.h>
#include <Poco/Base64Encoder.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/XMLReader.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "engine/import/IsoDateTime.h"
#include "engine/net/HttpClient.h"
#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"
#include "ical/detail/ContentLines.h"

namespace creneau::engine::busy {

namespace {

using Clock = std::chrono::steady_clock;

FetchOutcome failed(std::string message) {
  FetchOutcome o;
  o.error = std::move(message);
  return o;
}

// "20261205T080000Z" (CalDAV time-range) or "2026-12-05T08:00:00Z" (JSON).
std::string utcText(UnixTime t, bool basic) {
  const auto d = ical::fromUnix(t, "UTC");
  char buf[32];
  if (basic)
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", d.year, d.month, d.day, d.hour,
                  d.minute, d.second);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day, d.hour,
                  d.minute, d.second);
  return buf;
}

// Graph dateTimeTimeZone: wall time without offset, zone given apart.
std::string graphLocal(UnixTime t) {
  std::string s = utcText(t, false);
  s.pop_back();  // the Z: Graph wants the zone in timeZone
  return s;
}

std::optional<UnixTime> parseInstant(const std::string& text) {
  std::string why;
  auto v = parseIsoDateTime(text, &why);
  if (!v) return std::nullopt;
  if (!v->offsetSeconds) v->offsetSeconds = 0;  // asked for UTC (Graph: Prefer UTC)
  return instantOf(*v);
}

// What is left of the budget for one request, or nullopt when it is spent.
std::optional<std::chrono::milliseconds> timeoutFor(const FetchContext& ctx) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - Clock::now());
  if (left.count() <= 0) return std::nullopt;
  return std::min(left, ctx.requestTimeout);
}

std::string hostOf(const std::string& url) {
  const auto p = url.find("://");
  if (p == std::string::npos) return url;
  const auto e = url.find('/', p + 3);
  return url.substr(p + 3, e == std::string::npos ? std::string::npos : e - p - 3);
}

struct Sent {
  std::optional<net::HttpResponse> response;
  std::string error;  // when no response
};

Sent send(const FetchContext& ctx, net::HttpRequest req) {
  const auto timeout = timeoutFor(ctx);
  if (!timeout) return {std::nullopt, "not read within the time budget of the refresh"};
  req.timeout = *timeout;
  auto r = ctx.http->send(req);
  if (!r) {
    std::string kind = r.failure().kind == net::HttpFailureKind::Timeout ? "timeout: " : "";
    return {std::nullopt, kind + r.failure().message};
  }
  return {r.response(), {}};
}

std::string statusError(const net::HttpResponse& r, const std::string& what,
                        const std::string& url) {
  std::string m = what + " answered HTTP " + std::to_string(r.status);
  if (!r.reason.empty()) m += " " + r.reason;
  m += " (" + hostOf(url) + ")";
  if (r.status == 401 || r.status == 403) m += ": check the credentials of the source";
  if (r.status == 404) m += ": check the URL";
  if (r.status == 429 || r.status >= 500) {
    if (auto ra = r.header("Retry-After")) m += ", retry after " + *ra + " s";
  }
  return m;
}

std::string basicAuth(const std::string& user, const std::string& password) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << user << ':' << password;
  enc.close();
  return "Basic " + out.str();
}

bool looksLikeCalendar(std::string_view body) {
  return body.find("BEGIN:VCALENDAR") != std::string_view::npos;
}

// Parses every calendar text and appends its events.
void addEvents(ical::Calendar& into, std::string_view text) {
  auto parsed = ical::parse(text);
  for (auto& e : parsed.calendar.events) into.events.push_back(std::move(e));
}

// ---- CalDAV XML ------------------------------------------------------------

constexpr const char* kCalDavNs = "urn:ietf:params:xml:ns:caldav";

// The calendar-data texts of a multistatus answer (RFC 4791 9.6), elements
// compared by namespace URI, never by prefix. Throws Poco::Exception on
// malformed XML.
std::vector<std::string> calendarDataOf(const std::string& xml) {
  // No DTDs: nothing in a multistatus needs one, and entities are a way to
  // blow up memory.
  if (xml.find("<!DOCTYPE") != std::string::npos || xml.find("<!ENTITY") != std::string::npos)
    throw Poco::DataFormatException("the answer has a DOCTYPE, which is refused");
  Poco::XML::DOMParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  Poco::AutoPtr<Poco::XML::Document> doc = parser.parseString(xml);
  Poco::AutoPtr<Poco::XML::NodeList> list = doc->getElementsByTagNameNS(kCalDavNs, "calendar-data");
  std::vector<std::string> out;
  for (unsigned long i = 0; i < list->length(); ++i) out.push_back(list->item(i)->innerText());
  return out;
}

std::string timeRange(UnixTime from, UnixTime to) {
  return "<C:time-range start=\"" + utcText(from, true) + "\" end=\"" + utcText(to, true) + "\"/>";
}

net::HttpRequest davReport(const SourceRecord& s, const FetchContext& ctx, std::string body) {
  net::HttpRequest req;
  req.method = "REPORT";
  req.url = s.url;
  req.headers = {{"Depth", "1"}, {"Content-Type", "application/xml; charset=utf-8"}};
  if (!s.username.empty())
    req.headers.emplace_back("Authorization", basicAuth(s.username, ctx.password));
  req.body = std::move(body);
  return req;
}

// ---- tokens ------------------------------------------------------------------

struct Bearer {
  std::string token;
  std::string error;
};

Bearer bearer(const SourceRecord& s, const FetchContext& ctx, bool force) {
  if (!ctx.tokens) return {{}, "no token source: the connections module is not available"};
  auto t = ctx.tokens->accessToken(s.connectionId, force);
  if (t) return {t.token->value, {}};
  std::string prefix;
  switch (t.failure) {
    case connections::TokenFailure::NeedsReconnect:
      prefix = "the account must be connected again: ";
      break;
    case connections::TokenFailure::NotConnected:
      prefix = "connection " + std::to_string(s.connectionId) + " is not connected: ";
      break;
    case connections::TokenFailure::NotConfigured:
      prefix = "the provider's client id / secret are not configured: ";
      break;
    case connections::TokenFailure::Transient:
      prefix = "no access token (try again later): ";
      break;
  }
  return {{}, prefix + t.message};
}

// POST of a JSON body with a bearer token; one forced token refresh on 401.
Sent postJson(const SourceRecord& s, const FetchContext& ctx, const std::string& url,
              const std::string& body, const net::Headers& extra, std::string& tokenError) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto b = bearer(s, ctx, attempt > 0);
    if (!b.error.empty()) {
      tokenError = b.error;
      return {};
    }
    net::HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.headers = {{"Authorization", "Bearer " + b.token}, {"Content-Type", "application/json"}};
    for (const auto& h : extra) req.headers.push_back(h);
    req.body = body;
    auto sent = send(ctx, req);
    if (!sent.response || sent.response->status != 401 || attempt > 0) return sent;
  }
  return {};
}

std::string jsonText(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace

std::vector<Span> splitWindow(UnixTime from, UnixTime to, UnixTime max) {
  std::vector<Span> out;
  for (UnixTime t = from; t < to; t += max) out.push_back({t, std::min(to, t + max)});
  return out;
}

std::vector<FetchedPeriod> freeBusyPeriods(std::string_view text, bool tentativeBusy) {
  // FREEBUSY values are PERIODs (RFC 5545 3.3.9): start/end or start/duration.
  // Each becomes DTSTART and DTEND or DURATION of a synthetic VEVENT, so the
  // ical layer (libical) reads the DATE-TIME and DURATION values.
  const auto lexed = ical::detail::lex(text);
  std::string cal = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Creneau//busy//EN\r\n";
  int n = 0;
  std::vector<const ical::detail::RawComponent*> stack;
  for (const auto& root : lexed.roots) stack.push_back(&root);
  while (!stack.empty()) {
    const auto* c = stack.back();
    stack.pop_back();
    for (const auto& child : c->children) stack.push_back(&child);
    if (c->name != "VFREEBUSY") continue;
    for (auto idx : c->properties) {
      const auto& line = lexed.lines[idx];
      if (line.name != "FREEBUSY") continue;
      std::string type = "BUSY";
      if (const auto* p = line.param("FBTYPE")) type = p->first();
      for (auto& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (type == "FREE") continue;
      if (type == "BUSY-TENTATIVE" && !tentativeBusy) continue;
      std::string_view rest = line.value;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view period = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto slash = period.find('/');
        if (slash == std::string_view::npos) continue;
        const auto second = period.substr(slash + 1);
        cal += "BEGIN:VEVENT\r\nUID:fb" + std::to_string(++n) +
               "\r\nDTSTAMP:20000101T000000Z\r\nDTSTART:" + std::string(period.substr(0, slash)) +
               "\r\n" +
               (second.starts_with("P") || second.starts_with("+P") ? "DURATION:" : "DTEND:") +
               std::string(second) + "\r\nEND:VEVENT\r\n";
      }
    }
  }
  cal += "END:VCALENDAR\r\n";
  std::vector<FetchedPeriod> out;
  for (const auto& e : ical::parse(cal).calendar.events) {
    const UnixTime s = ical::toUnix(e.start);
    UnixTime t = s;
    if (e.end)
      t = ical::toUnix(*e.end);
    else if (e.durationSec)
      t = s + *e.durationSec;
    if (t > s) out.push_back({s, t, {}});
  }
  return normalize(std::move(out));
}

// ---- ICS ---------------------------------------------------------------------

FetchOutcome fetchIcs(const SourceRecord& s, const FetchContext& ctx) {
  net::HttpRequest req;
  req.url = s.url;
  req.headers = {{"Accept", "text/calendar, */*;q=0.5"}};
  if (!s.username.empty())
    req.headers.emplace_back("Authorization", basicAuth(s.username, ctx.password));
  // Conditional GET only while the cached periods cover the whole window:
  // a 304 keeps them as they are, so they must reach far enough.
  const bool conditional =
      s.status == SourceStatus::Ok && s.windowStart <= ctx.from && s.windowEnd >= ctx.to;
  if (conditional) {
    if (!s.etag.empty()) req.headers.emplace_back("If-None-Match", s.etag);
    if (!s.lastModified.empty()) req.headers.emplace_back("If-Modified-Since", s.lastModified);
  }
  // Published calendars often move (http -> https, a CDN): follow a few
  // redirects, keeping the method and the conditional headers (RFC 9110
  // 15.4).
  FetchOutcome o;
  Sent sent;
  for (int hop = 0;; ++hop) {
    sent = send(ctx, req);
    ++o.requests;
    if (!sent.response) return failed("ICS " + hostOf(req.url) + ": " + sent.error);
    const int st = sent.response->status;
    const bool redirect = st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
    const auto location = sent.response->header("Location");
    if (!redirect || !location || hop == 3) break;
    if (location->starts_with("http://") || location->starts_with("https://")) {
      // Credentials go to the source's own host only.
      if (hostOf(*location) != hostOf(req.url))
        std::erase_if(req.headers, [](const auto& h) { return h.first == "Authorization"; });
      req.url = *location;
    } else if (location->starts_with("/")) {
      const auto p = req.url.find("://");
      const auto e = req.url.find('/', p + 3);
      req.url = req.url.substr(0, e) + *location;
    } else {
      break;
    }
  }
  const auto& r = *sent.response;
  if (r.status == 304 && conditional) {
    o.ok = true;
    o.notModified = true;
    o.windowStart = s.windowStart;
    o.windowEnd = s.windowEnd;
    o.etag = s.etag;
    o.lastModified = s.lastModified;
    return o;
  }
  if (r.status != 200) return failed(statusError(r, "the ICS URL", s.url));
  if (!looksLikeCalendar(r.body))
    return failed("the ICS URL (" + hostOf(s.url) + ") did not answer iCalendar data");
  // Expanded a day beyond the window, so that a 304 tomorrow still covers it.
  const UnixTime until = ctx.to + 86400;
  ical::Calendar cal;
  addEvents(cal, r.body);
  o.ok = true;
  o.periods =
      busyFromCalendar(cal, s.rules, ctx.own, ctx.selfEmails, ctx.from, until, ctx.timeZone);
  o.windowStart = ctx.from;
  o.windowEnd = until;
  o.etag = r.header("ETag").value_or("");
  o.lastModified = r.header("Last-Modified").value_or("");
  return o;
}

// ---- CalDAV ------------------------------------------------------------------

FetchOutcome fetchCalDav(const SourceRecord& s, const FetchContext& ctx) {
  FetchOutcome o;
  // free-busy-query (RFC 4791 7.10) answers busy time without event data, so
  // it can honour the rules only when all-day events count (it cannot tell
  // them apart) and our own events are taken out by time. A server that
  // refused it once (Radicale 3.1 has none) is asked by calendar-query from
  // then on.
  if (s.rules.allDayBusy && s.mode != "calendar-query") {
    auto sent =
        send(ctx, davReport(s, ctx,
                            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                            "<C:free-busy-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" +
                                timeRange(ctx.from, ctx.to) + "</C:free-busy-query>"));
    ++o.requests;
    if (!sent.response) return failed("CalDAV " + hostOf(s.url) + ": " + sent.error);
    const auto& r = *sent.response;
    if (r.status == 401) return failed(statusError(r, "the CalDAV server", s.url));
    if (r.status == 200 && looksLikeCalendar(r.body)) {
      o.ok = true;
      o.mode = "free-busy-query";
      o.periods = subtract(freeBusyPeriods(r.body, s.rules.tentativeBusy), ctx.ownSpans);
      o.windowStart = ctx.from;
      o.windowEnd = ctx.to;
      return o;
    }
    // Anything else (403 supported-report, 501, 400, 405, a multistatus):
    // the server lacks it; fall back.
  }
  auto sent = send(
      ctx, davReport(s, ctx,
                     "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                     "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                     "<D:prop><C:calendar-data/></D:prop><C:filter>"
                     "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">" +
                         timeRange(ctx.from, ctx.to) +
                         "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"));
  ++o.requests;
  if (!sent.response) return failed("CalDAV " + hostOf(s.url) + ": " + sent.error);
  const auto& r = *sent.response;
  if (r.status != 207) return failed(statusError(r, "the CalDAV server (calendar-query)", s.url));
  std::vector<std::string> texts;
  try {
    texts = calendarDataOf(r.body);
  } catch (const Poco::Exception& e) {
    return failed("the CalDAV server (" + hostOf(s.url) +
                  ") answered calendar-query with malformed XML: " + e.displayText());
  }
  ical::Calendar cal;
  for (const auto& t : texts) addEvents(cal, t);
  o.ok = true;
  o.mode = "calendar-query";
  o.periods =
      busyFromCalendar(cal, s.rules, ctx.own, ctx.selfEmails, ctx.from, ctx.to, ctx.timeZone);
  o.windowStart = ctx.from;
  o.windowEnd = ctx.to;
  return o;
}

// ---- Google freeBusy -----------------------------------------------------------

FetchOutcome fetchGoogle(const SourceRecord& s, const FetchContext& ctx) {
  // freeBusy (https://developers.google.com/calendar/api/v3/reference/freebusy/query)
  // takes at most calendarExpansionMax = 50 calendars and, as observed, a
  // window of at most 90 days: both are split. Its busy periods are opaque,
  // not cancelled, not declined events, tentative ones included, with no ids
  // or titles: our own exported events are removed by subtracting the time
  // of this employee's appointments (ctx.ownSpans, same start and end as
  // exported, buffers included when render.include_buffers is on).
  FetchOutcome o;
  std::vector<std::string> calendars = ctx.calendars;
  if (calendars.empty()) calendars.push_back("primary");
  const std::string url = ctx.endpoints.googleApiUrl + "/calendar/v3/freeBusy";
  std::vector<FetchedPeriod> all;
  for (const auto& w : splitWindow(ctx.from, ctx.to, kGoogleMaxWindow)) {
    for (std::size_t i = 0; i < calendars.size(); i += kGoogleMaxCalendars) {
      Poco::JSON::Object body;
      body.set("timeMin", utcText(w.start, false));
      body.set("timeMax", utcText(w.end, false));
      body.set("timeZone", "UTC");
      Poco::JSON::Array items;
      for (std::size_t j = i; j < std::min(calendars.size(), i + kGoogleMaxCalendars); ++j) {
        Poco::JSON::Object item;
        item.set("id", calendars[j]);
        items.add(item);
      }
      body.set("items", items);
      std::string tokenError;
      auto sent = postJson(s, ctx, url, jsonText(body), {}, tokenError);
      ++o.requests;
      if (!tokenError.empty()) return failed("Google: " + tokenError);
      if (!sent.response) return failed("Google freeBusy: " + sent.error);
      const auto& r = *sent.response;
      if (r.status != 200) return failed(statusError(r, "Google freeBusy", url));
      try {
        auto root = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
        auto cals = root->getObject("calendars");
        if (!cals) return failed("Google freeBusy answered without calendars");
        for (std::size_t j = i; j < std::min(calendars.size(), i + kGoogleMaxCalendars); ++j) {
          auto c = cals->getObject(calendars[j]);
          if (!c) return failed("Google freeBusy left out calendar " + calendars[j]);
          if (auto errs = c->getArray("errors"); errs && errs->size() > 0) {
            auto e = errs->getObject(0);
            return failed("Google freeBusy: calendar " + calendars[j] + ": " +
                          (e ? e->optValue<std::string>("reason", "error") : "error"));
          }
          if (auto busy = c->getArray("busy")) {
            for (std::size_t k = 0; k < busy->size(); ++k) {
              auto b = busy->getObject(k);
              if (!b) continue;
              auto st = parseInstant(b->optValue<std::string>("start", ""));
              auto en = parseInstant(b->optValue<std::string>("end", ""));
              if (st && en && *en > *st) all.push_back({*st, *en, {}});
            }
          }
        }
      } catch (const Poco::Exception& e) {
        return failed("Google freeBusy answered malformed JSON: " + e.displayText());
      }
    }
  }
  o.ok = true;
  o.periods = subtract(normalize(std::move(all)), ctx.ownSpans);
  o.windowStart = ctx.from;
  o.windowEnd = ctx.to;
  return o;
}

// ---- Graph getSchedule -----------------------------------------------------------

FetchOutcome fetchGraph(const SourceRecord& s, const FetchContext& ctx) {
  // getSchedule (https://learn.microsoft.com/graph/api/calendar-getschedule)
  // takes at most 20 schedules and a period under 62 days: both are split.
  // scheduleItems carry status and subject but no event id: showAs free and
  // workingElsewhere are not busy, tentative per the rules, and our own
  // exported events are removed by subtracting our appointments' time (see
  // fetchGoogle).
  FetchOutcome o;
  std::vector<std::string> schedules = ctx.calendars;
  if (schedules.empty()) schedules.push_back(ctx.account);
  if (schedules.empty() || schedules.front().empty())
    return failed("Microsoft: the connection has no account address to ask getSchedule for");
  const std::string url = ctx.endpoints.graphUrl + "/v1.0/me/calendar/getSchedule";
  std::vector<FetchedPeriod> all;
  for (const auto& w : splitWindow(ctx.from, ctx.to, kGraphMaxWindow)) {
    for (std::size_t i = 0; i < schedules.size(); i += kGraphMaxSchedules) {
      Poco::JSON::Object body;
      Poco::JSON::Array list;
      for (std::size_t j = i; j < std::min(schedules.size(), i + kGraphMaxSchedules); ++j)
        list.add(schedules[j]);
      body.set("schedules", list);
      Poco::JSON::Object st, en;
      st.set("dateTime", graphLocal(w.start));
      st.set("timeZone", "UTC");
      en.set("dateTime", graphLocal(w.end));
      en.set("timeZone", "UTC");
      body.set("startTime", st);
      body.set("endTime", en);
      body.set("availabilityViewInterval", 60);
      std::string tokenError;
      auto sent = postJson(s, ctx, url, jsonText(body), {{"Prefer", "outlook.timezone=\"UTC\""}},
                           tokenError);
      ++o.requests;
      if (!tokenError.empty()) return failed("Microsoft: " + tokenError);
      if (!sent.response) return failed("Graph getSchedule: " + sent.error);
      const auto& r = *sent.response;
      if (r.status != 200) return failed(statusError(r, "Graph getSchedule", url));
      try {
        auto root = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
        auto value = root->getArray("value");
        if (!value) return failed("Graph getSchedule answered without value");
        for (std::size_t k = 0; k < value->size(); ++k) {
          auto info = value->getObject(k);
          if (!info) continue;
          if (auto err = info->getObject("error"))
            return failed("Graph getSchedule: " + info->optValue<std::string>("scheduleId", "") +
                          ": " + err->optValue<std::string>("message", "error"));
          auto items = info->getArray("scheduleItems");
          if (!items) continue;
          for (std::size_t m = 0; m < items->size(); ++m) {
            auto it = items->getObject(m);
            if (!it) continue;
            const auto status = it->optValue<std::string>("status", "busy");
            if (status == "free" || status == "workingElsewhere") continue;
            if (status == "tentative" && !s.rules.tentativeBusy) continue;
            auto sdt = it->getObject("start");
            auto edt = it->getObject("end");
            if (!sdt || !edt) continue;
            auto a = parseInstant(sdt->optValue<std::string>("dateTime", ""));
            auto b = parseInstant(edt->optValue<std::string>("dateTime", ""));
            if (a && b && *b > *a)
              all.push_back({std::max(*a, w.start), std::min(*b, w.end),
                             it->optValue<std::string>("subject", "")});
          }
        }
      } catch (const Poco::Exception& e) {
        return failed("Graph getSchedule answered malformed JSON: " + e.displayText());
      }
    }
  }
  o.ok = true;
  o.periods = subtract(normalize(std::move(all)), ctx.ownSpans);
  o.windowStart = ctx.from;
  o.windowEnd = ctx.to;
  return o;
}

FetchOutcome fetchSource(const SourceRecord& s, const FetchContext& ctx) {
  if (!ctx.http) return failed("no HTTP client");
  switch (s.kind) {
    case SourceKind::Ics:
      return fetchIcs(s, ctx);
    case SourceKind::CalDav:
      return fetchCalDav(s, ctx);
    case SourceKind::Google:
      return fetchGoogle(s, ctx);
    case SourceKind::Microsoft:
      return fetchGraph(s, ctx);
  }
  return failed("unknown source kind");
}

}  // namespace creneau::engine::busy
