#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "engine/store/SqlAccess.h"
#include "engine/store/Store.h"

namespace creneau::engine {

struct SqliteStoreOptions {
  int busyTimeoutMs = 5000;       // how long a writer waits for another writer's lock
  std::size_t maxSessions = 8;    // connections kept for concurrent readers
  std::size_t streamBatch = 512;  // rows fetched per step by forEachAppointment/Event
  // "Now" for created_at/updated_at and the change log; default: system clock.
  // A clock returning 0 leaves stamps unset (renderers then fall back to start).
  std::function<UnixTime()> clock;
};

// The embedded store: one SQLite file through Poco::Data, WAL mode (readers
// run beside one writer), foreign keys on, versioned migrations applied at
// open. Opening a database written by a newer schema throws StoreError.
// Thread-safe: every call takes its own connection from a pool.
class SqliteStore final : public Store, public SqlAccess {
 public:
  explicit SqliteStore(const std::string& path, SqliteStoreOptions options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  ImportSummary apply(const ImportBatch& batch) override;

  [[nodiscard]] std::vector<Employee> employees() const override;
  [[nodiscard]] std::vector<Customer> customers() const override;
  [[nodiscard]] std::vector<Service> services() const override;
  [[nodiscard]] std::vector<Location> locations() const override;

  [[nodiscard]] std::optional<Employee> employeeByExternalId(const std::string& ext) const override;
  [[nodiscard]] std::optional<Customer> customerByExternalId(const std::string& ext) const override;
  [[nodiscard]] std::optional<Service> serviceByExternalId(const std::string& ext) const override;
  [[nodiscard]] std::optional<Location> locationByExternalId(const std::string& ext) const override;
  [[nodiscard]] std::optional<Appointment> appointmentByExternalId(
      const std::string& ext) const override;
  [[nodiscard]] std::optional<GroupEvent> eventByExternalId(const std::string& ext) const override;
  [[nodiscard]] std::optional<Appointment> appointmentById(Id id) const override;
  [[nodiscard]] std::optional<GroupEvent> eventById(Id id) const override;
  [[nodiscard]] std::vector<Appointment> appointmentsByIds(
      const std::vector<Id>& ids) const override;
  bool setConferenceUrl(RecordKind kind, Id id, const std::string& url) override;

  void forEachAppointment(const RecordFilter& filter,
                          const std::function<bool(const Appointment&)>& fn) const override;
  void forEachEvent(const RecordFilter& filter,
                    const std::function<bool(const GroupEvent&)>& fn) const override;
  [[nodiscard]] std::int64_t countAppointments(const RecordFilter& filter) const override;

  [[nodiscard]] std::int64_t latestChange(const std::string& collection) const override;
  [[nodiscard]] std::vector<Change> changesSince(const std::string& collection,
                                                 std::int64_t seq) const override;

  [[nodiscard]] std::optional<std::string> setting(const std::string& key) const override;
  void setSetting(const std::string& key, const std::string& value) override;

  [[nodiscard]] std::optional<Change> lastChange(const std::string& collection) const override;

  [[nodiscard]] std::vector<User> users() const override;
  [[nodiscard]] std::optional<User> userByLogin(const std::string& login) const override;
  std::optional<Id> addUser(const NewUser& user) override;
  bool setUserPassword(const std::string& login, const PasswordHash& password) override;
  bool removeUser(const std::string& login) override;

  Id addFeed(const Feed& feed) override;
  [[nodiscard]] std::optional<Feed> feedByTokenHash(const std::string& tokenHash) const override;
  [[nodiscard]] std::vector<Feed> feeds() const override;
  bool revokeFeed(Id id) override;

  [[nodiscard]] std::optional<PersonalCalendar> personalCalendar(
      Id employeeId, const std::string& slug) const override;
  [[nodiscard]] std::vector<PersonalObject> personalObjects(Id calendarId) const override;
  [[nodiscard]] std::optional<PersonalObject> personalObject(
      Id calendarId, const std::string& name) const override;
  PersonalPutResult putPersonalObject(const PersonalPut& put) override;
  PersonalDeleteOutcome deletePersonalObject(Id calendarId, const std::string& name,
                                             const std::optional<std::string>& ifMatch) override;
  [[nodiscard]] std::vector<PersonalCalendar> personalCalendars(Id employeeId) const override;
  CreateCalendarOutcome createPersonalCalendar(const PersonalCalendar& calendar,
                                               const std::vector<DeadProperty>& props) override;
  bool deletePersonalCalendar(Id calendarId) override;
  [[nodiscard]] std::vector<DeadProperty> deadProperties(
      const std::string& resource) const override;
  void patchProperties(const PropertyPatch& patch) override;
  [[nodiscard]] std::optional<DavFile> davFile(Id calendarId,
                                               const std::string& path) const override;
  [[nodiscard]] std::vector<DavFile> davFiles(Id calendarId,
                                              const std::string& collection) const override;
  DavFileOutcome putDavFile(const DavFilePut& put) override;
  DavFileOutcome makeDavCollection(Id calendarId, const std::string& path) override;
  bool deleteDavFile(Id calendarId, const std::string& path) override;
  DavTransferOutcome transferDavFile(const DavFileTransfer& t) override;
  [[nodiscard]] std::vector<BusyInterval> personalBusy(Id employeeId, UnixTime from,
                                                       UnixTime to) const override;
  [[nodiscard]] WorkSchedule employeeSchedule(Id employeeId) const override;
  [[nodiscard]] ServiceSlotSettings serviceSlotSettings(Id serviceId) const override;

  [[nodiscard]] SqlAccess* sqlAccess() override { return this; }
  [[nodiscard]] Poco::Data::Session sqlSession() const override;
  [[nodiscard]] const sql::Dialect& sqlDialect() const override;
  [[nodiscard]] UnixTime sqlNow() const override;
  [[nodiscard]] const std::string& sqlLocation() const override;

  // The schema version of the open database (== latestSchemaVersion() after open).
  [[nodiscard]] int schemaVersion() const;
  [[nodiscard]] static int latestSchemaVersion();
  [[nodiscard]] const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace creneau::engine
