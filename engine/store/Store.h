#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/accounts/Account.h"
#include "engine/feeds/Feed.h"
#include "engine/import/ImportBatch.h"
#include "engine/model/Domain.h"
#include "engine/slots/WorkSchedule.h"
#include "engine/store/PersonalCalendar.h"

namespace creneau::engine {

class SqlAccess;

// Which appointments or events a caller wants. Empty optionals match all.
// [from, to) selects records overlapping the window (for events: any period).
struct RecordFilter {
  std::optional<Id> employeeId;  // for events: organizer or staff
  std::optional<Id> serviceId;   // appointments only
  std::optional<Id> locationId;
  std::optional<UnixTime> from;
  std::optional<UnixTime> to;
  std::vector<Status> statuses;  // empty: every status
};

// One row of the change log. A collection is a string key such as
// "employee:3" (all records of an employee), "service:2", "location:1", "all".
// Every change to a record appends one entry to each collection it belongs to
// (before and after the change, so a moved appointment is a deletion in its
// old employee's collection). seq is global and strictly increasing.
enum class RecordKind { Appointment, Event };

struct Change {
  std::int64_t seq = 0;
  std::string collection;
  std::string kind;  // "appointment" or "event"
  Id recordId = 0;
  std::string uid;       // stable object name derived from the external id
  bool deleted = false;  // true: the record left this collection
  UnixTime at = 0;
  bool operator==(const Change&) const = default;
};

struct ImportSummary {
  int inserted = 0;
  int updated = 0;  // changed content, revision bumped
  int unchanged = 0;
  int deleted = 0;
  // Appointments and events not in the batch (or unchanged in it) whose
  // revision was bumped because a record they render changed.
  int cascaded = 0;
  bool operator==(const ImportSummary&) const = default;
};

// Collection keys of the change log, built in one place.
[[nodiscard]] inline std::string allCollection() {
  return "all";
}
[[nodiscard]] inline std::string employeeCollection(Id employeeId) {
  return "employee:" + std::to_string(employeeId);
}
[[nodiscard]] inline std::string serviceCollection(Id serviceId) {
  return "service:" + std::to_string(serviceId);
}
[[nodiscard]] inline std::string locationCollection(Id locationId) {
  return "location:" + std::to_string(locationId);
}

// The store itself failed: cannot open, schema from a newer version, I/O,
// lock timeout. Nothing was written by the failing call.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The store is the single source of truth (DESIGN.md decision 1). Narrow on
// purpose: an SQLite and a PostgreSQL implementation fill it, callers never
// see SQL. Reads are const and may run concurrently with one writer.
class Store {
 public:
  virtual ~Store() = default;

  // Upserts every record of the batch in one transaction, by external id.
  // Re-applying the same batch changes nothing. A record whose content
  // changed gets revision+1, and so does every appointment or event that
  // renders it (a customer rename bumps that customer's appointments).
  // Throws ImportError (nothing written) when a reference does not resolve.
  virtual ImportSummary apply(const ImportBatch& batch) = 0;

  [[nodiscard]] virtual std::vector<Employee> employees() const = 0;
  [[nodiscard]] virtual std::vector<Customer> customers() const = 0;
  [[nodiscard]] virtual std::vector<Service> services() const = 0;
  [[nodiscard]] virtual std::vector<Location> locations() const = 0;

  [[nodiscard]] virtual std::optional<Employee> employeeByExternalId(
      const std::string& ext) const = 0;
  // Default: a scan of customers(); implementations override it.
  [[nodiscard]] virtual std::optional<Customer> customerByExternalId(const std::string& ext) const {
    for (auto& c : customers())
      if (c.externalId == ext) return c;
    return std::nullopt;
  }
  [[nodiscard]] virtual std::optional<Service> serviceByExternalId(
      const std::string& ext) const = 0;
  [[nodiscard]] virtual std::optional<Location> locationByExternalId(
      const std::string& ext) const = 0;
  [[nodiscard]] virtual std::optional<Appointment> appointmentByExternalId(
      const std::string& ext) const = 0;
  [[nodiscard]] virtual std::optional<GroupEvent> eventByExternalId(
      const std::string& ext) const = 0;

