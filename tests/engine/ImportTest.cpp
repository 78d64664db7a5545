#include "engine/import/JsonImporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "TestSupport.h"
#include "engine/store/SqliteStore.h"

namespace creneau::engine {
namespace {

// 2026-11-24T00:00:00Z
constexpr UnixTime kNov24 = 1795478400;

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("import-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    open();
  }
  void open() {
    SqliteStoreOptions o;
    o.clock = [this] { return now_; };
    store_.reset();
    store_ = std::make_unique<SqliteStore>((dir_ / "creneau.db").string(), o);
  }
  JsonImportResult check(const std::string& text) const {
    return JsonImporter().check(text, store_.get());
  }
  ImportSummary importText(const std::string& text) {
    return store_->apply(JsonImporter().parse(text, *store_));
  }
  ImportSummary importFixture(const std::string& name) {
    return importText(test::readFixture(name));
  }
  static std::string errorsOf(const JsonImportResult& r) {
    std::string s;
    for (const auto& e : r.errors) s += formatIssue(e, "f") + "\n";
    return s;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
  UnixTime now_ = 1790000000;
};

// Where an error is and what it is about; the message is checked separately.
struct Where {
  int line;
  std::string path;
  bool operator==(const Where&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Where& w) {
  return os << w.line << ":" << w.path;
}
std::vector<Where> where(const std::vector<ImportIssue>& issues) {
  std::vector<Where> out;
  for (const auto& i : issues) out.push_back({i.line, i.path});
  return out;
}
const ImportIssue* find(const std::vector<ImportIssue>& issues, const std::string& path) {
  for (const auto& i : issues)
    if (i.path == path) return &i;
  return nullptr;
}

TEST_F(ImportTest, Import_ValidFixture_LoadsEveryRecord) {
  const auto r = check(test::readFixture("import/valid-small.json"));
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  const ImportBatch& b = r.batch;
  ASSERT_EQ(b.employees.size(), 2u);
  EXPECT_EQ(b.employees[1].externalId, "42");  // integers are ids too
  EXPECT_EQ(b.employees[0].firstName, "Zoë");
  ASSERT_EQ(b.customers.size(), 3u);
  EXPECT_EQ(b.customers[2].externalId, "7");
  EXPECT_EQ(b.customers[2].email, "");  // null is "left out"
  ASSERT_EQ(b.services.size(), 2u);
  EXPECT_EQ(b.services[0].price, "55.00");  // text kept as written
  EXPECT_EQ(b.services[1].price, "25.5");   // numbers become decimal text
  EXPECT_EQ(b.services[1].capacity, 6);
  EXPECT_EQ(b.services[0].capacity, 1);  // default
  ASSERT_EQ(b.appointments.size(), 4u);

  const auto& a1 = b.appointments[0];
  EXPECT_EQ(a1.appointment.start, kNov24 + 9 * 3600);  // 10:00+01:00
  EXPECT_EQ(a1.appointment.end, kNov24 + 9 * 3600 + 45 * 60);
  EXPECT_EQ(a1.locationExt, "l-paris");

  // No offset: the employee's local time (Paris, UTC+1 in November).
  const auto& a2 = b.appointments[1];
  EXPECT_EQ(a2.appointment.start, kNov24 + 86400 + 8 * 3600);
  EXPECT_EQ(a2.appointment.status, Status::Pending);
  ASSERT_EQ(a2.bookings.size(), 2u);
  EXPECT_EQ(a2.bookings[0].booking.persons, 2);
  EXPECT_EQ(a2.bookings[0].booking.status, Status::Pending);  // defaults to the appointment's
  EXPECT_EQ(a2.bookings[1].booking.status, Status::Approved);
  EXPECT_EQ(a2.bookings[1].booking.persons, 1);
  EXPECT_EQ(a2.appointment.meetingUrl, "https://meet.example.com/abc-defg-hij");

  const auto& a3 = b.appointments[2];
  EXPECT_EQ(a3.appointment.externalId, "3");
  EXPECT_EQ(a3.employeeExt, "42");
  EXPECT_EQ(a3.bookings[0].customerExt, "7");
  EXPECT_EQ(a3.appointment.start, kNov24 + 14 * 3600);

  // A space instead of 'T', no seconds, New York local time (UTC-5).
  const auto& a4 = b.appointments[3];
  EXPECT_EQ(a4.appointment.start, kNov24 + 2 * 86400 + 14 * 3600);
  EXPECT_EQ(a4.locationExt, "");
  EXPECT_EQ(a4.appointment.price, "0");

  ASSERT_EQ(b.events.size(), 1u);
  const auto& ev = b.events[0];
  ASSERT_EQ(ev.event.periods.size(), 2u);
  EXPECT_EQ(ev.event.periods[0].externalId, "p1");
  EXPECT_EQ(ev.event.periods[1].externalId, "");
  // Offset-less period: the organizer's zone.
  EXPECT_EQ(ev.event.periods[1].start, kNov24 + 10 * 86400 + 17 * 3600);
  EXPECT_EQ(ev.staffExt, (std::vector<std::string>{"e-paris", "42"}));
  EXPECT_EQ(ev.event.capacity, 10);
}

TEST_F(ImportTest, Import_ValidFixture_IsStoredWithResolvedReferences) {
  const auto s = importFixture("import/valid-small.json");
  EXPECT_EQ(s, (ImportSummary{2 + 3 + 2 + 1 + 4 + 1, 0, 0, 0, 0}));
  const auto a = store_->appointmentByExternalId("3");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->employeeId, store_->employeeByExternalId("42")->id);
  ASSERT_EQ(a->bookings.size(), 1u);
  EXPECT_EQ(a->bookings[0].customerId, store_->customerByExternalId("7")->id);
  EXPECT_EQ(a->revision, 1);
  EXPECT_EQ(a->createdAt, now_);
  const auto ev = store_->eventByExternalId("ev1");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->staffIds.size(), 2u);
  EXPECT_EQ(ev->bookings.at(0).persons, 3);
}

TEST_F(ImportTest, Import_SameFileTwice_ChangesNothing) {
  importFixture("import/valid-small.json");
  const auto before = store_->changesSince("all", 0);
  const auto revision = store_->appointmentByExternalId("a2")->revision;
  now_ += 3600;
  const auto s = importFixture("import/valid-small.json");
  EXPECT_EQ(s, (ImportSummary{0, 0, 13, 0, 0}));
  EXPECT_EQ(store_->changesSince("all", 0), before);
  const auto a2 = store_->appointmentByExternalId("a2");
  EXPECT_EQ(a2->revision, revision);
  EXPECT_EQ(a2->updatedAt, now_ - 3600);
}

TEST_F(ImportTest, Import_ChangedCustomerName_BumpsRevisionOfTheirAppointments) {
  std::string text = test::readFixture("import/valid-small.json");
  importText(text);
  const auto seq = store_->latestChange("all");
  const auto pos = text.find("\"François\"");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, std::string("\"François\"").size(), "\"Françoise\"");
  now_ += 60;
  const auto s = importText(text);
  EXPECT_EQ(s.updated, 1);     // the customer
  EXPECT_EQ(s.cascaded, 2);    // a1 and a2 show her name
  EXPECT_EQ(s.unchanged, 12);  // everything else in the file

