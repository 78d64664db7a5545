#include "ical/TimeZones.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

namespace creneau::ical {
namespace {

UnixTime utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return toUnix(DateTime::local(y, mo, d, h, mi, s, "UTC"));
}

TEST(TimeZonesTest, CanonicalZone_MapsLongFormsToPlainIanaNames) {
  EXPECT_EQ(canonicalZone("Europe/Paris"), "Europe/Paris");
  EXPECT_EQ(canonicalZone("/freeassociation.sourceforge.net/Europe/Paris"), "Europe/Paris");
  EXPECT_EQ(canonicalZone("/freeassociation.sourceforge.net/Tzfile/Europe/Paris"), "Europe/Paris");
  EXPECT_EQ(canonicalZone("/softwarestudio.org/Olson_20011030_5/America/New_York"),
            "America/New_York");
  EXPECT_EQ(canonicalZone("/mozilla.org/20050126_1/Europe/Berlin"), "Europe/Berlin");
  EXPECT_EQ(canonicalZone("Etc/UTC"), "UTC");
  EXPECT_EQ(canonicalZone("GMT"), "UTC");
}

TEST(TimeZonesTest, CanonicalZone_MapsWindowsNamesFoundInTheCorpus) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"W. Europe Standard Time", "Europe/Berlin"},
      {"Pacific Standard Time", "America/Los_Angeles"},
      {"Eastern Standard Time", "America/New_York"},
      {"Romance Standard Time", "Europe/Paris"},
      {"GMT Standard Time", "Europe/London"},
      {"Central Europe Standard Time", "Europe/Budapest"},
      {"Central European Standard Time", "Europe/Warsaw"},
      {"New Zealand Standard Time", "Pacific/Auckland"},
      {"India Standard Time", "Asia/Kolkata"},
      {"Tokyo Standard Time", "Asia/Tokyo"},
      {"AUS Eastern Standard Time", "Australia/Sydney"},
      {"Central Standard Time", "America/Chicago"},
      {"Mountain Standard Time", "America/Denver"},
      {"US Mountain Standard Time", "America/Phoenix"},
      {"SE Asia Standard Time", "Asia/Bangkok"},
      {"UTC", "UTC"},
      {"(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"},
      {"(UTC-05:00) Eastern Time (US and Canada)", "America/New_York"},
      {"(GMT+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"},
      {"(UTC+07:00) Bangkok, Hanoi, Jakarta", "Asia/Bangkok"},
      {"Pacific Time (US & Canada), Tijuana", "America/Los_Angeles"},
  };
  for (const auto& [windows, iana] : cases) EXPECT_EQ(canonicalZone(windows), iana) << windows;
}

TEST(TimeZonesTest, CanonicalZone_UnknownNameGivesNothing) {
  EXPECT_FALSE(canonicalZone("Customized Time Zone"));
  EXPECT_FALSE(canonicalZone("US-Eastern"));
  EXPECT_FALSE(canonicalZone(""));
  EXPECT_FALSE(isKnownZone("Not/AZone"));
  EXPECT_TRUE(isKnownZone("America/New_York"));
}

TEST(TimeZonesTest, Vtimezone_IsShortWithPlainTzidAndCrlfLines) {
  const std::string v = vtimezone("Europe/Paris", 1970);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v.rfind("BEGIN:VTIMEZONE\r\n", 0), 0u);
  EXPECT_NE(v.find("\r\nTZID:Europe/Paris\r\n"), std::string::npos);
  EXPECT_EQ(v.find("freeassociation"), std::string::npos);
  EXPECT_EQ(v.find("1891"), std::string::npos);  // history trimmed
  EXPECT_TRUE(v.size() >= 2 && v.substr(v.size() - 15) == "END:VTIMEZONE\r\n");
  std::size_t lines = 0;
  for (std::size_t pos = 0; (pos = v.find('\n', pos)) != std::string::npos; ++pos) {
    EXPECT_EQ(v[pos - 1], '\r');
    ++lines;
  }
  EXPECT_LT(lines, 70u);  // libical's untrimmed zone has hundreds
  // Windows and long names give the same component, named by IANA.
  EXPECT_EQ(vtimezone("Romance Standard Time", 1970), v);
  EXPECT_TRUE(vtimezone("UTC").empty());
  EXPECT_TRUE(vtimezone("No/Such_Zone").empty());
}

TEST(TimeZonesTest, Vtimezone_SinceRecentYearHasOnlyTheCurrentRules) {
  const std::string v = vtimezone("Europe/Paris", 2020);
  std::size_t observances = 0;
  for (std::size_t pos = 0; (pos = v.find("BEGIN:STANDARD", pos)) != std::string::npos; ++pos)
    ++observances;
  for (std::size_t pos = 0; (pos = v.find("BEGIN:DAYLIGHT", pos)) != std::string::npos; ++pos)
    ++observances;
  // The state at the cut plus the two current rules, which run forever
  // (libical's 2037 split of the tzdata rules is merged back).
  EXPECT_EQ(observances, 3u) << v;
  EXPECT_EQ(v.find("UNTIL"), std::string::npos) << v;
  EXPECT_NE(v.find("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"), std::string::npos) << v;
}

TEST(TimeZonesTest, ToUnix_ParisSpringForwardGapMovesForwardByTheGap) {
  // 2026-03-29 02:30 does not exist in Paris: it is read as 03:30 CEST.
  EXPECT_EQ(toUnix(DateTime::local(2026, 3, 29, 2, 30, 0, "Europe/Paris")),
            utc(2026, 3, 29, 1, 30));
  EXPECT_EQ(toUnix(DateTime::local(2026, 3, 29, 1, 59, 0, "Europe/Paris")),
            utc(2026, 3, 29, 0, 59));
  EXPECT_EQ(toUnix(DateTime::local(2026, 3, 29, 3, 0, 0, "Europe/Paris")), utc(2026, 3, 29, 1, 0));
}

