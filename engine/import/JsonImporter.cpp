#include "engine/import/JsonImporter.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "engine/import/IsoDateTime.h"
#include "engine/import/JsonPositions.h"
#include "engine/store/Store.h"
#include "ical/TimeZones.h"

namespace creneau::engine {

namespace {

using json::elementPath;
using json::memberPath;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxIdLength = 255;

enum class Need { Optional, Required };

// The fields each record may have, in the order the schema lists them.
const std::initializer_list<const char*> kTopKeys = {"$schema",      "version",  "employees",
                                                     "customers",    "services", "locations",
                                                     "appointments", "events"};
const std::initializer_list<const char*> kEmployeeKeys = {"id",    "firstName", "lastName", "email",
                                                          "phone", "timeZone",  "schedule"};
const std::initializer_list<const char*> kScheduleKeys = {"weekly", "daysOff", "special"};
const std::initializer_list<const char*> kWeekdayKeys = {"mon", "tue", "wed", "thu",
                                                         "fri", "sat", "sun"};
const std::initializer_list<const char*> kCustomerKeys = {"id",    "firstName", "lastName",
                                                          "email", "phone",     "note"};
const std::initializer_list<const char*> kServiceKeys = {
    "id",       "name",  "description", "duration",    "bufferBefore", "bufferAfter",
    "capacity", "price", "currency",    "slotStepMin", "minNoticeMin", "horizonDays"};
const std::initializer_list<const char*> kLocationKeys = {"id", "name", "address"};
const std::initializer_list<const char*> kAppointmentKeys = {
    "id",       "service", "employee",      "location", "start",      "end",    "status",
    "bookings", "notes",   "internalNotes", "price",    "meetingUrl", "deleted"};
const std::initializer_list<const char*> kBookingKeys = {"id", "customer", "persons", "status",
                                                         "price"};
const std::initializer_list<const char*> kEventKeys = {
    "id",     "name",     "description", "periods", "organizer",  "staff",  "location",
    "status", "capacity", "bookings",    "price",   "meetingUrl", "deleted"};
const std::initializer_list<const char*> kPeriodKeys = {"id", "start", "end"};

std::string inQuotes(std::string_view s) {
  std::string out = "\"";
  if (s.size() > 60) {
    out += s.substr(0, 57);
    out += "...";
  } else {
    out += s;
  }
  return out + "\"";
}

std::string describe(const Var& v) {
  if (v.isEmpty()) return "null";
  if (v.type() == typeid(bool)) return "true/false";
  if (v.isString()) return "text " + inQuotes(v.extract<std::string>());
  if (v.isNumeric()) return "the number " + v.convert<std::string>();
  if (v.type() == typeid(Object::Ptr) || v.type() == typeid(Object)) return "an object";
  if (v.type() == typeid(Array::Ptr) || v.type() == typeid(Array)) return "an array";
  return "a value of another type";
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool plausibleEmail(std::string_view e) {
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos)
    return false;
  const auto domain = e.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos)
    return false;
  for (const char c : e)
    if (static_cast<unsigned char>(c) <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' ||
        c == '"' || c == '(' || c == ')')
      return false;
  return true;
}

bool plausibleDecimal(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0 || i > 15) return false;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  const std::size_t dot = i++;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i == s.size() && i - dot - 1 >= 1 && i - dot - 1 <= 6;
}

bool hasControlCharacters(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string wallText(const ical::DateTime& d) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day, d.hour,
                d.minute, d.second);
  return buf;
}

bool sameWall(const ical::DateTime& a, const ical::DateTime& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
         a.minute == b.minute && a.second == b.second;
}

std::string offsetText(long long seconds) {
  const char sign = seconds < 0 ? '-' : '+';
  seconds = std::llabs(seconds);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", sign, seconds / 3600, (seconds % 3600) / 60);
  return buf;
}

// How local (offset-less) date-times of a record are read.
struct ZoneContext {
  std::string zone;     // IANA name; empty: none available
  bool broken = false;  // the zone's owner is itself in error: stay quiet
  std::string owner;    // "the employee", "the organizer" ... for messages
};

// An issue before its position is known: `anchor` is the path of a value
// that exists in the text (for a missing field, its object).
struct Pending {
  ImportIssue issue;
  std::string anchor;
};

class Reader {
 public:
  Reader(const Store* store, const JsonImportOptions& options) : store_(store), options_(options) {}

  void read(const Var& rootVar) {
    if (rootVar.type() != typeid(Object::Ptr)) {
      error("", "the file must hold one JSON object: {\"version\": 1, \"employees\": [...], ...}");
      return;
    }
    const auto root = rootVar.extract<Object::Ptr>();
    checkKeys(root, "", kTopKeys);
    if (!root->has("version")) {
      error("version", "missing required field \"version\": add \"version\": 1", "");
    } else if (const auto v = integer(root, "version", "", Need::Required, 1,
                                      std::numeric_limits<int>::max())) {
      if (*v > JsonImporter::kFormatVersion)
        error("version", "format version " + std::to_string(*v) +
                             " is newer than this build of creneau reads (" +
                             std::to_string(JsonImporter::kFormatVersion) + "): upgrade creneau");
      else if (*v != JsonImporter::kFormatVersion)
        error("version", "unknown format version " + std::to_string(*v) + ": write \"version\": 1");
    }
    if (root->has("$schema") && !root->get("$schema").isString())
      error("$schema", "\"$schema\" must be text (a URL or path of the JSON Schema)");

    section(root, "employees", [&](const Object::Ptr& o, const std::string& p) { employee(o, p); });
    section(root, "customers", [&](const Object::Ptr& o, const std::string& p) { customer(o, p); });
    section(root, "services", [&](const Object::Ptr& o, const std::string& p) { service(o, p); });
    section(root, "locations", [&](const Object::Ptr& o, const std::string& p) { location(o, p); });
    section(root, "appointments",
            [&](const Object::Ptr& o, const std::string& p) { appointment(o, p); });
    section(root, "events", [&](const Object::Ptr& o, const std::string& p) { event(o, p); });
  }