  EXPECT_EQ(store_->appointmentByExternalId("a1")->revision, 2);
  EXPECT_EQ(store_->appointmentByExternalId("a2")->revision, 2);
  EXPECT_EQ(store_->appointmentByExternalId("a2")->updatedAt, now_);
  EXPECT_EQ(store_->appointmentByExternalId("3")->revision, 1);
  EXPECT_EQ(store_->eventByExternalId("ev1")->revision, 1);  // she has no seat there

  std::vector<std::string> uids;
  for (const auto& c : store_->changesSince("all", seq)) {
    uids.push_back(c.uid);
    EXPECT_FALSE(c.deleted);
  }
  EXPECT_EQ(uids, (std::vector<std::string>{"appointment-a1", "appointment-a2"}));
}

TEST_F(ImportTest, Import_ChangedAppointmentTime_BumpsOnlyThatAppointment) {
  std::string text = test::readFixture("import/valid-small.json");
  importText(text);
  const auto pos = text.find("2026-11-24T14:00:00Z");
  text.replace(pos, 20, "2026-11-24T13:30:00Z");
  const auto s = importText(text);
  EXPECT_EQ(s, (ImportSummary{0, 1, 12, 0, 0}));
  EXPECT_EQ(store_->appointmentByExternalId("3")->revision, 2);
  EXPECT_EQ(store_->appointmentByExternalId("3")->start, kNov24 + 13 * 3600 + 1800);
}

