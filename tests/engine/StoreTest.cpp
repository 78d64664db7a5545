#include "engine/store/SqliteStore.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "TestSupport.h"

namespace creneau::engine {
namespace {

using namespace Poco::Data::Keywords;

constexpr UnixTime kT0 = 1795478400;  // 2026-11-24T00:00:00Z
constexpr UnixTime kHour = 3600;

Employee employee(const std::string& ext, const std::string& zone = "Europe/Paris") {
  Employee e;
  e.externalId = ext;
  e.firstName = "First " + ext;
  e.lastName = "Last";
  e.email = ext + "@example.com";
  e.timeZone = zone;
  return e;
}
Customer customer(const std::string& ext) {
  Customer c;
  c.externalId = ext;
  c.firstName = "Customer " + ext;
  return c;
}
Service service(const std::string& ext) {
  Service s;
  s.externalId = ext;
  s.name = "Service " + ext;
  s.durationMin = 60;
  return s;
}
Location location(const std::string& ext) {
  Location l;
  l.externalId = ext;
  l.name = "Place " + ext;
  return l;
}
AppointmentInput appointment(const std::string& ext, const std::string& emp, const std::string& svc,
                             UnixTime start, UnixTime end, Status status = Status::Approved,
                             std::vector<std::string> customers = {}, std::string loc = {}) {
  AppointmentInput in;
  in.appointment.externalId = ext;
  in.appointment.start = start;
  in.appointment.end = end;
  in.appointment.status = status;
  in.employeeExt = emp;
  in.serviceExt = svc;
  in.locationExt = std::move(loc);
  for (std::size_t i = 0; i < customers.size(); ++i) {
    BookingInput b;
    b.booking.externalId = ext + "-b" + std::to_string(i);
    b.booking.persons = static_cast<int>(i) + 1;
    b.booking.status = status;
    b.customerExt = customers[i];
    in.bookings.push_back(std::move(b));
  }
  return in;
}
EventInput event(const std::string& ext, const std::string& organizer,
                 std::vector<std::string> staff, std::vector<std::pair<UnixTime, UnixTime>> periods,
                 std::string loc = {}) {
  EventInput in;
  in.event.externalId = ext;
  in.event.name = "Event " + ext;
  for (std::size_t i = 0; i < periods.size(); ++i)
    in.event.periods.push_back(
        EventPeriod{"p" + std::to_string(i), periods[i].first, periods[i].second});
  in.organizerExt = organizer;
  in.staffExt = std::move(staff);
  in.locationExt = std::move(loc);
  return in;
}

// Two employees, two services, two locations, three customers.
ImportBatch directory() {
  ImportBatch b;
  b.employees = {employee("e1"), employee("e2", "America/New_York")};
  b.services = {service("s1"), service("s2")};
  b.locations = {location("l1"), location("l2")};
  b.customers = {customer("c1"), customer("c2"), customer("c3")};
  return b;
}

RecordFilter between(std::optional<UnixTime> from, std::optional<UnixTime> to) {
  RecordFilter f;
  f.from = from;
  f.to = to;
  return f;
}
RecordFilter forEmployee(Id id) {
  RecordFilter f;
  f.employeeId = id;
  return f;
}
RecordFilter forLocation(Id id) {
  RecordFilter f;
  f.locationId = id;
  return f;
}
RecordFilter withStatuses(std::vector<Status> statuses) {
  RecordFilter f;
  f.statuses = std::move(statuses);
  return f;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("store-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    path_ = (dir_ / "creneau.db").string();
    open();
  }
  void open(SqliteStoreOptions o = {}) {
    o.clock = [this] { return now_; };
    store_.reset();
    store_ = std::make_unique<SqliteStore>(path_, o);
  }
  Id employeeId(const std::string& ext) const { return store_->employeeByExternalId(ext)->id; }
  Id serviceId(const std::string& ext) const { return store_->serviceByExternalId(ext)->id; }
  Id locationId(const std::string& ext) const { return store_->locationByExternalId(ext)->id; }

  std::vector<std::string> ids(const RecordFilter& f) const {
    std::vector<std::string> out;
    store_->forEachAppointment(f, [&](const Appointment& a) {
      out.push_back(a.externalId);
      return true;
    });
    EXPECT_EQ(store_->countAppointments(f), static_cast<std::int64_t>(out.size()));
    return out;
  }
  std::vector<std::string> eventIds(const RecordFilter& f) const {
    std::vector<std::string> out;
    store_->forEachEvent(f, [&](const GroupEvent& e) {
      out.push_back(e.externalId);
      return true;
    });
    return out;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
  UnixTime now_ = 1790000000;
};

using Ids = std::vector<std::string>;

TEST_F(StoreTest, Store_ApplyNewBatch_InsertsEverythingAtRevisionOne) {
  ImportBatch b = directory();
  b.appointments = {
      appointment("a1", "e1", "s1", kT0, kT0 + kHour, Status::Pending, {"c1", "c2"}, "l1")};
  EXPECT_EQ(store_->apply(b), (ImportSummary{10, 0, 0, 0, 0}));
  const auto a = store_->appointmentByExternalId("a1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->revision, 1);
  EXPECT_EQ(a->employeeId, employeeId("e1"));
  EXPECT_EQ(a->serviceId, serviceId("s1"));
  EXPECT_EQ(a->locationId, locationId("l1"));
  EXPECT_EQ(a->status, Status::Pending);
  EXPECT_EQ(a->createdAt, now_);
  EXPECT_EQ(a->updatedAt, now_);
  ASSERT_EQ(a->bookings.size(), 2u);
  EXPECT_EQ(a->bookings[0].externalId, "a1-b0");
  EXPECT_EQ(a->bookings[1].persons, 2);
  EXPECT_EQ(a->bookings[1].customerId, store_->customerByExternalId("c2")->id);
  EXPECT_EQ(store_->employees().size(), 2u);
  EXPECT_EQ(store_->employees()[1].timeZone, "America/New_York");
  EXPECT_EQ(store_->customers().size(), 3u);
  EXPECT_EQ(store_->services().size(), 2u);
  EXPECT_EQ(store_->locations().size(), 2u);
  EXPECT_FALSE(store_->appointmentByExternalId("nope"));
  EXPECT_FALSE(store_->customerByExternalId("nope"));

  // One change per collection the appointment belongs to.
  for (const auto& c : {std::string("all"), employeeCollection(employeeId("e1")),
                        serviceCollection(serviceId("s1")), locationCollection(locationId("l1"))}) {
    const auto ch = store_->changesSince(c, 0);
    ASSERT_EQ(ch.size(), 1u) << c;
    EXPECT_EQ(ch[0].uid, "appointment-a1");
    EXPECT_EQ(ch[0].kind, "appointment");
    EXPECT_EQ(ch[0].recordId, a->id);
    EXPECT_FALSE(ch[0].deleted);
    EXPECT_EQ(ch[0].at, now_);
  }
  EXPECT_TRUE(store_->changesSince(employeeCollection(employeeId("e2")), 0).empty());
}

TEST_F(StoreTest, Store_SameBatchTwice_NoUpdatesAndNoChangeRows) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s1", kT0, kT0 + kHour, Status::Approved, {"c1"})};
  b.events = {event("ev1", "e1", {"e2"}, {{kT0, kT0 + kHour}})};
  store_->apply(b);
  const auto seq = store_->latestChange("all");
  now_ += 100;
  EXPECT_EQ(store_->apply(b), (ImportSummary{0, 0, 11, 0, 0}));
  EXPECT_EQ(store_->latestChange("all"), seq);
  EXPECT_EQ(store_->appointmentByExternalId("a1")->revision, 1);
  EXPECT_EQ(store_->eventByExternalId("ev1")->revision, 1);
}

TEST_F(StoreTest, Store_MovedAppointment_LogsDeletionInOldEmployeeCollection) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s1", kT0, kT0 + kHour, Status::Approved, {}, "l1")};
  store_->apply(b);
  const auto e1 = employeeCollection(employeeId("e1"));
  const auto e2 = employeeCollection(employeeId("e2"));
  const auto l1 = locationCollection(locationId("l1"));
  const auto seqE1 = store_->latestChange(e1);
  const auto seqAll = store_->latestChange("all");

  ImportBatch moved;
  moved.appointments = {appointment("a1", "e2", "s1", kT0, kT0 + kHour)};  // no location now
  now_ += 60;
  EXPECT_EQ(store_->apply(moved), (ImportSummary{0, 1, 0, 0, 0}));

  const auto old = store_->changesSince(e1, seqE1);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_TRUE(old[0].deleted);
  EXPECT_EQ(old[0].uid, "appointment-a1");
  const auto fresh = store_->changesSince(e2, 0);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_FALSE(fresh[0].deleted);
  const auto loc = store_->changesSince(l1, 0);
  ASSERT_EQ(loc.size(), 2u);
  EXPECT_TRUE(loc[1].deleted);  // left its location too
  const auto all = store_->changesSince("all", seqAll);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].deleted);  // still in "all": an update there

