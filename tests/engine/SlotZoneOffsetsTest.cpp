#include "engine/slots/ZoneOffsets.h"

#include <gtest/gtest.h>

#include "ical/TimeZones.h"

namespace creneau::engine {
namespace {

UnixTime utc(int y, int mo, int d, int h, int mi) {
  return ical::toUnix(ical::DateTime::local(y, mo, d, h, mi, 0, "UTC"));
}
// Wall-clock seconds of a local reading (as if it were UTC).
std::int64_t wall(int y, int mo, int d, int h, int mi) {
  return utc(y, mo, d, h, mi);
}

TEST(SlotZoneOffsets, ParisTransitionsAreExactToTheSecond) {
  const ZoneOffsets z("Europe/Paris", utc(2026, 1, 1, 0, 0), utc(2026, 12, 31, 0, 0));
  EXPECT_EQ(z.offsetAt(utc(2026, 3, 29, 0, 59) + 59), 3600);
  EXPECT_EQ(z.offsetAt(utc(2026, 3, 29, 1, 0)), 7200);
  EXPECT_EQ(z.offsetAt(utc(2026, 10, 25, 0, 59) + 59), 7200);
  EXPECT_EQ(z.offsetAt(utc(2026, 10, 25, 1, 0)), 3600);
}

TEST(SlotZoneOffsets, AgreesWithLibicalEveryHourOfAYear) {
  for (const char* zone : {"America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"}) {
    const UnixTime from = utc(2026, 1, 1, 0, 0), to = utc(2027, 1, 1, 0, 0);
    const ZoneOffsets z(zone, from, to);
    for (UnixTime t = from; t < to; t += 3600) {
      const ical::DateTime w = ical::fromUnix(t, zone);
      const std::int64_t expected = wall(w.year, w.month, w.day, w.hour, w.minute) + w.second;
      ASSERT_EQ(z.wallOf(t), expected) << zone << " at " << t;
    }
  }
}

TEST(SlotZoneOffsets, SpringForwardGapHasNoInstant_NewYork) {
  const ZoneOffsets z("America/New_York", utc(2026, 3, 1, 0, 0), utc(2026, 3, 31, 0, 0));
  UnixTime t[2];
  EXPECT_EQ(z.instantsOf(wall(2026, 3, 8, 2, 30), t), 0);
  // Inside the gap, the instant the clock jumps to (03:00 EDT = 07:00Z).
  EXPECT_EQ(z.firstInstant(wall(2026, 3, 8, 2, 0)), utc(2026, 3, 8, 7, 0));
  EXPECT_EQ(z.lastInstant(wall(2026, 3, 8, 2, 30)), utc(2026, 3, 8, 7, 30));
  ASSERT_EQ(z.instantsOf(wall(2026, 3, 8, 3, 0), t), 1);
  EXPECT_EQ(t[0], utc(2026, 3, 8, 7, 0));
}

TEST(SlotZoneOffsets, FallBackRepeatedHourHasTwoInstants_NewYork) {
  const ZoneOffsets z("America/New_York", utc(2026, 10, 20, 0, 0), utc(2026, 11, 10, 0, 0));
  UnixTime t[2];
  ASSERT_EQ(z.instantsOf(wall(2026, 11, 1, 1, 30), t), 2);
  EXPECT_EQ(t[0], utc(2026, 11, 1, 5, 30));  // EDT
  EXPECT_EQ(t[1], utc(2026, 11, 1, 6, 30));  // EST
  EXPECT_EQ(z.firstInstant(wall(2026, 11, 1, 1, 30)), utc(2026, 11, 1, 5, 30));
  EXPECT_EQ(z.lastInstant(wall(2026, 11, 1, 1, 30)), utc(2026, 11, 1, 6, 30));
  ASSERT_EQ(z.instantsOf(wall(2026, 11, 1, 2, 0), t), 1);
  EXPECT_EQ(t[0], utc(2026, 11, 1, 7, 0));
}

TEST(SlotZoneOffsets, UnknownZoneReadsAsUtc) {
  const ZoneOffsets z("Mars/Olympus", 0, 86400 * 10);
  EXPECT_EQ(z.offsetAt(86400 * 3), 0);
}

}  // namespace
}  // namespace creneau::engine