TEST_F(ImportTest, Import_MalformedFile_ReportsLineAndFieldAndWritesNothing) {
  const std::string text = test::readFixture("import/malformed-many.json");
  const auto r = check(text);
  const std::vector<Where> expected = {
      {4, "employees[0].email"},      {5, "employees[1].timeZone"},
      {8, "customers[0].emial"},      {9, "customers[1].id"},
      {12, "services[0].duration"},   {13, "services[1].duration"},
      {17, "appointments[0].end"},    {18, "appointments[1].service"},
      {19, "appointments[1].status"}, {20, "appointments[1].bookings[0].persons"},
      {21, "appointments[2].end"},  // missing: the line of its object
      {22, "appointments[2].start"},  {25, "events[0].periods"},
  };
  EXPECT_EQ(where(r.errors), expected) << errorsOf(r);
  EXPECT_TRUE(r.batch.employees.empty());

  // Messages say what to do.
  EXPECT_NE(find(r.errors, "employees[0].email")->message.find("name@example.com"),
            std::string::npos);
  EXPECT_NE(find(r.errors, "employees[1].timeZone")->message.find("Mars/Olympus_Mons"),
            std::string::npos);
  EXPECT_NE(find(r.errors, "customers[0].emial")->message.find("did you mean \"email\""),
            std::string::npos);
  EXPECT_NE(find(r.errors, "customers[1].id")->message.find("customers[0]"), std::string::npos);
  EXPECT_NE(find(r.errors, "appointments[1].service")->message.find("s-missing"),
            std::string::npos);
  EXPECT_NE(find(r.errors, "appointments[1].status")->message.find("approved, pending"),
            std::string::npos);
  EXPECT_NE(find(r.errors, "appointments[0].end")->message.find("after \"start\""),
            std::string::npos);
  EXPECT_NE(find(r.errors, "appointments[2].end")->message.find("missing required field"),
            std::string::npos);
  EXPECT_NE(find(r.errors, "appointments[2].start")->message.find("24/11/2026"), std::string::npos);

  // parse() throws every error at once; the store is untouched.
  try {
    importText(text);
    FAIL() << "expected ImportError";
  } catch (const ImportError& e) {
    EXPECT_EQ(e.issues().size(), expected.size());
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.path(), "employees[0].email");
    EXPECT_NE(std::string(e.what()).find("and 12 more errors"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(store_->employees().empty());
  EXPECT_TRUE(store_->customers().empty());
  EXPECT_EQ(store_->latestChange("all"), 0);
}

TEST_F(ImportTest, Import_MalformedFileAfterGoodOne_KeepsTheGoodData) {
  importFixture("import/valid-small.json");
  const auto seq = store_->latestChange("all");
  EXPECT_THROW(importFixture("import/malformed-many.json"), ImportError);
  EXPECT_EQ(store_->employees().size(), 2u);
  EXPECT_EQ(store_->latestChange("all"), seq);
}

TEST_F(ImportTest, Import_SyntaxError_ReportsLineAndColumn) {
  const auto r = check(test::readFixture("import/malformed-syntax.json"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 5);
  EXPECT_EQ(r.errors[0].column, 3);
  EXPECT_NE(r.errors[0].message.find("JSON syntax error"), std::string::npos);
  EXPECT_EQ(formatIssue(r.errors[0], "x.json").rfind("x.json:5:3: error: JSON syntax error", 0),
            0u);
}

TEST_F(ImportTest, Import_SyntaxErrors_PointAtTheOffendingCharacter) {
  struct Case {
    std::string text;
    int line, column;
  };
  const std::vector<Case> cases = {
      {"{\n  \"version\": 1\n  \"employees\": []\n}", 3, 3},  // missing comma
      {"{\"version\": 1, \"x\": tru}", 1, 24},                // bad literal
      {"{\n\"version\": 1,\n\"a\": \"Zoë\" x}", 3, 12},       // columns count characters
      {"{\"version\": 1}\n\n  {}", 3, 3},                     // text after the end
      {"{\"version\": 1, \"a\": \"unterminated", 1, 33},      // end of text
      {"", 1, 1},
  };
  for (const auto& c : cases) {
    const auto r = check(c.text);
    ASSERT_EQ(r.errors.size(), 1u) << c.text;
    EXPECT_EQ(r.errors[0].line, c.line) << c.text << "\n" << errorsOf(r);
    EXPECT_EQ(r.errors[0].column, c.column) << c.text << "\n" << errorsOf(r);
  }
}

TEST_F(ImportTest, Import_WrongType_NamesFieldAndWhatWasFound) {
  const auto r = check(test::readFixture("import/malformed-wrong-type.json"));
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{7, "services[0].duration"}})) << errorsOf(r);
  EXPECT_NE(r.errors[0].message.find("whole number"), std::string::npos);
  EXPECT_NE(r.errors[0].message.find("\"sixty\""), std::string::npos);
}