  const auto a = store_->appointmentByExternalId("a1");
  EXPECT_EQ(a->revision, 2);
  EXPECT_EQ(a->employeeId, employeeId("e2"));
  EXPECT_FALSE(a->locationId);
  EXPECT_EQ(a->updatedAt, now_);
  EXPECT_EQ(a->createdAt, now_ - 60);
  EXPECT_EQ(ids(forEmployee(employeeId("e1"))), Ids{});
  EXPECT_EQ(ids(forEmployee(employeeId("e2"))), Ids{"a1"});
}

TEST_F(StoreTest, Store_ChangesSince_ReturnsOnlyLaterChanges) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s1", kT0, kT0 + kHour)};
  store_->apply(b);
  const auto first = store_->latestChange("all");
  EXPECT_GT(first, 0);
  EXPECT_TRUE(store_->changesSince("all", first).empty());
  EXPECT_EQ(store_->latestChange("employee:999"), 0);

  ImportBatch more;
  more.appointments = {appointment("a2", "e1", "s1", kT0 + kHour, kT0 + 2 * kHour),
                       appointment("a1", "e1", "s1", kT0, kT0 + 2 * kHour)};
  store_->apply(more);
  const auto later = store_->changesSince("all", first);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].uid, "appointment-a2");
  EXPECT_EQ(later[1].uid, "appointment-a1");
  EXPECT_LT(first, later[0].seq);
  EXPECT_LT(later[0].seq, later[1].seq);
  EXPECT_EQ(store_->latestChange("all"), later[1].seq);
  EXPECT_EQ(store_->changesSince("all", later[0].seq).size(), 1u);
  // Sequence numbers are global: every collection shares one counter.
  const auto emp = store_->changesSince(employeeCollection(employeeId("e1")), 0);
  ASSERT_EQ(emp.size(), 3u);
  EXPECT_NE(emp[2].seq, later[1].seq);
}

