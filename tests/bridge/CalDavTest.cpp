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

class CalDavDiscovery : public CalDavFixture {};
class CalDavPropfind : public CalDavFixture {};
class CalDavGet : public CalDavFixture {};
class CalDavPut : public CalDavFixture {};
class CalDav : public CalDavFixture {};

constexpr const char* kCalendarProps = R"(<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop><d:getetag/><d:getcontenttype/><d:resourcetype/><cs:getctag/><d:sync-token/></d:prop>
</d:propfind>)";

TEST_F(CalDavDiscovery, WellKnownRedirectsToDav) {
  for (const char* method : {"GET", "PROPFIND"}) {
    const Reply r = request(method, "/.well-known/caldav", {}, {}, "");
    EXPECT_EQ(r.status, 301) << method;
    EXPECT_EQ(r.head.get("Location", ""), "/dav/") << method;
  }
  const Reply options = request("OPTIONS", "/dav/");
  EXPECT_EQ(options.status, 200);
  EXPECT_EQ(options.head.get("DAV", ""), "1, 3, calendar-access");
  EXPECT_NE(options.head.get("Allow", "").find("PROPFIND"), std::string::npos);

  // From the context path, current-user-principal leads to the principal.
  const Reply root = propfind("/dav/", "0", R"(<propfind xmlns="DAV:"><prop>
      <current-user-principal/></prop></propfind>)");
  EXPECT_EQ(root.status, 207);
  EXPECT_NE(root.body.find("<D:current-user-principal><D:href>/dav/principals/sophie/</D:href>"),
            std::string::npos)
      << root.body;
}

TEST_F(CalDavPropfind, Principal_HasCalendarHomeSet) {
  const Reply r = propfind("/dav/principals/sophie/", "0", R"(<?xml version="1.0"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-home-set/><C:calendar-user-address-set/><D:principal-URL/>
    <D:displayname/><D:resourcetype/><D:current-user-principal/><C:calendar-timezone-x/></D:prop>
</D:propfind>)");
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_EQ(r.head.getContentType(), "application/xml; charset=utf-8");
  EXPECT_NE(r.body.find("<C:calendar-home-set><D:href>/dav/calendars/sophie/</D:href>"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<D:href>mailto:sophie@salon-lumiere.example</D:href>"), std::string::npos);
  EXPECT_NE(r.body.find("<D:principal-URL><D:href>/dav/principals/sophie/</D:href>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<D:displayname>Sophie Martin-Dubois</D:displayname>"), std::string::npos);
  EXPECT_NE(r.body.find("<D:principal/>"), std::string::npos);
  // The unknown property is reported in a 404 propstat.
  const auto missing = r.body.find("<C:calendar-timezone-x/>");
  ASSERT_NE(missing, std::string::npos);
  EXPECT_NE(r.body.find("HTTP/1.1 404 Not Found", missing), std::string::npos);
}

TEST_F(CalDavPropfind, Depth1_ListsEveryAppointmentWithEtag) {
  const Reply r = propfind("/dav/calendars/sophie/appointments/", "1", kCalendarProps);
  ASSERT_EQ(r.status, 207) << r.body;

  // One response for the collection, one per appointment of Sophie's.
  engine::RecordFilter filter;
  filter.employeeId = store_->employeeByExternalId("emp-sophie")->id;
  std::set<std::string> expected;
  store_->forEachAppointment(filter, [&](const engine::Appointment& a) {
    expected.insert("/dav/calendars/sophie/appointments/appointment-" + a.externalId + ".ics");
    return true;
  });
  ASSERT_EQ(expected.size(), 14u);
  EXPECT_EQ(count(r.body, "<D:response>"), expected.size() + 1);

  const std::regex object(
      R"(<D:href>([^<]+\.ics)</D:href><D:propstat><D:prop><D:getcontenttype>text/calendar; charset=utf-8; component=vevent</D:getcontenttype><D:getetag>(&quot;[0-9]+-[0-9a-f]+&quot;)</D:getetag><D:resourcetype/>)");
  std::set<std::string> listed;
  for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), object);
       it != std::sregex_iterator(); ++it)
    listed.insert((*it)[1]);
  EXPECT_EQ(listed, expected) << r.body;

  // The collection: a calendar with a ctag and sync-token from the change log.
  EXPECT_NE(r.body.find("<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<CS:getctag>"), std::string::npos);
  EXPECT_NE(r.body.find("<D:sync-token>urn:creneau:sync:"), std::string::npos);
  // Objects have no ctag, the collection no getetag: one 404 propstat each.
  EXPECT_EQ(count(r.body, "HTTP/1.1 404 Not Found"), expected.size() + 1);
}