TEST_F(ImportTest, Import_UnknownStatus_ListsTheAllowedValues) {
  const auto r = check(test::readFixture("import/malformed-unknown-status.json"));
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{9, "appointments[0].status"}})) << errorsOf(r);
  EXPECT_NE(r.errors[0].message.find("\"confirmed\""), std::string::npos);
  EXPECT_NE(r.errors[0].message.find("no-show"), std::string::npos);
}

TEST_F(ImportTest, Import_DanglingReference_NamesTheMissingId) {
  const auto r = check(test::readFixture("import/malformed-dangling-reference.json"));
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{8, "appointments[0].employee"},
                                                 {11, "appointments[0].bookings[0].customer"}}))
      << errorsOf(r);
  EXPECT_NE(r.errors[0].message.find("\"e-nobody\""), std::string::npos);
  EXPECT_NE(r.errors[1].message.find("\"c-ghost\""), std::string::npos);
}

TEST_F(ImportTest, Import_EndBeforeStart_IsAnError) {
  const auto r = check(test::readFixture("import/malformed-end-before-start.json"));
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{9, "appointments[0].end"}})) << errorsOf(r);
  EXPECT_NE(r.errors[0].message.find("30 minutes before"), std::string::npos);
}

TEST_F(ImportTest, Import_UnknownZone_IsAnError) {
  const auto r = check(test::readFixture("import/malformed-unknown-zone.json"));
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{4, "employees[0].timeZone"}})) << errorsOf(r);
  EXPECT_NE(r.errors[0].message.find("IANA"), std::string::npos);
}

TEST_F(ImportTest, Import_UnknownField_SuggestsTheRightName) {
  const auto r = check(test::readFixture("import/malformed-unknown-field.json"));
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{7, "customers[0].emial"}})) << errorsOf(r);
  EXPECT_NE(r.errors[0].message.find("did you mean \"email\"?"), std::string::npos);
}

