// parse() and the analysis behind validate(): our content-line reading for
// line numbers and strictness, libical for the component tree and values.

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>

#include "ical/IcalCodec.h"
#include "ical/Recurrence.h"
#include "ical/TimeZones.h"
#include "ical/detail/Analyze.h"
#include "ical/detail/Civil.h"
#include "ical/detail/IcalPtr.h"
#include "ical/detail/Text.h"
#include "ical/detail/Zones.h"

namespace creneau::ical {
namespace detail {
namespace {

using Severity = Diagnostic::Severity;

struct Pair {
  icalproperty* prop;       // nullptr when read from our line alone
  const ContentLine* line;  // nullptr when no raw line matched
  icalproperty_kind kind;
};

class Analyzer {
 public:
  Analyzer(std::string_view text, bool buildModel) : text_(text), buildModel_(buildModel) {}

  Analysis run() {
    doc_ = lex(text_);
    out_.diagnostics = std::move(doc_.diagnostics);
    checkDocument(doc_, out_.diagnostics);
    parseWithLibical();
    std::stable_sort(out_.diagnostics.begin(), out_.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return std::move(out_);
  }

 private:
  // Feeds our content lines to libical, one top-level component at a time
  // (each child of a VCALENDAR on its own), and frees each libical tree once
  // it is read: memory stays bounded by the input and the model. libical
  // sees exactly the lines we read (repaired where a known quirk was read
  // around). Between top-level components libical's parser holds no state,
  // so a child fed alone comes back as it would inside its VCALENDAR. A root
  // whose shape could make the piecewise reading differ (unclosed, unusual
  // component names, VTIMEZONEs nested deeper) is fed whole, as before.
  struct Plan {
    const RawComponent* raw = nullptr;
    bool piecewise = false;
    std::vector<ComponentPtr> zones;                  // piecewise: VTIMEZONE children
    std::vector<std::pair<ComponentPtr, bool>> tops;  // whole: returned, and paired with raw
  };

  void parseWithLibical() {
    ParserPtr parser(icalparser_new());
    if (!parser) return;
    parser_ = parser.get();
    std::vector<Plan> plans(doc_.roots.size());
    for (std::size_t k = 0; k < doc_.roots.size(); ++k) {
      plans[k].raw = &doc_.roots[k];
      plans[k].piecewise = piecewiseOk(doc_.roots[k]);
    }
    // First the zones, wherever they are: events may use a VTIMEZONE that
    // comes after them.
    for (auto& plan : plans) {
      const RawComponent& r = *plan.raw;
      if (plan.piecewise) {
        for (const auto& child : r.children)
          if (child.name == "VTIMEZONE") plan.zones.push_back(feedRange(child));
        // libical puts a VCALENDAR's VTIMEZONEs first, the last one first.
        for (auto it = plan.zones.rbegin(); it != plan.zones.rend(); ++it)
          if (*it) collectZones(it->get());
        continue;
      }
      const bool closed = r.endIndex != static_cast<std::size_t>(-1);
      const std::size_t end = closed ? r.endIndex + 1 : doc_.lines.size();
      for (std::size_t i = r.beginIndex; i < end && i < doc_.lines.size(); ++i) {
        if (icalcomponent* c = feedLine(doc_.lines[i])) {
          ComponentPtr owned(c);
          const bool paired = i == r.endIndex && sameKind(c, r);
          plan.tops.emplace_back(std::move(owned), paired);
        }
      }
      if (!closed) {
        // Close what the text left open, as libical would with icalparser_clean()
        // (which keeps a pointer to the root it returns and frees it again in
        // icalparser_free()): END pops the innermost component whatever its name.
        for (std::size_t k = 0; k < doc_.unclosedDepth; ++k) {
          std::string buf = "END:X-UNCLOSED";
          if (icalcomponent* c = icalparser_add_line(parser.get(), buf.data())) {
            ComponentPtr owned(c);
            const bool paired = sameKind(c, r);
            plan.tops.emplace_back(std::move(owned), paired);
          }
        }
      }
      for (auto& [comp, paired] : plan.tops)
        if (paired) collectZones(comp.get());
    }
    bool headerRead = false;
    for (auto& plan : plans) {
      const RawComponent& r = *plan.raw;
      if (!plan.piecewise) {
        for (auto& [comp, paired] : plan.tops) {
          if (!paired) continue;
          classifyErrors(comp.get(), r);
          if (!buildModel_) continue;
          if (icalcomponent_isa(comp.get()) == ICAL_VCALENDAR_COMPONENT) {
            if (!headerRead) readHeader(r);
            headerRead = true;
            readEvents(comp.get(), r);
          } else if (icalcomponent_isa(comp.get()) == ICAL_VEVENT_COMPONENT) {
            readEvent(comp.get(), r);
          }
        }
        // Zones found in these trees stay in use until the end.
        for (auto& top : plan.tops) plan.zones.push_back(std::move(top.first));
        plan.tops.clear();
        continue;
      }
      // The root with its own properties only (no children).
      {
        feedLine(doc_.lines[r.beginIndex]);
        for (auto i : r.properties) feedLine(doc_.lines[i]);
        ComponentPtr header(feedLine(doc_.lines[r.endIndex]));
        if (header) classifyErrors(header.get(), r);
      }
      // libical pairs the k-th VTIMEZONE it holds (the last of the text
      // first) with our k-th one.
      std::size_t z = 0;
      for (const auto& child : r.children) {
        if (child.name != "VTIMEZONE") continue;
        if (icalcomponent* comp = plan.zones[plan.zones.size() - 1 - z].get())
          classifyErrors(comp, child);
        ++z;
      }
      const bool calendar = r.name == "VCALENDAR";
      if (calendar && buildModel_) {
        if (!headerRead) readHeader(r);
        headerRead = true;
      }
      for (const auto& child : r.children) {
        if (child.name == "VTIMEZONE") continue;
        const bool event = calendar && child.name == "VEVENT";
        if (event && directOk(child)) {
          // libical would neither complain nor read anything we do not.
          if (buildModel_) readEventDirect(child);
          continue;
        }
        ComponentPtr comp = feedRange(child);
        if (!comp) continue;
        classifyErrors(comp.get(), child);
        if (buildModel_ && event) readEvent(comp.get(), child);
      }
    }
    if (buildModel_) checkExdatesMatch();
    parser_ = nullptr;
  }

  icalcomponent* feedLine(const ContentLine& cl) {
    if (cl.bad) return nullptr;
    if (cl.repaired)
      buf_ = cl.normalized;
    else
      buf_.assign(cl.text);
    return icalparser_add_line(parser_, buf_.data());
  }

  // Feeds a closed component's lines; libical returns it at its END.
  ComponentPtr feedRange(const RawComponent& c) {
    ComponentPtr out;
    for (std::size_t i = c.beginIndex; i <= c.endIndex && i < doc_.lines.size(); ++i)
      if (icalcomponent* got = feedLine(doc_.lines[i])) out.reset(got);
    return out;
  }

  // A component libical names as we do: BEGIN:<exactly our name>, a kind
  // libical knows by that name.
  bool plainComponent(const RawComponent& c) const {
    if (c.endIndex == static_cast<std::size_t>(-1)) return false;
    const ContentLine& begin = doc_.lines[c.beginIndex];
    if (begin.repaired || begin.value != c.name) return false;
    const icalcomponent_kind k = icalcomponent_string_to_kind(c.name.c_str());
    if (k == ICAL_NO_COMPONENT || k == ICAL_X_COMPONENT || k == ICAL_XLICINVALID_COMPONENT)
      return false;
    const char* name = icalcomponent_kind_to_string(k);
    return name && c.name == name;
  }

  static bool hasVtimezone(const RawComponent& c) {
    for (const auto& child : c.children)
      if (child.name == "VTIMEZONE" || hasVtimezone(child)) return true;
    return false;
  }

  bool piecewiseOk(const RawComponent& r) const {
    if (r.name != "VCALENDAR" || !plainComponent(r)) return false;
    for (const auto& child : r.children) {
      if (!plainComponent(child)) return false;
      if (child.name != "VTIMEZONE" && hasVtimezone(child)) return false;
    }
    return true;
  }

  // Pairs libical's subcomponents with ours by kind, in order: libical
  // moves VTIMEZONEs ahead of the other components, so positions differ.
  static std::vector<std::pair<icalcomponent*, const RawComponent*>> pairChildren(
      icalcomponent* c, const RawComponent& raw) {
    std::vector<icalcomponent*> children;
    for (icalcomponent* k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
         k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
      children.push_back(k);
    std::map<std::string, std::size_t> next;
    std::vector<std::pair<icalcomponent*, const RawComponent*>> pairs;
    for (icalcomponent* k : children) {
      const char* name = icalcomponent_kind_to_string(icalcomponent_isa(k));
      if (!name) continue;
      std::size_t& i = next[name];
      while (i < raw.children.size() && raw.children[i].name != name) ++i;
      if (i < raw.children.size()) pairs.emplace_back(k, &raw.children[i++]);
    }
    return pairs;
  }

  static bool sameKind(icalcomponent* c, const RawComponent& raw) {
    const icalcomponent_kind k = icalcomponent_isa(c);
    if (k == ICAL_X_COMPONENT || k == ICAL_XLICINVALID_COMPONENT) return true;
    const char* name = icalcomponent_kind_to_string(k);
    return name && raw.name == name;
  }

  icalproperty_kind kindOf(const std::string& name) {
    auto it = kinds_.find(name);
    if (it != kinds_.end()) return it->second;
    icalproperty_kind k = icalproperty_string_to_kind(name.c_str());
    if (k == ICAL_NO_PROPERTY && name.rfind("X-", 0) == 0) k = ICAL_X_PROPERTY;
    kinds_.emplace(name, k);
    return k;
  }

  // Pairs libical's properties of a component with our content lines, in
  // order and by kind (libical may drop a property and add X-LIC-ERRORs).
  std::vector<Pair> pairProperties(icalcomponent* c, const RawComponent& raw) {
    std::vector<Pair> pairs;
    std::size_t r = 0;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
      const icalproperty_kind k = icalproperty_isa(p);
      const ContentLine* match = nullptr;
      if (k == ICAL_XLICERROR_PROPERTY) {
        // "No value for DESCRIPTION property", "Can't parse as DATE-TIME value
        // in RDATE property": the failing line is the next one of that name.
        const char* msg = icalproperty_get_xlicerror(p);
        const std::string text = msg ? msg : "";
        std::size_t s = r;
        for (; s < raw.properties.size(); ++s) {
          const std::string& n = doc_.lines[raw.properties[s]].name;
          if (text.find(" " + n + " ") != std::string::npos ||
              text.find(" " + n + ".") != std::string::npos)
            break;
        }
        if (s < raw.properties.size()) {
          match = &doc_.lines[raw.properties[s]];
          r = s + 1;
        } else if (r < raw.properties.size()) {
          match = &doc_.lines[raw.properties[r]];
        }
      } else {
        // libical splits multi-valued lines (EXDATE a,b) into several
        // properties: an unmatched one pairs with the line before.
        std::size_t s = r;
        while (s < raw.properties.size() && kindOf(doc_.lines[raw.properties[s]].name) != k) ++s;
        if (s < raw.properties.size()) {
          match = &doc_.lines[raw.properties[s]];
          r = s + 1;
        } else if (r > 0 && kindOf(doc_.lines[raw.properties[r - 1]].name) == k) {
          match = &doc_.lines[raw.properties[r - 1]];
        }
      }
      pairs.push_back({p, match, k});
    }
    return pairs;
  }

  // libical's X-LIC-ERRORs: our checks come first (they are stricter and
  // carry RFC references); what they did not already report on that line
  // is kept as a warning, except an unreadable value, which libical drops.
  void classifyErrors(icalcomponent* c, const RawComponent& raw) {
    for (const auto& pr : pairProperties(c, raw)) {
      if (icalproperty_isa(pr.prop) != ICAL_XLICERROR_PROPERTY) continue;
      const char* msg = icalproperty_get_xlicerror(pr.prop);
      const std::string text = msg ? msg : "";
      const int line = pr.line ? pr.line->line : raw.line;
      // Empty values: TEXT may be empty (3.3.11); the others are our checks'.
      if (text.rfind("No value for", 0) == 0) continue;
      if (text.find("Missing END tag") != std::string::npos) continue;
      if (linesWithDiagnostics_.empty())
        for (const auto& d : out_.diagnostics) linesWithDiagnostics_.insert(d.line);
      if (linesWithDiagnostics_.count(line)) continue;
      linesWithDiagnostics_.insert(line);
      const bool dropped = text.find("Removing entire property") != std::string::npos ||
                           text.find("Can't parse") != std::string::npos;
      out_.diagnostics.push_back(
          {dropped ? Severity::Error : Severity::Warning, line, "libical: " + text});
    }
    for (const auto& [child, rawChild] : pairChildren(c, raw)) classifyErrors(child, *rawChild);
  }

  // VTIMEZONEs of the file, by (unescaped) TZID.
  void collectZones(icalcomponent* c) {
    if (icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT) {
      if (icalproperty* p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY))
        if (const char* id = icalproperty_get_tzid(p)) fileZones_.emplace(id, c);
      return;
    }
    std::vector<icalcomponent*> children;
    for (icalcomponent* k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
         k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
      children.push_back(k);
    for (auto* k : children) collectZones(k);
  }

  void readHeader(const RawComponent& raw) {
    Calendar& cal = out_.calendar;
    cal.prodId.clear();
    for (auto i : raw.properties) {
      const ContentLine& cl = doc_.lines[i];
      if (cl.bad) continue;
      const std::string value = unescapeText(cl.value);
      if (cl.name == "PRODID") {
        cal.prodId = value;
        quirks_ = quirksFor(value);
      } else if (cl.name == "METHOD") {
        cal.method = std::string(cl.value);
      } else if (cl.name == "NAME" || (cl.name == "X-WR-CALNAME" && cal.name.empty())) {
        cal.name = value;
      } else if (cl.name == "X-WR-CALDESC" ||
                 (cl.name == "DESCRIPTION" && cal.description.empty())) {
        cal.description = value;
      } else if (cl.name == "X-WR-TIMEZONE") {
        cal.timezoneHint = value;
      } else if (cl.name == "REFRESH-INTERVAL" ||
                 (cl.name == "X-PUBLISHED-TTL" && !cal.refreshIntervalSec)) {
        if (auto d = parseDuration(cl.value)) cal.refreshIntervalSec = *d;
      }
    }
  }

  void readEvents(icalcomponent* cal, const RawComponent& raw) {
    // Events in the order of the text.
    auto pairs = pairChildren(cal, raw);
    std::sort(pairs.begin(), pairs.end(),
              [](const auto& a, const auto& b) { return a.second->line < b.second->line; });
    for (const auto& [child, rawChild] : pairs)
      if (icalcomponent_isa(child) == ICAL_VEVENT_COMPONENT) readEvent(child, *rawChild);
  }

  // A DATE / DATE-TIME of libical's plus the TZID parameter of our line.
  std::optional<DateTime> readTime(icalproperty* p, const ContentLine* cl) {
    if (!p) return readTimeDirect(*cl);
    icalvalue* v = icalproperty_get_value(p);
    if (!v) return std::nullopt;
    icaltimetype t;
    switch (icalvalue_isa(v)) {
      case ICAL_DATE_VALUE:
        t = icalvalue_get_date(v);
        break;
      case ICAL_DATETIME_VALUE:
        t = icalvalue_get_datetime(v);
        break;
      case ICAL_DATETIMEDATE_VALUE:
        t = icalvalue_get_datetimedate(v);
        break;
      default:
        return std::nullopt;
    }
    if (icaltime_is_null_time(t)) return std::nullopt;
    DateTime dt;
    dt.year = t.year;
    dt.month = t.month;
    dt.day = t.day;
    if (t.is_date) {
      dt.isDate = true;
      return dt;
    }
    dt.hour = t.hour;
    dt.minute = t.minute;
    dt.second = t.second;
    if (icaltime_is_utc(t)) {
      dt.tzid = "UTC";
      return dt;
    }
    const RawParam* tz = cl ? cl->param("TZID") : nullptr;
    if (tz && !tz->first().empty()) return resolveZone(dt, tz->first());
    return dt;
  }

  // What readTime() gives for a value directOk() accepted.
  std::optional<DateTime> readTimeDirect(const ContentLine& cl) {
    const auto v = parseDateTimeValue(cl.value);
    if (!v) return std::nullopt;
    DateTime dt;
    dt.year = v->year;
    dt.month = v->month;
    dt.day = v->day;
    if (v->isDate) {
      dt.isDate = true;
      return dt;
    }
    dt.hour = v->hour;
    dt.minute = v->minute;
    dt.second = v->second;
    if (v->isUtc()) {
      dt.tzid = "UTC";
      return dt;
    }
    const RawParam* tz = cl.param("TZID");
    if (tz && !tz->first().empty()) return resolveZone(dt, tz->first());
    return dt;
  }

  static int digitsValue(std::string_view v) {
    int n = 0;
    for (char c : v) n = n * 10 + (c - '0');
    return n;
  }

  static icalproperty_status statusOf(std::string_view v) {
    if (v == "TENTATIVE") return ICAL_STATUS_TENTATIVE;
    if (v == "CONFIRMED") return ICAL_STATUS_CONFIRMED;
    return ICAL_STATUS_CANCELLED;
  }

  // Whether libical, given this VEVENT, would add no X-LIC-ERROR, split no
  // line into several properties, and read exactly what our own reading of
  // the lines gives (SEQUENCE, STATUS, TRANSP, DATE / DATE-TIME values): a
  // deliberately narrow set of lines, the shapes producers (and we) write.
  // Anything else goes through libical.
  bool directOk(const RawComponent& c) {
    if (!c.children.empty()) return false;
    for (auto i : c.properties) {
      const ContentLine& cl = doc_.lines[i];
      if (cl.bad || cl.repaired || cl.value.empty()) return false;
      // libical takes "X-" case-sensitively: the name as we read it.
      if (cl.text.substr(0, cl.name.size()) != cl.name) return false;
      const std::string_view v = cl.value;
      if (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t')
        return false;
      // Parameters exactly as written: unquoted, no escapes, one value each
      // (FEATURE aside).
      const std::size_t paramsEnd = cl.text.size() - v.size() - 1;
      if (paramsEnd < cl.name.size()) return false;
      const std::string_view params = cl.text.substr(cl.name.size(), paramsEnd - cl.name.size());
      if (params.find_first_of("\"^\\") != std::string_view::npos) return false;
      for (const auto& p : cl.params)
        if (p.values.size() != 1 && p.name != "FEATURE") return false;
      const icalproperty_kind k = kindOf(cl.name);
      switch (k) {
        case ICAL_UID_PROPERTY:
        case ICAL_SUMMARY_PROPERTY:
        case ICAL_DESCRIPTION_PROPERTY:
        case ICAL_LOCATION_PROPERTY:
        case ICAL_URL_PROPERTY:
          if (!cl.params.empty()) return false;
          break;
        case ICAL_CATEGORIES_PROPERTY:
          if (!cl.params.empty() || v.find(',') != std::string_view::npos) return false;
          break;
        case ICAL_CLASS_PROPERTY:
          if (!cl.params.empty() || !(v == "PUBLIC" || v == "PRIVATE" || v == "CONFIDENTIAL"))
            return false;
          break;
        case ICAL_STATUS_PROPERTY:
          if (!cl.params.empty() || !(v == "TENTATIVE" || v == "CONFIRMED" || v == "CANCELLED"))
            return false;
          break;
        case ICAL_TRANSP_PROPERTY:
          if (!cl.params.empty() || !(v == "OPAQUE" || v == "TRANSPARENT")) return false;
          break;
        case ICAL_SEQUENCE_PROPERTY:
          if (!cl.params.empty() || v.size() > 9) return false;
          for (char ch : v)
            if (ch < '0' || ch > '9') return false;
          break;
        case ICAL_DTSTAMP_PROPERTY:
        case ICAL_CREATED_PROPERTY:
        case ICAL_LASTMODIFIED_PROPERTY:
        case ICAL_DTSTART_PROPERTY:
        case ICAL_DTEND_PROPERTY:
        case ICAL_RECURRENCEID_PROPERTY: {
          bool date = false;
          if (cl.params.size() > 1) return false;
          if (cl.params.size() == 1) {
            const RawParam& p = cl.params.front();
            if (p.name == "TZID") {
              if (p.first().empty()) return false;
            } else if (p.name == "VALUE" && p.first() == "DATE" &&
                       (k == ICAL_DTSTART_PROPERTY || k == ICAL_DTEND_PROPERTY ||
                        k == ICAL_RECURRENCEID_PROPERTY)) {
              date = true;
            } else {
              return false;
            }
          }
          if (v.size() != (date ? 8u : 15u) && (date || v.size() != 16)) return false;
          const auto t = parseDateTimeValue(v);
          if (!t || t->year < 1000 || t->second > 59) return false;
          break;
        }
        case ICAL_ORGANIZER_PROPERTY:
          for (const auto& p : cl.params)
            if (p.name != "CN") return false;
          break;
        case ICAL_ATTENDEE_PROPERTY:
          for (const auto& p : cl.params) {
            const std::string& pv = p.first();
            if (p.name == "CN") continue;
            if (p.name == "ROLE" && (pv == "CHAIR" || pv == "REQ-PARTICIPANT" ||
                                     pv == "OPT-PARTICIPANT" || pv == "NON-PARTICIPANT"))
              continue;
            if (p.name == "PARTSTAT" &&
                (pv == "NEEDS-ACTION" || pv == "ACCEPTED" || pv == "DECLINED" ||
                 pv == "TENTATIVE" || pv == "DELEGATED"))
              continue;
            if (p.name == "CUTYPE" && (pv == "INDIVIDUAL" || pv == "GROUP" || pv == "RESOURCE" ||
                                       pv == "ROOM" || pv == "UNKNOWN"))
              continue;
            if (p.name == "RSVP" && (pv == "TRUE" || pv == "FALSE")) continue;
            return false;
          }
          break;
        case ICAL_CONFERENCE_PROPERTY:
          for (const auto& p : cl.params) {
            if (p.name == "LABEL") continue;
            if (p.name == "VALUE" && p.first() == "URI") continue;
            if (p.name != "FEATURE") return false;
            for (const auto& f : p.values)
              if (!(f == "AUDIO" || f == "CHAT" || f == "FEED" || f == "MODERATOR" ||
                    f == "PHONE" || f == "SCREEN" || f == "VIDEO"))
                return false;
          }
          break;
        case ICAL_X_PROPERTY:
          if (!cl.params.empty() || cl.name.rfind("X-", 0) != 0) return false;
          break;
        default:
          return false;
      }
    }
    return true;
  }

  // TZID resolution: a zone we know by name (IANA, libical's long form,
  // Windows names) keeps its wall clock; a custom VTIMEZONE of the file that
  // maps to no known zone is applied and the time becomes UTC; anything else
  // stays a floating reading with the TZID recorded.
  DateTime resolveZone(DateTime dt, const std::string& tzid) {
    auto cached = resolved_.find(tzid);
    if (cached == resolved_.end()) {
      Resolution r;
      if (auto name = canonicalZone(tzid)) {
        r.name = *name;
      } else if (auto f = fileZones_.find(tzid); f != fileZones_.end()) {
        icalproperty* loc = icalcomponent_get_first_property(f->second, ICAL_LOCATION_PROPERTY);
        std::optional<std::string> byLocation;
        for (icalproperty* x = icalcomponent_get_first_property(f->second, ICAL_X_PROPERTY); x;
             x = icalcomponent_get_next_property(f->second, ICAL_X_PROPERTY)) {
          const char* xn = icalproperty_get_x_name(x);
          if (xn && std::string_view(xn) == "X-LIC-LOCATION")
            if (const char* xv = icalproperty_get_x(x)) byLocation = canonicalZone(xv);
        }
        (void)loc;
        if (byLocation) {
          r.name = *byLocation;
        } else {
          r.custom.reset(zoneFromComponent(f->second));
          r.name = tzid;
        }
      } else {
        r.name = tzid;
        r.unknown = true;
      }
      cached = resolved_.emplace(tzid, std::move(r)).first;
    }
    const Resolution& r = cached->second;
    if (r.custom) {
      const UnixTime t = localToUtc(r.custom.get(), wallSeconds(dt));
      DateTime utc = wallFromSeconds(t);
      utc.tzid = "UTC";
      return utc;
    }
    dt.tzid = r.name;
    return dt;
  }

  std::vector<DateTime> readDateList(const ContentLine& cl) {
    std::vector<DateTime> out;
    const RawParam* tz = cl.param("TZID");
    const bool period = cl.param("VALUE") && iequals(cl.param("VALUE")->first(), "PERIOD");
    std::size_t p = 0;
    while (p < cl.value.size()) {
      std::size_t comma = cl.value.find(',', p);
      if (comma == std::string_view::npos) comma = cl.value.size();
      std::string_view item = cl.value.substr(p, comma - p);
      p = comma + 1;
      if (period) item = item.substr(0, item.find('/'));
      auto v = parseDateTimeValue(item);
      if (!v && item.size() == 9 && item.back() == 'Z') v = parseDateTimeValue(item.substr(0, 8));
      if (!v) continue;
      if (!v->isDate && !v->isUtc() && tz && !tz->first().empty())
        out.push_back(resolveZone(*v, tz->first()));
      else
        out.push_back(*v);
    }
    return out;
  }

  static std::string stripMailto(std::string_view v) {
    if (v.size() >= 7 && iequals(v.substr(0, 7), "mailto:")) v.remove_prefix(7);
    return std::string(v);
  }

  void readEvent(icalcomponent* c, const RawComponent& raw) {
    readEventPairs(pairProperties(c, raw), raw);
  }

  // An event libical would read without any complaint and without anything
  // the model takes from it that our line does not give the same way (see
  // directOk): read from our lines alone.
  void readEventDirect(const RawComponent& raw) {
    std::vector<Pair> pairs;
    pairs.reserve(raw.properties.size());
    for (auto i : raw.properties) {
      const ContentLine& cl = doc_.lines[i];
      pairs.push_back({nullptr, &cl, kindOf(cl.name)});
    }
    readEventPairs(pairs, raw);
  }

  void readEventPairs(const std::vector<Pair>& pairs, const RawComponent& raw) {
    Event e;
    std::set<std::string> seen;
    std::set<const ContentLine*> consumed;
    for (const auto& pr : pairs) {
      if (!pr.line) continue;
      const icalproperty_kind k = pr.kind;
      const ContentLine& cl = *pr.line;
      const bool first = seen.insert(cl.name).second;
      bool used = true;
      switch (k) {
        case ICAL_UID_PROPERTY:
          if (first) e.uid = unescapeText(cl.value);
          break;
        case ICAL_SEQUENCE_PROPERTY:
          if (first)
            e.sequence = pr.prop ? icalproperty_get_sequence(pr.prop) : digitsValue(cl.value);
          break;
        case ICAL_DTSTAMP_PROPERTY:
          if (first) e.dtstamp = readTime(pr.prop, &cl);
          break;
        case ICAL_CREATED_PROPERTY:
          if (first) e.created = readTime(pr.prop, &cl);
          break;
        case ICAL_LASTMODIFIED_PROPERTY:
          if (first) e.lastModified = readTime(pr.prop, &cl);
          break;
        case ICAL_DTSTART_PROPERTY:
          if (first)
            if (auto t = readTime(pr.prop, &cl)) e.start = *t;
          break;
        case ICAL_DTEND_PROPERTY:
          if (first) e.end = readTime(pr.prop, &cl);
          break;
        case ICAL_DURATION_PROPERTY:
          if (first)
            if (auto d = parseDuration(cl.value)) e.durationSec = *d;
          break;
        case ICAL_RECURRENCEID_PROPERTY:
          if (first) {
            e.recurrenceId = readTime(pr.prop, &cl);
            const RawParam* range = cl.param("RANGE");
            e.recurrenceThisAndFuture = range && iequals(range->first(), "THISANDFUTURE");
          }
          break;
        // TEXT values from our own line: libical drops trailing blanks.
        case ICAL_SUMMARY_PROPERTY:
          if (first) e.summary = unescapeText(cl.value);
          break;
        case ICAL_DESCRIPTION_PROPERTY:
          if (first) e.description = unescapeText(cl.value);
          break;
        case ICAL_LOCATION_PROPERTY:
          if (first) e.location = unescapeText(cl.value);
          break;
        case ICAL_URL_PROPERTY:
          if (first) e.url = std::string(cl.value);
          break;
        case ICAL_CATEGORIES_PROPERTY: {
          // Split on unescaped commas ourselves: TEXT lists (3.8.1.2).
          if (consumed.count(&cl)) break;
          std::string item;
          for (std::size_t i = 0; i < cl.value.size(); ++i) {
            const char ch = cl.value[i];
            if (ch == '\\' && i + 1 < cl.value.size()) {
              item += ch;
              item += cl.value[++i];
            } else if (ch == ',') {
              e.categories.push_back(unescapeText(item));
              item.clear();
            } else {
              item += ch;
            }
          }
          e.categories.push_back(unescapeText(item));
          break;
        }
        case ICAL_CLASS_PROPERTY:
          if (first) e.classification = unescapeText(cl.value);
          break;
        case ICAL_STATUS_PROPERTY:
          if (first) {
            switch (pr.prop ? icalproperty_get_status(pr.prop) : statusOf(cl.value)) {
              case ICAL_STATUS_TENTATIVE:
                e.status = EventStatus::Tentative;
                break;
              case ICAL_STATUS_CONFIRMED:
                e.status = EventStatus::Confirmed;
                break;
              case ICAL_STATUS_CANCELLED:
                e.status = EventStatus::Cancelled;
                break;
              default:
                break;
            }
          }
          break;
        case ICAL_TRANSP_PROPERTY:
          if (first) {
            const icalproperty_transp t =
                pr.prop
                    ? icalproperty_get_transp(pr.prop)
                    : (cl.value == "TRANSPARENT" ? ICAL_TRANSP_TRANSPARENT : ICAL_TRANSP_OPAQUE);
            e.transparency =
                (t == ICAL_TRANSP_TRANSPARENT || t == ICAL_TRANSP_TRANSPARENTNOCONFLICT)
                    ? Transparency::Transparent
                    : Transparency::Opaque;
          }
          break;
        case ICAL_ORGANIZER_PROPERTY:
          if (first) {
            Organizer o;
            o.email = stripMailto(cl.value);
            if (const RawParam* cn = cl.param("CN")) o.commonName = cn->first();
            e.organizer = o;
          }
          break;
        case ICAL_ATTENDEE_PROPERTY:
          if (!consumed.count(&cl)) e.attendees.push_back(readAttendee(cl));
          break;
        case ICAL_RRULE_PROPERTY:
          if (first) {
            for (char ch : cl.value)
              if (ch != ' ' && ch != '\t') e.rrule += ch;
          }
          break;
        case ICAL_RDATE_PROPERTY:
          if (!consumed.count(&cl))
            for (auto& d : readDateList(cl)) e.rdates.push_back(d);
          break;
        case ICAL_EXDATE_PROPERTY:
          if (!consumed.count(&cl))
            for (auto& d : readDateList(cl)) e.exdates.push_back(d);
          break;
        case ICAL_XLICERROR_PROPERTY:
          used = false;
          break;
        default:
          used = false;
      }
      if (used) consumed.insert(&cl);
    }
    // What the model has no field for, and what libical dropped but we could
    // read (e.g. an RDATE marked Z), from our own lines.
    std::set<std::string> once;
    for (auto i : raw.properties) {
      const ContentLine& cl = doc_.lines[i];
      if (cl.bad || consumed.count(&cl)) continue;
      if (cl.name == "RDATE" || cl.name == "EXDATE") {
        auto& list = cl.name == "RDATE" ? e.rdates : e.exdates;
        for (auto& d : readDateList(cl)) list.push_back(d);
        continue;
      }
      if (cl.name == "CONFERENCE") {
        Conference conf;
        conf.uri = std::string(cl.value);
        if (const RawParam* f = cl.param("FEATURE")) conf.features = f->values;
        if (const RawParam* l = cl.param("LABEL")) conf.label = l->first();
        e.conferences.push_back(std::move(conf));
        continue;
      }
      static const std::set<std::string> kModel = {
          "UID",         "SEQUENCE", "DTSTAMP",   "CREATED",       "LAST-MODIFIED",
          "DTSTART",     "DTEND",    "DURATION",  "RECURRENCE-ID", "SUMMARY",
          "DESCRIPTION", "LOCATION", "URL",       "CATEGORIES",    "CLASS",
          "STATUS",      "TRANSP",   "ORGANIZER", "ATTENDEE",      "RRULE"};
      if (kModel.count(cl.name)) continue;  // a duplicate, or a value libical rejected
      ExtraProperty x;
      x.name = cl.name;
      std::string valueType;
      for (const auto& p : cl.params) {
        std::string v;
        for (std::size_t k = 0; k < p.values.size(); ++k) v += (k ? "," : "") + p.values[k];
        if (p.name == "VALUE") valueType = v;
        x.params.push_back({p.name, std::move(v)});
      }
      x.value = isTextValued(cl.name, valueType) ? unescapeText(cl.value) : std::string(cl.value);
      e.extra.push_back(std::move(x));
    }
    if (e.uid.empty()) e.uid = derivedUid(raw);
    out_.calendar.events.push_back(std::move(e));
    eventLines_.push_back(&raw);
  }

  // A stable UID for a component that has none (see Validator.cpp): FNV-1a
  // over its content lines, so the same text always gets the same UID.
  std::string derivedUid(const RawComponent& raw) const {
    std::uint64_t h = 1469598103934665603ULL;
    const std::size_t end = std::min(raw.endIndex, doc_.lines.size());
    for (std::size_t i = raw.beginIndex; i < end; ++i) {
      for (char ch : doc_.lines[i].text) {
        h ^= static_cast<unsigned char>(ch);
        h *= 1099511628211ULL;
      }
      h ^= '\n';
      h *= 1099511628211ULL;
    }
    static const char* kHex = "0123456789abcdef";
    std::string uid = "derived-";
    for (int k = 60; k >= 0; k -= 4) uid += kHex[(h >> k) & 0xF];
    return uid + "@creneau.invalid";
  }

  static Attendee readAttendee(const ContentLine& cl) {
    Attendee a;
    a.email = stripMailto(cl.value);
    for (const auto& p : cl.params) {
      const std::string& v = p.first();
      if (p.name == "CN") {
        a.commonName = v;
      } else if (p.name == "ROLE") {
        if (iequals(v, "CHAIR"))
          a.role = Role::Chair;
        else if (iequals(v, "OPT-PARTICIPANT"))
          a.role = Role::OptParticipant;
        else if (iequals(v, "NON-PARTICIPANT"))
          a.role = Role::NonParticipant;
        else
          a.role = Role::ReqParticipant;
      } else if (p.name == "PARTSTAT") {
        if (iequals(v, "ACCEPTED"))
          a.partStat = PartStat::Accepted;
        else if (iequals(v, "DECLINED"))
          a.partStat = PartStat::Declined;
        else if (iequals(v, "TENTATIVE"))
          a.partStat = PartStat::Tentative;
        else if (iequals(v, "DELEGATED"))
          a.partStat = PartStat::Delegated;
        else
          a.partStat = PartStat::NeedsAction;
      } else if (p.name == "RSVP") {
        a.rsvp = iequals(v, "TRUE");
      } else if (p.name == "CUTYPE") {
        if (iequals(v, "INDIVIDUAL"))
          a.cuType = CalendarUserType::Individual;
        else if (iequals(v, "GROUP"))
          a.cuType = CalendarUserType::Group;
        else if (iequals(v, "RESOURCE"))
          a.cuType = CalendarUserType::Resource;
        else if (iequals(v, "ROOM"))
          a.cuType = CalendarUserType::Room;
        else
          a.cuType = CalendarUserType::Unknown;
      } else {
        std::string joined;
        for (std::size_t k = 0; k < p.values.size(); ++k) joined += (k ? "," : "") + p.values[k];
        a.extraParams.push_back({p.name, std::move(joined)});
      }
    }
    return a;
  }

  // RFC 5545 3.8.5.1 gives EXDATE the value type of DTSTART. A UTC EXDATE
  // against a zoned DTSTART is read by instant; when it hits no instance of
  // the series, the exclusion silently does nothing (typically a zone or DST
  // conversion bug of the producer): an Error. When it hits one, a warning
  // was already given if forms differ.
  void checkExdatesMatch() {
    const auto& events = out_.calendar.events;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      if (e.rrule.empty() || e.start.isDate || e.start.tzid.empty() || e.start.isUtc()) continue;
      if (!canonicalZone(e.start.tzid)) continue;
      for (const auto& x : e.exdates) {
        if (!x.isUtc()) continue;
        const UnixTime t = toUnix(x);
        Event probe = e;
        probe.exdates.clear();
        probe.rdates.clear();
        const auto r = expand({&probe}, t, t + 1, 2);
        bool hit = false;
        for (const auto& o : r.occurrences) hit = hit || o.start == t;
        if (hit) continue;
        int line = eventLines_[i]->line;
        for (auto k : eventLines_[i]->properties) {
          const ContentLine& cl = doc_.lines[k];
          std::string v;
          appendDateTimeValue(v, x);
          if (cl.name == "EXDATE" && cl.value.find(v) != std::string_view::npos) {
            line = cl.line;
            break;
          }
        }
        std::string v;
        appendDateTimeValue(v, x);
        out_.diagnostics.push_back(
            {Severity::Error, line,
             "EXDATE " + v + " is in UTC while DTSTART has TZID=" + e.start.tzid +
                 ", and it matches no occurrence of the series, so it excludes nothing (RFC "
                 "5545 3.8.5.1: EXDATE has the value type of DTSTART); write it as EXDATE;TZID=" +
                 e.start.tzid + ":<local time of the occurrence>"});
      }
    }
    std::stable_sort(out_.diagnostics.begin(), out_.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  }

  struct Resolution {
    std::string name;
    TimezonePtr custom;
    bool unknown = false;
  };

  std::string_view text_;
  bool buildModel_;
  LexResult doc_;
  Analysis out_;
  ProducerQuirks quirks_;
  std::unordered_map<std::string, icalproperty_kind> kinds_;
  icalparser* parser_ = nullptr;
  std::string buf_;
  std::map<std::string, icalcomponent*> fileZones_;
  std::map<std::string, Resolution> resolved_;
  std::vector<const RawComponent*> eventLines_;
  std::set<int> linesWithDiagnostics_;
};

}  // namespace

Analysis analyze(std::string_view text, bool buildModel) {
  return Analyzer(text, buildModel).run();
}

}  // namespace detail

ParseResult parse(std::string_view text) {
  detail::Analysis a = detail::analyze(text, true);
  ParseResult r;
  r.calendar = std::move(a.calendar);
  r.diagnostics = std::move(a.diagnostics);
  return r;
}

}  // namespace creneau::ical
