// PROPPATCH, MKCALENDAR, extended MKCOL and DELETE of calendars.
#include <gtest/gtest.h>

#include <string>

#include "CalDavFixture.h"

namespace creneau::bridge {
namespace {

using namespace caldavtest;

constexpr const char* kBlocked = "/dav/calendars/sophie/blocked/";
constexpr const char* kAppointments = "/dav/calendars/sophie/appointments/";

std::string event(const std::string& uid, const std::string& transp = {}) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
         "\r\nDTSTAMP:20261124T100000Z\r\nDTSTART:20261125T100000Z\r\n"
         "DTEND:20261125T110000Z\r\nSUMMARY:Busy\r\n" +
         transp + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

std::string update(const std::string& inner) {
  return "<?xml version='1.0'?><D:propertyupdate xmlns:D='DAV:' "
         "xmlns:A='http://apple.com/ns/ical/' xmlns:C='urn:ietf:params:xml:ns:caldav'>" +
         inner + "</D:propertyupdate>";
}

class CalDavCollections : public CalDavFixture {
 protected:
  [[nodiscard]] engine::Id sophie() const { return store_->employeeByExternalId("emp-sophie")->id; }
  [[nodiscard]] std::size_t busyCount() const {
    return store_->personalBusy(sophie(), 0, 4'000'000'000).size();
  }
  Reply props(const std::string& uri, const std::string& login = "sophie") const {
    return propfind(uri, "0", {}, login);
  }
};

TEST_F(CalDavCollections, Proppatch_PersonalCalendar_SetsLiveAndDeadPropertiesTogether) {
  const Reply r = request(
      "PROPPATCH", kBlocked,
      update("<D:set><D:prop><D:displayname>Gym &amp; dentist</D:displayname>"
             "<A:calendar-color>#FF2968FF</A:calendar-color>"
             "<A:calendar-order>3</A:calendar-order>"
             "<q:colour xmlns:q='urn:example:palette'><q:rgb q:space='srgb'>12,34,56</q:rgb>"
             "</q:colour></D:prop></D:set>"));
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_NE(r.body.find("HTTP/1.1 200 OK"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("424"), std::string::npos) << r.body;

  const Reply p = props(kBlocked);
  ASSERT_EQ(p.status, 207);
  EXPECT_NE(p.body.find(">Gym &amp; dentist<"), std::string::npos) << p.body;
  EXPECT_NE(p.body.find(">#FF2968FF<"), std::string::npos) << p.body;
  EXPECT_NE(p.body.find(":calendar-order xmlns:X=\"http://apple.com/ns/ical/\">3<"),
            std::string::npos)
      << p.body;
  // The client's own namespace and prefix inside the value survive.
  EXPECT_NE(p.body.find("<q:rgb q:space=\"srgb\" xmlns:q=\"urn:example:palette\">12,34,56"),
            std::string::npos)
      << p.body;
  // Asked by name, in any prefix.
  const Reply named = propfind(kBlocked, "0",
                               "<x:propfind xmlns:x='DAV:'><x:prop><o:calendar-order "
                               "xmlns:o='http://apple.com/ns/ical/'/></x:prop></x:propfind>");
  EXPECT_NE(named.body.find(">3<"), std::string::npos) << named.body;
  EXPECT_EQ(named.body.find("404"), std::string::npos) << named.body;
}

TEST_F(CalDavCollections, Proppatch_ProtectedProperty_FailsAndAppliesNothing) {
  const Reply r = request("PROPPATCH", kBlocked,
                          update("<D:set><D:prop><D:displayname>Renamed</D:displayname>"
                                 "<A:calendar-order>1</A:calendar-order></D:prop></D:set>"
                                 "<D:set><D:prop><D:resourcetype><D:collection/></D:resourcetype>"
                                 "</D:prop></D:set>"));
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_NE(r.body.find("HTTP/1.1 403 Forbidden"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("HTTP/1.1 424 Failed Dependency"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("cannot-modify-protected-property"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("200 OK"), std::string::npos) << r.body;

  const Reply p = props(kBlocked);
  EXPECT_EQ(p.body.find("Renamed"), std::string::npos) << p.body;
  EXPECT_EQ(p.body.find("calendar-order"), std::string::npos) << p.body;
}

TEST_F(CalDavCollections, Proppatch_Remove_DropsDeadPropertyAndKeepsOthers) {
  ASSERT_EQ(request("PROPPATCH", kAppointments,
                    update("<D:set><D:prop><A:calendar-order>7</A:calendar-order>"
                           "<A:calendar-color>#00FF00</A:calendar-color></D:prop></D:set>"))
                .status,
            207);
  const Reply r = request("PROPPATCH", kAppointments,
                          update("<D:remove><D:prop><A:calendar-order/></D:prop></D:remove>"));
  ASSERT_EQ(r.status, 207) << r.body;
  const Reply p = props(kAppointments);
  EXPECT_EQ(p.body.find("calendar-order"), std::string::npos) << p.body;
  EXPECT_NE(p.body.find(">#00FF00<"), std::string::npos) << p.body;
}

TEST_F(CalDavCollections, Proppatch_AppointmentsCalendar_RenamesButNeverTransparent) {
  const Reply renamed =
      request("PROPPATCH", kAppointments,
              update("<D:set><D:prop><D:displayname>Salon</D:displayname></D:prop></D:set>"));
  ASSERT_EQ(renamed.status, 207);
  EXPECT_NE(props(kAppointments).body.find(">Salon<"), std::string::npos);
  // The admin sees the same calendar (same name) under its own href.
  EXPECT_NE(props("/dav/calendars/admin/appointments-emp-sophie/", "admin").body.find(">Salon<"),
            std::string::npos);

  const Reply transp = request("PROPPATCH", kAppointments,
                               update("<D:set><D:prop><C:schedule-calendar-transp>"
                                      "<C:transparent/></C:schedule-calendar-transp></D:prop>"
                                      "</D:set>"));
  ASSERT_EQ(transp.status, 207);
  EXPECT_NE(transp.body.find("403 Forbidden"), std::string::npos) << transp.body;
  EXPECT_NE(props(kAppointments).body.find("<C:opaque/>"), std::string::npos);
}

TEST_F(CalDavCollections, Proppatch_TransparentCalendar_StopsCountingAsBusy) {
  ASSERT_EQ(request("PUT", std::string(kBlocked) + "a.ics", event("a@phone")).status, 201);
  EXPECT_EQ(busyCount(), 1u);
  const std::string transparent = update(
      "<D:set><D:prop><C:schedule-calendar-transp><C:transparent/>"
      "</C:schedule-calendar-transp></D:prop></D:set>");
  ASSERT_EQ(request("PROPPATCH", kBlocked, transparent).status, 207);
  EXPECT_EQ(busyCount(), 0u);
  EXPECT_NE(props(kBlocked).body.find("<C:transparent/>"), std::string::npos);
  ASSERT_EQ(request("PROPPATCH", kBlocked,
                    update("<D:remove><D:prop><C:schedule-calendar-transp/></D:prop></D:remove>"))
                .status,
            207);
  EXPECT_EQ(busyCount(), 1u);
}

TEST_F(CalDavCollections, Proppatch_BadTimezoneAndBadTransp_AreRefusedPerProperty) {
  const Reply r =
      request("PROPPATCH", kBlocked,
              update("<D:set><D:prop><C:calendar-timezone>not ical</C:calendar-timezone>"
                     "<C:schedule-calendar-transp>maybe</C:schedule-calendar-transp>"
                     "</D:prop></D:set>"));
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_NE(r.body.find("403 Forbidden"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("409 Conflict"), std::string::npos) << r.body;
}

TEST_F(CalDavCollections, Proppatch_BadBodies_Return400) {
  EXPECT_EQ(request("PROPPATCH", kBlocked, "<D:propertyupdate xmlns:D='DAV:'><D:set>").status, 400);
  EXPECT_EQ(request("PROPPATCH", kBlocked,
                    "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><D:propertyupdate xmlns:D='DAV:'>"
                    "<D:set><D:prop><D:displayname>&a;</D:displayname></D:prop></D:set>"
                    "</D:propertyupdate>")
                .status,
            400);
  EXPECT_EQ(
      request("PROPPATCH", kBlocked, "<D:propfind xmlns:D='DAV:'><D:allprop/></D:propfind>").status,
      400);
  EXPECT_EQ(request("PROPPATCH", kBlocked, "<x:propertyupdate><x:set/></x:propertyupdate>").status,
            400);
}

TEST_F(CalDavCollections, Proppatch_ObjectOfPersonalCalendar_KeepsDeadProperty) {
  const std::string uri = std::string(kBlocked) + "b.ics";
  ASSERT_EQ(request("PUT", uri, event("b@phone")).status, 201);
  ASSERT_EQ(
      request("PROPPATCH", uri, update("<D:set><D:prop><A:note>kept</A:note></D:prop></D:set>"))
          .status,
      207);
  EXPECT_NE(props(uri).body.find(">kept<"), std::string::npos);
}

TEST_F(CalDavCollections, Mkcalendar_CreatesBusyCalendarWithProperties) {
  const std::string uri = "/dav/calendars/sophie/6F1A2B3C-work/";
  const Reply made = request(
      "MKCALENDAR", uri,
      "<?xml version='1.0'?><C:mkcalendar xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'"
      " xmlns:A='http://apple.com/ns/ical/'><D:set><D:prop><D:displayname>Work</D:displayname>"
      "<C:calendar-description>From my phone</C:calendar-description>"
      "<A:calendar-color>#1BADF8</A:calendar-color><A:calendar-order>2</A:calendar-order>"
      "<C:supported-calendar-component-set><C:comp name='VEVENT'/>"
      "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>");
  ASSERT_EQ(made.status, 201) << made.body;

  const Reply home = propfind("/dav/calendars/sophie/", "1", {});
  EXPECT_NE(home.body.find("<D:href>" + uri + "</D:href>"), std::string::npos) << home.body;
  const Reply p = props(uri);
  EXPECT_NE(p.body.find(">Work<"), std::string::npos) << p.body;
  EXPECT_NE(p.body.find(">From my phone<"), std::string::npos);
  EXPECT_NE(p.body.find(">#1BADF8<"), std::string::npos);
  EXPECT_NE(p.body.find(">2<"), std::string::npos);
  EXPECT_NE(p.body.find("<C:opaque/>"), std::string::npos);

  ASSERT_EQ(request("PUT", uri + "meeting.ics", event("meeting@phone")).status, 201);
  EXPECT_EQ(busyCount(), 1u);
  EXPECT_EQ(request("GET", uri + "meeting.ics").status, 200);
  // Nobody else sees it.
  EXPECT_EQ(props("/dav/calendars/lea/6F1A2B3C-work/", "lea").status, 404);

  ASSERT_EQ(request("DELETE", uri).status, 204);
  EXPECT_EQ(props(uri).status, 404);
  EXPECT_EQ(busyCount(), 0u);
}

TEST_F(CalDavCollections, Mkcalendar_Transparent_EventsAreNotBusy) {
  const std::string uri = "/dav/calendars/sophie/birthdays/";
  ASSERT_EQ(request("MKCALENDAR", uri,
                    "<C:mkcalendar xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'>"
                    "<D:set><D:prop><C:schedule-calendar-transp><C:transparent/>"
                    "</C:schedule-calendar-transp></D:prop></D:set></C:mkcalendar>")
                .status,
            201);
  ASSERT_EQ(request("PUT", uri + "x.ics", event("x@phone")).status, 201);
  EXPECT_EQ(busyCount(), 0u);
}

TEST_F(CalDavCollections, Mkcalendar_WithoutBody_UsesDefaults) {
  ASSERT_EQ(request("MKCALENDAR", "/dav/calendars/sophie/plain/").status, 201);
  EXPECT_NE(props("/dav/calendars/sophie/plain/").body.find(">plain<"), std::string::npos);
}

TEST_F(CalDavCollections, Mkcalendar_Refusals) {
  // Something is there already.
  EXPECT_EQ(request("MKCALENDAR", kBlocked).status, 405);
  EXPECT_EQ(request("MKCALENDAR", kAppointments).status, 405);
  // Inside a calendar (RFC 4791 5.3.1.2).
  const Reply nested = request("MKCALENDAR", std::string(kBlocked) + "inner/");
  EXPECT_EQ(nested.status, 403);
  EXPECT_NE(nested.body.find("calendar-collection-location-ok"), std::string::npos) << nested.body;
  // Reserved or invalid names.
  EXPECT_EQ(request("MKCALENDAR", "/dav/calendars/sophie/blocked-x/").status, 403);
  EXPECT_EQ(request("MKCALENDAR", "/dav/calendars/sophie/a%20b/").status, 403);
  // Someone else's home answers like a missing one.
  EXPECT_EQ(request("MKCALENDAR", "/dav/calendars/lea/new/").status, 409);
  EXPECT_EQ(request("MKCALENDAR", "/dav/calendars/nobody/new/").status, 409);
  // A VTODO-only calendar: 403 with the failed property; nothing created.
  const Reply todo =
      request("MKCALENDAR", "/dav/calendars/sophie/tasks/",
              "<C:mkcalendar xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'><D:set><D:prop>"
              "<D:displayname>Tasks</D:displayname><C:supported-calendar-component-set>"
              "<C:comp name='VTODO'/></C:supported-calendar-component-set></D:prop></D:set>"
              "</C:mkcalendar>");
  EXPECT_EQ(todo.status, 403) << todo.body;
  EXPECT_NE(todo.body.find("mkcalendar-response"), std::string::npos) << todo.body;
  EXPECT_NE(todo.body.find("424 Failed Dependency"), std::string::npos) << todo.body;
  EXPECT_EQ(props("/dav/calendars/sophie/tasks/").status, 404);
  // Malformed body.
  EXPECT_EQ(request("MKCALENDAR", "/dav/calendars/sophie/bad/", "<C:mkcalendar").status, 400);
  EXPECT_EQ(props("/dav/calendars/sophie/bad/").status, 404);
}

TEST_F(CalDavCollections, ExtendedMkcol_Calendar_Creates_PlainMkcol_Refused) {
  const Reply made =
      request("MKCOL", "/dav/calendars/sophie/davx5/",
              "<D:mkcol xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'><D:set><D:prop>"
              "<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
              "<D:displayname>DAVx5</D:displayname></D:prop></D:set></D:mkcol>");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_NE(props("/dav/calendars/sophie/davx5/").body.find(">DAVx5<"), std::string::npos);
  EXPECT_EQ(request("MKCOL", "/dav/calendars/sophie/folder/").status, 403);
  EXPECT_EQ(props("/dav/calendars/sophie/folder/").status, 404);
}

TEST_F(CalDavCollections, Admin_MakesCalendarForEmployee_EmployeeSeesIt) {
  ASSERT_EQ(
      request("MKCALENDAR", "/dav/calendars/admin/emp-sophie~holidays/", {}, {}, "admin").status,
      201);
  EXPECT_EQ(props("/dav/calendars/sophie/holidays/").status, 207);
  const Reply home = propfind("/dav/calendars/admin/", "1", {}, "admin");
  EXPECT_NE(home.body.find("/dav/calendars/admin/emp-sophie~holidays/"), std::string::npos)
      << home.body;
  EXPECT_EQ(request("MKCALENDAR", "/dav/calendars/admin/nobody~x/", {}, {}, "admin").status, 403);
}

TEST_F(CalDavCollections, Delete_BuiltInCalendars_Returns403) {
  EXPECT_EQ(request("DELETE", kBlocked).status, 403);
  EXPECT_EQ(request("DELETE", kAppointments).status, 403);
  EXPECT_EQ(props(kAppointments).status, 207);
}

TEST_F(CalDavCollections, Put_LargerThanMaxResourceSize_Returns403AndStoresNothing) {
  std::string big = event("big@phone");
  big.insert(big.find("SUMMARY:Busy") + 12,
             "\r\nDESCRIPTION:" + std::string(dav::kMaxResourceSize, 'x'));
  const Reply r = request("PUT", std::string(kBlocked) + "big.ics", big);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("max-resource-size"), std::string::npos) << r.body;
  EXPECT_EQ(busyCount(), 0u);
  EXPECT_NE(props(kBlocked).body.find(std::to_string(dav::kMaxResourceSize)), std::string::npos);
}

}  // namespace
}  // namespace creneau::bridge
