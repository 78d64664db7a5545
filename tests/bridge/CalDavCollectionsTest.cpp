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

namespace creneau::bridge {
namespace {

using namespace caldavtest;

class CalDavCollectionGet : public CalDavFixture {};

std::string eventAt(const std::string& uid, const std::string& day, const std::string& extra = {}) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
         "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
         "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
         "BEGIN:VEVENT\r\nUID:" +
         uid + "\r\nDTSTAMP:20261124T100000Z\r\nDTSTART;TZID=Europe/Paris:" + day +
         "T100000\r\nDTEND;TZID=Europe/Paris:" + day + "T110000\r\nSUMMARY:" + uid + "\r\n" +
         extra + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

TEST_F(CalDavCollectionGet, PersonalCalendar_WholeCalendarWithOneTimezoneAndEtag) {
  const std::string cal = "/dav/calendars/sophie/blocked/";
  ASSERT_EQ(request("PUT", cal + "a.ics", eventAt("one", "20261201")).status, 201);
  ASSERT_EQ(request("PUT", cal + "b.ics", eventAt("two", "20261202")).status, 201);
  const Reply r = request("GET", cal);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.head.getContentType(), "text/calendar; charset=utf-8");
  EXPECT_EQ(count(r.body, "BEGIN:VEVENT"), 2u) << r.body;
  EXPECT_EQ(count(r.body, "BEGIN:VTIMEZONE"), 1u) << r.body;
  EXPECT_EQ(count(r.body, "BEGIN:VCALENDAR"), 1u) << r.body;
  const std::string etag = r.head.get("ETag", "");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(request("GET", cal, {}, {{"If-None-Match", etag}}).status, 304);

  // A change moves the ETag and shows at once.
  ASSERT_EQ(request("DELETE", cal + "a.ics").status, 204);
  const Reply after = request("GET", cal, {}, {{"If-None-Match", etag}});
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(count(after.body, "BEGIN:VEVENT"), 1u);
  EXPECT_EQ(after.body.find("SUMMARY:one"), std::string::npos);
  EXPECT_NE(after.head.get("ETag", ""), etag);
}

TEST_F(CalDavCollectionGet, AppointmentsCalendar_AllAppointmentsGzippedOnRequest) {
  const std::string cal = "/dav/calendars/sophie/appointments/";
  const Reply plain = request("GET", cal);
  ASSERT_EQ(plain.status, 200) << plain.body;
  const auto events = count(plain.body, "BEGIN:VEVENT");
  std::size_t expected = 0;
  engine::RecordFilter filter;
  filter.employeeId = store_->employeeByExternalId("emp-sophie")->id;
  store_->forEachAppointment(filter, [&](const engine::Appointment&) {
    ++expected;
    return true;
  });
  EXPECT_EQ(events, expected);
  EXPECT_GT(events, 0u);
  const Reply gz = request("GET", cal, {}, {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.head.get("Content-Encoding", ""), "gzip");
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_EQ(request("GET", cal, {}, {{"If-None-Match", plain.head.get("ETag", "")}}).status, 304);
}

TEST_F(CalDavCollectionGet, Query_RecurringEventFoundThroughBoundsButNonRecurringOutside) {
  const std::string cal = "/dav/calendars/sophie/blocked/";
  ASSERT_EQ(request("PUT", cal + "weekly.ics",
                    eventAt("weekly", "20260105", "RRULE:FREQ=WEEKLY;COUNT=60\r\n"))
                .status,
            201);
  ASSERT_EQ(request("PUT", cal + "once.ics", eventAt("once", "20260106")).status, 201);
  auto query = [&](const std::string& start, const std::string& end) {
    return request("REPORT", cal,
                   "<C:calendar-query xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'>"
                   "<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name='VCALENDAR'>"
                   "<C:comp-filter name='VEVENT'><C:time-range start='" +
                       start + "' end='" + end +
                       "'/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>",
                   {{"Depth", "1"}});
  };
  // A Monday in November 2026: an instance of the weekly set, nothing else.
  const Reply nov = query("20261116T000000Z", "20261117T000000Z");
  ASSERT_EQ(nov.status, 207);
  EXPECT_NE(nov.body.find("weekly.ics"), std::string::npos) << nov.body;
  EXPECT_EQ(nov.body.find("once.ics"), std::string::npos) << nov.body;
  // A Tuesday in November: neither (the weekly set has no instance then).
  const Reply tue = query("20261117T000000Z", "20261118T000000Z");
  EXPECT_EQ(tue.body.find(".ics"), std::string::npos) << tue.body;
  // After COUNT ran out (60 weeks from 2026-01-05 end in February 2027).
  EXPECT_EQ(query("20270601T000000Z", "20270602T000000Z").body.find(".ics"), std::string::npos);
  // The single event: its end is exclusive.
  const Reply edge = query("20260106T093000Z", "20260106T200000Z");
  EXPECT_NE(edge.body.find("once.ics"), std::string::npos) << edge.body;
  EXPECT_EQ(query("20260106T100000Z", "20260106T110000Z").body.find("once.ics"),
            std::string::npos);  // 10:00-11:00 Paris is 09:00-10:00 UTC
}

}  // namespace
}  // namespace creneau::bridge