TEST(TimeZonesTest, ToUnix_ParisFallBackAmbiguousTimeTakesFirstOccurrence) {
  // 2026-10-25 02:30 happens twice; the first is CEST (+02:00).
  EXPECT_EQ(toUnix(DateTime::local(2026, 10, 25, 2, 30, 0, "Europe/Paris")),
            utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(toUnix(DateTime::local(2026, 10, 25, 3, 0, 0, "Europe/Paris")),
            utc(2026, 10, 25, 2, 0));
}

TEST(TimeZonesTest, ToUnix_NewYorkGapAndOverlap) {
  EXPECT_EQ(toUnix(DateTime::local(2026, 3, 8, 2, 30, 0, "America/New_York")),
            utc(2026, 3, 8, 7, 30));  // 03:30 EDT
  EXPECT_EQ(toUnix(DateTime::local(2026, 11, 1, 1, 30, 0, "America/New_York")),
            utc(2026, 11, 1, 5, 30));  // first 01:30, EDT
  EXPECT_EQ(toUnix(DateTime::local(2026, 11, 1, 2, 0, 0, "America/New_York")),
            utc(2026, 11, 1, 7, 0));  // EST
}

TEST(TimeZonesTest, FromUnix_ReadsWallClockAcrossDst) {
  EXPECT_EQ(fromUnix(utc(2026, 3, 29, 0, 59, 59), "Europe/Paris"),
            DateTime::local(2026, 3, 29, 1, 59, 59, "Europe/Paris"));
  EXPECT_EQ(fromUnix(utc(2026, 3, 29, 1, 0), "Europe/Paris"),
            DateTime::local(2026, 3, 29, 3, 0, 0, "Europe/Paris"));
  EXPECT_EQ(fromUnix(utc(2026, 10, 25, 0, 30), "Europe/Paris"),
            DateTime::local(2026, 10, 25, 2, 30, 0, "Europe/Paris"));
  EXPECT_EQ(fromUnix(utc(2026, 10, 25, 1, 30), "Europe/Paris"),
            DateTime::local(2026, 10, 25, 2, 30, 0, "Europe/Paris"));
  EXPECT_EQ(fromUnix(utc(2026, 11, 1, 6, 30), "America/New_York"),
            DateTime::local(2026, 11, 1, 1, 30, 0, "America/New_York"));
  EXPECT_EQ(fromUnix(utc(2026, 1, 1, 12, 0), "UTC"), DateTime::local(2026, 1, 1, 12, 0, 0, "UTC"));
  // Windows names come out as IANA names.
  EXPECT_EQ(fromUnix(utc(2026, 1, 1, 12, 0), "Romance Standard Time").tzid, "Europe/Paris");
}

TEST(TimeZonesTest, ToUnix_RoundTripsEveryHourOfADstYear) {
  for (UnixTime t = utc(2026, 1, 1, 0, 0); t < utc(2027, 1, 1, 0, 0); t += 3600) {
    for (const char* zone : {"Europe/Paris", "America/New_York", "Asia/Kolkata"}) {
      const DateTime wall = fromUnix(t, zone);
      const UnixTime back = toUnix(wall);
      // Only the second of two identical readings maps back earlier.
      EXPECT_TRUE(back == t || back == t - 3600) << zone << " " << t;
    }
  }
}

TEST(TimeZonesTest, ToUnix_DateAndFloatingUseTheFloatingZone) {
  EXPECT_EQ(toUnix(DateTime::date(2026, 7, 1)), utc(2026, 7, 1, 0, 0));
  EXPECT_EQ(toUnix(DateTime::date(2026, 7, 1), "Europe/Paris"), utc(2026, 6, 30, 22, 0));
  EXPECT_EQ(toUnix(DateTime::local(2026, 7, 1, 9, 0, 0, ""), "America/New_York"),
            utc(2026, 7, 1, 13, 0));
  // An unknown TZID is read as floating time.
  EXPECT_EQ(toUnix(DateTime::local(2026, 7, 1, 9, 0, 0, "Customized Time Zone"), "Europe/Paris"),
            utc(2026, 7, 1, 7, 0));
}

TEST(TimeZonesTest, ConcurrentUse_FromManyThreadsGivesTheSameAnswers) {
  const std::vector<std::string> zones = {
      "Europe/Paris",        "America/New_York", "Asia/Tokyo",   "Australia/Sydney",
      "America/Los_Angeles", "Europe/London",    "Asia/Kolkata", "Pacific/Auckland"};
  std::vector<std::thread> threads;
  std::vector<int> failures(zones.size(), 0);
  for (std::size_t i = 0; i < zones.size(); ++i) {
    threads.emplace_back([&, i] {
      const std::string& z = zones[i];
      for (UnixTime t = utc(2025, 1, 1, 0, 0); t < utc(2025, 3, 1, 0, 0); t += 7 * 3600) {
        const DateTime wall = fromUnix(t, z);
        const UnixTime back = toUnix(wall);
        if (back != t && back != t - 3600) ++failures[i];
      }
      if (vtimezone(z).find("TZID:" + z) == std::string::npos) ++failures[i];
      if (canonicalZone("W. Europe Standard Time") != "Europe/Berlin") ++failures[i];
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < zones.size(); ++i) EXPECT_EQ(failures[i], 0) << zones[i];
}

}  // namespace
}  // namespace creneau::ical