TEST_F(StoreTest, Store_ForEachAppointment_FiltersByWindowEmployeeServiceStatus) {
  ImportBatch b = directory();
  const UnixTime h = kHour;
  b.appointments = {
      appointment("before", "e1", "s1", kT0 - 2 * h, kT0 - h),
      appointment("ends-at-from", "e1", "s1", kT0 - h, kT0),  // touches: out
      appointment("crosses-from", "e1", "s2", kT0 - h, kT0 + h, Status::Pending),
      appointment("inside", "e2", "s1", kT0 + h, kT0 + 2 * h, Status::Canceled, {}, "l1"),
      appointment("same-start-b", "e1", "s1", kT0 + 3 * h, kT0 + 4 * h, Status::NoShow),
      appointment("same-start-a", "e2", "s2", kT0 + 3 * h, kT0 + 4 * h, Status::Approved, {}, "l2"),
      appointment("starts-at-to", "e1", "s1", kT0 + 5 * h, kT0 + 6 * h),  // touches: out
      appointment("spans-all", "e2", "s1", kT0 - 10 * h, kT0 + 10 * h, Status::Rejected),
  };
  store_->apply(b);
  const RecordFilter window = between(kT0, kT0 + 5 * h);
  // Ordered by start, then id (insertion order: same-start-b before same-start-a).
  EXPECT_EQ(ids(window),
            (Ids{"spans-all", "crosses-from", "inside", "same-start-b", "same-start-a"}));
  EXPECT_EQ(ids({}).size(), 8u);
  EXPECT_EQ(ids(between(kT0, std::nullopt)).size(), 6u);
  EXPECT_EQ(ids(between(std::nullopt, kT0 - h)), (Ids{"spans-all", "before"}));

  RecordFilter f = window;
  f.employeeId = employeeId("e1");
  EXPECT_EQ(ids(f), (Ids{"crosses-from", "same-start-b"}));
  f.serviceId = serviceId("s1");
  EXPECT_EQ(ids(f), (Ids{"same-start-b"}));

  RecordFilter s = window;
  s.statuses = {Status::Approved, Status::Pending};
  EXPECT_EQ(ids(s), (Ids{"crosses-from", "same-start-a"}));
  s.statuses = {Status::Canceled, Status::Rejected};
  EXPECT_EQ(ids(s), (Ids{"spans-all", "inside"}));

  RecordFilter l = window;
  l.locationId = locationId("l2");
  EXPECT_EQ(ids(l), (Ids{"same-start-a"}));

  EXPECT_EQ(ids(between(kT0, kT0)), Ids{});  // empty window
}

