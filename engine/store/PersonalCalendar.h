#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/model/Domain.h"

namespace creneau::engine {

// A calendar an employee writes to through CalDAV (DESIGN.md, "CalDAV and
// feed layout"). Its events are busy time unless it is transparent.
struct PersonalCalendar {
  Id id = 0;  // 0: not created yet (the implicit `blocked` calendar)
  Id employeeId = 0;
  std::string slug;  // path segment, e.g. "blocked"
  std::string displayName;
  std::string description;
  std::string color;
  bool transparent = false;
  bool operator==(const PersonalCalendar&) const = default;
};

// Every instance of an object lies inside [first, last): the calendar-query
// index (RFC 4791 9.9 time-range on recurring sets). An RRULE without end
// (or longer than the expansion cap) has last = kFarFuture.
inline constexpr UnixTime kFarFuture = 253402300799;  // 9999-12-31T23:59:59Z
struct ObjectBounds {
  UnixTime first = 0;
  UnixTime last = kFarFuture;
  // false: one instance exactly [first, last) (last = first + 1 for a
  // zero-length one), so a time-range test needs no parsing.
  bool recurring = true;
  bool operator==(const ObjectBounds&) const = default;
};

// One calendar object resource (<name>.ics) of a personal calendar.
struct PersonalObject {
  Id id = 0;
  Id calendarId = 0;
  std::string name;  // "<name>.ics", the change log's uid
  std::string uid;   // the iCalendar UID
  std::string icalText;
  std::string etag;  // strong, quoted: a digest of icalText
  std::int64_t revision = 0;
  UnixTime lastModified = 0;
  ObjectBounds bounds;
  bool operator==(const PersonalObject&) const = default;
};

struct BusyInterval {
  UnixTime start = 0;
  UnixTime end = 0;
  bool operator==(const BusyInterval&) const = default;
};

// The slug and defaults of the calendar every employee has implicitly.
inline constexpr const char* kBlockedSlug = "blocked";
[[nodiscard]] PersonalCalendar blockedCalendarDefaults(Id employeeId);

[[nodiscard]] inline std::string personalCollection(Id calendarId) {
  return "personal:" + std::to_string(calendarId);
}

// A PUT into a personal calendar. The store checks the preconditions inside
// the write transaction.
struct PersonalPut {
  Id employeeId = 0;
  std::string slug;  // the calendar is created on first use when it is `blocked`
  std::string name;  // "<name>.ics"
  std::string uid;
  std::string icalText;
  std::optional<std::string> ifMatch;  // the ETag the object must have
  bool ifNoneMatchStar = false;        // the object must not exist
};

struct PersonalPutResult {
  enum class Outcome { Created, Replaced, PreconditionFailed, UidConflict, NoCalendar };
  Outcome outcome = Outcome::Created;
  PersonalObject object;     // Created / Replaced: the stored object
  std::string conflictName;  // UidConflict: the object holding the UID
};

enum class PersonalDeleteOutcome { Deleted, NotFound, PreconditionFailed };

// A WebDAV property kept verbatim ("dead", RFC 4918 4.2): its Clark name and
// its value as an XML fragment, prefixes declared inside it.
struct DeadProperty {
  std::string name;  // "{http://apple.com/ns/ical/}calendar-order"
  std::string value;
  bool operator==(const DeadProperty&) const = default;
};

// The key dead properties are kept under.
[[nodiscard]] inline std::string appointmentsResource(Id employeeId) {
  return "appointments:" + std::to_string(employeeId);
}
[[nodiscard]] inline std::string personalResource(Id calendarId) {
  return "personal:" + std::to_string(calendarId);
}

// One PROPPATCH (or the property part of a MKCALENDAR), applied in one
// transaction: all of it or nothing (RFC 4918 9.2).
struct PropertyPatch {
  // The resource the dead properties belong to, unless `personal` is set.
  std::string resource;
  // A personal calendar (employee id, slug): the live properties below apply
  // to it, its dead properties are kept under personalResource(its id), and
  // `blocked` is created first when it was never written to.
  std::optional<std::pair<Id, std::string>> personal;
  std::optional<std::string> displayName;  // live properties of a personal calendar
  std::optional<std::string> description;
  std::optional<std::string> color;
  std::optional<bool> transparent;
  std::vector<DeadProperty> set;    // dead properties set, in order
  std::vector<std::string> remove;  // dead properties removed (absent is fine)
};

enum class CreateCalendarOutcome { Created, Exists };

// A plain WebDAV resource kept inside a personal calendar (not calendar
// data): a collection ("notes/") or a file ("notes/a.txt"), any bytes.
struct DavFile {
  Id calendarId = 0;
  std::string path;  // relative to the calendar; collections end in '/'
  bool collection = false;
  std::string content;
  std::string contentType;
  std::string etag;  // strong, quoted
  UnixTime lastModified = 0;
  bool operator==(const DavFile&) const = default;
};

struct DavFilePut {
  Id calendarId = 0;
  std::string path;  // a file path (no trailing '/')
  std::string content;
  std::string contentType;
  std::optional<std::string> ifMatch;
  bool ifNoneMatchStar = false;
};

// NoParent: the collection it would go in does not exist (409, RFC 4918
// 9.7.1 / 9.3.1); Exists: something is already there (MKCOL: 405).
enum class DavFileOutcome { Created, Replaced, PreconditionFailed, NoParent, Exists, IsCollection };

// MOVE / COPY of a file or folder inside one calendar (RFC 4918 9.8, 9.9).
struct DavFileTransfer {
  Id calendarId = 0;
  std::string from;  // an existing path ("a.txt" or "dir/")
  std::string to;    // the destination path, same kind
  bool move = false;
  bool overwrite = true;
};
enum class DavTransferOutcome { Created, Replaced, NotFound, NoParent, PreconditionFailed };

[[nodiscard]] inline std::string davFileResource(Id calendarId, const std::string& path) {
  return "file:" + std::to_string(calendarId) + "/" + path;
}

// Strong ETag of an object's text ("\"<sha1 hex>\"").
[[nodiscard]] std::string personalEtag(std::string_view icalText);

// The window busy periods are expanded in, around `now`: one year back,
// two years ahead; at most kMaxBusyPeriods per object.
inline constexpr UnixTime kBusyBack = 366LL * 24 * 3600;
inline constexpr UnixTime kBusyAhead = 2LL * 366 * 24 * 3600;
inline constexpr std::size_t kMaxBusyPeriods = 2000;

// What the store keeps beside an object's text, from one parse.
struct ObjectAnalysis {
  std::vector<BusyInterval> busy;  // as busyPeriodsOf
  ObjectBounds bounds;
};
[[nodiscard]] ObjectAnalysis analyzeObject(std::string_view icalText, UnixTime now);

// The busy periods of one object's iCalendar text (every UID in it, RRULE
// expanded inside the window with the cap; STATUS:CANCELLED and
// TRANSP:TRANSPARENT events are not busy).
[[nodiscard]] std::vector<BusyInterval> busyPeriodsOf(std::string_view icalText, UnixTime now);

}  // namespace creneau::engine
