#include "ical/TimeZones.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ical/detail/Civil.h"
#include "ical/detail/IcalPtr.h"
#include "ical/detail/Zones.h"

namespace creneau::ical {
namespace {

// Windows zone ids (CLDR windowsZones.xml, territory 001) to IANA.
constexpr std::pair<std::string_view, std::string_view> kWindowsZones[] = {
    {"Dateline Standard Time", "Etc/GMT+12"},
    {"UTC-11", "Etc/GMT+11"},
    {"Hawaiian Standard Time", "Pacific/Honolulu"},
    {"Alaskan Standard Time", "America/Anchorage"},
    {"Pacific Standard Time (Mexico)", "America/Tijuana"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"US Mountain Standard Time", "America/Phoenix"},
    {"Mountain Standard Time (Mexico)", "America/Mazatlan"},
    {"Mountain Standard Time", "America/Denver"},
    {"Central America Standard Time", "America/Guatemala"},
    {"Central Standard Time", "America/Chicago"},
    {"Central Standard Time (Mexico)", "America/Mexico_City"},
    {"Canada Central Standard Time", "America/Regina"},
    {"SA Pacific Standard Time", "America/Bogota"},
    {"Eastern Standard Time", "America/New_York"},
    {"Eastern Standard Time (Mexico)", "America/Cancun"},
    {"US Eastern Standard Time", "America/Indiana/Indianapolis"},
    {"Venezuela Standard Time", "America/Caracas"},
    {"Atlantic Standard Time", "America/Halifax"},
    {"SA Western Standard Time", "America/La_Paz"},
    {"Central Brazilian Standard Time", "America/Cuiaba"},
    {"Pacific SA Standard Time", "America/Santiago"},
    {"Newfoundland Standard Time", "America/St_Johns"},
    {"E. South America Standard Time", "America/Sao_Paulo"},
    {"Argentina Standard Time", "America/Argentina/Buenos_Aires"},
    {"SA Eastern Standard Time", "America/Cayenne"},
    {"Greenland Standard Time", "America/Nuuk"},
    {"Montevideo Standard Time", "America/Montevideo"},
    {"UTC-02", "Etc/GMT+2"},
    {"Mid-Atlantic Standard Time", "Etc/GMT+2"},
    {"Azores Standard Time", "Atlantic/Azores"},
    {"Cape Verde Standard Time", "Atlantic/Cape_Verde"},
    {"Morocco Standard Time", "Africa/Casablanca"},
    {"UTC", "UTC"},
    {"Coordinated Universal Time", "UTC"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"W. Europe Standard Time", "Europe/Berlin"},
    {"Central Europe Standard Time", "Europe/Budapest"},
    {"Romance Standard Time", "Europe/Paris"},
    {"Central European Standard Time", "Europe/Warsaw"},
    {"W. Central Africa Standard Time", "Africa/Lagos"},
    {"Jordan Standard Time", "Asia/Amman"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"Middle East Standard Time", "Asia/Beirut"},
    {"Egypt Standard Time", "Africa/Cairo"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"Syria Standard Time", "Asia/Damascus"},
    {"South Africa Standard Time", "Africa/Johannesburg"},
    {"FLE Standard Time", "Europe/Kiev"},
    {"Israel Standard Time", "Asia/Jerusalem"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Arabic Standard Time", "Asia/Baghdad"},
    {"Kaliningrad Standard Time", "Europe/Kaliningrad"},
    {"Arab Standard Time", "Asia/Riyadh"},
    {"E. Africa Standard Time", "Africa/Nairobi"},
    {"Iran Standard Time", "Asia/Tehran"},
    {"Arabian Standard Time", "Asia/Dubai"},
    {"Azerbaijan Standard Time", "Asia/Baku"},
    {"Russian Standard Time", "Europe/Moscow"},
    {"Mauritius Standard Time", "Indian/Mauritius"},
    {"Georgian Standard Time", "Asia/Tbilisi"},
    {"Caucasus Standard Time", "Asia/Yerevan"},
    {"Afghanistan Standard Time", "Asia/Kabul"},
    {"West Asia Standard Time", "Asia/Tashkent"},
    {"Pakistan Standard Time", "Asia/Karachi"},
    {"India Standard Time", "Asia/Kolkata"},
    {"Sri Lanka Standard Time", "Asia/Colombo"},
    {"Nepal Standard Time", "Asia/Kathmandu"},
    {"Central Asia Standard Time", "Asia/Almaty"},
    {"Bangladesh Standard Time", "Asia/Dhaka"},
    {"Myanmar Standard Time", "Asia/Yangon"},
    {"SE Asia Standard Time", "Asia/Bangkok"},
    {"N. Central Asia Standard Time", "Asia/Novosibirsk"},
    {"China Standard Time", "Asia/Shanghai"},
    {"North Asia Standard Time", "Asia/Krasnoyarsk"},
    {"Singapore Standard Time", "Asia/Singapore"},
    {"W. Australia Standard Time", "Australia/Perth"},
    {"Taipei Standard Time", "Asia/Taipei"},
    {"Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"},
    {"North Asia East Standard Time", "Asia/Irkutsk"},
    {"Tokyo Standard Time", "Asia/Tokyo"},
    {"Korea Standard Time", "Asia/Seoul"},
    {"Yakutsk Standard Time", "Asia/Yakutsk"},
    {"Cen. Australia Standard Time", "Australia/Adelaide"},
    {"AUS Central Standard Time", "Australia/Darwin"},
    {"E. Australia Standard Time", "Australia/Brisbane"},
    {"AUS Eastern Standard Time", "Australia/Sydney"},
    {"West Pacific Standard Time", "Pacific/Port_Moresby"},
    {"Tasmania Standard Time", "Australia/Hobart"},
    {"Vladivostok Standard Time", "Asia/Vladivostok"},
    {"Central Pacific Standard Time", "Pacific/Guadalcanal"},
    {"New Zealand Standard Time", "Pacific/Auckland"},
    {"Fiji Standard Time", "Pacific/Fiji"},
    {"Tonga Standard Time", "Pacific/Tongatapu"},
    {"Samoa Standard Time", "Pacific/Apia"},
    {"Line Islands Standard Time", "Pacific/Kiritimati"},
    {"Magadan Standard Time", "Asia/Magadan"},
    {"Ekaterinburg Standard Time", "Asia/Yekaterinburg"},
    {"Belarus Standard Time", "Europe/Minsk"},
};

// Windows display names as Outlook writes them after "(UTC+01:00) " or
// "(GMT+01:00) ", e.g. TZID="(UTC-05:00) Eastern Time (US & Canada)".
// Keys are normalised by normaliseDisplayName().
constexpr std::pair<std::string_view, std::string_view> kDisplayNames[] = {
    {"eastern time (us & canada)", "America/New_York"},
    {"central time (us & canada)", "America/Chicago"},
    {"mountain time (us & canada)", "America/Denver"},
    {"pacific time (us & canada)", "America/Los_Angeles"},
    {"pacific time (us & canada), tijuana", "America/Los_Angeles"},
    {"pacific time (us & canada); tijuana", "America/Los_Angeles"},
    {"atlantic time (canada)", "America/Halifax"},
    {"alaska", "America/Anchorage"},
    {"hawaii", "Pacific/Honolulu"},
    {"arizona", "America/Phoenix"},
    {"amsterdam, berlin, bern, rome, stockholm, vienna", "Europe/Berlin"},
    {"brussels, copenhagen, madrid, paris", "Europe/Paris"},
    {"belgrade, bratislava, budapest, ljubljana, prague", "Europe/Budapest"},
    {"sarajevo, skopje, warsaw, zagreb", "Europe/Warsaw"},
    {"dublin, edinburgh, lisbon, london", "Europe/London"},
    {"greenwich mean time : dublin, edinburgh, lisbon, london", "Europe/London"},
    {"athens, bucharest", "Europe/Bucharest"},
    {"helsinki, kyiv, riga, sofia, tallinn, vilnius", "Europe/Helsinki"},
    {"moscow, st. petersburg", "Europe/Moscow"},
    {"istanbul", "Europe/Istanbul"},
    {"jerusalem", "Asia/Jerusalem"},
    {"abu dhabi, muscat", "Asia/Dubai"},
    {"chennai, kolkata, mumbai, new delhi", "Asia/Kolkata"},
    {"bangkok, hanoi, jakarta", "Asia/Bangkok"},
    {"beijing, chongqing, hong kong, urumqi", "Asia/Shanghai"},
    {"kuala lumpur, singapore", "Asia/Singapore"},
    {"osaka, sapporo, tokyo", "Asia/Tokyo"},
    {"seoul", "Asia/Seoul"},
    {"brisbane", "Australia/Brisbane"},
    {"canberra, melbourne, sydney", "Australia/Sydney"},
    {"auckland, wellington", "Pacific/Auckland"},
    {"brasilia", "America/Sao_Paulo"},
    {"buenos aires", "America/Argentina/Buenos_Aires"},
    {"coordinated universal time", "UTC"},
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "(UTC-05:00) Eastern Time (US and Canada)" -> "eastern time (us & canada)".
std::string normaliseDisplayName(std::string_view s) {
  s = trim(s);
  if (s.size() > 4 && s.front() == '(' && (s.substr(1, 3) == "UTC" || s.substr(1, 3) == "GMT")) {
    const auto close = s.find(')');
    if (close == std::string_view::npos) return {};
    s = trim(s.substr(close + 1));
  }
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t pos; (pos = out.find(" and ")) != std::string::npos;) out.replace(pos, 5, " & ");
  return out;
}

bool isUtcName(std::string_view s) {
  return iequals(s, "UTC") || iequals(s, "GMT") || iequals(s, "Z") || iequals(s, "Etc/UTC") ||
         iequals(s, "Etc/GMT") || iequals(s, "Etc/Zulu") || iequals(s, "Zulu") ||
         iequals(s, "Etc/Universal") || iequals(s, "Universal") || iequals(s, "UCT") ||
         iequals(s, "Etc/UCT") || iequals(s, "Etc/Greenwich") || iequals(s, "Greenwich");
}

// All libical time zone state lives behind this one lock (see Zones.h).
struct ZoneDb {
  std::mutex mutex;
  std::unordered_map<std::string, icaltimezone*> builtin;  // nullptr: not found
  std::unordered_map<std::string, std::optional<std::string>> canonical;
  std::map<std::pair<std::string, int>, std::string> vtimezones;
};

ZoneDb& zoneDb() {
  // Function-local static: constructed once, thread-safely (C++11). The
  // state it guards is libical's, which is process-wide anyway.
  static ZoneDb db;
  return db;
}

// Caller holds db.mutex.
icaltimezone* builtinLocked(ZoneDb& db, const std::string& name) {
  if (auto it = db.builtin.find(name); it != db.builtin.end()) return it->second;
  icaltimezone* z = nullptr;
  if (name == "UTC")
    z = icaltimezone_get_utc_timezone();
  else if (!name.empty() && name.size() < 128 && name.find('\0') == std::string::npos)
    z = icaltimezone_get_builtin_timezone(name.c_str());
  // Names come from untrusted files: remember misses only up to a bound.
  if (z || db.builtin.size() < 4096) db.builtin.emplace(name, z);
  return z;
}

std::optional<std::string> canonicalLocked(ZoneDb& db, std::string_view raw) {
  std::string key(raw);
  if (auto it = db.canonical.find(key); it != db.canonical.end()) return it->second;
  std::optional<std::string> result;
  const std::string_view s = trim(raw);
  if (s.empty()) {
    // nothing
  } else if (isUtcName(s)) {
    result = "UTC";
  } else if (builtinLocked(db, std::string(s))) {
    result = std::string(s);
  } else {
    for (const auto& [win, iana] : kWindowsZones)
      if (iequals(win, s)) {
        result = std::string(iana);
        break;
      }
    if (!result) {
      const std::string norm = normaliseDisplayName(s);
      for (const auto& [display, iana] : kDisplayNames)
        if (display == norm) {
          result = std::string(iana);
          break;
        }
    }
    // Prefixed forms: "/freeassociation.sourceforge.net/Europe/Paris",
    // "/softwarestudio.org/Olson_20011030_5/America/New_York",
    // "/mozilla.org/20050126_1/Europe/Berlin": try each path suffix.
    if (!result && s.find('/') != std::string_view::npos) {
      for (std::size_t pos = s.find('/'); pos != std::string_view::npos;
           pos = s.find('/', pos + 1)) {
        const std::string suffix(s.substr(pos + 1));
        if (suffix.empty()) break;
        if (isUtcName(suffix)) {
          result = "UTC";
          break;
        }
        if (suffix.find('/') != std::string::npos && builtinLocked(db, suffix)) {
          result = suffix;
          break;
        }
      }
    }
    if (result && *result != "UTC" && !builtinLocked(db, *result)) result.reset();
  }
  if (result || db.canonical.size() < 4096) db.canonical.emplace(std::move(key), result);
  return result;
}

// Merges an observance whose RRULE has an UNTIL with the next observance of
// the same kind that continues the very same rule (libical cuts the tzdata
// rules at 2037 when it reads TZif files), so the output looks like the
// two-observance VTIMEZONEs Google and Apple write.
void mergeContinuations(icalcomponent* vtz) {
  auto ruleText = [](icalcomponent* obs, bool dropUntil) -> std::string {
    icalproperty* p = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
    if (!p) return {};
    icalrecurrencetype r = icalproperty_get_rrule(p);
    if (dropUntil) r.until = icaltime_null_time();
    return detail::takeString(icalrecurrencetype_as_string_r(&r));
  };
  auto text = [](icalcomponent* obs, icalproperty_kind kind) -> std::string {
    icalproperty* p = icalcomponent_get_first_property(obs, kind);
    return p ? detail::takeString(icalproperty_get_value_as_string_r(p)) : std::string();
  };
  bool merged = true;
  while (merged) {
    merged = false;
    std::vector<icalcomponent*> obs;
    for (icalcomponent* c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT))
      obs.push_back(c);
    for (std::size_t i = 0; i < obs.size() && !merged; ++i) {
      icalproperty* rr = icalcomponent_get_first_property(obs[i], ICAL_RRULE_PROPERTY);
      if (!rr || icaltime_is_null_time(icalproperty_get_rrule(rr).until)) continue;
      for (std::size_t j = 0; j < obs.size(); ++j) {
        if (i == j || icalcomponent_isa(obs[i]) != icalcomponent_isa(obs[j])) continue;
        if (icalcomponent_get_first_property(obs[j], ICAL_RDATE_PROPERTY)) continue;
        if (ruleText(obs[i], true) != ruleText(obs[j], true) || ruleText(obs[j], false).empty())
          continue;
        if (text(obs[i], ICAL_TZOFFSETFROM_PROPERTY) != text(obs[j], ICAL_TZOFFSETFROM_PROPERTY) ||
            text(obs[i], ICAL_TZOFFSETTO_PROPERTY) != text(obs[j], ICAL_TZOFFSETTO_PROPERTY) ||
            text(obs[i], ICAL_TZNAME_PROPERTY) != text(obs[j], ICAL_TZNAME_PROPERTY))
          continue;
        // j must start after i's rule ends.
        const icaltimetype untilI = icalproperty_get_rrule(rr).until;
        const icaltimetype startJ = icalcomponent_get_dtstart(obs[j]);
        if (icaltime_compare_date_only(startJ, untilI) < 0) continue;
        icalrecurrencetype r =
            icalproperty_get_rrule(icalcomponent_get_first_property(obs[j], ICAL_RRULE_PROPERTY));
        icalproperty_set_rrule(rr, r);
        icalcomponent_remove_component(vtz, obs[j]);
        icalcomponent_free(obs[j]);
        merged = true;
        break;
      }
    }
  }
}

std::string buildVtimezone(ZoneDb& db, const std::string& iana, int sinceYear) {
  icaltimezone* zone = builtinLocked(db, iana);
  if (!zone) return {};
  icalcomponent* original = icaltimezone_get_component(zone);
  if (!original) return {};
  detail::ComponentPtr copy(icalcomponent_new_clone(original));
  if (icalproperty* tzid = icalcomponent_get_first_property(copy.get(), ICAL_TZID_PROPERTY))
    icalproperty_set_tzid(tzid, iana.c_str());
  icaltimetype start = icaltime_null_time();
  start.year = sinceYear;
  start.month = 1;
  start.day = 1;
  start.zone = icaltimezone_get_utc_timezone();
  icaltimezone_truncate_vtimezone(copy.get(), start, icaltime_null_time(), 0);
  mergeContinuations(copy.get());
  std::string text = detail::takeString(icalcomponent_as_ical_string_r(copy.get()));
  // Normalise line ends to CRLF whatever libical used.
  std::string out;
  out.reserve(text.size() + 64);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n')
      out += "\r\n";
    else
      out += text[i];
  }
  return out;
}

}  // namespace