TEST_F(CalDavPropfind, DepthInfinity_Returns403FiniteDepth) {
  const Reply r = propfind("/dav/calendars/sophie/", "infinity", "");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("propfind-finite-depth"), std::string::npos) << r.body;

  const Reply garbage = propfind("/dav/calendars/sophie/", "2; drop table", "");
  EXPECT_EQ(garbage.status, 400);
}

TEST_F(CalDavPropfind, PrefixesChosenByClient_AreUnderstood) {
  // x: for DAV:, a default namespace for CalDAV, a DAV element without prefix
  // in a nested default namespace.
  const Reply r = propfind("/dav/calendars/sophie/appointments/", "0", R"(<?xml version="1.0"?>
<x:propfind xmlns:x="DAV:" xmlns="urn:ietf:params:xml:ns:caldav">
  <x:prop>
    <supported-calendar-component-set/>
    <displayname xmlns="DAV:"/>
    <x:displayname xmlns:x="http://example.com/not-dav"/>
  </x:prop>
</x:propfind>)");
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_NE(r.body.find("<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/>"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<D:displayname>Appointments – Sophie Martin-Dubois</D:displayname>"),
            std::string::npos);
  // The look-alike in another namespace is not DAV:displayname.
  EXPECT_NE(r.body.find("<X:displayname xmlns:X=\"http://example.com/not-dav\"/>"),
            std::string::npos);

  // A prefix nobody declared is malformed.
  const Reply bad = propfind("/dav/", "0", "<D:propfind><D:allprop/></D:propfind>");
  EXPECT_EQ(bad.status, 400);
  const Reply broken = propfind("/dav/", "0", "<propfind xmlns=\"DAV:\"><prop>");
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(broken.body.find("malformed XML"), std::string::npos) << broken.body;
}

TEST_F(CalDavPropfind, Doctype_Returns400) {
  const Reply r = propfind("/dav/", "0", R"(<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<propfind xmlns="DAV:"><prop><displayname>&lol2;</displayname></prop></propfind>)");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("DOCTYPE"), std::string::npos) << r.body;
}

TEST_F(CalDavPropfind, OtherEmployeesCalendar_Returns404) {
  const Reply missing = propfind("/dav/calendars/nobody/appointments/", "0", "");
  EXPECT_EQ(missing.status, 404);
  for (const char* uri :
       {"/dav/calendars/lea/appointments/", "/dav/calendars/lea/", "/dav/principals/lea/"}) {
    const Reply r = propfind(uri, "0", "");
    EXPECT_EQ(r.status, 404) << uri;
    EXPECT_EQ(r.body, missing.body) << uri;
  }
  // An appointment of Léa's, asked for through Sophie's own calendar.
  std::string leaAppointment;
  engine::RecordFilter filter;
  filter.employeeId = store_->employeeByExternalId("emp-lea")->id;
  store_->forEachAppointment(filter, [&](const engine::Appointment& a) {
    leaAppointment = a.externalId;
    return false;
  });
  ASSERT_FALSE(leaAppointment.empty());
  const Reply r =
      request("GET", "/dav/calendars/sophie/appointments/appointment-" + leaAppointment + ".ics");
  EXPECT_EQ(r.status, 404);

  // The admin sees Léa's calendar in their own home.
  const Reply admin = propfind("/dav/calendars/admin/", "1", "", "admin");
  ASSERT_EQ(admin.status, 207);
  EXPECT_NE(admin.body.find("<D:href>/dav/calendars/admin/appointments-emp-lea/</D:href>"),
            std::string::npos)
      << admin.body;
  EXPECT_EQ(
      request("GET",
              "/dav/calendars/admin/appointments-emp-lea/appointment-" + leaAppointment + ".ics",
              {}, {}, "admin")
          .status,
      200);
}