namespace creneau::bridge {
namespace {

using namespace caldavtest;

class CalDavRecurrence : public CalDavFixture {
 protected:
  static constexpr const char* kCal = "/dav/calendars/sophie/blocked/";
  void SetUp() override {
    CalDavFixture::SetUp();
    // Every Monday 10:00-11:00 Paris from 2026-11-02, 8 times; the third
    // moved to 14:00; plus a tentative one-off in 2031.
    const std::string set =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:yoga\r\nDTSTAMP:20261101T100000Z\r\n"
        "DTSTART;TZID=Europe/Paris:20261102T100000\r\nDTEND;TZID=Europe/Paris:20261102T110000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=8\r\nSUMMARY:Yoga\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:yoga\r\nDTSTAMP:20261101T100000Z\r\n"
        "RECURRENCE-ID;TZID=Europe/Paris:20261116T100000\r\n"
        "DTSTART;TZID=Europe/Paris:20261116T140000\r\nDTEND;TZID=Europe/Paris:20261116T150000\r\n"
        "SUMMARY:Yoga (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    ASSERT_EQ(request("PUT", std::string(kCal) + "yoga.ics", set).status, 201);
    const std::string later =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:far\r\n"
        "DTSTAMP:20261101T100000Z\r\nDTSTART:20310310T100000Z\r\nDTEND:20310310T110000Z\r\n"
        "STATUS:TENTATIVE\r\nSUMMARY:Far\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    ASSERT_EQ(request("PUT", std::string(kCal) + "far.ics", later).status, 201);
  }
  Reply query(const std::string& dataOptions, const std::string& start, const std::string& end) {
    return request("REPORT", kCal,
                   "<C:calendar-query xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'>"
                   "<D:prop><C:calendar-data>" +
                       dataOptions +
                       "</C:calendar-data></D:prop><C:filter><C:comp-filter name='VCALENDAR'>"
                       "<C:comp-filter name='VEVENT'><C:time-range start='" +
                       start + "' end='" + end +
                       "'/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>",
                   {{"Depth", "1"}});
  }
};

TEST_F(CalDavRecurrence, Expand_ReturnsInstancesInUtcWithRecurrenceIds) {
  const Reply r = query("<C:expand start='20261109T000000Z' end='20261124T000000Z'/>",
                        "20261109T000000Z", "20261124T000000Z");
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_EQ(count(r.body, "BEGIN:VEVENT"), 3u) << r.body;  // 9th, 16th (moved), 23rd
  EXPECT_EQ(r.body.find("RRULE"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("DTSTART:20261109T090000Z"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("DTSTART:20261116T130000Z"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("RECURRENCE-ID:20261116T090000Z"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("DTSTART:20261123T090000Z"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("TZID"), std::string::npos) << r.body;
}

TEST_F(CalDavRecurrence, LimitRecurrenceSet_KeepsMasterDropsOverridesOutside) {
  const Reply outside = query(
      "<C:limit-recurrence-set start='20261121T000000Z' "
      "end='20261201T000000Z'/>",
      "20261121T000000Z", "20261201T000000Z");
  ASSERT_EQ(outside.status, 207) << outside.body;
  EXPECT_EQ(count(outside.body, "BEGIN:VEVENT"), 1u) << outside.body;
  EXPECT_NE(outside.body.find("RRULE:FREQ=WEEKLY;COUNT=8"), std::string::npos);
  const Reply inside = query(
      "<C:limit-recurrence-set start='20261115T000000Z' "
      "end='20261117T000000Z'/>",
      "20261115T000000Z", "20261117T000000Z");
  EXPECT_EQ(count(inside.body, "BEGIN:VEVENT"), 2u) << inside.body;
  EXPECT_NE(inside.body.find("Yoga (moved)"), std::string::npos);
}

TEST_F(CalDavRecurrence, Expand_BadWindow_Returns400) {
  EXPECT_EQ(
      query("<C:expand start='20261109T000000Z'/>", "20261109T000000Z", "20261124T000000Z").status,
      400);
  EXPECT_EQ(query("<C:expand start='20261124T000000Z' end='20261109T000000Z'/>", "20261109T000000Z",
                  "20261124T000000Z")
                .status,
            400);
}

TEST_F(CalDavRecurrence, FreeBusy_FarFutureAndOverrides) {
  auto freebusy = [&](const std::string& start, const std::string& end) {
    return request("REPORT", kCal,
                   "<C:free-busy-query xmlns:C='urn:ietf:params:xml:ns:caldav'><C:time-range "
                   "start='" +
                       start + "' end='" + end + "'/></C:free-busy-query>",
                   {{"Depth", "1"}});
  };
  const Reply far = freebusy("20310301T000000Z", "20310401T000000Z");
  ASSERT_EQ(far.status, 200) << far.body;
  EXPECT_NE(far.body.find("FBTYPE=BUSY-TENTATIVE:20310310T100000Z/20310310T110000Z"),
            std::string::npos)
      << far.body;
  const Reply nov = freebusy("20261115T000000Z", "20261118T000000Z");
  EXPECT_NE(nov.body.find("20261116T130000Z/20261116T140000Z"), std::string::npos) << nov.body;
  EXPECT_EQ(nov.body.find("20261116T090000Z"), std::string::npos) << nov.body;
}

TEST_F(CalDavRecurrence, SyncCollection_AcceptsDepthOneAsPythonCaldavSends) {
  const Reply r = request("REPORT", kCal,
                          "<D:sync-collection xmlns:D='DAV:'><D:sync-token/><D:sync-level>1"
                          "</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>",
                          {{"Depth", "1"}});
  ASSERT_EQ(r.status, 207) << r.body;
  EXPECT_NE(r.body.find("yoga.ics"), std::string::npos);
  EXPECT_EQ(request("REPORT", kCal,
                    "<D:sync-collection xmlns:D='DAV:'><D:sync-token/><D:sync-level>1"
                    "</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>",
                    {{"Depth", "infinity"}})
                .status,
            400);
}

}  // namespace
}  // namespace creneau::bridge

namespace creneau::bridge {
namespace {

using namespace caldavtest;

class CalDavFolders : public CalDavFixture {};

TEST_F(CalDavFolders, PlainFolderInPersonalCalendar_HoldsAnyFileButNoCalendarData) {
  const std::string cal = "/dav/calendars/sophie/blocked/";
  ASSERT_EQ(request("MKCOL", cal + "notes/").status, 201);
  EXPECT_EQ(request("MKCOL", cal + "notes/").status, 405);
  EXPECT_EQ(request("MKCOL", cal + "missing/deeper/").status, 409);
  EXPECT_EQ(request("PUT", cal + "missing/a.txt", "x", {{"Content-Type", "text/plain"}}).status,
            409);
  // Any bytes, even an iCalendar text: it is a file, not busy time.
  const std::string ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:f\r\n"
      "DTSTAMP:20261124T100000Z\r\nDTSTART:20261125T100000Z\r\nDTEND:20261125T110000Z\r\n"
      "END:VEVENT\r\nEND:VCALENDAR\r\n";
  ASSERT_EQ(request("PUT", cal + "notes/copy.ics", ics).status, 201);
  const Reply put =
      request("PUT", cal + "notes/a.txt", "hello\n", {{"Content-Type", "text/plain"}});
  ASSERT_EQ(put.status, 201);
  const Reply got = request("GET", cal + "notes/a.txt");
  EXPECT_EQ(got.body, "hello\n");
  EXPECT_EQ(got.head.get("ETag", ""), put.head.get("ETag", ""));
  EXPECT_EQ(store_->personalBusy(store_->employeeByExternalId("emp-sophie")->id, 0, 4e9).size(),
            0u);
  const Reply listing = propfind(cal + "notes/", "1", {});
  EXPECT_NE(listing.body.find("notes/a.txt"), std::string::npos) << listing.body;
  // Reports on the calendar see calendar objects only.
  const Reply sync = request("REPORT", cal,
                             "<D:sync-collection xmlns:D='DAV:'><D:sync-token/>"
                             "<D:prop><D:getetag/></D:prop></D:sync-collection>",
                             {{"Depth", "0"}});
  EXPECT_EQ(sync.body.find("notes/"), std::string::npos) << sync.body;

  // MOVE keeps dead properties; COPY with Overwrite: F onto it is refused.
  ASSERT_EQ(request("PROPPATCH", cal + "notes/a.txt",
                    "<D:propertyupdate xmlns:D='DAV:'><D:set><D:prop><x:tag xmlns:x='urn:x'>"
                    "kept</x:tag></D:prop></D:set></D:propertyupdate>")
                .status,
            207);
  ASSERT_EQ(request("MOVE", cal + "notes/a.txt", {},
                    {{"Destination", "http://localhost" + cal + "notes/b.txt"}})
                .status,
            201);
  EXPECT_EQ(request("GET", cal + "notes/a.txt").status, 404);
  EXPECT_NE(propfind(cal + "notes/b.txt", "0", {}).body.find(">kept<"), std::string::npos);
  EXPECT_EQ(request("COPY", cal + "notes/copy.ics", {},
                    {{"Destination", cal + "notes/b.txt"}, {"Overwrite", "F"}})
                .status,
            412);
  // Outside its calendar: refused.
  EXPECT_EQ(request("MOVE", cal + "notes/b.txt", {},
                    {{"Destination", "/dav/calendars/sophie/appointments/b.txt"}})
                .status,
            403);
  // DELETE of the folder removes what it holds.
  ASSERT_EQ(request("DELETE", cal + "notes/").status, 204);
  EXPECT_EQ(request("GET", cal + "notes/b.txt").status, 404);
  EXPECT_EQ(request("MKCOL", "/dav/calendars/sophie/appointments/x/").status, 403);
}

}  // namespace
}  // namespace creneau::bridge

namespace creneau::bridge {
namespace {

using namespace caldavtest;

class CalDavCancelled : public CalDavFixture {};

TEST_F(CalDavCancelled, CancelledEvent_MatchesTimeRangeButIsNotBusy) {
  const std::string cal = "/dav/calendars/sophie/blocked/";
  for (const std::string rrule : {"", "RRULE:FREQ=DAILY;COUNT=3\r\n"}) {
    const std::string uid = rrule.empty() ? "single" : "daily";
    const std::string ics =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
        "\r\nDTSTAMP:20261101T100000Z\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n" +
        rrule + "STATUS:CANCELLED\r\nSUMMARY:Off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    ASSERT_EQ(request("PUT", cal + uid + ".ics", ics).status, 201);
  }
  const Reply q =
      request("REPORT", cal,
              "<C:calendar-query xmlns:D='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'><D:prop>"
              "<D:getetag/></D:prop><C:filter><C:comp-filter name='VCALENDAR'><C:comp-filter "
              "name='VEVENT'><C:time-range start='20261202T000000Z' end='20261203T000000Z'/>"
              "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>",
              {{"Depth", "1"}});
  ASSERT_EQ(q.status, 207);
  EXPECT_EQ(q.body.find("single.ics"), std::string::npos) << q.body;  // only on the 1st
  EXPECT_NE(q.body.find("daily.ics"), std::string::npos) << q.body;
  const Reply fb = request("REPORT", cal,
                           "<C:free-busy-query xmlns:C='urn:ietf:params:xml:ns:caldav'>"
                           "<C:time-range start='20261201T000000Z' end='20261205T000000Z'/>"
                           "</C:free-busy-query>",
                           {{"Depth", "1"}});
  EXPECT_EQ(fb.body.find("\r\nFREEBUSY"), std::string::npos) << fb.body;
}

}  // namespace
}  // namespace creneau::bridge
