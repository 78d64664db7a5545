// The small helpers behind the importer's messages: where a JSON path sits in
// the text, and how date-times are read.
#include <gtest/gtest.h>

#include <string>

#include "engine/import/IsoDateTime.h"
#include "engine/import/JsonPositions.h"

namespace creneau::engine {
namespace {

using json::TextPosition;

TEST(ImportPositionsTest, Paths_NameMembersAndElementsLikeErrorMessagesDo) {
  EXPECT_EQ(json::memberPath("", "employees"), "employees");
  EXPECT_EQ(json::elementPath("employees", 3), "employees[3]");
  EXPECT_EQ(json::memberPath("employees[3]", "timeZone"), "employees[3].timeZone");
  EXPECT_EQ(json::memberPath("x", "first name"), "x[\"first name\"]");
  EXPECT_EQ(json::memberPath("x", "a\"b"), "x[\"a\\\"b\"]");
  EXPECT_EQ(json::memberPath("x", "_ok$1"), "x._ok$1");
  EXPECT_EQ(json::memberPath("x", "1st"), "x[\"1st\"]");
}

TEST(ImportPositionsTest, Locate_FindsKeysAndElementsOnTheirLines) {
  const std::string text =
      "{\n"
      "  \"version\": 1,\n"
      "  \"employees\": [\n"
      "    {\"id\": \"e1\", \"timeZone\": \"Europe/Paris\"},\n"
      "    {\"id\": \"e,]}\\\"2\",\n"
      "     \"tags\": [[1, 2], {\"k\": null}, true]}\n"
      "  ],\n"
      "  \"with space\": {\"é\": 1},\n"
      "  \"escaped\\u0041\": 2\n"
      "}\n";
  const auto found =
      json::locatePaths(text, {"", "version", "employees", "employees[0]", "employees[0].timeZone",
                               "employees[1]", "employees[1].tags", "employees[1].tags[0][1]",
                               "employees[1].tags[1].k", "employees[1].tags[2]", "[\"with space\"]",
                               "[\"with space\"][\"é\"]", "escapedA", "missing", "employees[2]"});
  EXPECT_EQ(found.at(""), (TextPosition{1, 1}));
  EXPECT_EQ(found.at("version"), (TextPosition{2, 3}));
  EXPECT_EQ(found.at("employees"), (TextPosition{3, 3}));
  EXPECT_EQ(found.at("employees[0]"), (TextPosition{4, 5}));
  EXPECT_EQ(found.at("employees[0].timeZone"), (TextPosition{4, 18}));
  EXPECT_EQ(found.at("employees[1]"), (TextPosition{5, 5}));  // brackets inside strings ignored
  EXPECT_EQ(found.at("employees[1].tags"), (TextPosition{6, 6}));
  EXPECT_EQ(found.at("employees[1].tags[0][1]"), (TextPosition{6, 19}));
  EXPECT_EQ(found.at("employees[1].tags[1].k"), (TextPosition{6, 24}));
  EXPECT_EQ(found.at("employees[1].tags[2]"), (TextPosition{6, 36}));
  EXPECT_EQ(found.at("[\"with space\"]"), (TextPosition{8, 3}));
  EXPECT_EQ(found.at("[\"with space\"][\"é\"]"), (TextPosition{8, 18}));
  EXPECT_EQ(found.at("escapedA"), (TextPosition{9, 3}));  // decoded by Poco
  EXPECT_FALSE(found.count("missing"));
  EXPECT_FALSE(found.count("employees[2]"));
}

TEST(ImportPositionsTest, PositionOf_CountsLinesAndCharactersNotBytes) {
  const std::string text = "ab\nZoë x\n\n";
  EXPECT_EQ(json::positionOf(text, 0), (TextPosition{1, 1}));
  EXPECT_EQ(json::positionOf(text, 3), (TextPosition{2, 1}));
  EXPECT_EQ(json::positionOf(text, 8), (TextPosition{2, 5}));  // 'x' after the 2-byte ë
  EXPECT_EQ(json::positionOf(text, 100), (TextPosition{4, 1}));
}

TEST(ImportPositionsTest, Utf8_RejectsMalformedSequences) {
  EXPECT_EQ(json::firstInvalidUtf8("plain Zoë 山田 🎉"), std::string::npos);
  EXPECT_EQ(json::firstInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(json::firstInvalidUtf8("a\xc3"), 1u);             // truncated
  EXPECT_EQ(json::firstInvalidUtf8("a\xc0\xaf"), 1u);         // overlong '/'
  EXPECT_EQ(json::firstInvalidUtf8("\xed\xa0\x80"), 0u);      // surrogate
  EXPECT_EQ(json::firstInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(ImportPositionsTest, IsoDateTime_ReadsOffsetsUtcAndLocalTimes) {
  std::string why;
  auto t = parseIsoDateTime("2026-11-24T10:00:00+01:00", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->offsetSeconds, 3600);
  EXPECT_EQ(instantOf(*t), 1795478400 + 9 * 3600);
  t = parseIsoDateTime("2026-11-24T10:00:00Z", &why);
  ASSERT_TRUE(t);
  EXPECT_EQ(instantOf(*t), 1795478400 + 10 * 3600);
  t = parseIsoDateTime("2026-11-24t10:00-0530", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->offsetSeconds, -(5 * 3600 + 1800));
  t = parseIsoDateTime("2026-11-24 10:00:59.999+05", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->wall.second, 59);
  EXPECT_EQ(t->offsetSeconds, 5 * 3600);
  t = parseIsoDateTime("2024-02-29T23:59:00", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_FALSE(t->offsetSeconds);
  EXPECT_EQ(t->wall, ical::DateTime::local(2024, 2, 29, 23, 59, 0, ""));
  EXPECT_EQ(instantOf(IsoDateTime{ical::DateTime::local(1970, 1, 1, 0, 0, 0, ""), 0}), 0);
  EXPECT_EQ(instantOf(IsoDateTime{ical::DateTime::local(1969, 12, 31, 23, 0, 0, ""), 0}), -3600);
}

TEST(ImportPositionsTest, IsoDateTime_RejectsWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"2026-11-24", "no time"},
      {"24/11/2026 10:00", "not a date-time"},
      {"2026-13-01T10:00", "month 13"},
      {"2025-02-29T10:00", "day 29"},
      {"2026-11-24T24:00", "out of range"},
      {"2026-11-24T10:60", "out of range"},
      {"2026-11-24T10:00:00+1", "malformed UTC offset"},
      {"2026-11-24T10:00:00+19:00", "out of range"},
      {"2026-11-24T10:00:00 Z", "unexpected text"},
      {"2026-11-24T10:00:00.", "empty fraction"},
      {"1800-01-01T00:00", "year 1800"},
      {"", "not a date-time"},
  };
  for (const auto& [text, reason] : cases) {
    std::string why;
    EXPECT_FALSE(parseIsoDateTime(text, &why)) << text;
    EXPECT_NE(why.find(reason), std::string::npos) << text << ": " << why;
  }
}

}  // namespace
}  // namespace creneau::engine
