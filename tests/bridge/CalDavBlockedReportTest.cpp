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

class CalDavBlockedReport : public CalDavFixture {
 protected:
  Reply put(const std::string& uri, const std::string& body) const {
    return request("PUT", uri, body);
  }
  Reply report(const std::string& body, const std::string& depth = "1") const {
    return request("REPORT", kBlocked, body, {{"Depth", depth}});
  }
  static constexpr const char* kBlocked = "/dav/calendars/sophie/blocked/";
};

// One VEVENT on Wednesday 2026-11-25 10:00-11:00 UTC, `extra` lines added.
std::string event(const std::string& uid, const std::string& summary,
                  const std::string& extra = {}) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
         "\r\nDTSTAMP:20261124T100000Z\r\nDTSTART:20261125T100000Z\r\n"
         "DTEND:20261125T110000Z\r\nSUMMARY:" +
         summary + "\r\n" + extra + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

std::string syncToken(const std::string& body) {
  std::smatch m;
  if (!std::regex_search(body, m, std::regex("<D:sync-token>([^<]*)</D:sync-token>"))) return {};
  return m[1];
}

std::string syncBody(const std::string& token) {
  return "<D:sync-collection xmlns:D='DAV:'><D:sync-token>" + token +
         "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>"
         "</D:sync-collection>";
}

std::string rangeQuery(const std::string& start, const std::string& end) {
  return "<C:calendar-query xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'>"
         "<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name='VCALENDAR'>"
         "<C:comp-filter name='VEVENT'><C:time-range start='" +
         start + "' end='" + end +
         "'/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_F(CalDavBlockedReport, BlockedReport_SyncCollection_SeesPutAndDelete) {
  const Reply initial = report(syncBody(""), "0");
  ASSERT_EQ(initial.status, 207) << initial.body;
  const std::string t0 = syncToken(initial.body);
  ASSERT_FALSE(t0.empty()) << initial.body;

  ASSERT_EQ(put(std::string(kBlocked) + "a.ics", event("a@phone", "A")).status, 201);
  ASSERT_EQ(put(std::string(kBlocked) + "b.ics", event("b@phone", "B")).status, 201);
  const Reply first = report(syncBody(t0), "0");
  ASSERT_EQ(first.status, 207) << first.body;
  EXPECT_TRUE(contains(first.body, "<D:href>/dav/calendars/sophie/blocked/a.ics</D:href>"))
      << first.body;
  EXPECT_TRUE(contains(first.body, "<D:href>/dav/calendars/sophie/blocked/b.ics</D:href>"));
  EXPECT_TRUE(contains(first.body, "getetag"));
  const std::string t1 = syncToken(first.body);
  EXPECT_NE(t1, t0);

  ASSERT_EQ(request("DELETE", std::string(kBlocked) + "a.ics").status, 204);
  const Reply second = report(syncBody(t1), "0");
  ASSERT_EQ(second.status, 207) << second.body;
  EXPECT_TRUE(contains(second.body,
                       "<D:response><D:href>/dav/calendars/sophie/blocked/a.ics</D:href>"
                       "<D:status>HTTP/1.1 404 Not Found</D:status></D:response>"))
      << second.body;
  EXPECT_FALSE(contains(second.body, "blocked/b.ics")) << second.body;

  // A from-scratch listing holds only what is left.
  const Reply full = report(syncBody(""), "0");
  ASSERT_EQ(full.status, 207);
  EXPECT_TRUE(contains(full.body, "blocked/b.ics"));
  EXPECT_FALSE(contains(full.body, "blocked/a.ics"));
  EXPECT_EQ(report(syncBody("urn:creneau:sync:999999"), "0").status, 403);
}

