#include "engine/render/Localization.h"

#include <gtest/gtest.h>

namespace creneau::engine {
namespace {

const ical::DateTime kTue = ical::DateTime::local(2026, 11, 24, 9, 5, 0, "Europe/Paris");

TEST(LocalizationTest, Date_EnglishAndFrench) {
  EXPECT_EQ(formatDate(kTue, Language::English), "Tuesday, November 24, 2026");
  EXPECT_EQ(formatDate(kTue, Language::French), "mardi 24 novembre 2026");
  EXPECT_EQ(formatDate(ical::DateTime::local(2026, 8, 1, 0, 0, 0, ""), Language::French),
            "samedi 1er août 2026");
}

TEST(LocalizationTest, Time_TwelveHourInEnglishTwentyFourInFrench) {
  EXPECT_EQ(formatTime(kTue, Language::English), "9:05 AM");
  EXPECT_EQ(formatTime(kTue, Language::French), "09:05");
  const auto noon = ical::DateTime::local(2026, 1, 1, 12, 0, 0, "");
  const auto midnight = ical::DateTime::local(2026, 1, 1, 0, 30, 0, "");
  EXPECT_EQ(formatTime(noon, Language::English), "12:00 PM");
  EXPECT_EQ(formatTime(midnight, Language::English), "12:30 AM");
  EXPECT_EQ(formatDateTime(kTue, Language::French), "mardi 24 novembre 2026 à 09:05");
}

TEST(LocalizationTest, Duration_HoursAndMinutes) {
  EXPECT_EQ(formatDuration(90, Language::English), "1h 30min");
  EXPECT_EQ(formatDuration(45, Language::English), "45min");
  EXPECT_EQ(formatDuration(120, Language::French), "2 h");
  EXPECT_EQ(formatDuration(0, Language::French), "0 min");
}

TEST(LocalizationTest, Price_FrenchUsesDecimalComma) {
  EXPECT_EQ(formatPrice("45.00", "EUR", Language::English), "45.00 EUR");
  EXPECT_EQ(formatPrice("45.00", "EUR", Language::French), "45,00 EUR");
  EXPECT_EQ(formatPrice("", "EUR", Language::French), "");
}

TEST(LocalizationTest, Language_ParsesRegionalCodes) {
  EXPECT_EQ(parseLanguage("fr_FR"), Language::French);
  EXPECT_EQ(parseLanguage("en-GB"), Language::English);
  EXPECT_FALSE(parseLanguage("de"));
}

}  // namespace
}  // namespace creneau::engine
