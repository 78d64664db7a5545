// ICS sources end to end: conditional GET, the cache, the fail-safe policy
// and what slot queries make of it (issue 5, items 1 and 3).

#include <gtest/gtest.h>

#include "BusyTestSupport.h"

namespace creneau::engine::busy {
namespace {

using test::BusyStoreFixture;
using test::FakeHttpServer;
using test::utc;
using test::vcalendar;
using test::vevent;

// 2026-12-01 10:00-11:00 Paris is 09:00-10:00Z.
const std::string kCalendar =
    vcalendar(vevent("dentist", ":20261201T090000Z", ":20261201T100000Z", "Dentist") +
              vevent("appointment-9@creneau", ":20261201T130000Z", ":20261201T140000Z", "Our own"));

class BusySlotsTest : public ::testing::Test {
 protected:
  BusySlotsTest()
      : fx_(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        server_([this](const FakeHttpServer::Request& r) { return serve(r); }) {}

  FakeHttpServer::Reply serve(const FakeHttpServer::Request& r) {
    std::lock_guard lock(mutex_);
    if (r.uri == "/moved.ics") return {301, "", {{"Location", "/cal.ics"}}};
    if (failWith_) return {failWith_, "down", {}};
    if (auto it = r.headers.find("if-none-match"); it != r.headers.end() && it->second == etag_)
      return {304, "", {{"ETag", etag_}}};
    return {200, body_, {{"ETag", etag_}, {"Content-Type", "text/calendar"}}};
  }
  void setBody(std::string body, std::string etag) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
    etag_ = std::move(etag);
  }
  void failWith(int status) {
    std::lock_guard lock(mutex_);
    failWith_ = status;
  }

  BusyStoreFixture fx_;
  std::mutex mutex_;
  std::string body_ = kCalendar;
  std::string etag_ = "\"v1\"";
  int failWith_ = 0;
  FakeHttpServer server_;
};

const std::vector<std::string> kAllDay = {"09:00", "10:00", "11:00", "12:00",
                                          "13:00", "14:00", "15:00", "16:00"};

TEST_F(BusySlotsTest, NeverReadSourceMakesSlotsUnverifiedNotFree) {
  fx_.addSource(SourceKind::Ics, server_.url("/cal.ics"));
  EXPECT_TRUE(fx_.slots().result.slots.empty());  // default policy: hide
  const auto a = fx_.slots(true);
  ASSERT_FALSE(a.result.rejected.empty());
  EXPECT_EQ(a.result.rejected.front().reasons.front().kind, SlotReasonKind::UnverifiedSource);
  fx_.store().setSetting(keys::kUnverifiedPolicy, "mark");
  auto marked = BusyStoreFixture::starts(fx_.slots());
  EXPECT_EQ(marked.size(), kAllDay.size());
  EXPECT_EQ(marked.front(), "09:00?");
}

TEST_F(BusySlotsTest, IcsBusyPeriodHidesItsSlotWithSourceAndSummaryInExplain) {
  const Id id = fx_.addSource(SourceKind::Ics, server_.url("/cal.ics"));
  const auto reports = fx_.refresh();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].ok) << reports[0].error;
  EXPECT_EQ(reports[0].periods, 1u);  // our own appointment-9@creneau is not busy
  const auto a = fx_.slots(true);
  EXPECT_EQ(
      BusyStoreFixture::starts(a),
      (std::vector<std::string>{"09:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"}));
  ASSERT_EQ(a.result.rejected.size(), 1u);
  const auto& reason = a.result.rejected[0].reasons.at(0);
  EXPECT_EQ(reason.kind, SlotReasonKind::Busy);
  EXPECT_EQ(reason.sourceId, "busy-" + std::to_string(id));
  EXPECT_EQ(reason.sourceName, "test (ICS)");
  EXPECT_EQ(reason.summary, "Dentist");
  const auto src = *fx_.busy().source(id);
  EXPECT_EQ(src.status, SourceStatus::Ok);
  EXPECT_EQ(src.fetchedAt, fx_.now());
  EXPECT_EQ(src.etag, "\"v1\"");
}

TEST_F(BusySlotsTest, SecondRefreshSendsEtagGets304AndKeepsThePeriods) {
  const Id id = fx_.addSource(SourceKind::Ics, server_.url("/cal.ics"));
  ASSERT_TRUE(fx_.refresh()[0].ok);
  fx_.setNow(fx_.now() + 300);
  const auto second = fx_.refresh();
  ASSERT_TRUE(second[0].ok) << second[0].error;
  EXPECT_TRUE(second[0].notModified);
  const auto log = server_.log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].headers.at("if-none-match"), "\"v1\"");
  EXPECT_EQ(fx_.busy().sourcePeriods(id).size(), 1u);
  EXPECT_EQ(fx_.busy().source(id)->fetchedAt, fx_.now());
  // A changed calendar has a new ETag: read and parsed again.
  setBody(vcalendar(""), "\"v2\"");
  fx_.setNow(fx_.now() + 300);
  const auto third = fx_.refresh();
  EXPECT_FALSE(third[0].notModified);
  EXPECT_TRUE(fx_.busy().sourcePeriods(id).empty());
  EXPECT_EQ(BusyStoreFixture::starts(fx_.slots()), kAllDay);
}