TEST_F(ImportTest, Import_ReferenceToRecordAlreadyInStore_Resolves) {
  importFixture("import/valid-small.json");
  const std::string text = R"({"version": 1, "appointments": [
    {"id": "a9", "service": "s-cut", "employee": "e-paris", "start": "2026-12-01T10:00:00",
     "end": "2026-12-01T10:45:00", "status": "approved",
     "bookings": [{"id": "b9", "customer": "c-yamada"}]}]})";
  const auto r = check(text);
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  // Local time in the stored employee's zone (Paris, UTC+1).
  EXPECT_EQ(r.batch.appointments[0].appointment.start, kNov24 + 7 * 86400 + 9 * 3600);
  EXPECT_EQ(importText(text).inserted, 1);
  // Without the store, the same references do not resolve.
  EXPECT_EQ(JsonImporter().check(text).errors.size(), 3u);
}

TEST_F(ImportTest, Import_DeletedRecords_AreRemovedAndLoggedOnce) {
  importFixture("import/valid-small.json");
  const auto seq = store_->latestChange("all");
  const auto s = importFixture("import/delete-appointment.json");
  EXPECT_EQ(s, (ImportSummary{0, 0, 1, 2, 0}));  // never-existed: nothing to do
  EXPECT_FALSE(store_->appointmentByExternalId("a1"));
  EXPECT_FALSE(store_->eventByExternalId("ev1"));
  const auto changes = store_->changesSince("all", seq);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].uid, "appointment-a1");
  EXPECT_TRUE(changes[0].deleted);
  EXPECT_EQ(changes[1].uid, "event-ev1");
  EXPECT_TRUE(changes[1].deleted);
  // Deleting again changes nothing.
  EXPECT_EQ(importFixture("import/delete-appointment.json"), (ImportSummary{0, 0, 3, 0, 0}));
  EXPECT_EQ(store_->latestChange("all"), changes[1].seq);
}

TEST_F(ImportTest, Import_TooLarge_IsRefusedBeforeParsing) {
  JsonImportOptions o;
  o.maxBytes = 100;
  const auto r = JsonImporter(o).check(test::readFixture("import/valid-small.json"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("over the import limit"), std::string::npos);
  const auto rf = JsonImporter(o).checkFile(test::fixturesDir() / "import/valid-small.json");
  ASSERT_EQ(rf.errors.size(), 1u);
  EXPECT_NE(rf.errors[0].message.find("over the import limit"), std::string::npos);
}

TEST_F(ImportTest, Import_VersionIsRequiredAndNewerVersionsAskForAnUpgrade) {
  auto r = check("{\"version\": 2}");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("upgrade creneau"), std::string::npos);
  r = check("{\"employees\": []}");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "version");
  EXPECT_EQ(r.errors[0].line, 1);
  r = check("[1, 2]");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("one JSON object"), std::string::npos);
}

TEST_F(ImportTest, Import_InvalidUtf8_ReportsWhere) {
  const auto r = check("{\"version\": 1,\n \"employees\": [{\"id\": \"e\xff\"}]}");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].column, 25);
  EXPECT_NE(r.errors[0].message.find("UTF-8"), std::string::npos);
}

TEST_F(ImportTest, Import_ByteOrderMark_IsAccepted) {
  const auto r = check("\xEF\xBB\xBF{\"version\": 1}");
  EXPECT_TRUE(r.ok()) << errorsOf(r);
}

TEST_F(ImportTest, Import_IntegerAndTextIdsAreTheSameId) {
  const auto r = check(R"({"version": 1, "customers": [
    {"id": 7, "firstName": "A"},
    {"id": "7", "firstName": "B"}]})");
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{3, "customers[1].id"}})) << errorsOf(r);
}

