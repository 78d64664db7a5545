#pragma once

// Busy sources of an employee (issue 5, item 1) and what the store keeps of
// them: configuration, rules, the state of the last refresh and the cached
// busy periods. Value types only; BusyStore reads and writes them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/Domain.h"

namespace creneau::engine::busy {

enum class SourceKind {
  CalDav,     // an external CalDAV calendar: free-busy-query, else calendar-query
  Ics,        // any ICS URL, conditional GET with ETag / Last-Modified
  Google,     // Google Calendar freeBusy over the connection's busy calendars
  Microsoft,  // Microsoft Graph getSchedule over the connection's schedules
};

[[nodiscard]] std::string_view kindName(SourceKind kind);  // "caldav", "ics", ...
[[nodiscard]] std::optional<SourceKind> parseKind(std::string_view name);

// Which events count as busy (issue 5, item 2). Always: only opaque events,
// never cancelled ones, never invitations the employee declined, never
// Créneau's own exported events; Graph: showAs free / workingElsewhere never.
struct BusyRules {
  bool tentativeBusy = false;  // TENTATIVE (Google/Graph: tentative) counts
  bool allDayBusy = false;     // all-day (DATE) events count
  bool operator==(const BusyRules&) const = default;
};

enum class SourceStatus { Never, Ok, Error };
[[nodiscard]] std::string_view statusName(SourceStatus s);  // "never", "ok", "error"

// What a new source needs. CalDAV: url (the calendar collection), optional
// username and password (Basic). ICS: url. Google / Microsoft: connectionId.
struct NewSource {
  Id employeeId = 0;
  SourceKind kind = SourceKind::Ics;
  std::string label;
  std::string url;
  std::string username;
  std::string sealedPassword;  // SecretBox-sealed, "" when none
  Id connectionId = 0;
  BusyRules rules;
};

struct SourceRecord {
  Id id = 0;
  Id employeeId = 0;
  std::string employeeExternalId;
  SourceKind kind = SourceKind::Ics;
  std::string label;
  std::string url;
  std::string username;
  std::string sealedPassword;
  Id connectionId = 0;
  BusyRules rules;
  UnixTime createdAt = 0;
  // State of the last refresh.
  SourceStatus status = SourceStatus::Never;
  std::string message;      // error: what went wrong (never a secret)
  UnixTime errorSince = 0;  // error: first failure of the current run
  UnixTime fetchedAt = 0;   // last successful read (0: never)
  UnixTime attemptedAt = 0;
  UnixTime windowStart = 0;  // the span the cached periods cover
  UnixTime windowEnd = 0;
  std::string etag;
  std::string lastModified;
  std::string mode;  // CalDAV: "free-busy-query" or "calendar-query"
  std::int64_t fetchMs = 0;
  std::int64_t periodCount = 0;

  // "Google (3)" style name for reasons and listings.
  [[nodiscard]] std::string displayName() const;
  bool operator==(const SourceRecord&) const = default;
};

// One busy span read from a source, [start, end) in UTC.
struct FetchedPeriod {
  UnixTime start = 0;
  UnixTime end = 0;
  std::string summary;  // empty when the source gives no titles (free/busy)
  bool operator==(const FetchedPeriod&) const = default;
};

// A cached period with the source it came from.
struct CachedPeriod {
  Id sourceId = 0;
  UnixTime start = 0;
  UnixTime end = 0;
  std::string summary;
  bool operator==(const CachedPeriod&) const = default;
};

// What slot queries do while a busy source of the employee is unverified.
enum class Policy { Hide, Mark };
[[nodiscard]] std::string_view policyName(Policy p);  // "hide", "mark"
[[nodiscard]] std::optional<Policy> parsePolicy(std::string_view text);

// Setting keys of the busy module (store settings).
namespace keys {
inline constexpr const char* kUnverifiedPolicy = "busy.unverified_policy";  // hide | mark
inline constexpr const char* kMaxAge = "busy.max_age_sec";    // older caches are unverified
inline constexpr const char* kDaysAhead = "busy.days_ahead";  // refresh window
}  // namespace keys

}  // namespace creneau::engine::busy
