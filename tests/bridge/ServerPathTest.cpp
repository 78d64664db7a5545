#include <gtest/gtest.h>

#include "bridge/server/HttpError.h"
#include "bridge/server/RequestPath.h"

namespace creneau::bridge {
namespace {

int statusOf(const std::string& uri) {
  try {
    (void)parseRequestTarget(uri);
  } catch (const HttpError& e) {
    return e.status();
  }
  return 200;
}

TEST(ServerPathTest, OriginForm_SplitsPathAndQuery) {
  auto t = parseRequestTarget("/feeds/abc.ics?format=freebusy&x=1#frag");
  EXPECT_EQ(t.path, "/feeds/abc.ics");
  EXPECT_EQ(t.rawPath, "/feeds/abc.ics");
  EXPECT_EQ(t.rawQuery, "format=freebusy&x=1");
}

TEST(ServerPathTest, AbsoluteFormAndAsterisk_AreAccepted) {
  EXPECT_EQ(parseRequestTarget("http://cal.example.com:8080/dav/x?q").path, "/dav/x");
  EXPECT_EQ(parseRequestTarget("https://cal.example.com").path, "/");
  EXPECT_EQ(parseRequestTarget("*").path, "*");
}

TEST(ServerPathTest, PercentEscapes_AreDecodedExactlyOnce) {
  EXPECT_EQ(parseRequestTarget("/dav/Anna%20M%C3%BCller/").path, "/dav/Anna Müller/");
  EXPECT_EQ(parseRequestTarget("/dav/a%2525b").path, "/dav/a%25b");
  EXPECT_EQ(parseRequestTarget("/dav/a+b").path, "/dav/a+b") << "'+' is literal in paths";
}

TEST(ServerPathTest, DotSegments_Are400RawOrEncoded) {
  for (const char* uri : {"/..", "/a/../b", "/a/..", "/a/./b", "/%2e%2e/x", "/a/%2E%2e", "/.%2e/x"})
    EXPECT_EQ(statusOf(uri), 400) << uri;
  EXPECT_EQ(statusOf("/a/..b/c.ics"), 200) << "dots inside a name are fine";
  EXPECT_EQ(statusOf("/a/.well-known"), 200);
}

TEST(ServerPathTest, EncodedSeparatorsAndControlCharacters_Are400) {
  for (const char* uri :
       {"/a%2Fb", "/a%2fb", "/a%5Cb", "/a%5cb", "/a%00b", "/a%0d%0aSet-Cookie:x", "/a%7Fb"})
    EXPECT_EQ(statusOf(uri), 400) << uri;
  EXPECT_EQ(statusOf(std::string("/a\x01"
                                 "b")),
            400);
}

TEST(ServerPathTest, MalformedTargets_Are400) {
  for (const char* uri : {"", "dav/x", "/a%", "/a%2", "/a%zz", "http://host?x"})
    EXPECT_EQ(statusOf(uri), 400) << uri;
}

TEST(ServerPathTest, ParseQuery_DecodesPlusAndEscapes) {
  auto q = parseQuery("a=1&b=x+y%21&flag&&c=");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], std::make_pair(std::string("a"), std::string("1")));
  EXPECT_EQ(q[1], std::make_pair(std::string("b"), std::string("x y!")));
  EXPECT_EQ(q[2], std::make_pair(std::string("flag"), std::string()));
  EXPECT_EQ(q[3], std::make_pair(std::string("c"), std::string()));
}

TEST(ServerPathTest, RedactQuery_HidesSecretValuesOnly) {
  EXPECT_EQ(redactQuery("code=abc&state=xyz&scope=calendar"), "code=***&state=***&scope=calendar");
  EXPECT_EQ(redactQuery("Token=abc&format=ics"), "Token=***&format=ics");
  EXPECT_EQ(redactQuery("access_token=a&refresh_token=b&password=c"),
            "access_token=***&refresh_token=***&password=***");
  EXPECT_EQ(redactQuery("%74oken=abc"), "%74oken=***") << "an encoded name is still a secret";
  EXPECT_EQ(redactQuery("token"), "token=***");
}

TEST(ServerPathTest, SanitizeForLog_ReplacesControlCharactersAndCuts) {
  EXPECT_EQ(sanitizeForLog("a\r\nb\"c"), "a??b?c");
  EXPECT_EQ(sanitizeForLog(std::string(300, 'x'), 10), "xxxxxxxxxx...");
}

}  // namespace
}  // namespace creneau::bridge