TEST_F(BusySlotsTest, FailedSourceKeepsItsPeriodsAndHidesOrMarksPerEmployeePolicy) {
  const Id id = fx_.addSource(SourceKind::Ics, server_.url("/cal.ics"));
  ASSERT_TRUE(fx_.refresh()[0].ok);
  failWith(503);
  fx_.setNow(fx_.now() + 300);
  const auto r = fx_.refresh();
  ASSERT_FALSE(r[0].ok);
  EXPECT_NE(r[0].error.find("503"), std::string::npos) << r[0].error;
  const auto src = *fx_.busy().source(id);
  EXPECT_EQ(src.status, SourceStatus::Error);
  EXPECT_EQ(src.errorSince, fx_.now());
  EXPECT_NE(src.message.find("503"), std::string::npos);
  EXPECT_EQ(fx_.busy().sourcePeriods(id).size(), 1u);  // not dropped

  // Default policy: hidden.
  EXPECT_TRUE(fx_.slots().result.slots.empty());
  // Per employee: offered, marked, and the busy hour still not offered.
  fx_.busy().setEmployeePolicy(fx_.employee(), Policy::Mark);
  EXPECT_EQ(BusyStoreFixture::starts(fx_.slots()),
            (std::vector<std::string>{"09:00?", "11:00?", "12:00?", "13:00?", "14:00?", "15:00?",
                                      "16:00?"}));
  // Employees with different policies in one query: e2 (no sources) is
  // verified, e1 marked.
  const auto both = fx_.slots(false, {"e1", "e2"});
  ASSERT_GE(both.result.slots.size(), 2u);
  EXPECT_EQ(both.result.slots[0].employeeId, fx_.employee("e1"));
  EXPECT_TRUE(both.result.slots[0].unverified);
  EXPECT_EQ(both.result.slots[1].employeeId, fx_.employee("e2"));
  EXPECT_FALSE(both.result.slots[1].unverified);

  // A second failure keeps error_since; a success clears the error.
  fx_.setNow(fx_.now() + 300);
  (void)fx_.refresh();
  EXPECT_EQ(fx_.busy().source(id)->errorSince, fx_.now() - 300);
  failWith(0);
  EXPECT_TRUE(fx_.refresh()[0].ok);
  EXPECT_EQ(fx_.busy().source(id)->status, SourceStatus::Ok);
  EXPECT_EQ(fx_.busy().source(id)->message, "");
}

TEST_F(BusySlotsTest, IcsRedirectIsFollowed) {
  const Id id = fx_.addSource(SourceKind::Ics, server_.url("/moved.ics"));
  const auto r = fx_.refresh();
  ASSERT_TRUE(r[0].ok) << r[0].error;
  EXPECT_EQ(r[0].requests, 2);
  EXPECT_EQ(fx_.busy().sourcePeriods(id).size(), 1u);
}

TEST_F(BusySlotsTest, StaleCacheIsUnverified) {
  fx_.addSource(SourceKind::Ics, server_.url("/cal.ics"));
  ASSERT_TRUE(fx_.refresh()[0].ok);
  EXPECT_FALSE(fx_.slots().result.slots.empty());
  fx_.setNow(fx_.now() + 3601);  // busy.max_age_sec defaults to an hour
  EXPECT_TRUE(fx_.slots().result.slots.empty());
}

TEST_F(BusySlotsTest, RemovedSourceTakesItsPeriodsAlong) {
  const Id id = fx_.addSource(SourceKind::Ics, server_.url("/cal.ics"));
  ASSERT_TRUE(fx_.refresh()[0].ok);
  EXPECT_TRUE(fx_.busy().remove(id));
  EXPECT_FALSE(fx_.busy().remove(id));
  EXPECT_TRUE(fx_.busy().sourcePeriods(id).empty());
  EXPECT_EQ(BusyStoreFixture::starts(fx_.slots()), kAllDay);
}

TEST_F(BusySlotsTest, TimeBudgetBoundsTheRefreshAndATimeoutIsAnError) {
  server_.setHandler([](const FakeHttpServer::Request&) {
    return FakeHttpServer::Reply{200, kCalendar, {}, 1500};
  });
  fx_.addSource(SourceKind::Ics, server_.url("/slow.ics"));
  fx_.addSource(SourceKind::Ics, server_.url("/slow2.ics"));
  RefreshOptions options;
  options.budget = std::chrono::milliseconds(500);
  const auto started = std::chrono::steady_clock::now();
  const auto r = fx_.refresh(nullptr, {}, options);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1400));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].ok);
  EXPECT_FALSE(r[1].ok);
  EXPECT_TRUE(fx_.slots().result.slots.empty());
}

TEST_F(BusySlotsTest, RemoveBusySlotsOffIgnoresConnectedCalendarsOnly) {
  fx_.addSource(SourceKind::Ics, server_.url("/cal.ics"));
  ASSERT_TRUE(fx_.refresh()[0].ok);
  fx_.store().setSetting("busy.remove_busy_slots", "false");
  // An ICS source is not a connected calendar: it still counts.
  EXPECT_EQ(fx_.slots().result.slots.size(), kAllDay.size() - 1);
}

}  // namespace
}  // namespace creneau::engine::busy
