#pragma once

// One fetcher per source kind (issue 5, item 1). Each reads the source over
// engine/net's HttpClient, applies the source's rules and answers busy
// periods, or why it could not: expected failures are values.

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "engine/busy/BusyRules.h"
#include "engine/busy/BusySource.h"
#include "engine/connections/Connection.h"
#include "engine/connections/ProviderEndpoints.h"

namespace creneau::engine::net {
class HttpClient;
}

namespace creneau::engine::busy {

// What a fetch needs besides the source itself.
struct FetchContext {
  net::HttpClient* http = nullptr;
  connections::TokenSource* tokens = nullptr;  // Google / Microsoft only
  connections::ProviderEndpoints endpoints;
  UnixTime from = 0;  // the refresh window [from, to)
  UnixTime to = 0;
  std::chrono::steady_clock::time_point deadline;  // the refresh's time budget
  std::chrono::milliseconds requestTimeout{30000};
  std::string password;              // CalDAV Basic password, opened; "" none
  OwnEvents own;                     // our exported events, by id
  std::vector<Span> ownSpans;        // our appointments' time, for id-less answers
  std::set<std::string> selfEmails;  // lower case: the employee's addresses
  std::string timeZone = "UTC";      // the employee's zone (all-day, floating)
  // Google / Microsoft: the connection's account and its busy calendars
  // (Google calendar ids; Graph schedule addresses).
  std::string account;
  std::vector<std::string> calendars;
};

struct FetchOutcome {
  bool ok = false;
  std::string error;  // !ok: for the admin, names what to fix; never a secret
  bool notModified = false;
  std::vector<FetchedPeriod> periods;
  UnixTime windowStart = 0;  // what the periods cover
  UnixTime windowEnd = 0;
  std::string etag;
  std::string lastModified;
  std::string mode;  // CalDAV: "free-busy-query" or "calendar-query"
  int requests = 0;  // HTTP requests made (tests check the splitting)
};

// Limits of the providers (shared/contracts, tests/emulators/README.md).
inline constexpr std::size_t kGoogleMaxCalendars = 50;          // calendarExpansionMax
inline constexpr UnixTime kGoogleMaxWindow = 90 * 86400;        // freeBusy timeRangeTooLong
inline constexpr std::size_t kGraphMaxSchedules = 20;           // getSchedule schedules
inline constexpr UnixTime kGraphMaxWindow = 62 * 86400 - 3600;  // "less than 62 days"

[[nodiscard]] FetchOutcome fetchIcs(const SourceRecord& source, const FetchContext& ctx);
[[nodiscard]] FetchOutcome fetchCalDav(const SourceRecord& source, const FetchContext& ctx);
[[nodiscard]] FetchOutcome fetchGoogle(const SourceRecord& source, const FetchContext& ctx);
[[nodiscard]] FetchOutcome fetchGraph(const SourceRecord& source, const FetchContext& ctx);
[[nodiscard]] FetchOutcome fetchSource(const SourceRecord& source, const FetchContext& ctx);

// [from, to) cut into pieces of at most `max` seconds, in order.
[[nodiscard]] std::vector<Span> splitWindow(UnixTime from, UnixTime to, UnixTime max);

// The FREEBUSY periods of VFREEBUSY components in iCalendar text (a CalDAV
// free-busy-query answer): BUSY, BUSY-UNAVAILABLE, and BUSY-TENTATIVE when
// `tentativeBusy`; FREE never. Periods are read through the ical layer.
[[nodiscard]] std::vector<FetchedPeriod> freeBusyPeriods(std::string_view text, bool tentativeBusy);

}  // namespace creneau::engine::busy
