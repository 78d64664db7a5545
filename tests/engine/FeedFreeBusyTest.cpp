#include "engine/feeds/FreeBusy.h"

#include <gtest/gtest.h>

namespace creneau::engine {
namespace {

TEST(FeedFreeBusyTest, Timeline_MergesClipsAndBusyWinsOverTentative) {
  FreeBusyTimeline t(100, 1000);
  t.add(50, 150, false);     // clipped to [100, 150)
  t.add(150, 200, false);    // touches: merged -> [100, 200)
  t.add(300, 400, true);     // tentative ...
  t.add(350, 380, false);    // ... split by busy
  t.add(390, 500, true);     // overlapping tentative merged -> [300, 500) before the split
  t.add(600, 600, false);    // empty: ignored
  t.add(900, 1200, false);   // clipped to [900, 1000)
  t.add(2000, 3000, false);  // outside
  const std::vector<BusyPeriod> want{
      {100, 200, false}, {300, 350, true}, {350, 380, false}, {380, 500, true}, {900, 1000, false}};
  EXPECT_EQ(t.periods(), want);
}

TEST(FeedFreeBusyTest, Writer_WritesOneVfreebusyInUtc_WithCrlfAndFolding) {
  FreeBusyHeader h;
  h.name = std::string(80, 'x') + "é";
  h.refreshIntervalSec = 1800;
  h.uid = "freebusy-all@creneau";
  h.stamp = 0;
  h.from = 86400;
  h.to = 2 * 86400;
  const std::string out = writeFreeBusyCalendar(h, {{90000, 93600, false}, {93600, 97200, true}});
  EXPECT_EQ(out.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u);
  EXPECT_NE(out.find("REFRESH-INTERVAL;VALUE=DURATION:PT30M\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-PUBLISHED-TTL:PT30M\r\n"), std::string::npos);
  EXPECT_NE(out.find("DTSTAMP:19700101T000000Z\r\n"), std::string::npos);
  EXPECT_NE(out.find("DTSTART:19700102T000000Z\r\nDTEND:19700103T000000Z\r\n"), std::string::npos);
  EXPECT_NE(out.find("FREEBUSY;FBTYPE=BUSY:19700102T010000Z/19700102T020000Z\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("FREEBUSY;FBTYPE=BUSY-TENTATIVE:19700102T020000Z/19700102T030000Z\r\n"),
            std::string::npos);
  EXPECT_TRUE(out.ends_with("END:VFREEBUSY\r\nEND:VCALENDAR\r\n"));
  // Every physical line within 75 octets, only CRLF line ends.
  std::size_t start = 0;
  for (auto end = out.find("\r\n"); end != std::string::npos; end = out.find("\r\n", start)) {
    EXPECT_LE(end - start, 75u) << out.substr(start, end - start);
    EXPECT_EQ(out.substr(start, end - start).find('\n'), std::string::npos);
    start = end + 2;
  }
  EXPECT_NE(out.find("\r\n x"), std::string::npos) << "the long NAME is folded";
}

}  // namespace
}  // namespace creneau::engine