  // By the store's own id (the change log's recordId).
  [[nodiscard]] virtual std::optional<Appointment> appointmentById(Id id) const {
    (void)id;
    unsupported("lookups by id");
  }
  [[nodiscard]] virtual std::optional<GroupEvent> eventById(Id id) const {
    (void)id;
    unsupported("lookups by id");
  }
  // Many at once (those that exist, by id). Default: appointmentById each.
  [[nodiscard]] virtual std::vector<Appointment> appointmentsByIds(
      const std::vector<Id>& ids) const {
    std::vector<Appointment> out;
    for (const auto id : ids)
      if (auto a = appointmentById(id)) out.push_back(std::move(*a));
    return out;
  }
  // Records the Meet / Teams link a calendar provider made for a record.
  // When it differs, the record's revision grows and each of its collections
  // gets a change-log row, so feeds and CalDAV show the link. False: no such
  // record, or the same link.
  virtual bool setConferenceUrl(RecordKind kind, Id id, const std::string& url) {
    (void)kind, (void)id, (void)url;
    unsupported("conference links");
  }

  // Streams matching records ordered by start, then id; memory stays flat.
  // The callback returns false to stop early.
  virtual void forEachAppointment(const RecordFilter& filter,
                                  const std::function<bool(const Appointment&)>& fn) const = 0;
  virtual void forEachEvent(const RecordFilter& filter,
                            const std::function<bool(const GroupEvent&)>& fn) const = 0;
  [[nodiscard]] virtual std::int64_t countAppointments(const RecordFilter& filter) const = 0;

  // Change log (drives CalDAV sync tokens and feed ETags).
  [[nodiscard]] virtual std::int64_t latestChange(const std::string& collection) const = 0;
  [[nodiscard]] virtual std::vector<Change> changesSince(const std::string& collection,
                                                         std::int64_t seq) const = 0;

  // Plain key/value settings (render templates, options). Empty when unset.
  [[nodiscard]] virtual std::optional<std::string> setting(const std::string& key) const = 0;
  virtual void setSetting(const std::string& key, const std::string& value) = 0;

  // The newest entry of a collection's change log (seq and time), nullopt
  // while the collection has none. Default: from latestChange + changesSince.
  [[nodiscard]] virtual std::optional<Change> lastChange(const std::string& collection) const {
    const auto seq = latestChange(collection);
    if (seq == 0) return std::nullopt;
    auto changes = changesSince(collection, seq - 1);
    if (changes.empty()) return std::nullopt;
    return changes.back();
  }

  // ---- accounts (logins for CalDAV and the admin UI) -----------------------
  // Stores that do not keep accounts throw StoreError from these defaults.

  // Every user, by login; employeeExternalId filled in.
  [[nodiscard]] virtual std::vector<User> users() const { unsupported("accounts"); }
  // By normalized login (see normalizeLogin).
  [[nodiscard]] virtual std::optional<User> userByLogin(const std::string& login) const {
    (void)login;
    unsupported("accounts");
  }
  // The new row id, or nullopt when the login is taken (nothing written).
  virtual std::optional<Id> addUser(const NewUser& user) {
    (void)user;
    unsupported("accounts");
  }
  // False when there is no such login.
  virtual bool setUserPassword(const std::string& login, const PasswordHash& password) {
    (void)login, (void)password;
    unsupported("accounts");
  }
  virtual bool removeUser(const std::string& login) {
    (void)login;
    unsupported("accounts");
  }

  // ---- feed tokens (/feeds/<token>.ics) ------------------------------------

  // Stores feed.tokenHash and the scope; returns the new id (createdAt is
  // the store's clock). Throws StoreError if the hash exists already.
  virtual Id addFeed(const Feed& feed) {
    (void)feed;
    unsupported("feeds");
  }
  // Revoked feeds too: the caller decides (a revoked token answers 404).
  [[nodiscard]] virtual std::optional<Feed> feedByTokenHash(const std::string& tokenHash) const {
    (void)tokenHash;
    unsupported("feeds");
  }
  [[nodiscard]] virtual std::vector<Feed> feeds() const { unsupported("feeds"); }
  // False when there is no such feed or it was revoked already.
  virtual bool revokeFeed(Id id) {
    (void)id;
    unsupported("feeds");
  }

  // ---- personal calendars (CalDAV `blocked` and friends) -------------------
  // Stores that do not keep them throw StoreError from these defaults.