TEST_F(CalDavGet, ReturnsSingleEventWithEtagAnd304) {
  const auto appointment = store_->appointmentByExternalId("1001");
  ASSERT_TRUE(appointment);
  const std::string uri = "/dav/calendars/sophie/appointments/appointment-1001.ics";
  const Reply r = request("GET", uri);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.head.getContentType(), "text/calendar; charset=utf-8; component=vevent");
  EXPECT_EQ(count(r.body, "BEGIN:VEVENT"), 1u);
  EXPECT_NE(r.body.find("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris"), std::string::npos) << r.body;
  const std::string uid = engine::Renderer(engine::RenderSettings{}).appointmentUid("1001");
  EXPECT_NE(r.body.find("UID:" + uid + "\r\n"), std::string::npos);
  const std::string etag = r.head.get("ETag", "");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');

  // The ETag agrees with what PROPFIND lists.
  const Reply listed =
      propfind(uri, "0", "<propfind xmlns='DAV:'><prop><getetag/></prop></propfind>");
  EXPECT_NE(listed.body.find("<D:getetag>" + std::regex_replace(etag, std::regex("\""), "&quot;")),
            std::string::npos)
      << listed.body;

  const Reply again = request("GET", uri, {}, {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  const Reply head = request("HEAD", uri);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.head.get("ETag", ""), etag);
}

TEST_F(CalDavPut, OnAppointments_Returns403NeedPrivileges) {
  const std::string ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
      "DTSTAMP:20261124T100000Z\r\nDTSTART:20261124T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  for (const char* uri : {"/dav/calendars/sophie/appointments/new.ics",
                          "/dav/calendars/sophie/appointments/appointment-1001.ics"}) {
    const Reply r = request("PUT", uri, ics, {{"Content-Type", "text/calendar"}});
    EXPECT_EQ(r.status, 403) << uri;
    EXPECT_NE(r.body.find("<D:need-privileges>"), std::string::npos) << r.body;
  }
  EXPECT_EQ(request("DELETE", "/dav/calendars/sophie/appointments/appointment-1001.ics").status,
            403);
  EXPECT_EQ(request("PROPPATCH", "/dav/calendars/sophie/appointments/appointment-1001.ics",
                    "<propertyupdate xmlns='DAV:'><set><prop><displayname>x</displayname>"
                    "</prop></set></propertyupdate>")
                .status,
            403);
  // Still there, unchanged.
  EXPECT_EQ(request("GET", "/dav/calendars/sophie/appointments/appointment-1001.ics").status, 200);
  // Someone else's calendar is not even there.
  EXPECT_EQ(request("PUT", "/dav/calendars/lea/appointments/new.ics", ics).status, 404);
}

TEST_F(CalDav, NoCredentials_Returns401) {
  const Reply none = request("PROPFIND", "/dav/", {}, {{"Depth", "0"}}, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.head.get("WWW-Authenticate", "").rfind("Basic realm=", 0), 0u);

  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
  Poco::Net::HTTPRequest req("GET", "/dav/calendars/sophie/appointments/appointment-1001.ics",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", basic("sophie", "wrong password"));
  session.sendRequest(req);
  Poco::Net::HTTPResponse head;
  std::istream& in = session.receiveResponse(head);
  std::ostringstream sink;
  Poco::StreamCopier::copyStream(in, sink);
  EXPECT_EQ(static_cast<int>(head.getStatus()), 401);
  EXPECT_TRUE(head.has("WWW-Authenticate"));
}

}  // namespace
}  // namespace creneau::bridge
