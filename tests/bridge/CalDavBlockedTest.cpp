#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>

#include "CalDavFixture.h"
#include "bridge/auth/BasicAuth.h"
#include "bridge/auth/Password.h"
#include "bridge/caldav/DavHandlers.h"
#include "bridge/server/Server.h"
#include "engine/import/JsonImporter.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;
using namespace caldavtest;

class CalDavBlocked : public CalDavFixture {
 protected:
  Reply put(const std::string& uri, const std::string& body,
            std::vector<std::pair<std::string, std::string>> headers = {},
            const std::string& login = "sophie") const {
    return request("PUT", uri, body, std::move(headers), login);
  }
  [[nodiscard]] engine::Id sophie() const { return store_->employeeByExternalId("emp-sophie")->id; }
  [[nodiscard]] std::size_t busyCount() const {
    return store_->personalBusy(sophie(), 0, 4'000'000'000).size();
  }
};

std::string event(const std::string& uid, const std::string& summary,
                  const std::string& extra = {}) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
         "\r\nDTSTAMP:20261124T100000Z\r\nDTSTART:20261125T100000Z\r\n"
         "DTEND:20261125T110000Z\r\nSUMMARY:" +
         summary + "\r\n" + extra + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

constexpr const char* kBlocked = "/dav/calendars/sophie/blocked/";

TEST_F(CalDavBlocked, Home_ListsBlockedCalendarWritable) {
  const Reply r = propfind("/dav/calendars/sophie/", "1", {});
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_NE(r.body.find("<D:href>/dav/calendars/sophie/blocked/</D:href>"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("Blocked time"), std::string::npos);
  const Reply c = propfind(kBlocked, "0", {});
  ASSERT_EQ(c.status, 207) << c.body;
  EXPECT_NE(c.body.find("<C:calendar/>"), std::string::npos) << c.body;
  EXPECT_NE(c.body.find("<C:comp name=\"VEVENT\"/>"), std::string::npos);
  EXPECT_NE(c.body.find("<D:write/>"), std::string::npos);
  EXPECT_NE(c.body.find("urn:creneau:sync:0"), std::string::npos);
}

TEST_F(CalDavBlocked, PutThenGet_RoundTripsWithEtag) {
  const std::string uri = std::string(kBlocked) + "dentist.ics";
  const std::string ics = event("dentist@phone", "Dentist");
  const Reply created = put(uri, ics, {{"If-None-Match", "*"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string etag = created.head.get("ETag", "");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(busyCount(), 1u);

  const Reply got = request("GET", uri);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, ics);
  EXPECT_EQ(got.head.get("ETag", ""), etag);
  EXPECT_EQ(request("GET", uri, {}, {{"If-None-Match", etag}}).status, 304);
  const Reply head = request("HEAD", uri);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  const Reply listed =
      propfind(kBlocked, "1", "<propfind xmlns='DAV:'><prop><getetag/></prop></propfind>");
  ASSERT_EQ(listed.status, 207);
  EXPECT_NE(listed.body.find("<D:href>/dav/calendars/sophie/blocked/dentist.ics</D:href>"),
            std::string::npos)
      << listed.body;
  EXPECT_NE(listed.body.find(std::regex_replace(etag, std::regex("\""), "&quot;")),
            std::string::npos);
  EXPECT_EQ(listed.body.find("urn:creneau:sync:0<"), std::string::npos);

  // Replacing with the right If-Match: 204 and a new ETag.
  const Reply replaced = put(uri, event("dentist@phone", "Dentist (moved)"), {{"If-Match", etag}});
  EXPECT_EQ(replaced.status, 204) << replaced.body;
  EXPECT_NE(replaced.head.get("ETag", ""), etag);
  EXPECT_NE(request("GET", uri).body.find("Dentist (moved)"), std::string::npos);
}

TEST_F(CalDavBlocked, PutIfNoneMatchStarOnExisting_Returns412) {
  const std::string uri = std::string(kBlocked) + "a.ics";
  ASSERT_EQ(put(uri, event("a@phone", "A")).status, 201);
  EXPECT_EQ(put(uri, event("a@phone", "B"), {{"If-None-Match", "*"}}).status, 412);
  EXPECT_NE(request("GET", uri).body.find("SUMMARY:A\r\n"), std::string::npos);
}

TEST_F(CalDavBlocked, PutStaleIfMatch_Returns412AndKeepsOld) {
  const std::string uri = std::string(kBlocked) + "a.ics";
  const Reply first = put(uri, event("a@phone", "A"));
  ASSERT_EQ(first.status, 201);
  EXPECT_EQ(put(uri, event("a@phone", "B"), {{"If-Match", "\"stale\""}}).status, 412);
  const Reply got = request("GET", uri);
  EXPECT_NE(got.body.find("SUMMARY:A\r\n"), std::string::npos);
  EXPECT_EQ(got.head.get("ETag", ""), first.head.get("ETag", ""));
  // If-Match on a missing object fails too.
  EXPECT_EQ(
      put(std::string(kBlocked) + "b.ics", event("b@phone", "B"), {{"If-Match", "\"x\""}}).status,
      412);
}

TEST_F(CalDavBlocked, PutInvalidIcal_Returns403ValidCalendarDataAndStoresNothing) {
  const std::string uri = std::string(kBlocked) + "bad.ics";
  // DTEND before DTSTART.
  const std::string bad =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:bad@phone\r\n"
      "DTSTAMP:20261124T100000Z\r\nDTSTART:20261125T100000Z\r\nDTEND:20261125T090000Z\r\n"
      "END:VEVENT\r\nEND:VCALENDAR\r\n";
  const Reply r = put(uri, bad);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("valid-calendar-data"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("line "), std::string::npos) << r.body;
  EXPECT_EQ(request("GET", uri).status, 404);
  EXPECT_EQ(put(uri, "this is not iCalendar").status, 403);
  EXPECT_EQ(busyCount(), 0u);
  EXPECT_FALSE(store_->personalCalendar(sophie(), engine::kBlockedSlug));
}

TEST_F(CalDavBlocked, PutVtodo_Returns403SupportedComponent) {
  const std::string todo =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VTODO\r\nUID:t@phone\r\n"
      "DTSTAMP:20261124T100000Z\r\nSUMMARY:Buy milk\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
  const Reply r = put(std::string(kBlocked) + "todo.ics", todo);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<C:supported-calendar-component/>"), std::string::npos) << r.body;
  EXPECT_EQ(request("GET", std::string(kBlocked) + "todo.ics").status, 404);

  // Two UIDs in one resource.
  std::string two = event("x@phone", "X");
  const std::string second =
      "BEGIN:VEVENT\r\nUID:y@phone\r\nDTSTAMP:20261124T100000Z\r\n"
      "DTSTART:20261126T100000Z\r\nEND:VEVENT\r\n";
  two.insert(two.find("END:VCALENDAR"), second);
  const Reply both = put(std::string(kBlocked) + "two.ics", two);
  EXPECT_EQ(both.status, 403);
  EXPECT_NE(both.body.find("valid-calendar-object-resource"), std::string::npos) << both.body;
}

TEST_F(CalDavBlocked, UidConflict_Returns403NoUidConflict) {
  ASSERT_EQ(put(std::string(kBlocked) + "first.ics", event("same@phone", "A")).status, 201);
  const Reply r = put(std::string(kBlocked) + "second.ics", event("same@phone", "B"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<C:no-uid-conflict><D:href>/dav/calendars/sophie/blocked/first.ics"
                        "</D:href></C:no-uid-conflict>"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(request("GET", std::string(kBlocked) + "second.ics").status, 404);
}

TEST_F(CalDavBlocked, Delete_RemovesObjectAndBusyPeriods) {
  const std::string uri = std::string(kBlocked) + "weekly.ics";
  const Reply created = put(uri, event("weekly@phone", "Gym", "RRULE:FREQ=WEEKLY\r\n"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_GT(busyCount(), 50u);
  EXPECT_EQ(request("DELETE", uri, {}, {{"If-Match", "\"stale\""}}).status, 412);
  EXPECT_EQ(request("GET", uri).status, 200);
  EXPECT_EQ(request("DELETE", uri, {}, {{"If-Match", created.head.get("ETag", "")}}).status, 204);
  EXPECT_EQ(request("GET", uri).status, 404);
  EXPECT_EQ(busyCount(), 0u);
  EXPECT_EQ(request("DELETE", uri).status, 404);
}

TEST_F(CalDavBlocked, OtherEmployee_Returns404) {
  ASSERT_EQ(put(std::string(kBlocked) + "mine.ics", event("mine@phone", "Mine")).status, 201);
  // Léa can neither see nor write Sophie's blocked calendar.
  EXPECT_EQ(propfind(kBlocked, "0", {}, "lea").status, 404);
  EXPECT_EQ(request("GET", std::string(kBlocked) + "mine.ics", {}, {}, "lea").status, 404);
  EXPECT_EQ(put(std::string(kBlocked) + "hers.ics", event("hers@phone", "H"), {}, "lea").status,
            404);
  EXPECT_EQ(request("DELETE", std::string(kBlocked) + "mine.ics", {}, {}, "lea").status, 404);
  EXPECT_EQ(request("GET", std::string(kBlocked) + "mine.ics").status, 200);
  // The admin sees it under blocked-<employee>.
  EXPECT_EQ(
      request("GET", "/dav/calendars/admin/blocked-emp-sophie/mine.ics", {}, {}, "admin").status,
      200);
}

}  // namespace
}  // namespace creneau::bridge