TEST_F(ImportTest, Import_FieldChecks_CoverIdsNumbersUrlsAndNames) {
  const auto r = check(R"({"version": 1,
  "employees": [{"id": "", "firstName": "A", "timeZone": "UTC"},
                {"id": 1.5, "lastName": "B", "timeZone": "UTC"},
                {"id": "e3", "timeZone": "UTC"}],
  "services": [{"id": "s1", "name": " ", "duration": 30, "bufferBefore": -5, "price": "12,50",
                "currency": "eur"}],
  "appointments": [{"id": "a1", "service": "s1", "employee": "e3",
                    "start": "2026-02-30T10:00:00Z", "end": "2026-03-01T10:00:00+25:00",
                    "status": "approved", "meetingUrl": "meet.example.com/x", "deleted": "no"}]})");
  const std::vector<Where> expected = {
      {2, "employees[0].id"},          {3, "employees[1].id"},
      {4, "employees[2].firstName"},   {5, "services[0].name"},
      {5, "services[0].bufferBefore"}, {5, "services[0].price"},
      {6, "services[0].currency"},     {8, "appointments[0].start"},
      {8, "appointments[0].end"},      {9, "appointments[0].meetingUrl"},
      {9, "appointments[0].deleted"},
  };
  EXPECT_EQ(where(r.errors), expected) << errorsOf(r);
}

TEST_F(ImportTest, Import_GroupEventsValidateEveryPeriodAndStaffMember) {
  const auto r = check(R"({"version": 1,
  "employees": [{"id": "e1", "firstName": "A", "timeZone": "Asia/Kolkata"}],
  "events": [{"id": "ev", "name": "Class", "status": "approved", "organizer": "e1",
              "staff": ["e1", "e1", "ghost"],
              "periods": [{"id": "p", "start": "2026-11-24T10:00", "end": "2026-11-24T11:00"},
                          {"id": "p", "start": "2026-11-25T10:00", "end": "2026-11-25T11:00"},
                          {"start": "2026-11-26T10:00", "end": "2026-11-26T09:00"}]},
             {"id": "ev2", "name": "Class", "status": "approved",
              "periods": [{"start": "2026-11-24T10:00", "end": "2026-11-24T11:00"}]}]})");
  const std::vector<Where> expected = {
      {4, "events[0].staff[1]"},         {4, "events[0].staff[2]"},
      {6, "events[0].periods[1].id"},    {7, "events[0].periods[2].end"},
      {9, "events[1].periods[0].start"},  // no offset and nobody to take a zone from
      {9, "events[1].periods[0].end"},
  };
  EXPECT_EQ(where(r.errors), expected) << errorsOf(r);
}

TEST_F(ImportTest, Import_Overbooking_IsAWarningNotAnError) {
  const auto r = check(R"({"version": 1,
  "employees": [{"id": "e1", "firstName": "A", "timeZone": "UTC"}],
  "customers": [{"id": "c1", "firstName": "C"}],
  "services": [{"id": "s1", "name": "Yoga", "duration": 60, "capacity": 2}],
  "appointments": [{"id": "a1", "service": "s1", "employee": "e1", "status": "approved",
    "start": "2026-11-24T10:00:00Z", "end": "2026-11-24T11:00:00Z",
    "bookings": [{"id": "b1", "customer": "c1", "persons": 3},
                 {"id": "b2", "customer": "c1", "persons": 5, "status": "canceled"}]}]})");
  EXPECT_TRUE(r.ok()) << errorsOf(r);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].path, "appointments[0].bookings");
  EXPECT_EQ(r.warnings[0].line, 7);
  EXPECT_NE(r.warnings[0].message.find("3 persons booked"), std::string::npos);
}

