#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <sstream>

#include "CalDavFixture.h"
#include "bridge/auth/BasicAuth.h"
#include "bridge/auth/Password.h"
#include "bridge/caldav/DavHandlers.h"
#include "bridge/server/Server.h"
#include "engine/import/JsonImporter.h"
#include "engine/render/Renderer.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;
using namespace caldavtest;

class CalDavReport : public CalDavFixture {
 protected:
  Reply report(const std::string& uri, const std::string& body, const std::string& depth = "1",
               const std::string& login = "sophie") const {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!depth.empty()) headers.emplace_back("Depth", depth);
    return request("REPORT", uri, body, headers, login);
  }

  // The <D:sync-token> of a sync-collection answer.
  static std::string tokenOf(const std::string& body) {
    const std::regex token(R"(<D:sync-token>([^<]+)</D:sync-token>)");
    std::smatch m;
    if (!std::regex_search(body, m, token)) return {};
    return m[1];
  }

  static std::string syncBody(const std::string& token, const std::string& extra = {}) {
    return R"(<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token>)" +
           token + R"(</d:sync-token><d:sync-level>1</d:sync-level>)" + extra +
           R"(<d:prop><d:getetag/></d:prop></d:sync-collection>)";
  }
};

constexpr const char* kCal = "/dav/calendars/sophie/appointments/";

std::string objectHref(const std::string& ext) {
  return std::string(kCal) + "appointment-" + ext + ".ics";
}

TEST_F(CalDavReport, Multiget_ReturnsDataAndEtags) {
  const std::string body = R"(<?xml version="1.0" encoding="utf-8"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <d:href>)" + objectHref("1001") +
                           R"(</d:href>
  <d:href>http://localhost/dav/calendars/sophie/appointments/appointment-1008.ics</d:href>
  <d:href>)" + objectHref("nope") +
                           R"(</d:href>
  <d:href>/dav/calendars/sophie/appointments/appointment-1003.ics</d:href>
</c:calendar-multiget>)";
  const Reply r = report(kCal, body);
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_EQ(count(r.body, "<D:response>"), 4u) << r.body;
  EXPECT_EQ(count(r.body, "<C:calendar-data>BEGIN:VCALENDAR"), 2u) << r.body;
  EXPECT_EQ(count(r.body, "<D:getetag>&quot;"), 2u) << r.body;
  EXPECT_NE(r.body.find("<D:href>" + objectHref("1001") + "</D:href><D:propstat>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<D:href>" + objectHref("1008") + "</D:href><D:propstat>"),
            std::string::npos);
  // Unknown and foreign (Léa's appointment 1003) hrefs: a 404 response each.
  for (const std::string& href :
       {objectHref("nope"), std::string("/dav/calendars/sophie/appointments/appointment-1003.ics")})
    EXPECT_NE(r.body.find("<D:href>" + href +
                          "</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>"),
              std::string::npos)
        << href << "\n"
        << r.body;
  // The calendar data is what GET serves.
  const Reply get = request("GET", objectHref("1001"));
  ASSERT_EQ(get.status, 200);
  std::string etag = get.head.get("ETag");
  ASSERT_GE(etag.size(), 2u);
  etag = "&quot;" + etag.substr(1, etag.size() - 2) + "&quot;";
  EXPECT_NE(r.body.find("<D:getetag>" + etag + "</D:getetag>"), std::string::npos) << r.body;
}

TEST_F(CalDavReport, Query_TimeRange_ExcludesEventsEndingAtStart) {
  // 1008 ends at 2026-11-05 11:30Z (excluded: it ends at the range start);
  // 1010 runs 13:00-13:45Z on 2026-11-09 (included: it overlaps the end).
  const std::string body = R"(<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20261105T113000Z" end="20261109T133000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>)";
  const Reply r = report(kCal, body);
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_EQ(count(r.body, "<D:response>"), 1u) << r.body;
  EXPECT_NE(r.body.find(objectHref("1010")), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(objectHref("1008")), std::string::npos) << r.body;
  // calendar-data only when asked for.
  EXPECT_EQ(r.body.find("calendar-data"), std::string::npos) << r.body;

  // Moving the start back one second takes 1008 in.
  std::string wider = body;
  wider.replace(wider.find("113000Z"), 7, "112959Z");
  const Reply w = report(kCal, wider);
  ASSERT_EQ(w.status, 207) << w.body;
  EXPECT_EQ(count(w.body, "<D:response>"), 2u) << w.body;
  EXPECT_NE(w.body.find(objectHref("1008")), std::string::npos) << w.body;
}

TEST_F(CalDavReport, Query_TextMatch_FiltersOnRenderedSummary) {
  const Reply one = request("GET", objectHref("1001"));
  ASSERT_EQ(one.status, 200);
  const std::regex summary(R"(SUMMARY:([^\r\n]+))");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(one.body, m, summary)) << one.body;
  std::string word = m[1].str().substr(0, 4);
  for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto query = [&](const std::string& negate) {
    return R"(<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:prop-filter name="SUMMARY"><C:text-match collation="i;unicode-casemap" negate-condition=")" +
           negate + R"(">)" + word + R"(</C:text-match></C:prop-filter>
  </C:comp-filter></C:comp-filter></C:filter></C:calendar-query>)";
  };
  const Reply hit = report(kCal, query("no"));
  const Reply miss = report(kCal, query("yes"));
  ASSERT_EQ(hit.status, 207) << hit.body;
  ASSERT_EQ(miss.status, 207) << miss.body;
  EXPECT_NE(hit.body.find(objectHref("1001")), std::string::npos) << hit.body;
  EXPECT_EQ(miss.body.find(objectHref("1001")), std::string::npos) << miss.body;
  EXPECT_EQ(count(hit.body, "<D:response>") + count(miss.body, "<D:response>"), 14u);
  EXPECT_EQ(count(hit.body, "<D:response>"), count(hit.body, "<C:calendar-data>"));
}