TEST_F(StoreTest, Store_ForEachAppointment_StopsWhenTheCallbackSaysSo) {
  ImportBatch b = directory();
  for (int i = 0; i < 10; ++i)
    b.appointments.push_back(
        appointment("a" + std::to_string(i), "e1", "s1", kT0 + i * kHour, kT0 + i * kHour + 1800));
  store_->apply(b);
  int seen = 0;
  store_->forEachAppointment({}, [&](const Appointment&) { return ++seen < 3; });
  EXPECT_EQ(seen, 3);
  // The store stays usable: the read transaction was closed.
  store_->setSetting("k", "v");
  EXPECT_EQ(store_->setting("k"), "v");
}

TEST_F(StoreTest, Store_ForEachAppointment_KeepsBookingsAcrossBatches) {
  SqliteStoreOptions o;
  o.streamBatch = 2;  // force several batches
  open(o);
  ImportBatch b = directory();
  for (int i = 0; i < 7; ++i) {
    std::vector<std::string> who;
    for (int k = 0; k <= i % 3; ++k) who.push_back("c" + std::to_string(k + 1));
    b.appointments.push_back(appointment("a" + std::to_string(i), "e1", "s1", kT0 + i * kHour,
                                         kT0 + i * kHour + 1800, Status::Approved, who));
  }
  store_->apply(b);
  int n = 0;
  store_->forEachAppointment({}, [&](const Appointment& a) {
    EXPECT_EQ(a.externalId, "a" + std::to_string(n));
    EXPECT_EQ(a.bookings.size(), static_cast<std::size_t>(n % 3 + 1)) << a.externalId;
    for (std::size_t k = 0; k < a.bookings.size(); ++k)
      EXPECT_EQ(a.bookings[k].externalId, a.externalId + "-b" + std::to_string(k));
    ++n;
    return true;
  });
  EXPECT_EQ(n, 7);
}

