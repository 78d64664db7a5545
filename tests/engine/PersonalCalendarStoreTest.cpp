#include <gtest/gtest.h>

#include <string>

#include "TestSupport.h"
#include "engine/import/JsonImporter.h"
#include "engine/store/SqliteStore.h"

namespace creneau::engine {
namespace {

class PersonalCalendarStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = test::scratchDir(
        std::string("personal-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    SqliteStoreOptions options;
    options.clock = [this] { return now_; };
    store_ = std::make_unique<SqliteStore>((dir / "creneau.db").string(), options);
    (void)store_->apply(JsonImporter().parse(test::readFixture("demo/demo.json"), *store_));
    employee_ = store_->employeeByExternalId("emp-sophie")->id;
  }

  PersonalPutResult put(const std::string& name, const std::string& uid, const std::string& text) {
    PersonalPut p;
    p.employeeId = employee_;
    p.slug = kBlockedSlug;
    p.name = name;
    p.uid = uid;
    p.icalText = text;
    return store_->putPersonalObject(p);
  }

  UnixTime now_ = 1'790'000'000;  // 2026-09-21T14:13:20Z
  Id employee_ = 0;
  std::unique_ptr<SqliteStore> store_;
};

constexpr const char* kWeekly =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
    "UID:weekly@test\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=Europe/Paris:20260105T090000\r\nDTEND;TZID=Europe/Paris:20260105T100000\r\n"
    "RRULE:FREQ=WEEKLY\r\nSUMMARY:Gym\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

TEST_F(PersonalCalendarStoreTest, WeeklyRruleWithoutEnd_StoresBoundedDstCorrectBusyPeriods) {
  EXPECT_FALSE(store_->personalCalendar(employee_, kBlockedSlug)) << "created on first use";
  const auto r = put("gym.ics", "weekly@test", kWeekly);
  ASSERT_EQ(r.outcome, PersonalPutResult::Outcome::Created);
  EXPECT_EQ(r.object.etag, personalEtag(kWeekly));
  EXPECT_EQ(r.object.revision, 1);

  const auto calendar = store_->personalCalendar(employee_, kBlockedSlug);
  ASSERT_TRUE(calendar);
  EXPECT_EQ(calendar->displayName, "Blocked time");
  EXPECT_GT(store_->latestChange(personalCollection(calendar->id)), 0);

  const auto busy = store_->personalBusy(employee_, 0, 4'000'000'000);
  // Mondays from 2026-01-05 until two years after "now": bounded, never endless.
  EXPECT_GT(busy.size(), 100u);
  EXPECT_LE(busy.size(), 160u);
  EXPECT_LE(busy.back().start, now_ + kBusyAhead);
  // 09:00 Paris is 08:00Z in winter (CET) and 07:00Z in summer (CEST).
  EXPECT_EQ(busy.front(), (BusyInterval{1'767'600'000, 1'767'600'000 + 3600}));
  bool summer = false;
  for (const auto& b : busy)
    if (b.start == 1'783'321'200 && b.end == 1'783'321'200 + 3600) summer = true;
  EXPECT_TRUE(summer) << "2026-07-06 09:00 Europe/Paris is 07:00Z";
  for (const auto& b : busy) EXPECT_EQ(b.end - b.start, 3600);
}

TEST_F(PersonalCalendarStoreTest, ReplaceAndDelete_KeepBusyPeriodsInStep) {
  ASSERT_EQ(put("gym.ics", "weekly@test", kWeekly).outcome, PersonalPutResult::Outcome::Created);
  std::string single = kWeekly;
  single.erase(single.find("RRULE:FREQ=WEEKLY\r\n"), 19);
  PersonalPut stale;
  stale.employeeId = employee_;
  stale.slug = kBlockedSlug;
  stale.name = "gym.ics";
  stale.uid = "weekly@test";
  stale.icalText = single;
  stale.ifMatch = "\"nope\"";
  EXPECT_EQ(store_->putPersonalObject(stale).outcome,
            PersonalPutResult::Outcome::PreconditionFailed);
  stale.ifMatch = personalEtag(kWeekly);
  const auto replaced = store_->putPersonalObject(stale);
  ASSERT_EQ(replaced.outcome, PersonalPutResult::Outcome::Replaced);
  EXPECT_EQ(replaced.object.revision, 2);
  EXPECT_EQ(store_->personalBusy(employee_, 0, 4'000'000'000).size(), 1u);

  EXPECT_EQ(put("other.ics", "weekly@test", single).outcome,
            PersonalPutResult::Outcome::UidConflict);

  const auto calendarId = store_->personalCalendar(employee_, kBlockedSlug)->id;
  EXPECT_EQ(store_->deletePersonalObject(calendarId, "gym.ics", std::string("\"nope\"")),
            PersonalDeleteOutcome::PreconditionFailed);
  EXPECT_EQ(store_->deletePersonalObject(calendarId, "gym.ics", std::nullopt),
            PersonalDeleteOutcome::Deleted);
  EXPECT_EQ(store_->deletePersonalObject(calendarId, "gym.ics", std::nullopt),
            PersonalDeleteOutcome::NotFound);
  EXPECT_TRUE(store_->personalBusy(employee_, 0, 4'000'000'000).empty());
  const auto changes = store_->changesSince(personalCollection(calendarId), 0);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes.back().kind, "personal");
  EXPECT_EQ(changes.back().uid, "gym.ics");
  EXPECT_TRUE(changes.back().deleted);
}

}  // namespace
}  // namespace creneau::engine
