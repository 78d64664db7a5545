// Working hours and slot rules: import, store round trip, and slots computed
// from what the store holds (findSlots).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "TestSupport.h"
#include "engine/import/JsonImporter.h"
#include "engine/slots/StoreSlots.h"
#include "engine/store/SqliteStore.h"
#include "ical/TimeZones.h"

namespace creneau::engine {
namespace {

constexpr const char* kImport = R"({
  "version": 1,
  "employees": [
    {"id": "e1", "firstName": "Eve", "timeZone": "Europe/Paris",
     "schedule": {
       "weekly": {"mon": [["13:00", "14:00"], ["09:00", "12:00"]], "tue": [["09:00", "10:00"]],
                  "sun": [["22:00", "24:00"]]},
       "daysOff": ["2026-12-08", "2026-12-08"],
       "special": {"2026-12-09": [["14:00", "15:00"]], "2026-12-10": []}
     }},
    {"id": "e2", "firstName": "Noah", "timeZone": "America/New_York"}
  ],
  "services": [
    {"id": "s1", "name": "Cut", "duration": 60, "slotStepMin": 30, "minNoticeMin": 120,
     "horizonDays": 30},
    {"id": "s2", "name": "Quick", "duration": 30, "bufferAfter": 15}
  ],
  "appointments": [
    {"id": "a1", "service": "s2", "employee": "e1", "start": "2026-12-07T10:00:00+01:00",
     "end": "2026-12-07T10:30:00+01:00", "status": "approved"}
  ]
})";

class SlotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = test::scratchDir(
        std::string("slots-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    SqliteStoreOptions options;
    options.clock = [] { return UnixTime{1'795'478'400}; };  // 2026-11-24T00:00:00Z
    store_ = std::make_unique<SqliteStore>((dir / "creneau.db").string(), options);
  }

  void import(const std::string& json) { (void)store_->apply(JsonImporter().parse(json, *store_)); }

  Id id(const char* employeeExt) const { return store_->employeeByExternalId(employeeExt)->id; }

  static std::vector<std::string> errorsOf(const std::string& json) {
    std::vector<std::string> out;
    for (const auto& e : JsonImporter().check(json).errors)
      out.push_back(e.path + ": " + e.message);
    return out;
  }

  SlotRequest request(const std::string& service) const {
    SlotRequest r;
    r.serviceExt = service;
    r.from = LocalDate{2026, 12, 7};
    r.to = LocalDate{2026, 12, 10};
    r.timeZone = "Europe/Paris";
    r.now = ical::toUnix(ical::DateTime::local(2026, 12, 1, 0, 0, 0, "UTC"));
    return r;
  }

  static std::vector<std::string> starts(const SlotAnswer& a) {
    std::vector<std::string> out;
    for (const auto& s : a.result.slots) out.push_back(formatLocal(s.start, s.startOffset));
    return out;
  }

  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SlotStoreTest, Import_ScheduleAndSlotRules_RoundTripThroughTheStore) {
  import(kImport);
  const WorkSchedule w = store_->employeeSchedule(id("e1"));
  EXPECT_EQ(w.timeZone, "Europe/Paris");
  EXPECT_EQ(w.weekly[0], (std::vector<TimeRange>{{9 * 60, 12 * 60}, {13 * 60, 14 * 60}}));
  EXPECT_EQ(w.weekly[1], (std::vector<TimeRange>{{9 * 60, 10 * 60}}));
  EXPECT_TRUE(w.weekly[2].empty());
  EXPECT_EQ(w.weekly[6], (std::vector<TimeRange>{{22 * 60, 24 * 60}}));
  EXPECT_EQ(w.daysOff, (std::vector<LocalDate>{{2026, 12, 8}}));
  ASSERT_EQ(w.special.size(), 2u);
  EXPECT_EQ(w.special.at(LocalDate{2026, 12, 9}), (std::vector<TimeRange>{{14 * 60, 15 * 60}}));
  EXPECT_TRUE(w.special.at(LocalDate{2026, 12, 10}).empty()) << "[] is a closed day";

  EXPECT_EQ(store_->serviceSlotSettings(store_->serviceByExternalId("s1")->id),
            (ServiceSlotSettings{30, 120, 30}));
  EXPECT_EQ(store_->serviceSlotSettings(store_->serviceByExternalId("s2")->id),
            ServiceSlotSettings{})
      << "defaults";

  const WorkSchedule none = store_->employeeSchedule(id("e2"));
  EXPECT_EQ(none.timeZone, "America/New_York");
  for (const auto& day : none.weekly) EXPECT_TRUE(day.empty());
}

TEST_F(SlotStoreTest, Import_WithoutScheduleKeepsIt_WithScheduleReplacesIt) {
  import(kImport);
  const WorkSchedule before = store_->employeeSchedule(id("e1"));
  import(R"({"version": 1, "employees": [{"id": "e1", "firstName": "Eve",
            "timeZone": "Europe/Paris"}]})");
  EXPECT_EQ(store_->employeeSchedule(id("e1")), before);
  import(R"({"version": 1, "employees": [{"id": "e1", "firstName": "Eve",
            "timeZone": "Europe/Paris", "schedule": {"weekly": {"fri": [["08:00", "09:00"]]}}}]})");
  const WorkSchedule after = store_->employeeSchedule(id("e1"));
  EXPECT_EQ(after.weekly[4], (std::vector<TimeRange>{{8 * 60, 9 * 60}}));
  EXPECT_TRUE(after.weekly[0].empty());
  EXPECT_TRUE(after.daysOff.empty());
  EXPECT_TRUE(after.special.empty());
}