TEST_F(StoreTest, Store_ForEachEvent_MatchesAnyPeriodOrganizerOrStaff) {
  ImportBatch b = directory();
  b.employees.push_back(employee("e3"));
  const UnixTime h = kHour;
  b.events = {
      event("late", "e1", {}, {{kT0 + 48 * h, kT0 + 49 * h}}),
      event("course", "e1", {"e2"}, {{kT0 - 48 * h, kT0 - 47 * h}, {kT0 + 24 * h, kT0 + 25 * h}},
            "l1"),
      event("staffed", "", {"e3"}, {{kT0, kT0 + h}}),
  };
  b.events[2].event.status = Status::Canceled;
  store_->apply(b);
  EXPECT_EQ(eventIds({}), (Ids{"course", "staffed", "late"}));  // by first period
  // A window between the course's two periods misses it; one touching the second hits it.
  EXPECT_EQ(eventIds(between(kT0 - 46 * h, kT0 + 24 * h)), (Ids{"staffed"}));
  EXPECT_EQ(eventIds(between(kT0 - 46 * h, kT0 + 24 * h + 1)), (Ids{"course", "staffed"}));
  EXPECT_EQ(eventIds(forEmployee(employeeId("e2"))), (Ids{"course"}));
  EXPECT_EQ(eventIds(forEmployee(employeeId("e1"))), (Ids{"course", "late"}));
  EXPECT_EQ(eventIds(forEmployee(employeeId("e3"))), (Ids{"staffed"}));
  EXPECT_EQ(eventIds(forLocation(locationId("l1"))), (Ids{"course"}));
  EXPECT_EQ(eventIds(withStatuses({Status::Canceled})), (Ids{"staffed"}));

  const auto course = store_->eventByExternalId("course");
  ASSERT_TRUE(course);
  EXPECT_EQ(course->organizerId, employeeId("e1"));
  EXPECT_EQ(course->staffIds, (std::vector<Id>{employeeId("e2")}));
  ASSERT_EQ(course->periods.size(), 2u);
  EXPECT_EQ(course->periods[1], (EventPeriod{"p1", kT0 + 24 * h, kT0 + 25 * h}));
  EXPECT_FALSE(store_->eventByExternalId("staffed")->organizerId);

  // Events go to "all", organizer + staff, and location collections.
  EXPECT_EQ(store_->changesSince(employeeCollection(employeeId("e2")), 0).at(0).uid,
            "event-course");
  EXPECT_EQ(store_->changesSince(locationCollection(locationId("l1")), 0).size(), 1u);
}

TEST_F(StoreTest, Store_ChangedEmployee_BumpsTheirAppointmentsAndEvents) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s1", kT0, kT0 + kHour),
                    appointment("a2", "e2", "s1", kT0, kT0 + kHour)};
  b.events = {event("ev-staff", "e2", {"e1"}, {{kT0, kT0 + kHour}}),
              event("ev-other", "e2", {}, {{kT0, kT0 + kHour}})};
  store_->apply(b);
  const auto seq = store_->latestChange("all");

  ImportBatch rename;
  rename.employees = {employee("e1")};
  rename.employees[0].lastName = "Renamed";
  now_ += 10;
  EXPECT_EQ(store_->apply(rename), (ImportSummary{0, 1, 0, 0, 2}));
  EXPECT_EQ(store_->appointmentByExternalId("a1")->revision, 2);
  EXPECT_EQ(store_->appointmentByExternalId("a2")->revision, 1);
  EXPECT_EQ(store_->eventByExternalId("ev-staff")->revision, 2);
  EXPECT_EQ(store_->eventByExternalId("ev-other")->revision, 1);
  EXPECT_EQ(store_->employees()[0].revision, 2);
  Ids uids;
  for (const auto& c : store_->changesSince("all", seq)) uids.push_back(c.uid);
  EXPECT_EQ(uids, (Ids{"appointment-a1", "event-ev-staff"}));
}

TEST_F(StoreTest, Store_RecordChangedTogetherWithItsService_IsBumpedOnce) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s1", kT0, kT0 + kHour)};
  store_->apply(b);
  ImportBatch both;
  both.services = {service("s1")};
  both.services[0].bufferAfterMin = 15;
  both.appointments = {appointment("a1", "e1", "s1", kT0, kT0 + 2 * kHour)};
  EXPECT_EQ(store_->apply(both), (ImportSummary{0, 2, 0, 0, 0}));
  EXPECT_EQ(store_->appointmentByExternalId("a1")->revision, 2);
}

TEST_F(StoreTest, Store_ApplyWithDanglingReference_ThrowsAndWritesNothing) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s-missing", kT0, kT0 + kHour)};
  try {
    (void)store_->apply(b);
    FAIL() << "expected ImportError";
  } catch (const ImportError& e) {
    EXPECT_EQ(e.path(), "appointments[0].service");
    EXPECT_NE(std::string(e.what()).find("s-missing"), std::string::npos);
  }
  EXPECT_TRUE(store_->employees().empty());  // rolled back, directory included
  EXPECT_EQ(store_->latestChange("all"), 0);
}

TEST_F(StoreTest, Store_ConstraintViolation_IsAStoreErrorAndRollsBack) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s1", kT0 + kHour, kT0)};  // end before start
  EXPECT_THROW((void)store_->apply(b), StoreError);
  EXPECT_TRUE(store_->employees().empty());
}