namespace detail {

icaltimezone* builtinZone(const std::string& iana) {
  ZoneDb& db = zoneDb();
  std::lock_guard lock(db.mutex);
  return builtinLocked(db, iana);
}

int utcOffset(icaltimezone* zone, UnixTime t) {
  if (!zone) return 0;
  ZoneDb& db = zoneDb();
  std::lock_guard lock(db.mutex);
  icaltimetype tt =
      icaltime_from_timet_with_zone(static_cast<time_t>(t), 0, icaltimezone_get_utc_timezone());
  int isDaylight = 0;
  return icaltimezone_get_utc_offset_of_utc_time(zone, &tt, &isDaylight);
}

UnixTime localToUtc(icaltimezone* zone, std::int64_t wall) {
  if (!zone) return wall;
  // Offsets in force a day before and a day after: real zones never change
  // twice within two days, so the reading maps to L - before and/or
  // L - after (RFC 5545 3.3.5: a gap moves forward, an overlap takes the first).
  const int before = utcOffset(zone, wall - 86400);
  const int after = utcOffset(zone, wall + 86400);
  const UnixTime u1 = wall - before;
  const UnixTime u2 = wall - after;
  const bool ok1 = utcOffset(zone, u1) == before;
  const bool ok2 = before == after ? ok1 : utcOffset(zone, u2) == after;
  if (ok1 && ok2) return std::min(u1, u2);
  if (ok1) return u1;
  if (ok2) return u2;
  // In the gap: read with the offset before the transition, which lands the
  // same distance past the transition as the reading is past the gap start.
  return u1;
}

icaltimezone* zoneFromComponent(icalcomponent* vtimezone) {
  if (!vtimezone) return nullptr;
  ZoneDb& db = zoneDb();
  std::lock_guard lock(db.mutex);
  icaltimezone* z = icaltimezone_new();
  if (!z) return nullptr;
  if (!icaltimezone_set_component(z, icalcomponent_new_clone(vtimezone))) {
    icaltimezone_free(z, 1);
    return nullptr;
  }
  return z;
}

}  // namespace detail