  // The calendar `slug` of an employee; nullopt when it was never created.
  [[nodiscard]] virtual std::optional<PersonalCalendar> personalCalendar(
      Id employeeId, const std::string& slug) const {
    (void)employeeId, (void)slug;
    unsupported("personal calendars");
  }
  // The objects of a calendar, by name (icalText included).
  [[nodiscard]] virtual std::vector<PersonalObject> personalObjects(Id calendarId) const {
    (void)calendarId;
    unsupported("personal calendars");
  }
  [[nodiscard]] virtual std::optional<PersonalObject> personalObject(
      Id calendarId, const std::string& name) const {
    (void)calendarId, (void)name;
    unsupported("personal calendars");
  }
  // Creates or replaces an object in one transaction: the object row, its
  // expanded busy periods and a change-log row in personalCollection(). The
  // `blocked` calendar is created on first use; another missing slug gives
  // NoCalendar. Preconditions and UID uniqueness are checked inside.
  virtual PersonalPutResult putPersonalObject(const PersonalPut& put) {
    (void)put;
    unsupported("personal calendars");
  }
  // Removes an object and its busy periods (change-log row deleted=1).
  virtual PersonalDeleteOutcome deletePersonalObject(Id calendarId, const std::string& name,
                                                     const std::optional<std::string>& ifMatch) {
    (void)calendarId, (void)name, (void)ifMatch;
    unsupported("personal calendars");
  }
  // Every personal calendar of the employee that exists, by slug.
  [[nodiscard]] virtual std::vector<PersonalCalendar> personalCalendars(Id employeeId) const {
    (void)employeeId;
    unsupported("personal calendars");
  }
  // MKCALENDAR: creates the calendar (slug unique per employee) with its
  // initial dead properties, in one transaction.
  virtual CreateCalendarOutcome createPersonalCalendar(const PersonalCalendar& calendar,
                                                       const std::vector<DeadProperty>& props) {
    (void)calendar, (void)props;
    unsupported("personal calendars");
  }
  // Removes a calendar with its objects, busy periods and dead properties.
  virtual bool deletePersonalCalendar(Id calendarId) {
    (void)calendarId;
    unsupported("personal calendars");
  }
  // The dead properties kept for a resource, by name.
  [[nodiscard]] virtual std::vector<DeadProperty> deadProperties(
      const std::string& resource) const {
    (void)resource;
    unsupported("WebDAV properties");
  }
  // Applies a PROPPATCH all or nothing. A personal calendar that does not
  // exist yet (`blocked` before its first PUT) is created first.
  virtual void patchProperties(const PropertyPatch& patch) {
    (void)patch;
    unsupported("WebDAV properties");
  }
  // Plain WebDAV collections and files inside a personal calendar.
  [[nodiscard]] virtual std::optional<DavFile> davFile(Id calendarId,
                                                       const std::string& path) const {
    (void)calendarId, (void)path;
    unsupported("WebDAV files");
  }
  // The direct members of a collection path ("" for the calendar itself).
  [[nodiscard]] virtual std::vector<DavFile> davFiles(Id calendarId,
                                                      const std::string& collection) const {
    (void)calendarId, (void)collection;
    unsupported("WebDAV files");
  }
  virtual DavFileOutcome putDavFile(const DavFilePut& put) {
    (void)put;
    unsupported("WebDAV files");
  }
  // MKCOL of `path` (ending in '/').
  virtual DavFileOutcome makeDavCollection(Id calendarId, const std::string& path) {
    (void)calendarId, (void)path;
    unsupported("WebDAV files");
  }
  virtual DavTransferOutcome transferDavFile(const DavFileTransfer& t) {
    (void)t;
    unsupported("WebDAV files");
  }
  // Removes a file, or a collection with everything below it, and their
  // dead properties. False when nothing was there.
  virtual bool deleteDavFile(Id calendarId, const std::string& path) {
    (void)calendarId, (void)path;
    unsupported("WebDAV files");
  }
  // Busy periods of the employee's non-transparent personal calendars that
  // overlap [from, to), sorted by start.
  [[nodiscard]] virtual std::vector<BusyInterval> personalBusy(Id employeeId, UnixTime from,
                                                               UnixTime to) const {
    (void)employeeId, (void)from, (void)to;
    unsupported("personal calendars");
  }

  // ---- slot settings (working hours, per-service slot rules) ---------------
  // Written by apply() from ImportBatch::schedules / slotSettings. Stores
  // that do not keep them throw StoreError from these defaults.

  // The employee's working hours (timeZone: the employee's zone); no hours
  // at all when none were imported.
  [[nodiscard]] virtual WorkSchedule employeeSchedule(Id employeeId) const {
    (void)employeeId;
    unsupported("employee schedules");
  }
  // The service's slot rules; the defaults when none were imported.
  [[nodiscard]] virtual ServiceSlotSettings serviceSlotSettings(Id serviceId) const {
    (void)serviceId;
    unsupported("service slot settings");
  }

  // ---- module tables -------------------------------------------------------
  // The database itself, for engine modules that keep their own tables in it
  // (connections, export outbox, busy caches); nullptr for stores without one.
  [[nodiscard]] virtual SqlAccess* sqlAccess() { return nullptr; }

 private:
  [[noreturn]] static void unsupported(const char* what) {
    throw StoreError(std::string("this store does not keep ") + what);
  }
};

}  // namespace creneau::engine