TEST_F(ImportTest, Import_LocalTimesAtDstChanges_AreReadAndWarnedAbout) {
  const auto r = check(R"({"version": 1,
  "employees": [{"id": "paris", "firstName": "A", "timeZone": "Europe/Paris"},
                {"id": "ny", "firstName": "B", "timeZone": "America/New_York"}],
  "services": [{"id": "s1", "name": "Cut", "duration": 60}],
  "appointments": [
    {"id": "gap", "service": "s1", "employee": "paris", "status": "approved",
     "start": "2027-03-28T02:30:00", "end": "2027-03-28T04:00:00"},
    {"id": "twice", "service": "s1", "employee": "ny", "status": "approved",
     "start": "2026-11-01T01:30:00", "end": "2026-11-01T03:00:00"},
    {"id": "plain", "service": "s1", "employee": "paris", "status": "approved",
     "start": "2026-10-25T10:00:00", "end": "2026-10-25T11:00:00"}]})");
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  ASSERT_EQ(where(r.warnings),
            (std::vector<Where>{{7, "appointments[0].start"}, {9, "appointments[1].start"}}));
  EXPECT_NE(r.warnings[0].message.find("does not exist"), std::string::npos);
  EXPECT_NE(r.warnings[1].message.find("happens twice"), std::string::npos);
  // 02:30 does not exist on 2027-03-28 in Paris: moved forward by the gap to 03:30 CEST.
  EXPECT_EQ(r.batch.appointments[0].appointment.start, 1806197400);  // 01:30Z
  // 01:30 happens twice in New York on 2026-11-01: the first, EDT (UTC-4).
  EXPECT_EQ(r.batch.appointments[1].appointment.start, 1793511000);  // 05:30Z
  EXPECT_EQ(r.batch.appointments[2].appointment.start, 1792918800);  // 09:00Z
}

TEST_F(ImportTest, Import_TheCliExample_PointsAtTheZoneLine) {
  const auto r = check(
      "{\n  \"version\": 1,\n  \"employees\": [\n    {\"id\": \"e1\", \"firstName\": \"A\", "
      "\"timeZone\": \"Mars/Olympus\"}\n  ]\n}\n");
  ASSERT_EQ(where(r.errors), (std::vector<Where>{{4, "employees[0].timeZone"}}));
  EXPECT_EQ(formatIssue(r.errors[0], "bad.json"),
            "bad.json:4:36: error: employees[0].timeZone: unknown time zone \"Mars/Olympus\": use "
            "an IANA name such as \"Europe/Paris\" or \"America/New_York\"");
}

TEST_F(ImportTest, Import_TooManyErrors_StopsAtTheLimit) {
  std::string text = "{\"version\": 1, \"customers\": [";
  for (int i = 0; i < 50; ++i) text += std::string(i ? "," : "") + "{\"id\": \"\"}";
  text += "]}";
  JsonImportOptions o;
  o.maxErrors = 10;
  const auto r = JsonImporter(o).check(text);
  ASSERT_EQ(r.errors.size(), 11u);
  EXPECT_NE(r.errors.back().message.find("too many errors"), std::string::npos);
}

TEST_F(ImportTest, Import_DemoData_ImportsCleanly) {
  const auto r = JsonImporter().checkFile(test::fixturesDir() / "demo/demo.json", store_.get());
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  EXPECT_TRUE(r.warnings.empty()) << formatIssue(r.warnings[0], "demo.json");
  EXPECT_EQ(r.batch.employees.size(), 4u);
  EXPECT_GE(r.batch.customers.size(), 20u);
  EXPECT_EQ(r.batch.services.size(), 8u);
  EXPECT_EQ(r.batch.locations.size(), 2u);
  EXPECT_GE(r.batch.appointments.size(), 40u);
  EXPECT_EQ(r.batch.events.size(), 2u);
  std::set<Status> statuses;
  for (const auto& a : r.batch.appointments) statuses.insert(a.appointment.status);
  EXPECT_EQ(statuses.size(), 5u) << "every status appears";
  store_->apply(r.batch);
  EXPECT_EQ(store_->countAppointments({}), static_cast<std::int64_t>(r.batch.appointments.size()));
  // Demo ids the README and scripts use.
  EXPECT_TRUE(store_->employeeByExternalId("emp-sophie"));
  EXPECT_TRUE(store_->serviceByExternalId("svc-color"));
}

}  // namespace
}  // namespace creneau::engine
