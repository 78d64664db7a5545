#include "bridge/server/Router.h"

#include <gtest/gtest.h>

namespace creneau::bridge {
namespace {

Handler noop() {
  return [](Request&, Response&) {};
}

class ServerRouterTest : public ::testing::Test {
 protected:
  Router router_;

  // "METHOD pattern" of the route a request reaches.
  std::string route(const std::string& method, const std::string& path) {
    RouteMatch m = router_.match(method, path);
    EXPECT_TRUE(static_cast<bool>(m.handler)) << "never a null handler";
    return m.method + " " + m.pattern;
  }

  int errorStatus(const std::string& method, const std::string& path,
                  std::string* allow = nullptr) {
    try {
      (void)router_.match(method, path);
    } catch (const HttpError& e) {
      if (allow)
        for (auto& [k, v] : e.headers())
          if (k == "Allow") *allow = v;
      return e.status();
    }
    return 0;
  }
};

TEST_F(ServerRouterTest, ExactBeatsParameterBeatsPrefix) {
  router_.get("/dav/*", noop());
  router_.get("/dav/{login}/", noop());
  router_.get("/dav/principals/", noop());
  router_.get("/*", noop());
  EXPECT_EQ(route("GET", "/dav/principals/"), "GET /dav/principals/");
  EXPECT_EQ(route("GET", "/dav/anna/"), "GET /dav/{login}/");
  EXPECT_EQ(route("GET", "/dav/anna/appointments/"), "GET /dav/*");
  EXPECT_EQ(route("GET", "/dav"), "GET /dav/*");
  EXPECT_EQ(route("GET", "/index.html"), "GET /*");
  EXPECT_EQ(route("GET", "/"), "GET /*");
}

TEST_F(ServerRouterTest, LongerPrefixWins) {
  router_.get("/api/*", noop());
  router_.get("/api/v1/*", noop());
  EXPECT_EQ(route("GET", "/api/v1/slots"), "GET /api/v1/*");
  EXPECT_EQ(route("GET", "/api/v2/slots"), "GET /api/*");
}

TEST_F(ServerRouterTest, Parameters_AreCapturedWithPrefixAndSuffix) {
  router_.get("/feeds/{token}.ics", noop());
  router_.get("/oauth/{provider}/start", noop());
  RouteMatch m = router_.match("GET", "/feeds/abc123.ics");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], std::make_pair(std::string("token"), std::string("abc123")));
  m = router_.match("GET", "/oauth/google/start");
  EXPECT_EQ(m.params[0].second, "google");
  EXPECT_EQ(errorStatus("GET", "/feeds/.ics"), 404) << "an empty parameter does not match";
  EXPECT_EQ(errorStatus("GET", "/feeds/abc.txt"), 404);
  EXPECT_EQ(errorStatus("GET", "/feeds/a/b.ics"), 404);
  EXPECT_EQ(errorStatus("GET", "/oauth/google/start/more"), 404);
}

TEST_F(ServerRouterTest, PrefixRoute_PutsTheRestInStar) {
  router_.get("/dav/*", noop());
  EXPECT_EQ(router_.match("GET", "/dav/calendars/anna/").params[0].second, "calendars/anna/");
  EXPECT_EQ(router_.match("GET", "/dav").params[0].second, "");
  EXPECT_EQ(errorStatus("GET", "/davx"), 404);
}

TEST_F(ServerRouterTest, LogPath_RedactsSecretParameters) {
  router_.get("/feeds/{token}.ics", noop());
  router_.get("/users/{login}", noop());
  EXPECT_EQ(router_.match("GET", "/feeds/s3cr3t.ics").logPath, "/feeds/***.ics");
  EXPECT_EQ(router_.match("GET", "/users/anna").logPath, "/users/anna");
}

TEST_F(ServerRouterTest, UnknownPath_Is404) {
  router_.get("/healthz", noop());
  EXPECT_EQ(errorStatus("GET", "/nope"), 404);
  EXPECT_EQ(errorStatus("GET", "/healthz/"), 404);
}

TEST_F(ServerRouterTest, WrongMethod_Is405WithSortedAllow) {
  router_.add("PROPFIND", "/dav/*", noop());
  router_.get("/dav/*", noop());
  router_.add("PUT", "/dav/*", noop());
  std::string allow;
  EXPECT_EQ(errorStatus("POST", "/dav/x", &allow), 405);
  EXPECT_EQ(allow, "GET, HEAD, OPTIONS, PROPFIND, PUT");
}

TEST_F(ServerRouterTest, Head_FallsBackToGet_UnlessRegistered) {
  router_.get("/a", noop());
  router_.get("/b", noop());
  router_.add("HEAD", "/b", noop());
  EXPECT_EQ(route("HEAD", "/a"), "GET /a");
  EXPECT_EQ(route("HEAD", "/b"), "HEAD /b");
}

TEST_F(ServerRouterTest, AnyMethodRoute_TakesEveryMethod) {
  router_.add("*", "/dav/*", noop());
  EXPECT_EQ(route("MKCALENDAR", "/dav/x/"), "* /dav/*");
  EXPECT_EQ(route("REPORT", "/dav/x/"), "* /dav/*");
}

TEST_F(ServerRouterTest, Add_RejectsPatternsWithoutLeadingSlashOrEmptyHandlers) {
  EXPECT_THROW(router_.get("healthz", noop()), std::invalid_argument);
  EXPECT_THROW(router_.get("/x", Handler()), std::invalid_argument);
}

TEST_F(ServerRouterTest, Options_WithoutHandler_AnswersWithAllow) {
  router_.get("/a", noop());
  EXPECT_EQ(route("OPTIONS", "/a"), "OPTIONS /a");
  router_.add("OPTIONS", "/b", noop());
  EXPECT_EQ(route("OPTIONS", "/b"), "OPTIONS /b");
}

}  // namespace
}  // namespace creneau::bridge
