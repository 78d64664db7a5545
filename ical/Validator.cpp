// validate(): RFC 5545 checks on our own strict reading of the text, plus
// libical's complaints classified (see detail/Analyze.h and Parser.cpp).
//
// Severity policy. An Error is what RFC 5545 forbids and what leaves the
// data ambiguous or lost: a line we cannot read, a duplicate DTSTART, DTEND
// before DTSTART, a DURATION that overflows, a UTC offset of 57 hours, an
// RRULE that is not a RECUR value, an empty EXDATE. A Warning is what real
// producers commonly get wrong but can be read one way only, e.g.:
//  - missing VERSION / PRODID (Google fixtures, khal, Exchange publish):
//    read as 2.0;
//  - missing DTSTAMP (Apple iCal 1.5, many exports): nothing depends on it;
//  - missing UID in a component that has no DTSTAMP either (RFC 2445 data,
//    where both were optional, 4.6.1), in a bare fragment, or from a
//    producer known to omit it (Microsoft Exchange/CDO): a stable UID can be
//    derived; anywhere else a missing UID is an Error (3.6.1);
//  - components outside VCALENDAR (RFC examples, test fixtures): fragments;
//  - blank lines, a missing final line break;
//  - Outlook's quoted Windows TZIDs, even with the value's ':' inside the
//    quotes; TZIDs without VTIMEZONE when the name is a zone we know;
//  - value-type mismatches between DTSTART and EXDATE/RDATE/RECURRENCE-ID/
//    UNTIL (Google, Exchange), date-only values marked Z;
//  - DURATION:PT0S beside DTEND (Thunderbird overrides);
//  - bad values of CLASS/TRANSP/PRIORITY in a cancelled occurrence
//    (STATUS:CANCELLED): the instance is removed, the value is never used.

#include "ical/Validator.h"

#include <map>
#include <set>

#include "ical/TimeZones.h"
#include "ical/detail/Analyze.h"
#include "ical/detail/Civil.h"
#include "ical/detail/Text.h"