TEST_F(SlotStoreTest, Import_BadSchedulesAreErrorsWithTheirPath) {
  auto withSchedule = [](const std::string& schedule) {
    return R"({"version": 1, "employees": [{"id": "e1", "firstName": "Eve",
              "timeZone": "Europe/Paris", "schedule": )" +
           schedule + "}]}";
  };
  auto errors = errorsOf(withSchedule(R"({"weekly": {"mon": [["09:00", "25:00"]]}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("employees[0].schedule.weekly.mon[0]"), std::string::npos) << errors[0];

  errors = errorsOf(withSchedule(R"({"weekly": {"mon": [["12:00", "09:00"]]}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("ends before it starts"), std::string::npos) << errors[0];

  errors =
      errorsOf(withSchedule(R"({"weekly": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("overlap"), std::string::npos) << errors[0];

  errors = errorsOf(withSchedule(R"({"weekley": {}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("did you mean \"weekly\""), std::string::npos) << errors[0];

  errors = errorsOf(withSchedule(R"({"weekly": {"monday": []}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("unknown field \"monday\""), std::string::npos) << errors[0];

  errors = errorsOf(withSchedule(R"({"daysOff": ["2026-02-30"], "special": {"24/12": []}})"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("is not a date"), std::string::npos) << errors[0];

  EXPECT_TRUE(errorsOf(withSchedule("null")).empty());
  EXPECT_TRUE(errorsOf(withSchedule(R"({"weekly": {"sun": [["00:00", "24:00"]]}})")).empty());

  errors = errorsOf(R"({"version": 1, "services": [{"id": "s", "name": "S", "duration": 30,
                       "slotStepMin": 0}]})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("services[0].slotStepMin"), std::string::npos) << errors[0];
}

TEST_F(SlotStoreTest, FindSlots_UsesStoredHoursRulesAndAppointmentsWithTheirBuffers) {
  import(kImport);
  SlotRequest r = request("s1");
  r.employeeExts = {"e1"};
  r.explain = true;
  const SlotAnswer a = findSlots(*store_, r);
  ASSERT_TRUE(a.ok()) << a.error;
  // Monday 7th: 09:00-12:00 and 13:00-14:00, every 30 min; a1 (10:00-10:30)
  // plus its service's 15 min buffer after occupies 10:00-10:45. Tuesday 8th
  // is a day off, Wednesday 9th a special day 14:00-15:00, Thursday 10th closed.
  EXPECT_EQ(starts(a),
            (std::vector<std::string>{"2026-12-07T09:00:00+01:00", "2026-12-07T11:00:00+01:00",
                                      "2026-12-07T13:00:00+01:00", "2026-12-09T14:00:00+01:00"}));
  bool found = false;
  for (const auto& rej : a.result.rejected) {
    if (formatLocal(rej.start, rej.startOffset) != "2026-12-07T10:30:00+01:00") continue;
    found = true;
    ASSERT_EQ(rej.reasons.size(), 1u);
    EXPECT_EQ(rej.reasons[0].text(), "buffer after appointment a1");
  }
  EXPECT_TRUE(found);
  ASSERT_NE(a.employee(a.result.slots[0].employeeId), nullptr);
  EXPECT_EQ(a.employee(a.result.slots[0].employeeId)->externalId, "e1");
}

TEST_F(SlotStoreTest, FindSlots_MinimumNoticeFromTheServiceRules) {
  import(kImport);
  SlotRequest r = request("s1");
  r.now = ical::toUnix(ical::DateTime::local(2026, 12, 7, 8, 30, 0, "Europe/Paris"));
  const SlotAnswer a = findSlots(*store_, r);  // 120 min notice: from 10:30
  ASSERT_TRUE(a.ok()) << a.error;
  ASSERT_FALSE(a.result.slots.empty());
  EXPECT_EQ(formatLocal(a.result.slots[0].start, a.result.slots[0].startOffset),
            "2026-12-07T11:00:00+01:00");
}

TEST_F(SlotStoreTest, FindSlots_PersonalCalendarBusyTimeBlocks) {
  import(kImport);
  PersonalPut p;
  p.employeeId = id("e1");
  p.slug = kBlockedSlug;
  p.name = "dentist.ics";
  p.uid = "dentist@test";
  p.icalText =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
      "UID:dentist@test\r\nDTSTAMP:20261101T000000Z\r\n"
      "DTSTART;TZID=Europe/Paris:20261207T110000\r\nDTEND;TZID=Europe/Paris:20261207T113000\r\n"
      "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  ASSERT_EQ(store_->putPersonalObject(p).outcome, PersonalPutResult::Outcome::Created);
  SlotRequest r = request("s1");
  r.explain = true;
  const SlotAnswer a = findSlots(*store_, r);
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(starts(a),
            (std::vector<std::string>{"2026-12-07T09:00:00+01:00", "2026-12-07T13:00:00+01:00",
                                      "2026-12-09T14:00:00+01:00"}));
}

TEST_F(SlotStoreTest, FindSlots_UnknownServiceOrEmployeeOrZoneIsAnErrorValue) {
  import(kImport);
  EXPECT_EQ(findSlots(*store_, request("nope")).error, "no service with id \"nope\"");
  SlotRequest r = request("s1");
  r.employeeExts = {"ghost"};
  EXPECT_EQ(findSlots(*store_, r).error, "no employee with id \"ghost\"");
  r = request("s1");
  r.timeZone = "Mars/Olympus";
  EXPECT_FALSE(findSlots(*store_, r).ok());
}

TEST_F(SlotStoreTest, Demo_ImportsWithSchedulesAndOffersSlots) {
  import(test::readFixture("demo/demo.json"));
  SlotRequest r;
  r.serviceExt = "svc-cut";
  r.employeeExts = {"emp-sophie"};
  r.from = LocalDate{2026, 12, 1};  // a Tuesday
  r.to = LocalDate{2026, 12, 1};
  r.timeZone = "Europe/Paris";
  r.now = ical::toUnix(ical::DateTime::local(2026, 11, 20, 0, 0, 0, "UTC"));
  const SlotAnswer a = findSlots(*store_, r);
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_FALSE(a.result.slots.empty());
  for (const auto& s : a.result.slots) EXPECT_EQ(s.end - s.start, 45 * 60);
}

}  // namespace
}  // namespace creneau::engine