  void error(const std::string& path, std::string message, std::optional<std::string> anchor = {}) {
    add(errors_, ImportIssue::Severity::Error, path, std::move(message), std::move(anchor));
  }
  void warn(const std::string& path, std::string message) {
    add(warnings_, ImportIssue::Severity::Warning, path, std::move(message), {});
  }

  ImportBatch batch_;
  std::vector<Pending> errors_;
  std::vector<Pending> warnings_;
  bool truncated_ = false;

 private:
  void add(std::vector<Pending>& list, ImportIssue::Severity sev, const std::string& path,
           std::string message, std::optional<std::string> anchor) {
    if (list.size() >= options_.maxErrors) {
      if (sev == ImportIssue::Severity::Error) truncated_ = true;
      return;
    }
    list.push_back(
        Pending{ImportIssue{sev, 0, 0, path, std::move(message)}, anchor ? *anchor : path});
  }

  // ---- field readers ----------------------------------------------------

  void checkKeys(const Object::Ptr& o, const std::string& path,
                 std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : *o) {
      (void)value;
      if (std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
        continue;
      std::string best;
      std::size_t bestDistance = 3;
      std::string list;
      for (const char* a : allowed) {
        if (std::string_view(a) == "$schema") continue;
        list += (list.empty() ? "" : ", ") + std::string(a);
        const auto d = editDistance(key, a);
        if (d < bestDistance) {
          bestDistance = d;
          best = a;
        }
      }
      std::string msg = "unknown field " + inQuotes(key);
      msg += best.empty() ? "" : ": did you mean \"" + best + "\"?";
      msg += " (allowed: " + list + ")";
      error(memberPath(path, key), std::move(msg));
    }
  }

  static bool textOrAbsent(const Object::Ptr& o, const char* key) {
    return !o->has(key) || o->get(key).isEmpty() || o->get(key).isString();
  }

  // The value of `key`, or nullopt (and an error when required) when it is
  // missing or null.
  std::optional<Var> field(const Object::Ptr& o, const char* key, const std::string& path,
                           Need need) {
    if (!o->has(key) || o->get(key).isEmpty()) {
      if (need == Need::Required)
        error(memberPath(path, key),
              std::string("missing required field \"") + key + "\"" +
                  (o->has(key) ? " (it is null)" : ""),
              o->has(key) ? memberPath(path, key) : path);
      return std::nullopt;
    }
    return o->get(key);
  }

  std::optional<std::string> text(const Object::Ptr& o, const char* key, const std::string& path,
                                  Need need, bool nonEmpty = false) {
    const auto v = field(o, key, path, need);
    if (!v) return std::nullopt;
    const auto p = memberPath(path, key);
    if (!v->isString()) {
      error(p, std::string("\"") + key + "\" must be text, not " + describe(*v));
      return std::nullopt;
    }
    auto s = v->extract<std::string>();
    if (nonEmpty && s.find_first_not_of(" \t\r\n") == std::string::npos) {
      error(p, std::string("\"") + key + "\" must not be empty");
      return std::nullopt;
    }
    return s;
  }

  // An external id: text or a whole number (converted to text).
  std::optional<std::string> externalId(const Var& v, const std::string& p) {
    std::string s;
    if (v.isString()) {
      s = v.extract<std::string>();
    } else if (v.isInteger()) {
      s = v.convert<std::string>();
    } else {
      error(p, "an id must be text or a whole number, not " + describe(v));
      return std::nullopt;
    }
    if (s.empty() || s.find_first_not_of(' ') == std::string::npos) {
      error(p, "an id must not be empty");
      return std::nullopt;
    }
    if (s.size() > kMaxIdLength || hasControlCharacters(s)) {
      error(p, "an id must be at most 255 bytes without control characters");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::string> externalId(const Object::Ptr& o, const char* key,
                                        const std::string& path, Need need) {
    const auto v = field(o, key, path, need);
    if (!v) return std::nullopt;
    return externalId(*v, memberPath(path, key));
  }

  std::optional<long long> integer(const Object::Ptr& o, const char* key, const std::string& path,
                                   Need need, long long min, long long max) {
    const auto v = field(o, key, path, need);
    if (!v) return std::nullopt;
    const auto p = memberPath(path, key);
    long long n = 0;
    bool whole = false;
    if (v->isInteger()) {
      if (v->isSigned()) {
        n = v->convert<long long>();
        whole = true;
      } else if (v->convert<unsigned long long>() <=
                 static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
        n = static_cast<long long>(v->convert<unsigned long long>());
        whole = true;
      } else {
        n = std::numeric_limits<long long>::max();
        whole = true;
      }
    } else if (v->isNumeric() && v->type() != typeid(bool)) {
      const double d = v->convert<double>();
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15) {
        n = static_cast<long long>(d);
        whole = true;
      }
    }
    if (!whole) {
      error(p, std::string("\"") + key + "\" must be a whole number, not " + describe(*v));
      return std::nullopt;
    }
    if (n < min || n > max) {
      error(p, std::string("\"") + key + "\" is " + std::to_string(n) + ": it must be " +
                   (max == std::numeric_limits<int>::max()
                        ? "at least " + std::to_string(min)
                        : "between " + std::to_string(min) + " and " + std::to_string(max)));
      return std::nullopt;
    }
    return n;
  }

  std::optional<bool> boolean(const Object::Ptr& o, const char* key, const std::string& path) {
    const auto v = field(o, key, path, Need::Optional);
    if (!v) return std::nullopt;
    if (v->type() != typeid(bool)) {
      error(memberPath(path, key),
            std::string("\"") + key + "\" must be true or false, not " + describe(*v));
      return std::nullopt;
    }
    return v->extract<bool>();
  }

  // A price: decimal text ("45.00") or a number (45, 45.5), kept as text.
  std::string decimal(const Object::Ptr& o, const char* key, const std::string& path) {
    const auto v = field(o, key, path, Need::Optional);
    if (!v) return {};
    const auto p = memberPath(path, key);
    if (v->isString()) {
      auto s = v->extract<std::string>();
      if (!s.empty() && !plausibleDecimal(s)) {
        error(p, std::string("\"") + key + "\" " + inQuotes(s) +
                     " is not a price: write digits with an optional decimal point, "
                     "such as \"45.00\"");
        return {};
      }
      return s;
    }
    if (v->isInteger() && v->isSigned() && v->convert<long long>() >= 0)
      return v->convert<std::string>();
    if (v->isInteger() && !v->isSigned()) return v->convert<std::string>();
    if (v->isNumeric() && v->type() != typeid(bool)) {
      const double d = v->convert<double>();
      if (std::isfinite(d) && d >= 0 && d < 1e15) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
        return std::string(buf, r.ptr);
      }
    }
    error(p, std::string("\"") + key + "\" must be a price of 0 or more (\"45.00\" or 45), not " +
                 describe(*v));
    return {};
  }