namespace creneau::ical {
namespace detail {
namespace {

using Severity = Diagnostic::Severity;

struct Ctx {
  const LexResult& doc;
  std::vector<Diagnostic>& out;
  std::set<std::string> vtimezoneIds;  // TZIDs defined anywhere in the file
  void error(int line, std::string m) { out.push_back({Severity::Error, line, std::move(m)}); }
  void warning(int line, std::string m) { out.push_back({Severity::Warning, line, std::move(m)}); }
  void report(bool isError, int line, std::string m) {
    out.push_back({isError ? Severity::Error : Severity::Warning, line, std::move(m)});
  }
};

struct Scope {
  bool fragment = false;  // not inside a VCALENDAR
  bool hasMethod = false;
  ProducerQuirks quirks;
};

const ContentLine* first(const Ctx& ctx, const RawComponent& c, std::string_view name) {
  for (auto i : c.properties)
    if (ctx.doc.lines[i].name == name) return &ctx.doc.lines[i];
  return nullptr;
}

std::string valueParam(const ContentLine& cl) {
  const RawParam* p = cl.param("VALUE");
  return p ? toUpper(p->first()) : std::string();
}

// The form of a DATE/DATE-TIME value: 'D' date, 'Z' UTC, 'T' with TZID,
// 'F' floating.
char formOf(const ContentLine& cl, const DateTime& v) {
  if (v.isDate) return 'D';
  if (v.isUtc()) return 'Z';
  return cl.param("TZID") ? 'T' : 'F';
}

std::string_view formName(char f) {
  switch (f) {
    case 'D':
      return "a DATE";
    case 'Z':
      return "a UTC DATE-TIME";
    case 'T':
      return "a DATE-TIME with TZID";
    default:
      return "a floating DATE-TIME";
  }
}

// Reads a DATE / DATE-TIME property value, reporting syntax errors.
std::optional<DateTime> readDateTime(Ctx& ctx, const ContentLine& cl, std::string_view v,
                                     bool listItem = false) {
  const std::string type = valueParam(cl);
  auto dt = parseDateTimeValue(v);
  if (dt && type == "DATE" && !dt->isDate) {
    ctx.warning(cl.line, cl.name + " has VALUE=DATE but the value " + std::string(v) +
                             " is a DATE-TIME; write " + std::string(v.substr(0, 8)));
  } else if (dt && dt->isDate && type != "DATE" && !listItem) {
    ctx.warning(cl.line, cl.name + " value " + std::string(v) +
                             " is a DATE without VALUE=DATE (RFC 5545 3.3.4); add ;VALUE=DATE");
  } else if (dt && dt->isDate && type != "DATE") {
    ctx.warning(cl.line, cl.name + " value " + std::string(v) +
                             " is a DATE without VALUE=DATE (RFC 5545 3.3.4); add ;VALUE=DATE");
  }
  if (!dt && v.size() == 9 && v.back() == 'Z') {
    // Google writes date-only RDATEs marked Z ("20131210Z"): read as a DATE.
    dt = parseDateTimeValue(v.substr(0, 8));
    if (dt) {
      ctx.warning(cl.line, cl.name + " value " + std::string(v) + " is a DATE marked Z; write " +
                               std::string(v.substr(0, 8)) + " with ;VALUE=DATE (RFC 5545 3.3.4)");
      return dt;
    }
  }
  if (!dt) {
    ctx.error(cl.line, cl.name + " value \"" + std::string(v.substr(0, 40)) +
                           "\" is not a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z]) "
                           "(RFC 5545 3.3.4, 3.3.5)");
    return std::nullopt;
  }
  if (dt->isUtc() && cl.param("TZID"))
    ctx.warning(cl.line, cl.name +
                             " has both TZID and a UTC value (trailing Z); the TZID is "
                             "ignored (RFC 5545 3.3.5); drop one of them");
  return dt;
}

// Instant of a value for comparisons, or nullopt when the zone is unknown.
std::optional<std::int64_t> instantOf(const ContentLine& cl, const DateTime& v) {
  if (v.isDate || v.isUtc() || !cl.param("TZID")) return wallSeconds(v);
  const auto zone = canonicalZone(cl.param("TZID")->first());
  if (!zone) return std::nullopt;
  DateTime z = v;
  z.tzid = *zone;
  return toUnix(z);
}

void checkTzid(Ctx& ctx, const Scope& scope, const ContentLine& cl) {
  const RawParam* p = cl.param("TZID");
  if (!p) return;
  const std::string& id = p->first();
  if (id.empty()) {
    ctx.error(cl.line,
              cl.name + " has an empty TZID parameter; name a VTIMEZONE (RFC 5545 3.2.19)");
    return;
  }
  if (ctx.vtimezoneIds.count(id)) return;
  if (canonicalZone(id)) {
    ctx.warning(cl.line, "TZID \"" + id + "\" of " + cl.name +
                             " has no VTIMEZONE in the file (RFC 5545 3.2.19); read as the zone "
                             "of that name; add a VTIMEZONE");
    return;
  }
  ctx.report(!scope.quirks.tzidWithoutVtimezone, cl.line,
             "TZID \"" + id + "\" of " + cl.name +
                 " names no VTIMEZONE in the file and no known zone (RFC 5545 3.2.19); the time "
                 "is read as floating; add the VTIMEZONE or use an IANA name");
}

// RECUR value (RFC 5545 3.3.10).
void checkRecur(Ctx& ctx, const ContentLine& cl, std::optional<DateTime> dtstart,
                const ContentLine* dtstartLine) {
  const std::string_view v = cl.value;
  if (v.empty()) {
    ctx.error(cl.line, "RRULE has no value; write e.g. RRULE:FREQ=WEEKLY (RFC 5545 3.3.10)");
    return;
  }
  if (v.size() >= 6 && iequals(v.substr(0, 6), "RRULE:")) {
    ctx.error(cl.line,
              "RRULE value starts with \"RRULE:\" again; remove the duplicated "
              "\"RRULE:\" (RFC 5545 3.8.5.3)");
    return;
  }
  static const std::set<std::string> kParts = {
      "FREQ",       "UNTIL",     "COUNT",    "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
      "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH",  "BYSETPOS", "WKST",     "RSCALE", "SKIP"};
  std::map<std::string, std::string> parts;
  bool spaces = false;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    std::size_t semi = v.find(';', pos);
    if (semi == std::string_view::npos) semi = v.size();
    std::string part(v.substr(pos, semi - pos));
    pos = semi + 1;
    if (part.empty()) {
      if (semi == v.size()) break;  // a trailing ';' is harmless
      continue;
    }
    std::string clean;
    for (char c : part)
      if (c == ' ' || c == '\t')
        spaces = true;
      else
        clean += c;
    const auto eq = clean.find('=');
    if (eq == std::string::npos || eq == 0) {
      ctx.error(cl.line, "RRULE part \"" + part.substr(0, 40) +
                             "\" is not NAME=VALUE (RFC 5545 3.3.10); e.g. FREQ=WEEKLY;BYDAY=MO");
      return;
    }
    const std::string name = toUpper(clean.substr(0, eq));
    if (!kParts.count(name) && name.rfind("X-", 0) != 0) {
      ctx.error(cl.line, "RRULE has an unknown part " + name + " (RFC 5545 3.3.10)");
      return;
    }
    if (parts.count(name)) {
      ctx.error(cl.line, "RRULE has " + name +
                             " twice (RFC 5545 3.3.10: each rule part at most "
                             "once)");
      return;
    }
    parts[name] = clean.substr(eq + 1);
  }
  if (spaces)
    ctx.warning(cl.line,
                "RRULE contains spaces (e.g. \"BYDAY=MO, TU\"); RFC 5545 3.3.10 has none; "
                "read without them");
  auto freq = parts.find("FREQ");
  if (freq == parts.end()) {
    ctx.error(cl.line, "RRULE has no FREQ (RFC 5545 3.3.10: FREQ is required)");
    return;
  }
  static const std::set<std::string> kFreqs = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY",
                                               "WEEKLY",   "MONTHLY",  "YEARLY"};
  if (!kFreqs.count(toUpper(freq->second))) {
    ctx.error(cl.line, "RRULE FREQ=" + freq->second + " is not one of SECONDLY ... YEARLY");
    return;
  }
  if (parts.count("UNTIL") && parts.count("COUNT")) {
    ctx.error(cl.line,
              "RRULE has both UNTIL and COUNT (RFC 5545 3.3.10: MUST NOT occur in the "
              "same rule); keep one");
    return;
  }
  auto positiveInt = [&](const char* name, long long max) {
    auto it = parts.find(name);
    if (it == parts.end()) return true;
    const std::string& s = it->second;
    bool ok = !s.empty() && s.size() <= 9;
    for (char c : s) ok = ok && c >= '0' && c <= '9';
    if (ok) {
      const long long n = std::stoll(s);
      ok = n >= 1 && n <= max;
    }
    if (!ok)
      ctx.error(cl.line, std::string("RRULE ") + name + "=" + s + " is not a positive integer");
    return ok;
  };
  if (!positiveInt("COUNT", 999999999) || !positiveInt("INTERVAL", 999999999)) return;
  auto intList = [&](const char* name, int lo, int hi, bool signedOk) {
    auto it = parts.find(name);
    if (it == parts.end()) return true;
    std::size_t p = 0;
    const std::string& s = it->second;
    while (p <= s.size()) {
      std::size_t comma = s.find(',', p);
      if (comma == std::string::npos) comma = s.size();
      std::string item = s.substr(p, comma - p);
      p = comma + 1;
      bool neg = false;
      if (!item.empty() && (item[0] == '+' || item[0] == '-')) {
        neg = item[0] == '-';
        item.erase(0, 1);
        if (!signedOk) item = "x";
      }
      bool ok = !item.empty() && item.size() <= 3;
      for (char c : item) ok = ok && c >= '0' && c <= '9';
      int n = ok ? std::stoi(item) : 0;
      if (neg) n = -n;
      if (!ok || n < (signedOk ? -hi : lo) || n > hi || (signedOk && n == 0 && lo > 0)) {
        ctx.error(cl.line, std::string("RRULE ") + name + "=" + s + " has an invalid value \"" +
                               item + "\" (RFC 5545 3.3.10)");
        return false;
      }
    }
    return true;
  };
  if (!intList("BYSECOND", 0, 60, false) || !intList("BYMINUTE", 0, 59, false) ||
      !intList("BYHOUR", 0, 23, false) || !intList("BYMONTHDAY", 1, 31, true) ||
      !intList("BYYEARDAY", 1, 366, true) || !intList("BYWEEKNO", 1, 53, true) ||
      !intList("BYMONTH", 1, 12, false) || !intList("BYSETPOS", 1, 366, true))
    return;
  static const std::set<std::string> kDays = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
  if (auto it = parts.find("BYDAY"); it != parts.end()) {
    std::size_t p = 0;
    const std::string s = toUpper(it->second);
    while (p <= s.size()) {
      std::size_t comma = s.find(',', p);
      if (comma == std::string::npos) comma = s.size();
      const std::string item = s.substr(p, comma - p);
      p = comma + 1;
      bool ok = item.size() >= 2 && kDays.count(item.substr(item.size() - 2));
      std::string ord = ok ? item.substr(0, item.size() - 2) : "";
      if (ok && !ord.empty()) {
        if (ord[0] == '+' || ord[0] == '-') ord.erase(0, 1);
        ok = !ord.empty() && ord.size() <= 2;
        for (char c : ord) ok = ok && c >= '0' && c <= '9';
        ok = ok && std::stoi(ord) >= 1 && std::stoi(ord) <= 53;
      }
      if (!ok) {
        ctx.error(cl.line, "RRULE BYDAY=" + it->second + " has an invalid day \"" + item +
                               "\" (RFC 5545 3.3.10: e.g. MO, -1SU, 2TU)");
        return;
      }
    }
  }
  if (auto it = parts.find("WKST"); it != parts.end() && !kDays.count(toUpper(it->second))) {
    ctx.error(cl.line, "RRULE WKST=" + it->second + " is not a weekday (SU ... SA)");
    return;
  }
  if (auto it = parts.find("UNTIL"); it != parts.end()) {
    auto until = parseDateTimeValue(it->second);
    if (!until) {
      ctx.error(cl.line, "RRULE UNTIL=" + it->second + " is not a DATE or DATE-TIME");
      return;
    }
    if (dtstart && dtstartLine) {
      if (dtstart->isDate != until->isDate) {
        ctx.warning(cl.line, "RRULE UNTIL=" + it->second + " is " +
                                 std::string(until->isDate ? "a DATE" : "a DATE-TIME") +
                                 " while DTSTART is " +
                                 std::string(dtstart->isDate ? "a DATE" : "a DATE-TIME") +
                                 " (RFC 5545 3.3.10: same value type); compared by date");
      } else if (!dtstart->isDate && dtstartLine->param("TZID") && !until->isUtc()) {
        ctx.warning(cl.line, "RRULE UNTIL=" + it->second +
                                 " should be in UTC when DTSTART has a TZID (RFC 5545 3.3.10)");
      }
    }
  }
}

void checkUniqueAndRequired(Ctx& ctx, const Scope& scope, const RawComponent& c, bool cancelled) {
  static const std::set<std::string> kOnce = {
      "UID",         "DTSTAMP",       "DTSTART",       "CLASS",    "CREATED",
      "DESCRIPTION", "GEO",           "LAST-MODIFIED", "LOCATION", "ORGANIZER",
      "PRIORITY",    "SEQUENCE",      "STATUS",        "SUMMARY",  "TRANSP",
      "URL",         "RECURRENCE-ID", "DTEND",         "DURATION", "COLOR"};
  std::map<std::string, int> seen;
  for (auto i : c.properties) {
    const ContentLine& cl = ctx.doc.lines[i];
    if (cl.bad) continue;
    if (kOnce.count(cl.name)) {
      auto [it, fresh] = seen.emplace(cl.name, cl.line);
      if (!fresh)
        ctx.error(cl.line, cl.name + " appears more than once in this " + c.name +
                               " (first at line " + std::to_string(it->second) +
                               "); RFC 5545 3.6.1 allows it once: remove the extra line");
    } else if (cl.name == "RRULE") {
      auto [it, fresh] = seen.emplace(cl.name, cl.line);
      if (!fresh)
        ctx.warning(cl.line, "more than one RRULE (first at line " + std::to_string(it->second) +
                                 "): RFC 5545 3.8.5.3 says SHOULD NOT; merge them");
    }
  }
  const bool hasUid = seen.count("UID");
  const bool hasStamp = seen.count("DTSTAMP");
  if (!hasUid) {
    const bool lenient = scope.fragment || scope.quirks.omitsUid || !hasStamp || c.name != "VEVENT";
    ctx.report(!lenient, c.line,
               c.name +
                   " has no UID (RFC 5545 3.6.1 requires one); add a globally unique "
                   "UID:" +
                   std::string(lenient ? " a stable one is derived from the content" : ""));
  }
  if (!hasStamp)
    ctx.warning(c.line, c.name +
                            " has no DTSTAMP (RFC 5545 3.6.1 requires one); add "
                            "DTSTAMP:<UTC time of creation of this data>");
  if (!seen.count("DTSTART") && !scope.hasMethod && c.name == "VEVENT") {
    ctx.report(!scope.fragment, c.line,
               "VEVENT has no DTSTART (RFC 5545 3.6.1: required when the calendar has no "
               "METHOD); add DTSTART");
  }
  (void)cancelled;
}

void checkEvent(Ctx& ctx, const Scope& scope, const RawComponent& c) {
  const ContentLine* status = first(ctx, c, "STATUS");
  const bool cancelled = status && iequals(status->value, "CANCELLED");
  checkUniqueAndRequired(ctx, scope, c, cancelled);

  const ContentLine* dtstartLine = first(ctx, c, "DTSTART");
  std::optional<DateTime> dtstart;
  if (dtstartLine && !dtstartLine->value.empty())
    dtstart = readDateTime(ctx, *dtstartLine, dtstartLine->value);
  const ContentLine* dtendLine = first(ctx, c, "DTEND");
  const ContentLine* durationLine = first(ctx, c, "DURATION");

  for (auto i : c.properties) {
    const ContentLine& cl = ctx.doc.lines[i];
    if (cl.bad) continue;
    const std::string& n = cl.name;
    checkTzid(ctx, scope, cl);
    const bool empty = cl.value.empty();
    if (n == "DTSTART" || n == "DTEND" || n == "DTSTAMP" || n == "CREATED" ||
        n == "LAST-MODIFIED" || n == "RECURRENCE-ID") {
      if (empty) {
        ctx.error(cl.line, n + " has no value; write a DATE or DATE-TIME (RFC 5545 3.3.4, 3.3.5)");
        continue;
      }
      if (n == "DTSTART") continue;  // read above
      auto v = readDateTime(ctx, cl, cl.value);
      if (!v) continue;
      if ((n == "DTSTAMP" || n == "CREATED" || n == "LAST-MODIFIED") && !v->isUtc())
        ctx.warning(cl.line, n + " must be a UTC DATE-TIME (RFC 5545 3.8.7); write it with a "
                                 "trailing Z");
      if (n == "RECURRENCE-ID" && dtstart && formOf(cl, *v) != formOf(*dtstartLine, *dtstart))
        ctx.warning(cl.line, "RECURRENCE-ID is " + std::string(formName(formOf(cl, *v))) +
                                 " while DTSTART is " +
                                 std::string(formName(formOf(*dtstartLine, *dtstart))) +
                                 " (RFC 5545 3.8.4.4: same value type)");
      if (n == "RECURRENCE-ID") {
        if (const RawParam* range = cl.param("RANGE");
            range && !iequals(range->first(), "THISANDFUTURE"))
          ctx.error(cl.line, "RECURRENCE-ID RANGE=" + range->first() +
                                 " is not THISANDFUTURE (RFC 5545 3.2.13)");
      }
      if (n == "DTEND" && dtstart) {
        if (v->isDate != dtstart->isDate) {
          ctx.error(cl.line, "DTEND is " + std::string(v->isDate ? "a DATE" : "a DATE-TIME") +
                                 " while DTSTART is " +
                                 std::string(dtstart->isDate ? "a DATE" : "a DATE-TIME") +
                                 " (RFC 5545 3.8.2.2: same value type); make them match");
        } else {
          const auto s = instantOf(*dtstartLine, *dtstart);
          const auto e = instantOf(cl, *v);
          if (s && e && *e < *s)
            // In an override (RECURRENCE-ID) producers move DTSTART and forget
            // DTEND; the occurrence keeps the series' duration: a warning.
            ctx.report(!first(ctx, c, "RECURRENCE-ID"), cl.line,
                       "DTEND is before DTSTART (line " + std::to_string(dtstartLine->line) +
                           "); RFC 5545 3.8.2.2: DTEND must be later than DTSTART" +
                           std::string(first(ctx, c, "RECURRENCE-ID")
                                           ? " (this override keeps the series' duration)"
                                           : ""));
          else if (s && e && *e == *s)
            ctx.warning(cl.line,
                        "DTEND equals DTSTART (RFC 5545 3.8.2.2: must be later); omit "
                        "DTEND for a zero-length event");
        }
      }
    } else if (n == "DURATION") {
      const auto d = parseDuration(cl.value);
      if (!d) {
        ctx.error(cl.line, "DURATION \"" + std::string(cl.value.substr(0, 40)) +
                               "\" is not a valid duration or is too large (RFC 5545 3.3.6); "
                               "e.g. PT1H30M or P1D");
      } else if (*d < 0) {
        ctx.error(cl.line,
                  "DURATION of a VEVENT is negative (RFC 5545 3.8.2.5); make it "
                  "positive");
      } else if (dtendLine) {
        const bool quirk = *d == 0 && scope.quirks.zeroDurationBesideDtend;
        ctx.report(!quirk, cl.line,
                   std::string("DTEND (line ") + std::to_string(dtendLine->line) +
                       ") and DURATION in the same VEVENT (RFC 5545 3.6.1: one or the other)" +
                       (quirk ? "; the zero DURATION is ignored" : "; remove one"));
      }
    } else if (n == "RRULE") {
      checkRecur(ctx, cl, dtstart, dtstartLine);
    } else if (n == "EXDATE" || n == "RDATE") {
      if (empty) {
        ctx.error(cl.line, n + " has no value (RFC 5545 3.8.5.1, 3.8.5.2); remove the line or "
                               "give the dates");
        continue;
      }
      const bool period = valueParam(cl) == "PERIOD";
      std::size_t p = 0;
      bool warnedForm = false;
      while (p <= cl.value.size()) {
        std::size_t comma = cl.value.find(',', p);
        if (comma == std::string_view::npos) comma = cl.value.size();
        const std::string_view item = cl.value.substr(p, comma - p);
        p = comma + 1;
        if (item.empty()) {
          ctx.error(cl.line, n + " has an empty value in its list; remove the extra ','");
          break;
        }
        if (period && n == "RDATE") {
          const auto slash = item.find('/');
          if (slash == std::string_view::npos || !parseDateTimeValue(item.substr(0, slash))) {
            ctx.error(cl.line, "RDATE period \"" + std::string(item) +
                                   "\" is not start/end or start/duration (RFC 5545 3.3.9)");
            break;
          }
          continue;
        }
        auto v = readDateTime(ctx, cl, item, true);
        if (!v) break;
        if (dtstart && !warnedForm && v->isDate != dtstart->isDate) {
          ctx.warning(cl.line, n + " is " + std::string(formName(formOf(cl, *v))) +
                                   " while DTSTART is " +
                                   std::string(formName(formOf(*dtstartLine, *dtstart))) +
                                   " (RFC 5545 3.8.5.1: same value type); read by date");
          warnedForm = true;
        }
      }
    } else if (n == "SEQUENCE" || n == "PRIORITY") {
      bool ok = !cl.value.empty() && cl.value.size() <= 9;
      for (char ch : cl.value) ok = ok && ch >= '0' && ch <= '9';
      if (ok && n == "PRIORITY") ok = std::stoi(std::string(cl.value)) <= 9;
      if (!ok)
        ctx.report(n == "SEQUENCE" || !cancelled, cl.line,
                   n + " \"" + std::string(cl.value.substr(0, 20)) + "\" is not " +
                       (n == "SEQUENCE" ? "a non-negative integer (RFC 5545 3.8.7.4)"
                                        : "an integer 0-9 (RFC 5545 3.8.1.9)"));
    } else if (n == "STATUS") {
      if (!(iequals(cl.value, "TENTATIVE") || iequals(cl.value, "CONFIRMED") ||
            iequals(cl.value, "CANCELLED")))
        ctx.error(cl.line, "STATUS \"" + std::string(cl.value.substr(0, 20)) +
                               "\" is not TENTATIVE, CONFIRMED or CANCELLED for a VEVENT (RFC "
                               "5545 3.8.1.11)");
    } else if (n == "TRANSP") {
      if (!(iequals(cl.value, "OPAQUE") || iequals(cl.value, "TRANSPARENT")))
        ctx.report(!cancelled, cl.line,
                   "TRANSP \"" + std::string(cl.value.substr(0, 20)) +
                       "\" is not OPAQUE or TRANSPARENT (RFC 5545 3.8.2.7)");
    } else if (n == "CLASS") {
      if (empty)
        ctx.report(!cancelled, cl.line,
                   "CLASS has no value (RFC 5545 3.8.1.3: PUBLIC, PRIVATE, CONFIDENTIAL or a "
                   "token); remove the line or give a value" +
                       std::string(cancelled ? " (ignored: the occurrence is cancelled)" : ""));
    } else if (n == "ORGANIZER" || n == "ATTENDEE" || n == "URL" || n == "UID") {
      if (empty)
        ctx.report(n != "UID", cl.line,
                   n + " has no value; " +
                       (n == "UID" ? std::string("give a unique identifier")
                                   : std::string("give a URI such as mailto:someone@example.com")));
    }
  }
  (void)durationLine;
}

// A VTIMEZONE's definition matters only when we use it: a TZID we know by
// name is read with the built-in zone (as Google and Apple clients do), so
// gaps in its definition are warnings; impossible offsets are errors always.
void checkTimezone(Ctx& ctx, const RawComponent& c) {
  const ContentLine* tzid = first(ctx, c, "TZID");
  if (!tzid) {
    ctx.warning(c.line,
                "VTIMEZONE has no TZID (RFC 5545 3.6.5) and is ignored; add TZID:<name> "
                "or remove it");
    return;
  }
  const bool known = canonicalZone(unescapeText(tzid->value)).has_value();
  bool any = false;
  for (const auto& obs : c.children) {
    if (obs.name != "STANDARD" && obs.name != "DAYLIGHT") continue;
    any = true;
    for (const char* required : {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"})
      if (!first(ctx, obs, required))
        ctx.report(!known, obs.line,
                   obs.name + " has no " + required + " (RFC 5545 3.6.5); add it" +
                       std::string(known ? " (the built-in zone of that name is used)" : ""));
    for (auto i : obs.properties) {
      const ContentLine& cl = ctx.doc.lines[i];
      if (cl.bad) continue;
      if (cl.name == "TZOFFSETFROM" || cl.name == "TZOFFSETTO") {
        const auto off = parseUtcOffset(cl.value);
        if (!off)
          ctx.report(!known, cl.line,
                     cl.name + " \"" + std::string(cl.value.substr(0, 20)) +
                         "\" is not a UTC offset (RFC 5545 3.3.14: +HHMM or -HHMM)");
        else if (!off->inRange)
          ctx.error(cl.line, cl.name + " " + std::string(cl.value) +
                                 " is out of range (RFC 5545 3.3.14: hours 00-23, minutes and "
                                 "seconds 00-59, not -0000)");
      } else if (cl.name == "DTSTART") {
        auto v = parseDateTimeValue(cl.value);
        if (!v || v->isDate || v->isUtc())
          ctx.report(!known, cl.line,
                     "DTSTART of " + obs.name + " \"" + std::string(cl.value.substr(0, 20)) +
                         "\" must be a local DATE-TIME (RFC 5545 3.6.5)");
      } else if (cl.name == "RRULE") {
        checkRecur(ctx, cl, std::nullopt, nullptr);
      }
    }
  }
  if (!any)
    ctx.report(!known, c.line,
               "VTIMEZONE has no STANDARD or DAYLIGHT observance (RFC 5545 3.6.5); add at least "
               "one");
}

void walk(Ctx& ctx, const Scope& scope, const RawComponent& c) {
  if (c.name == "VEVENT") {
    checkEvent(ctx, scope, c);
  } else if (c.name == "VTODO" || c.name == "VJOURNAL" || c.name == "VFREEBUSY") {
    // Not our domain: uniqueness and required properties, as warnings at most
    // for the required ones (checkUniqueAndRequired reports UID per policy).
    checkUniqueAndRequired(ctx, scope, c, false);
    for (auto i : c.properties) checkTzid(ctx, scope, ctx.doc.lines[i]);
  } else if (c.name == "VTIMEZONE") {
    checkTimezone(ctx, c);
    return;
  }
  for (const auto& child : c.children)
    if (child.name != "VTIMEZONE" || c.name != "VTIMEZONE") walk(ctx, scope, child);
}

void collectTimezones(Ctx& ctx, const RawComponent& c) {
  if (c.name == "VTIMEZONE")
    if (const ContentLine* id = first(ctx, c, "TZID"))
      ctx.vtimezoneIds.insert(unescapeText(id->value));
  for (const auto& child : c.children) collectTimezones(ctx, child);
}

}  // namespace

ProducerQuirks quirksFor(std::string_view prodId) {
  ProducerQuirks q;
  const std::string p = toUpper(prodId);
  if (p.find("MICROSOFT") != std::string::npos) {
    q.omitsUid = true;
    q.tzidWithoutVtimezone = true;
  }
  if (p.find("MOZILLA") != std::string::npos) q.zeroDurationBesideDtend = true;
  return q;
}

void checkDocument(const LexResult& doc, std::vector<Diagnostic>& out) {
  Ctx ctx{doc, out, {}};
  for (const auto& root : doc.roots) collectTimezones(ctx, root);
  for (const auto& root : doc.roots) {
    Scope scope;
    if (root.name != "VCALENDAR") {
      scope.fragment = true;
      ctx.warning(root.line, "BEGIN:" + root.name +
                                 " outside VCALENDAR (RFC 5545 3.4: an iCalendar object is "
                                 "BEGIN:VCALENDAR ... END:VCALENDAR); read as a fragment");
      walk(ctx, scope, root);
      continue;
    }
    std::map<std::string, int> seen;
    for (auto i : root.properties) {
      const ContentLine& cl = doc.lines[i];
      if (cl.bad) continue;
      if (cl.name == "VERSION" || cl.name == "PRODID" || cl.name == "CALSCALE" ||
          cl.name == "METHOD") {
        auto [it, fresh] = seen.emplace(cl.name, cl.line);
        if (!fresh)
          ctx.error(cl.line, cl.name + " appears more than once in VCALENDAR (first at line " +
                                 std::to_string(it->second) + "); RFC 5545 3.6 allows it once");
      }
      if (cl.name == "VERSION" && cl.value != "2.0")
        ctx.error(cl.line, "VERSION:" + std::string(cl.value.substr(0, 20)) +
                               " is not iCalendar 2.0 (RFC 5545 3.7.4)");
      if (cl.name == "PRODID") scope.quirks = quirksFor(cl.value);
      if (cl.name == "METHOD") scope.hasMethod = true;
      if (cl.name == "CALSCALE" && !iequals(cl.value, "GREGORIAN"))
        ctx.warning(cl.line, "CALSCALE:" + std::string(cl.value.substr(0, 20)) +
                                 " is not supported; read as GREGORIAN");
    }
    if (!seen.count("VERSION"))
      ctx.warning(root.line,
                  "VCALENDAR has no VERSION (RFC 5545 3.6 requires VERSION:2.0); "
                  "read as 2.0");
    if (!seen.count("PRODID"))
      ctx.warning(root.line,
                  "VCALENDAR has no PRODID (RFC 5545 3.6 requires one); add "
                  "PRODID:-//Vendor//Product//EN");
    for (const auto& child : root.children) walk(ctx, scope, child);
  }
}

}  // namespace detail

std::vector<Diagnostic> validate(std::string_view text) {
  return detail::analyze(text, true).diagnostics;
}

}  // namespace creneau::ical