TEST_F(CalDavReport, SyncCollection_InitialThenIncremental) {
  const Reply initial = report(kCal, syncBody(""), "0");
  ASSERT_EQ(initial.status, 207) << initial.body;
  EXPECT_EQ(count(initial.body, "<D:response>"), 14u) << initial.body;
  const std::string token = tokenOf(initial.body);
  const auto employee = store_->employeeByExternalId("emp-sophie")->id;
  EXPECT_EQ(token, "urn:creneau:sync:" +
                       std::to_string(store_->latestChange(engine::employeeCollection(employee))));

  // Nothing changed: nothing listed, same token.
  const Reply same = report(kCal, syncBody(token), "0");
  ASSERT_EQ(same.status, 207) << same.body;
  EXPECT_EQ(count(same.body, "<D:response>"), 0u) << same.body;
  EXPECT_EQ(tokenOf(same.body), token);

  // One appointment changes, another is deleted.
  (void)store_->apply(engine::JsonImporter().parse(R"({"version": 1, "appointments": [
    {"id": 1017, "service": "svc-cut", "employee": "emp-sophie", "location": "loc-paris",
     "start": "2026-11-18T17:15:00+01:00", "end": "2026-11-18T18:15:00+01:00",
     "status": "approved", "bookings": []},
    {"id": 1021, "deleted": true}]})",
                                                   *store_));
  const Reply next = report(kCal, syncBody(token), "0");
  ASSERT_EQ(next.status, 207) << next.body;
  EXPECT_EQ(count(next.body, "<D:response>"), 2u) << next.body;
  EXPECT_NE(next.body.find("<D:href>" + objectHref("1017") + "</D:href><D:propstat>"),
            std::string::npos)
      << next.body;
  EXPECT_NE(next.body.find("<D:href>" + objectHref("1021") +
                           "</D:href><D:status>HTTP/1.1 404 Not Found</D:status>"),
            std::string::npos)
      << next.body;
  const std::string token2 = tokenOf(next.body);
  EXPECT_NE(token2, token);
  EXPECT_EQ(count(report(kCal, syncBody(token2), "0").body, "<D:response>"), 0u);

  // DAV:limit: truncated, the collection answers 507, and the token given
  // back picks up where the truncated answer stopped.
  const Reply limited =
      report(kCal, syncBody(token, "<d:limit><d:nresults>1</d:nresults></d:limit>"), "0");
  ASSERT_EQ(limited.status, 207) << limited.body;
  EXPECT_EQ(count(limited.body, "<D:response>"), 2u) << limited.body;
  EXPECT_NE(limited.body.find(std::string("<D:href>") + kCal +
                              "</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status>"),
            std::string::npos)
      << limited.body;
  const Reply rest = report(kCal, syncBody(tokenOf(limited.body)), "0");
  ASSERT_EQ(rest.status, 207) << rest.body;
  EXPECT_EQ(count(rest.body, "<D:response>"), 1u) << rest.body;
  EXPECT_EQ(tokenOf(rest.body), token2);
}

TEST_F(CalDavReport, SyncCollection_BadToken_Returns403ValidSyncToken) {
  for (const char* token :
       {"urn:creneau:sync:abc", "http://example.com/sync/1", "urn:creneau:sync:999999999"}) {
    const Reply r = report(kCal, syncBody(token), "0");
    EXPECT_EQ(r.status, 403) << token;
    EXPECT_NE(r.body.find("<D:valid-sync-token/>"), std::string::npos) << token << r.body;
  }
}

TEST_F(CalDavReport, FreeBusy_Returns200Vfreebusy) {
  const Reply r = report(kCal, R"(<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="20261101T000000Z" end="20261201T000000Z"/>
</C:free-busy-query>)");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.head.getContentType().rfind("text/calendar", 0), 0u);
  EXPECT_NE(r.body.find("BEGIN:VFREEBUSY"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("FREEBUSY"), std::string::npos);
  // 1008: 2026-11-05 09:00-11:30Z; 1010 is pending: tentative.
  EXPECT_NE(r.body.find("20261105T090000Z/20261105T113000Z"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("FBTYPE=BUSY-TENTATIVE"), std::string::npos) << r.body;
  // No customer data.
  EXPECT_EQ(r.body.find("SUMMARY"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("ATTENDEE"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("Zo"), std::string::npos) << r.body;
}

TEST_F(CalDavReport, Unknown_Returns403SupportedReport) {
  const Reply r = report(kCal, R"(<x:expand-property xmlns:x="DAV:"/>)");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("<D:supported-report/>"), std::string::npos) << r.body;
  const Reply other = report(kCal, R"(<x:whatever xmlns:x="urn:example"/>)");
  EXPECT_EQ(other.status, 403) << other.body;
}

TEST_F(CalDavReport, MalformedBody_Returns400) {
  EXPECT_EQ(report(kCal, "<C:calendar-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\">").status,
            400);
  EXPECT_EQ(report(kCal, R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>)").status, 400);
  EXPECT_EQ(
      report(kCal, R"(<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>)", "junk").status,
      400);
}

TEST_F(CalDavReport, ForeignCalendar_Returns404) {
  const Reply r = report("/dav/calendars/lea/appointments/", syncBody(""), "0");
  EXPECT_EQ(r.status, 404);
}

}  // namespace
}  // namespace creneau::bridge