TEST_F(CalDavBlockedReport, BlockedReport_Query_TimeRange_MatchesRecurringInstance) {
  // Weekly on Wednesdays 10:00-11:00 UTC from 2026-11-25, ten times.
  ASSERT_EQ(put(std::string(kBlocked) + "gym.ics",
                event("gym@phone", "Gym", "RRULE:FREQ=WEEKLY;COUNT=10\r\n"))
                .status,
            201);
  ASSERT_EQ(put(std::string(kBlocked) + "once.ics", event("once@phone", "Once")).status, 201);

  // Three weeks later: only the recurring event has an instance there.
  const Reply later = report(rangeQuery("20261216T000000Z", "20261217T000000Z"));
  ASSERT_EQ(later.status, 207) << later.body;
  EXPECT_TRUE(contains(later.body, "blocked/gym.ics")) << later.body;
  EXPECT_FALSE(contains(later.body, "blocked/once.ics")) << later.body;

  // Between instances: nothing. End-exclusive: a range ending at 10:00 misses.
  const Reply gap = report(rangeQuery("20261217T000000Z", "20261223T000000Z"));
  ASSERT_EQ(gap.status, 207);
  EXPECT_FALSE(contains(gap.body, "blocked/gym.ics")) << gap.body;
  const Reply edge = report(rangeQuery("20261216T000000Z", "20261216T100000Z"));
  ASSERT_EQ(edge.status, 207);
  EXPECT_FALSE(contains(edge.body, "blocked/gym.ics")) << edge.body;

  // After COUNT is exhausted: nothing.
  const Reply after = report(rangeQuery("20270210T000000Z", "20270211T000000Z"));
  ASSERT_EQ(after.status, 207);
  EXPECT_FALSE(contains(after.body, "blocked/gym.ics")) << after.body;

  // The first week matches both.
  const Reply first = report(rangeQuery("20261125T000000Z", "20261126T000000Z"));
  EXPECT_TRUE(contains(first.body, "blocked/gym.ics"));
  EXPECT_TRUE(contains(first.body, "blocked/once.ics"));
}

TEST_F(CalDavBlockedReport, BlockedReport_Multiget_ReturnsStoredText) {
  ASSERT_EQ(
      put(std::string(kBlocked) + "dentist.ics", event("dentist@phone", "Dentist & co")).status,
      201);
  const Reply r = report(
      "<C:calendar-multiget xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'>"
      "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
      "<D:href>/dav/calendars/sophie/blocked/dentist.ics</D:href>"
      "<D:href>/dav/calendars/sophie/blocked/missing.ics</D:href>"
      "</C:calendar-multiget>");
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_TRUE(contains(r.body, "<D:href>/dav/calendars/sophie/blocked/dentist.ics</D:href>"));
  EXPECT_TRUE(contains(r.body, "UID:dentist@phone")) << r.body;
  EXPECT_TRUE(contains(r.body, "SUMMARY:Dentist &amp; co")) << r.body;
  EXPECT_TRUE(contains(r.body, "PRODID:-//t//t//EN")) << r.body;  // as stored, not re-rendered
  EXPECT_TRUE(contains(r.body,
                       "<D:response><D:href>/dav/calendars/sophie/blocked/missing.ics</D:href>"
                       "<D:status>HTTP/1.1 404 Not Found</D:status></D:response>"))
      << r.body;
}

TEST_F(CalDavBlockedReport, BlockedReport_FreeBusy_IncludesRecurringBusyTime) {
  ASSERT_EQ(put(std::string(kBlocked) + "gym.ics",
                event("gym@phone", "Gym", "RRULE:FREQ=WEEKLY;COUNT=10\r\n"))
                .status,
            201);
  ASSERT_EQ(
      put(std::string(kBlocked) + "free.ics", event("free@phone", "Free", "TRANSP:TRANSPARENT\r\n"))
          .status,
      201);
  const Reply r = report(
      "<C:free-busy-query xmlns:C='urn:ietf:params:xml:ns:caldav'>"
      "<C:time-range start='20261215T000000Z' end='20261217T000000Z'/></C:free-busy-query>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(contains(r.head.getContentType(), "text/calendar"));
  EXPECT_TRUE(contains(r.body, "BEGIN:VFREEBUSY")) << r.body;
  EXPECT_TRUE(contains(r.body, "20261216T100000Z/20261216T110000Z")) << r.body;
  EXPECT_FALSE(contains(r.body, "Gym")) << r.body;  // no event details
  // The transparent event's day has no busy time.
  const Reply free = report(
      "<C:free-busy-query xmlns:C='urn:ietf:params:xml:ns:caldav'>"
      "<C:time-range start='20261124T000000Z' end='20261125T000000Z'/></C:free-busy-query>");
  ASSERT_EQ(free.status, 200);
  EXPECT_FALSE(contains(free.body, "FREEBUSY;")) << free.body;
}

}  // namespace
}  // namespace creneau::bridge