TEST_F(StoreTest, Store_Settings_RoundTripAndOverwrite) {
  EXPECT_FALSE(store_->setting("template.title"));
  store_->setSetting("template.title", "%service_name% – %customer_full_name%");
  EXPECT_EQ(store_->setting("template.title"), "%service_name% – %customer_full_name%");
  store_->setSetting("template.title", "");
  EXPECT_EQ(store_->setting("template.title"), "");
  open();
  EXPECT_EQ(store_->setting("template.title"), "");
}

TEST_F(StoreTest, Store_ReadsRunWhileAnotherWriterHoldsTheLock) {
  ImportBatch b = directory();
  b.appointments = {appointment("a1", "e1", "s1", kT0, kT0 + kHour)};
  store_->apply(b);
  SqliteStoreOptions o;
  o.busyTimeoutMs = 200;
  open(o);

  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session writer("SQLite", path_);
  writer << "BEGIN IMMEDIATE", now;
  writer << "UPDATE employees SET first_name = 'Locked' WHERE external_id = 'e1'", now;

  // WAL: readers see the last committed state without waiting.
  EXPECT_EQ(store_->employees()[0].firstName, "First e1");
  EXPECT_EQ(ids({}), Ids{"a1"});
  // A second writer waits for the busy timeout, then fails cleanly.
  EXPECT_THROW(store_->setSetting("k", "v"), StoreError);
  ImportBatch more;
  more.customers = {customer("c9")};
  EXPECT_THROW((void)store_->apply(more), StoreError);

  writer << "COMMIT", now;
  EXPECT_EQ(store_->employees()[0].firstName, "Locked");
  EXPECT_EQ(store_->apply(more).inserted, 1);
}

TEST_F(StoreTest, Store_ConcurrentReadersAndOneWriter_AllSucceed) {
  ImportBatch b = directory();
  store_->apply(b);
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        std::int64_t n = 0;
        store_->forEachAppointment({}, [&](const Appointment& a) {
          EXPECT_FALSE(a.externalId.empty());
          ++n;
          return true;
        });
        ++reads;
      }
    });
  for (int i = 0; i < 30; ++i) {
    ImportBatch w;
    w.appointments = {appointment("a" + std::to_string(i), "e1", "s1", kT0 + i * kHour,
                                  kT0 + i * kHour + 1800, Status::Approved, {"c1"})};
    store_->apply(w);
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(store_->countAppointments({}), 30);
}

TEST_F(StoreTest, Migrations_FreshDatabase_IsAtTheLatestVersionWithWal) {
  EXPECT_EQ(store_->schemaVersion(), SqliteStore::latestSchemaVersion());
  EXPECT_GE(SqliteStore::latestSchemaVersion(), 1);
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session s("SQLite", path_);
  std::string mode;
  s << "PRAGMA journal_mode", into(mode), now;
  EXPECT_EQ(mode, "wal");
  int migrations = 0;
  s << "SELECT COUNT(*) FROM schema_migrations", into(migrations), now;
  EXPECT_EQ(migrations, SqliteStore::latestSchemaVersion());
}

TEST_F(StoreTest, Migrations_ReopenExistingDatabase_KeepsData) {
  store_->apply(directory());
  open();
  open();
  EXPECT_EQ(store_->employees().size(), 2u);
  EXPECT_EQ(store_->schemaVersion(), SqliteStore::latestSchemaVersion());
}

TEST_F(StoreTest, Migrations_NewerSchema_RefusesToOpen) {
  store_.reset();
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session s("SQLite", path_);
    s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)", now;
  }
  try {
    SqliteStore newer(path_);
    FAIL() << "opened a database from a newer version";
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("schema version 99"), std::string::npos) << msg;
    EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path_), std::string::npos) << msg;
  }
}

TEST_F(StoreTest, Migrations_NotADatabase_IsAStoreError) {
  store_.reset();
  const auto bogus = dir_ / "bogus.db";
  std::ofstream(bogus) << "this is not an SQLite database, just some text that is long enough";
  EXPECT_THROW(SqliteStore s(bogus.string()), StoreError);
}

}  // namespace
}  // namespace creneau::engine