  std::optional<Status> status(const Object::Ptr& o, const char* key, const std::string& path,
                               Need need) {
    const auto s = text(o, key, path, need);
    if (!s) return std::nullopt;
    static constexpr std::string_view kNames[] = {"approved", "pending", "canceled", "rejected",
                                                  "no-show"};
    for (const auto n : kNames)
      if (*s == n) return parseStatus(n);
    error(memberPath(path, key), "unknown status " + inQuotes(*s) +
                                     ": use one of approved, pending, canceled, rejected, no-show");
    return std::nullopt;
  }

  std::string email(const Object::Ptr& o, const std::string& path) {
    auto e = text(o, "email", path, Need::Optional).value_or("");
    if (!e.empty() && !plausibleEmail(e)) {
      error(memberPath(path, "email"),
            inQuotes(e) + " is not an e-mail address: write name@example.com, or leave it out");
      return {};
    }
    return e;
  }

  std::string url(const Object::Ptr& o, const char* key, const std::string& path) {
    auto u = text(o, key, path, Need::Optional).value_or("");
    if (u.empty()) return u;
    bool ok = false;
    try {
      const Poco::URI uri(u);
      ok = (uri.getScheme() == "https" || uri.getScheme() == "http") && !uri.getHost().empty();
    } catch (const Poco::Exception&) {
      ok = false;
    }
    if (!ok || hasControlCharacters(u)) {
      error(memberPath(path, key),
            inQuotes(u) + " is not a web address: write a full https:// URL, or leave it out");
      return {};
    }
    return u;
  }

  Array::Ptr array(const Object::Ptr& o, const char* key, const std::string& path, Need need) {
    const auto v = field(o, key, path, need);
    if (!v) return nullptr;
    if (v->type() != typeid(Array::Ptr)) {
      error(memberPath(path, key),
            std::string("\"") + key + "\" must be an array [...], not " + describe(*v));
      return nullptr;
    }
    return v->extract<Array::Ptr>();
  }

