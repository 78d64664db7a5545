#include "ical/Recurrence.h"

#include <gtest/gtest.h>

#include <chrono>

#include "IcalPrinters.h"
#include "TestSupport.h"
#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"

namespace creneau::ical {
namespace {

UnixTime utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return toUnix(DateTime::local(y, mo, d, h, mi, 0, "UTC"));
}

Event weekly(const std::string& zone, int h = 9) {
  Event e;
  e.uid = "weekly";
  e.start = DateTime::local(2026, 3, 2, h, 0, 0, zone);  // a Monday
  e.end = DateTime::local(2026, 3, 2, h + 1, 0, 0, zone);
  e.rrule = "FREQ=WEEKLY";
  return e;
}

std::vector<DateTime> wallStarts(const ExpandResult& r, const std::string& zone) {
  std::vector<DateTime> out;
  for (const auto& o : r.occurrences) out.push_back(fromUnix(o.start, zone));
  return out;
}

TEST(RecurrenceTest, Expand_WeeklyAcrossParisDst_KeepsLocalTime) {
  const Event e = weekly("Europe/Paris");
  const auto r = expand({&e}, utc(2026, 3, 20), utc(2026, 4, 10));
  ASSERT_EQ(r.occurrences.size(), 3u);
  // 03-23 is CET (+1), 03-30 and 04-06 are CEST (+2): 09:00 local each time.
  EXPECT_EQ(r.occurrences[0].start, utc(2026, 3, 23, 8));
  EXPECT_EQ(r.occurrences[1].start, utc(2026, 3, 30, 7));
  EXPECT_EQ(r.occurrences[2].start, utc(2026, 4, 6, 7));
  for (const auto& o : r.occurrences) {
    EXPECT_EQ(fromUnix(o.start, "Europe/Paris").hour, 9);
    EXPECT_EQ(o.end - o.start, 3600);
    EXPECT_EQ(o.source, &e);
  }
  EXPECT_EQ(r.occurrences[1].recurrenceId, DateTime::local(2026, 3, 30, 9, 0, 0, "Europe/Paris"));
  EXPECT_FALSE(r.truncated);
}

TEST(RecurrenceTest, Expand_WeeklyAcrossNewYorkFallBack_KeepsLocalTime) {
  const Event e = weekly("America/New_York", 8);
  const auto r = expand({&e}, utc(2026, 10, 20), utc(2026, 11, 12));
  ASSERT_EQ(r.occurrences.size(), 3u);
  EXPECT_EQ(r.occurrences[0].start, utc(2026, 10, 26, 12));  // EDT
  EXPECT_EQ(r.occurrences[1].start, utc(2026, 11, 2, 13));   // EST
  EXPECT_EQ(r.occurrences[2].start, utc(2026, 11, 9, 13));
}

TEST(RecurrenceTest, Expand_DailyInTheSpringGap_MovesForward) {
  Event e = weekly("Europe/Paris");
  e.start = DateTime::local(2026, 3, 27, 2, 30, 0, "Europe/Paris");
  e.end = DateTime::local(2026, 3, 27, 3, 0, 0, "Europe/Paris");
  e.rrule = "FREQ=DAILY;COUNT=4";
  const auto r = expand({&e}, utc(2026, 3, 1), utc(2026, 4, 1));
  ASSERT_EQ(r.occurrences.size(), 4u);
  EXPECT_EQ(fromUnix(r.occurrences[2].start, "Europe/Paris"),
            DateTime::local(2026, 3, 29, 3, 30, 0, "Europe/Paris"));
  EXPECT_EQ(fromUnix(r.occurrences[3].start, "Europe/Paris").hour, 2);
}

TEST(RecurrenceTest, Expand_ExdateRdateAndCount) {
  Event e = weekly("Europe/Paris");
  e.rrule = "FREQ=WEEKLY;COUNT=4";
  e.exdates = {DateTime::local(2026, 3, 9, 9, 0, 0, "Europe/Paris")};
  e.rdates = {DateTime::local(2026, 3, 11, 14, 0, 0, "Europe/Paris")};
  const auto r = expand({&e}, utc(2026, 1, 1), utc(2027, 1, 1));
  const auto starts = wallStarts(r, "Europe/Paris");
  ASSERT_EQ(starts.size(), 4u);
  EXPECT_EQ(starts[0].day, 2);
  EXPECT_EQ(starts[1], DateTime::local(2026, 3, 11, 14, 0, 0, "Europe/Paris"));
  EXPECT_EQ(starts[2].day, 16);
  EXPECT_EQ(starts[3].day, 23);
}

TEST(RecurrenceTest, Expand_OverrideReplacesAndCancelledOverrideRemoves) {
  const Event master = weekly("Europe/Paris");
  Event moved = master;
  moved.rrule.clear();
  moved.recurrenceId = DateTime::local(2026, 3, 9, 9, 0, 0, "Europe/Paris");
  moved.start = DateTime::local(2026, 3, 10, 15, 0, 0, "Europe/Paris");
  moved.end = DateTime::local(2026, 3, 10, 17, 0, 0, "Europe/Paris");
  Event cancelled = master;
  cancelled.rrule.clear();
  cancelled.recurrenceId = DateTime::local(2026, 3, 16, 9, 0, 0, "Europe/Paris");
  cancelled.status = EventStatus::Cancelled;
  const auto r = expand({&moved, &master, &cancelled}, utc(2026, 3, 1), utc(2026, 3, 24));
  ASSERT_EQ(r.occurrences.size(), 3u);
  EXPECT_EQ(r.occurrences[0].source, &master);
  EXPECT_EQ(r.occurrences[1].source, &moved);
  EXPECT_EQ(r.occurrences[1].start, toUnix(moved.start));
  EXPECT_EQ(r.occurrences[1].end - r.occurrences[1].start, 7200);
  EXPECT_EQ(r.occurrences[1].recurrenceId, *moved.recurrenceId);
  EXPECT_EQ(fromUnix(r.occurrences[2].start, "Europe/Paris").day, 23);
}

TEST(RecurrenceTest, Expand_ThisAndFuture_ShiftsLaterInstances) {
  const Event master = weekly("Europe/Paris");
  Event future = master;
  future.rrule.clear();
  future.recurrenceId = DateTime::local(2026, 3, 16, 9, 0, 0, "Europe/Paris");
  future.recurrenceThisAndFuture = true;
  future.start = DateTime::local(2026, 3, 16, 11, 0, 0, "Europe/Paris");
  future.end = DateTime::local(2026, 3, 16, 11, 30, 0, "Europe/Paris");
  future.summary = "later and shorter";
  const auto r = expand({&master, &future}, utc(2026, 3, 1), utc(2026, 3, 31));
  const auto starts = wallStarts(r, "Europe/Paris");
  ASSERT_EQ(starts.size(), 5u);
  EXPECT_EQ(starts[0].hour, 9);
  EXPECT_EQ(starts[1].hour, 9);
  for (std::size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(starts[i].hour, 11) << i;
    EXPECT_EQ(r.occurrences[i].source, &future);
    EXPECT_EQ(r.occurrences[i].end - r.occurrences[i].start, 1800);
  }
}

TEST(RecurrenceTest, Expand_WindowIsHalfOpenOverlap) {
  Event e;
  e.uid = "single";
  e.start = DateTime::local(2026, 5, 1, 10, 0, 0, "UTC");
  e.end = DateTime::local(2026, 5, 1, 11, 0, 0, "UTC");
  EXPECT_TRUE(expand({&e}, utc(2026, 5, 1, 11), utc(2026, 5, 2)).occurrences.empty());
  EXPECT_TRUE(expand({&e}, utc(2026, 5, 1, 9), utc(2026, 5, 1, 10)).occurrences.empty());
  EXPECT_EQ(expand({&e}, utc(2026, 5, 1, 10, 59), utc(2026, 5, 2)).occurrences.size(), 1u);
  EXPECT_EQ(expand({&e}, utc(2026, 5, 1, 9), utc(2026, 5, 1, 10, 1)).occurrences.size(), 1u);
}

TEST(RecurrenceTest, Expand_CapTruncatesAndSaysSo) {
  Event e = weekly("Europe/Paris");
  e.rrule = "FREQ=DAILY";
  const auto r = expand({&e}, utc(2026, 1, 1), utc(2030, 1, 1), 10);
  EXPECT_EQ(r.occurrences.size(), 10u);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(fromUnix(r.occurrences[9].start, "Europe/Paris").day, 11);
}

TEST(RecurrenceTest, Expand_UnboundedRuleWithFarWindow_IsFastAndExact) {
  Event e = weekly("Europe/Paris");
  e.start = DateTime::local(2000, 1, 3, 9, 0, 0, "Europe/Paris");
  e.end = DateTime::local(2000, 1, 3, 9, 30, 0, "Europe/Paris");
  e.rrule = "FREQ=MINUTELY;INTERVAL=30";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = expand({&e}, utc(2031, 6, 2, 0), utc(2031, 6, 2, 3));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  ASSERT_EQ(r.occurrences.size(), 6u);
  EXPECT_EQ(r.occurrences[0].start, utc(2031, 6, 2, 0));
  EXPECT_FALSE(r.truncated);
}

TEST(RecurrenceTest, Expand_EndlessSecondlyCountRule_StopsAtTheIterationCap) {
  Event e;
  e.uid = "busy";
  e.start = DateTime::local(2020, 1, 1, 0, 0, 0, "UTC");
  e.rrule = "FREQ=SECONDLY;COUNT=999999999";  // COUNT forbids skipping ahead
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = expand({&e}, utc(2090, 1, 1), utc(2090, 1, 2));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  EXPECT_TRUE(r.occurrences.empty());
  EXPECT_TRUE(r.truncated);
}

TEST(RecurrenceTest, Expand_AllDaySpansWholeDaysInTheFloatingZone) {
  Event e;
  e.uid = "allday";
  e.start = DateTime::date(2026, 3, 29);  // 23 hours long in Paris
  e.end = DateTime::date(2026, 3, 30);
  const auto r = expand({&e}, utc(2026, 3, 1), utc(2026, 4, 1), 10, "Europe/Paris");
  ASSERT_EQ(r.occurrences.size(), 1u);
  EXPECT_EQ(r.occurrences[0].start, utc(2026, 3, 28, 23));
  EXPECT_EQ(r.occurrences[0].end, utc(2026, 3, 29, 22));
  // Without a floating zone, UTC days.
  const auto u = expand({&e}, utc(2026, 3, 1), utc(2026, 4, 1));
  ASSERT_EQ(u.occurrences.size(), 1u);
  EXPECT_EQ(u.occurrences[0].end - u.occurrences[0].start, 86400);
}

TEST(RecurrenceTest, Expand_NonRecurringYieldsItselfAndCancelledNothing) {
  Event e;
  e.uid = "one";
  e.start = DateTime::local(2026, 5, 1, 10, 0, 0, "Europe/Paris");
  e.durationSec = 1800;
  const auto r = expand({&e}, utc(2026, 1, 1), utc(2027, 1, 1));
  ASSERT_EQ(r.occurrences.size(), 1u);
  EXPECT_EQ(r.occurrences[0].start, utc(2026, 5, 1, 8));
  EXPECT_EQ(r.occurrences[0].end, utc(2026, 5, 1, 8, 30));
  e.status = EventStatus::Cancelled;
  EXPECT_TRUE(expand({&e}, utc(2026, 1, 1), utc(2027, 1, 1)).occurrences.empty());
}

TEST(RecurrenceTest, Expand_CorpusRecuidCancelled_MovesOneAndDropsOne) {
  const ParseResult p = parse(test::readFile(test::corpusDir() / "rrule-recuid-cancelled.ics"));
  std::vector<const Event*> set;
  for (const auto& e : p.calendar.events) set.push_back(&e);
  ASSERT_EQ(set.size(), 3u);
  const auto all = expand(set, utc(2014, 1, 1), utc(2015, 1, 1));
  const auto plain = [&] {
    std::vector<const Event*> m;
    for (const auto* e : set)
      if (!e->recurrenceId) m.push_back(e);
    return expand(m, utc(2014, 1, 1), utc(2015, 1, 1));
  }();
  // One instance cancelled, one moved: one fewer than the bare rule.
  EXPECT_EQ(all.occurrences.size() + 1, plain.occurrences.size());
  bool movedSeen = false;
  for (const auto& o : all.occurrences)
    movedSeen = movedSeen || (o.source && o.source->recurrenceId);
  EXPECT_TRUE(movedSeen);
}

TEST(RecurrenceTest, Expand_CorpusRangeThisAndFuture) {
  const ParseResult p = parse(test::readFile(test::corpusDir() / "range-thisandfuture.ics"));
  std::vector<const Event*> set;
  for (const auto& e : p.calendar.events) set.push_back(&e);
  bool anyRange = false;
  for (const auto* e : set) anyRange = anyRange || e->recurrenceThisAndFuture;
  EXPECT_TRUE(anyRange);
  const auto r = expand(set, utc(2000, 1, 1), utc(2030, 1, 1), 500);
  EXPECT_FALSE(r.occurrences.empty());
  for (std::size_t i = 1; i < r.occurrences.size(); ++i)
    EXPECT_LE(r.occurrences[i - 1].start, r.occurrences[i].start);
}

}  // namespace
}  // namespace creneau::ical