bool isKnownZone(std::string_view tzid) {
  if (tzid == "UTC") return true;
  if (tzid.empty()) return false;
  return detail::builtinZone(std::string(tzid)) != nullptr;
}

std::optional<std::string> canonicalZone(std::string_view tzid) {
  ZoneDb& db = zoneDb();
  std::lock_guard lock(db.mutex);
  return canonicalLocked(db, tzid);
}

std::string vtimezone(std::string_view tzid, int sinceYear) {
  ZoneDb& db = zoneDb();
  std::lock_guard lock(db.mutex);
  const auto name = canonicalLocked(db, tzid);
  if (!name || *name == "UTC") return {};
  const auto key = std::make_pair(*name, sinceYear);
  if (auto it = db.vtimezones.find(key); it != db.vtimezones.end()) return it->second;
  std::string text = buildVtimezone(db, *name, sinceYear);
  db.vtimezones.emplace(key, text);
  return text;
}

UnixTime toUnix(const DateTime& dt, std::string_view floatingZone) {
  const std::int64_t wall = detail::wallSeconds(dt);
  if (dt.isUtc()) return wall;
  std::string_view zoneName = (dt.isDate || dt.tzid.empty()) ? floatingZone : dt.tzid;
  if (zoneName.empty() || zoneName == "UTC") return wall;
  auto name = canonicalZone(zoneName);
  // An unknown TZID is read as floating time (see IcalCodec.h).
  if (!name && zoneName != floatingZone && !floatingZone.empty())
    name = canonicalZone(floatingZone);
  if (!name || *name == "UTC") return wall;
  return detail::localToUtc(detail::builtinZone(*name), wall);
}

DateTime fromUnix(UnixTime t, std::string_view tzid) {
  const auto name = canonicalZone(tzid);
  if (!name || *name == "UTC") {
    DateTime dt = detail::wallFromSeconds(t);
    dt.tzid = "UTC";
    return dt;
  }
  const int offset = detail::utcOffset(detail::builtinZone(*name), t);
  DateTime dt = detail::wallFromSeconds(t + offset);
  dt.tzid = *name;
  return dt;
}

}  // namespace creneau::ical