  template <typename F>
  void elements(const Array::Ptr& a, const std::string& path, const char* what, F&& each) {
    if (!a) return;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto p = elementPath(path, i);
      const Var v = a->get(static_cast<unsigned int>(i));
      if (v.type() != typeid(Object::Ptr)) {
        error(p, std::string("each entry must be ") + what + " object {...}, not " + describe(v));
        continue;
      }
      each(v.extract<Object::Ptr>(), p);
    }
  }

  template <typename F>
  void section(const Object::Ptr& root, const char* key, F&& each) {
    const auto a = array(root, key, "", Need::Optional);
    elements(a, key, "an", each);
  }

  // ---- references ---------------------------------------------------------

  // Records a file-level id; false (and an error) when it was seen before.
  bool unique(std::unordered_map<std::string, std::string>& seen, const std::string& ext,
              const std::string& path, const char* kind) {
    const auto [it, inserted] = seen.emplace(ext, path);
    if (!inserted)
      error(memberPath(path, "id"), std::string("duplicate ") + kind + " id " + inQuotes(ext) +
                                        ": " + it->second + " has the same id");
    return inserted;
  }

  const Employee* storedEmployee(const std::string& ext) {
    if (!store_) return nullptr;
    auto it = storedEmployees_.find(ext);
    if (it == storedEmployees_.end())
      it = storedEmployees_.emplace(ext, store_->employeeByExternalId(ext)).first;
    return it->second ? &*it->second : nullptr;
  }

  template <typename T, typename Lookup>
  bool inStore(std::unordered_map<std::string, std::optional<T>>& cache, const std::string& ext,
               Lookup&& lookup) {
    if (!store_) return false;
    auto it = cache.find(ext);
    if (it == cache.end()) it = cache.emplace(ext, lookup(ext)).first;
    return it->second.has_value();
  }

  // Resolves a reference to an employee; its zone (for local times) goes to `zone`.
  std::optional<std::string> employeeRef(const Object::Ptr& o, const char* key,
                                         const std::string& path, Need need, ZoneContext* zone) {
    const auto ext = externalId(o, key, path, need);
    if (!ext) {
      if (zone && zone->zone.empty() && o->has(key) && !o->get(key).isEmpty()) zone->broken = true;
      return std::nullopt;
    }
    return employeeRef(*ext, memberPath(path, key), zone);
  }

  std::optional<std::string> employeeRef(const std::string& ext, const std::string& p,
                                         ZoneContext* zone) {
    if (auto it = fileEmployees_.find(ext); it != fileEmployees_.end()) {
      if (zone && zone->zone.empty() && !zone->broken) {
        if (it->second.empty())
          zone->broken = true;  // its time zone is in error
        else
          zone->zone = it->second;
      }
      return ext;
    }
    if (const Employee* e = storedEmployee(ext)) {
      if (zone && zone->zone.empty() && !zone->broken) zone->zone = e->timeZone;
      return ext;
    }
    error(p, "no employee with id " + inQuotes(ext) +
                 ": add it to \"employees\" or use the id of an existing employee");
    if (zone && zone->zone.empty()) zone->broken = true;
    return std::nullopt;
  }

  std::optional<std::string> ref(const Object::Ptr& o, const char* key, const std::string& path,
                                 Need need, const char* kind, const char* section,
                                 const std::unordered_map<std::string, std::string>& inFile,
                                 const std::function<bool(const std::string&)>& stored) {
    const auto ext = externalId(o, key, path, need);
    if (!ext) return std::nullopt;
    if (inFile.count(*ext) || stored(*ext)) return ext;
    error(memberPath(path, key), std::string("no ") + kind + " with id " + inQuotes(*ext) +
                                     ": add it to \"" + section + "\" or use the id of an " +
                                     "existing " + kind);
    return std::nullopt;
  }

  std::optional<std::string> serviceRef(const Object::Ptr& o, const std::string& path) {
    return ref(o, "service", path, Need::Required, "service", "services", fileServices_,
               [&](const std::string& ext) {
                 return inStore(storedServices_, ext, [&](const std::string& e) {
                   return store_->serviceByExternalId(e);
                 });
               });
  }

  std::optional<std::string> locationRef(const Object::Ptr& o, const std::string& path) {
    return ref(o, "location", path, Need::Optional, "location", "locations", fileLocations_,
               [&](const std::string& ext) {
                 return inStore(storedLocations_, ext, [&](const std::string& e) {
                   return store_->locationByExternalId(e);
                 });
               });
  }

  std::optional<std::string> customerRef(const Object::Ptr& o, const std::string& path) {
    return ref(o, "customer", path, Need::Required, "customer", "customers", fileCustomers_,
               [&](const std::string& ext) {
                 return inStore(storedCustomers_, ext, [&](const std::string& e) {
                   return store_->customerByExternalId(e);
                 });
               });
  }

  // ---- date-times -----------------------------------------------------------

  std::optional<UnixTime> instant(const Object::Ptr& o, const char* key, const std::string& path,
                                  const ZoneContext& zone) {
    const auto s = text(o, key, path, Need::Required);
    if (!s) return std::nullopt;
    const auto p = memberPath(path, key);
    std::string why;
    const auto t = parseIsoDateTime(*s, &why);
    if (!t) {
      error(p, why);
      return std::nullopt;
    }
    if (t->offsetSeconds) return instantOf(*t);
    if (zone.broken) return std::nullopt;  // reported where the zone comes from
    if (zone.zone.empty()) {
      error(p, inQuotes(*s) + " has no UTC offset and " + zone.owner +
                   " gives no time zone to read it in: add Z or an offset such as +01:00");
      return std::nullopt;
    }
    ical::DateTime local = t->wall;
    local.tzid = zone.zone;
    const UnixTime at = ical::toUnix(local, zone.zone);
    const ical::DateTime back = ical::fromUnix(at, zone.zone);
    const auto wall = wallText(t->wall);
    if (!sameWall(back, t->wall)) {
      warn(p, "local time " + wall + " does not exist in " + zone.zone +
                  " (the clocks move forward): read as " + wallText(back) +
                  "; write an offset to say what you mean");
    } else {
      for (const long long shift : {-3600LL, 3600LL, -1800LL, 1800LL}) {
        if (!sameWall(ical::fromUnix(at + shift, zone.zone), t->wall)) continue;
        const long long offset = instantOf(IsoDateTime{t->wall, 0}) - at;
        warn(p, "local time " + wall + " happens twice in " + zone.zone +
                    " (the clocks move back): read as " + wall + offsetText(offset) +
                    "; write an offset to say which one");
        break;
      }
    }
    return at;
  }

  // ---- working hours (the slot engine's "schedule") -------------------------

  // "HH:MM", 00:00 to 23:59, or 24:00 when `endOfDay` is allowed: minutes.
  static std::optional<int> clockTime(const std::string& t, bool endOfDay) {
    if (t.size() != 5 || t[2] != ':') return std::nullopt;
    for (std::size_t i : {0u, 1u, 3u, 4u})
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
    const int h = (t[0] - '0') * 10 + (t[1] - '0');
    const int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (m != 0 || !endOfDay))) return std::nullopt;
    return h * 60 + m;
  }

  // [["09:00", "12:00"], ["13:00", "18:00"]]: sorted, not overlapping.
  std::optional<std::vector<TimeRange>> timeRanges(const Var& v, const std::string& p) {
    if (v.isEmpty()) return std::vector<TimeRange>{};
    if (v.type() != typeid(Array::Ptr)) {
      error(p, "working hours must be a list of [\"HH:MM\", \"HH:MM\"] pairs, not " + describe(v));
      return std::nullopt;
    }
    const auto a = v.extract<Array::Ptr>();
    std::vector<TimeRange> out;
    bool ok = true;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto ep = elementPath(p, i);
      const Var pair = a->get(static_cast<unsigned int>(i));
      Array::Ptr pa = pair.type() == typeid(Array::Ptr) ? pair.extract<Array::Ptr>() : nullptr;
      if (!pa || pa->size() != 2 || !pa->get(0).isString() || !pa->get(1).isString()) {
        error(ep,
              "a range of working hours is a pair [\"09:00\", \"12:00\"], not " + describe(pair));
        ok = false;
        continue;
      }
      const auto from = clockTime(pa->get(0).extract<std::string>(), false);
      const auto to = clockTime(pa->get(1).extract<std::string>(), true);
      if (!from || !to) {
        error(ep, "times are written \"HH:MM\", from 00:00 to 24:00 (24:00 only as an end)");
        ok = false;
        continue;
      }
      if (*to <= *from) {
        error(ep,
              "the range ends before it starts: write [\"start\", \"end\"] within one day "
              "(a night shift is two ranges on two days)");
        ok = false;
        continue;
      }
      out.push_back(TimeRange{*from, *to});
    }
    std::sort(out.begin(), out.end(),
              [](const TimeRange& x, const TimeRange& y) { return x.startMin < y.startMin; });
    for (std::size_t i = 1; i < out.size(); ++i)
      if (out[i].startMin < out[i - 1].endMin) {
        error(p, "working hours overlap: list each range once");
        return std::nullopt;
      }
    if (!ok) return std::nullopt;
    return out;
  }

  std::optional<LocalDate> calendarDay(const std::string& text, const std::string& p) {
    if (auto d = LocalDate::parse(text)) return d;
    error(p, inQuotes(text) + " is not a date: write \"YYYY-MM-DD\", such as \"2026-12-25\"");
    return std::nullopt;
  }

  // "schedule": {"weekly": {"mon": [["09:00", "12:00"]], ...}, "daysOff":
  // ["2026-12-25"], "special": {"2026-12-24": [["09:00", "12:00"]]}}.
  std::optional<WorkSchedule> schedule(const Object::Ptr& o, const std::string& path) {
    const auto v = field(o, "schedule", path, Need::Optional);
    if (!v) return std::nullopt;
    const auto p = memberPath(path, "schedule");
    if (v->type() != typeid(Object::Ptr)) {
      error(p,
            "\"schedule\" must be an object {\"weekly\": {...}, \"daysOff\": [...], "
            "\"special\": {...}}, not " +
                describe(*v));
      return std::nullopt;
    }
    const auto s = v->extract<Object::Ptr>();
    checkKeys(s, p, kScheduleKeys);
    WorkSchedule out;
    bool ok = true;
    if (const auto w = field(s, "weekly", p, Need::Optional)) {
      const auto wp = memberPath(p, "weekly");
      if (w->type() != typeid(Object::Ptr)) {
        error(wp, "\"weekly\" must be an object {\"mon\": [[\"09:00\", \"12:00\"]], ...}, not " +
                      describe(*w));
        ok = false;
      } else {
        const auto wo = w->extract<Object::Ptr>();
        checkKeys(wo, wp, kWeekdayKeys);
        std::size_t day = 0;
        for (const char* name : kWeekdayKeys) {
          if (wo->has(name)) {
            if (auto r = timeRanges(wo->get(name), memberPath(wp, name)))
              out.weekly[day] = std::move(*r);
            else
              ok = false;
          }
          ++day;
        }
      }
    }
    if (const auto off = array(s, "daysOff", p, Need::Optional)) {
      const auto op = memberPath(p, "daysOff");
      for (std::size_t i = 0; i < off->size(); ++i) {
        const auto ep = elementPath(op, i);
        const Var d = off->get(static_cast<unsigned int>(i));
        if (!d.isString()) {
          error(ep, "a day off is a date \"YYYY-MM-DD\", not " + describe(d));
          ok = false;
        } else if (auto date = calendarDay(d.extract<std::string>(), ep)) {
          out.daysOff.push_back(*date);
        } else {
          ok = false;
        }
      }
      std::sort(out.daysOff.begin(), out.daysOff.end());
      out.daysOff.erase(std::unique(out.daysOff.begin(), out.daysOff.end()), out.daysOff.end());
    }
    if (const auto sp = field(s, "special", p, Need::Optional)) {
      const auto spp = memberPath(p, "special");
      if (sp->type() != typeid(Object::Ptr)) {
        error(spp,
              "\"special\" must be an object {\"2026-12-24\": [[\"09:00\", \"12:00\"]]}, not " +
                  describe(*sp));
        ok = false;
      } else {
        for (const auto& [key, value] : *sp->extract<Object::Ptr>()) {
          const auto kp = memberPath(spp, key);
          const auto date = calendarDay(key, kp);
          auto r = timeRanges(value, kp);
          if (date && r)
            out.special[*date] = std::move(*r);
          else
            ok = false;
        }
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // ---- records --------------------------------------------------------------

  void employee(const Object::Ptr& o, const std::string& path) {
    checkKeys(o, path, kEmployeeKeys);
    Employee e;
    const auto ext = externalId(o, "id", path, Need::Required);
    e.firstName = text(o, "firstName", path, Need::Optional).value_or("");
    e.lastName = text(o, "lastName", path, Need::Optional).value_or("");
    if (e.firstName.empty() && e.lastName.empty() && textOrAbsent(o, "firstName") &&
        textOrAbsent(o, "lastName"))
      error(memberPath(path, "firstName"), "an employee needs a \"firstName\" or a \"lastName\"",
            path);
    e.email = email(o, path);
    e.phone = text(o, "phone", path, Need::Optional).value_or("");
    std::string zone;  // stays empty when in error: local times then stay quiet
    if (const auto tz = text(o, "timeZone", path, Need::Required)) {
      if (ical::isKnownZone(*tz)) {
        zone = *tz;
      } else if (const auto canonical = ical::canonicalZone(*tz)) {
        zone = *canonical;
        warn(memberPath(path, "timeZone"),
             "time zone " + inQuotes(*tz) + " read as \"" + zone + "\": write the IANA name");
      } else {
        error(memberPath(path, "timeZone"),
              "unknown time zone " + inQuotes(*tz) +
                  ": use an IANA name such as \"Europe/Paris\" or \"America/New_York\"");
      }
    }
    e.timeZone = zone.empty() ? "UTC" : zone;
    auto hours = schedule(o, path);
    if (!ext) return;
    e.externalId = *ext;
    if (!unique(fileEmployeeIds_, *ext, path, "employee")) return;
    fileEmployees_[*ext] = zone;
    if (hours) {
      hours->timeZone = e.timeZone;
      batch_.schedules.push_back(ScheduleInput{*ext, std::move(*hours)});
    }
    batch_.employees.push_back(std::move(e));
  }

  void customer(const Object::Ptr& o, const std::string& path) {
    checkKeys(o, path, kCustomerKeys);
    Customer c;
    const auto ext = externalId(o, "id", path, Need::Required);
    c.firstName = text(o, "firstName", path, Need::Optional).value_or("");
    c.lastName = text(o, "lastName", path, Need::Optional).value_or("");
    if (c.firstName.empty() && c.lastName.empty() && textOrAbsent(o, "firstName") &&
        textOrAbsent(o, "lastName"))
      error(memberPath(path, "firstName"), "a customer needs a \"firstName\" or a \"lastName\"",
            path);
    c.email = email(o, path);
    c.phone = text(o, "phone", path, Need::Optional).value_or("");
    c.note = text(o, "note", path, Need::Optional).value_or("");
    if (!ext) return;
    c.externalId = *ext;
    if (!unique(fileCustomers_, *ext, path, "customer")) return;
    batch_.customers.push_back(std::move(c));
  }

  void service(const Object::Ptr& o, const std::string& path) {
    checkKeys(o, path, kServiceKeys);
    Service s;
    const auto ext = externalId(o, "id", path, Need::Required);
    s.name = text(o, "name", path, Need::Required, true).value_or("");
    s.description = text(o, "description", path, Need::Optional).value_or("");
    s.durationMin =
        static_cast<int>(integer(o, "duration", path, Need::Required, 1, 7 * 24 * 60).value_or(60));
    s.bufferBeforeMin =
        static_cast<int>(integer(o, "bufferBefore", path, Need::Optional, 0, 24 * 60).value_or(0));
    s.bufferAfterMin =
        static_cast<int>(integer(o, "bufferAfter", path, Need::Optional, 0, 24 * 60).value_or(0));
    s.capacity =
        static_cast<int>(integer(o, "capacity", path, Need::Optional, 1, 100000).value_or(1));
    s.price = decimal(o, "price", path);
    s.currency = text(o, "currency", path, Need::Optional).value_or("");
    if (!s.currency.empty() &&
        (s.currency.size() != 3 || !std::all_of(s.currency.begin(), s.currency.end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; }))) {
      error(memberPath(path, "currency"),
            "currency " + inQuotes(s.currency) +
                " is not an ISO 4217 code such as \"EUR\" or \"USD\"");
      s.currency.clear();
    }
    ServiceSlotSettings slots;
    slots.slotStepMin =
        static_cast<int>(integer(o, "slotStepMin", path, Need::Optional, 1, 24 * 60).value_or(0));
    slots.minNoticeMin = static_cast<int>(
        integer(o, "minNoticeMin", path, Need::Optional, 0, 366 * 24 * 60).value_or(0));
    slots.horizonDays = static_cast<int>(
        integer(o, "horizonDays", path, Need::Optional, 0, 3660).value_or(slots.horizonDays));
    if (!ext) return;
    s.externalId = *ext;
    if (!unique(fileServices_, *ext, path, "service")) return;
    serviceCapacity_[*ext] = s.capacity;
    batch_.slotSettings.push_back(SlotSettingsInput{*ext, slots});
    batch_.services.push_back(std::move(s));
  }

  void location(const Object::Ptr& o, const std::string& path) {
    checkKeys(o, path, kLocationKeys);
    Location l;
    const auto ext = externalId(o, "id", path, Need::Required);
    l.name = text(o, "name", path, Need::Required, true).value_or("");
    l.address = text(o, "address", path, Need::Optional).value_or("");
    if (!ext) return;
    l.externalId = *ext;
    if (!unique(fileLocations_, *ext, path, "location")) return;
    batch_.locations.push_back(std::move(l));
  }

  std::vector<BookingInput> bookings(const Object::Ptr& o, const std::string& path,
                                     Status recordStatus) {
    std::vector<BookingInput> out;
    const auto p = memberPath(path, "bookings");
    std::unordered_map<std::string, std::string> seen;
    elements(array(o, "bookings", path, Need::Optional), p, "a booking",
             [&](const Object::Ptr& b, const std::string& bp) {
               checkKeys(b, bp, kBookingKeys);
               BookingInput in;
               const auto ext = externalId(b, "id", bp, Need::Required);
               const auto customer = customerRef(b, bp);
               in.booking.persons = static_cast<int>(
                   integer(b, "persons", bp, Need::Optional, 1, 10000).value_or(1));
               in.booking.status = status(b, "status", bp, Need::Optional).value_or(recordStatus);
               in.booking.price = decimal(b, "price", bp);
               if (!ext || !customer) return;
               if (!unique(seen, *ext, bp, "booking")) return;
               in.booking.externalId = *ext;
               in.customerExt = *customer;
               out.push_back(std::move(in));
             });
    return out;
  }

  static int activePersons(const std::vector<BookingInput>& list) {
    int n = 0;
    for (const auto& b : list)
      if (b.booking.status != Status::Canceled && b.booking.status != Status::Rejected)
        n += b.booking.persons;
    return n;
  }

  void appointment(const Object::Ptr& o, const std::string& path) {
    checkKeys(o, path, kAppointmentKeys);
    AppointmentInput in;
    const auto ext = externalId(o, "id", path, Need::Required);
    in.deleted = boolean(o, "deleted", path).value_or(false);
    if (ext && !unique(fileAppointments_, *ext, path, "appointment")) return;
    if (in.deleted) {  // {"id": ..., "deleted": true} is enough; the rest is ignored
      if (!ext) return;
      in.appointment.externalId = *ext;
      batch_.appointments.push_back(std::move(in));
      return;
    }
    Appointment& a = in.appointment;
    const auto service = serviceRef(o, path);
    ZoneContext zone{{}, false, "the employee"};
    const auto employee = employeeRef(o, "employee", path, Need::Required, &zone);
    const auto location = locationRef(o, path);
    const auto start = instant(o, "start", path, zone);
    const auto end = instant(o, "end", path, zone);
    if (start && end && *end <= *start)
      error(memberPath(path, "end"),
            "\"end\" must be after \"start\" (" +
                text(o, "start", path, Need::Optional).value_or("") + "): it is " +
                (*end == *start ? "the same instant"
                                : std::to_string((*start - *end) / 60) + " minutes before it"));
    const auto st = status(o, "status", path, Need::Required);
    in.bookings = bookings(o, path, st.value_or(Status::Approved));
    a.notes = text(o, "notes", path, Need::Optional).value_or("");
    a.internalNotes = text(o, "internalNotes", path, Need::Optional).value_or("");
    a.price = decimal(o, "price", path);
    a.meetingUrl = url(o, "meetingUrl", path);
    if (!ext || !service || !employee || !start || !end || !st) return;
    if (service) {
      int capacity = 0;
      if (auto it = serviceCapacity_.find(*service); it != serviceCapacity_.end())
        capacity = it->second;
      else if (auto s = store_ ? store_->serviceByExternalId(*service) : std::nullopt)
        capacity = s->capacity;
      const int persons = activePersons(in.bookings);
      if (capacity > 0 && persons > capacity)
        warn(memberPath(path, "bookings"),
             std::to_string(persons) + " persons booked, but service " + inQuotes(*service) +
                 " takes at most " + std::to_string(capacity));
    }
    a.externalId = *ext;
    a.start = *start;
    a.end = *end;
    a.status = *st;
    in.serviceExt = *service;
    in.employeeExt = *employee;
    in.locationExt = location.value_or("");
    batch_.appointments.push_back(std::move(in));
  }

  void event(const Object::Ptr& o, const std::string& path) {
    checkKeys(o, path, kEventKeys);
    EventInput in;
    const auto ext = externalId(o, "id", path, Need::Required);
    in.deleted = boolean(o, "deleted", path).value_or(false);
    if (ext && !unique(fileEvents_, *ext, path, "event")) return;
    if (in.deleted) {
      if (!ext) return;
      in.event.externalId = *ext;
      batch_.events.push_back(std::move(in));
      return;
    }
    GroupEvent& e = in.event;
    bool ok = ext.has_value();
    e.name = text(o, "name", path, Need::Required, true).value_or("");
    e.description = text(o, "description", path, Need::Optional).value_or("");

    // Local times are read in the organizer's zone, else the first staff member's.
    ZoneContext zone{{}, false, "the event (no organizer or staff)"};
    const auto organizer = employeeRef(o, "organizer", path, Need::Optional, &zone);
    if (o->has("organizer") && !o->get("organizer").isEmpty() && !organizer) ok = false;
    std::unordered_set<std::string> staffSeen;
    const auto staffPath = memberPath(path, "staff");
    if (const auto staff = array(o, "staff", path, Need::Optional)) {
      for (std::size_t i = 0; i < staff->size(); ++i) {
        const auto sp = elementPath(staffPath, i);
        const auto id = externalId(staff->get(static_cast<unsigned int>(i)), sp);
        const auto ref = id ? employeeRef(*id, sp, &zone) : std::nullopt;
        if (!ref) {
          ok = false;
          continue;
        }
        if (!staffSeen.insert(*ref).second) {
          error(sp, "employee " + inQuotes(*ref) + " is listed twice in \"staff\"");
          continue;
        }
        in.staffExt.push_back(*ref);
      }
    }
    const auto location = locationRef(o, path);
    if (o->has("location") && !o->get("location").isEmpty() && !location) ok = false;

    const auto periodsPath = memberPath(path, "periods");
    const auto periods = array(o, "periods", path, Need::Required);
    if (periods && periods->size() == 0) {
      error(periodsPath, "an event needs at least one period {\"start\": ..., \"end\": ...}");
      ok = false;
    }
    if (!periods) ok = false;
    std::unordered_map<std::string, std::string> periodIds;
    elements(periods, periodsPath, "a period", [&](const Object::Ptr& po, const std::string& pp) {
      checkKeys(po, pp, kPeriodKeys);
      EventPeriod period;
      if (po->has("id") && !po->get("id").isEmpty()) {
        const auto id = externalId(po, "id", pp, Need::Optional);
        if (!id || !unique(periodIds, *id, pp, "period")) {
          ok = false;
          return;
        }
        period.externalId = *id;
      }
      const auto start = instant(po, "start", pp, zone);
      const auto end = instant(po, "end", pp, zone);
      if (!start || !end) {
        ok = false;
        return;
      }
      if (*end <= *start) {
        error(memberPath(pp, "end"), "\"end\" must be after \"start\" (" +
                                         text(po, "start", pp, Need::Optional).value_or("") + ")");
        ok = false;
        return;
      }
      period.start = *start;
      period.end = *end;
      e.periods.push_back(std::move(period));
    });
    const auto st = status(o, "status", path, Need::Required);
    e.capacity =
        static_cast<int>(integer(o, "capacity", path, Need::Optional, 1, 100000).value_or(0));
    in.bookings = bookings(o, path, st.value_or(Status::Approved));
    e.price = decimal(o, "price", path);
    e.meetingUrl = url(o, "meetingUrl", path);
    if (!ok || !st) return;
    const int persons = activePersons(in.bookings);
    if (e.capacity > 0 && persons > e.capacity)
      warn(memberPath(path, "bookings"), std::to_string(persons) +
                                             " persons booked, but the event takes at most " +
                                             std::to_string(e.capacity));
    e.externalId = *ext;
    e.status = *st;
    in.organizerExt = organizer.value_or("");
    in.locationExt = location.value_or("");
    batch_.events.push_back(std::move(in));
  }

  const Store* store_;
  const JsonImportOptions& options_;
  // external id -> path of its first record (duplicates name it)
  std::unordered_map<std::string, std::string> fileEmployeeIds_, fileCustomers_, fileServices_,
      fileLocations_, fileAppointments_, fileEvents_;
  std::unordered_map<std::string, std::string> fileEmployees_;  // id -> valid zone or ""
  std::unordered_map<std::string, int> serviceCapacity_;
  std::unordered_map<std::string, std::optional<Employee>> storedEmployees_;
  std::unordered_map<std::string, std::optional<Service>> storedServices_;
  std::unordered_map<std::string, std::optional<Location>> storedLocations_;
  std::unordered_map<std::string, std::optional<Customer>> storedCustomers_;
};

std::vector<ImportIssue> place(std::string_view text, std::vector<Pending>& pending) {
  std::unordered_set<std::string> wanted;
  for (const auto& p : pending) wanted.insert(p.anchor);
  const auto positions = json::locatePaths(text, wanted);
  std::vector<ImportIssue> out;
  out.reserve(pending.size());
  for (auto& p : pending) {
    if (auto it = positions.find(p.anchor); it != positions.end()) {
      p.issue.line = it->second.line;
      p.issue.column = it->second.column;
    }
    out.push_back(std::move(p.issue));
  }
  std::stable_sort(out.begin(), out.end(), [](const ImportIssue& a, const ImportIssue& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return out;
}

std::string sizeText(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

ImportIssue tooLarge(std::size_t size, std::size_t limit) {
  return ImportIssue{ImportIssue::Severity::Error, 0, 0, "",
                     "the file is " + sizeText(size) + ", over the import limit of " +
                         sizeText(limit) + ": split it into several imports"};
}

}  // namespace

JsonImportResult JsonImporter::check(std::string_view text, const Store* store) const {
  JsonImportResult result;
  if (text.size() > options_.maxBytes) {
    result.errors.push_back(tooLarge(text.size(), options_.maxBytes));
    return result;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  if (const auto bad = json::firstInvalidUtf8(text); bad != std::string_view::npos) {
    const auto pos = json::positionOf(text, bad);
    result.errors.push_back(ImportIssue{ImportIssue::Severity::Error, pos.line, pos.column, "",
                                        "the file is not valid UTF-8 here: save it as UTF-8"});
    return result;
  }

  Var root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(std::string(text));
  } catch (const Poco::Exception& e) {
    // Poco gives no position; its parser reads a stream byte by byte, so
    // parsing again from a stream leaves the stream just past the bad byte.
    std::istringstream in{std::string(text)};
    try {
      Poco::JSON::Parser parser;
      parser.parse(in);
    } catch (const Poco::Exception&) {  // the same error, expected
    }
    in.clear();
    const auto consumed = in.tellg();
    std::size_t offset = consumed > 0 ? static_cast<std::size_t>(consumed) - 1 : 0;
    while (offset < text.size() && (text[offset] == ' ' || text[offset] == '\t' ||
                                    text[offset] == '\r' || text[offset] == '\n'))
      ++offset;
    const auto pos = json::positionOf(text, offset);
    result.errors.push_back(ImportIssue{ImportIssue::Severity::Error, pos.line, pos.column, "",
                                        "JSON syntax error: " + e.message()});
    return result;
  }

  Reader reader(store, options_);
  reader.read(root);
  result.errors = place(text, reader.errors_);
  result.warnings = place(text, reader.warnings_);
  if (reader.truncated_)
    result.errors.push_back(
        ImportIssue{ImportIssue::Severity::Error, 0, 0, "",
                    "too many errors: stopped after " + std::to_string(options_.maxErrors)});
  if (result.ok()) result.batch = std::move(reader.batch_);
  return result;
}

ImportBatch JsonImporter::parse(std::string_view text, const Store& store) const {
  auto r = check(text, &store);
  if (!r.ok()) throw ImportError(std::move(r.errors));
  return std::move(r.batch);
}

JsonImportResult JsonImporter::checkFile(const std::filesystem::path& file,
                                         const Store* store) const {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw std::runtime_error("cannot read " + file.string() + ": " + ec.message());
  if (size > options_.maxBytes) {
    JsonImportResult r;
    r.errors.push_back(tooLarge(static_cast<std::size_t>(size), options_.maxBytes));
    return r;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return check(ss.str(), store);
}

ImportBatch JsonImporter::parseFile(const std::filesystem::path& file, const Store& store) const {
  auto r = checkFile(file, &store);
  if (!r.ok()) throw ImportError(std::move(r.errors));
  return std::move(r.batch);
}

std::string formatIssue(const ImportIssue& issue, std::string_view fileName) {
  std::string out(fileName);
  if (issue.line > 0) {
    out += ":" + std::to_string(issue.line);
    if (issue.column > 0) out += ":" + std::to_string(issue.column);
  }
  out += issue.severity == ImportIssue::Severity::Error ? ": error: " : ": warning: ";
  if (!issue.path.empty()) out += issue.path + ": ";
  return out + issue.message;
}

}  // namespace creneau::engine
