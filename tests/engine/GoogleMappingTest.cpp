#include "engine/export/google/GoogleEventMapping.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "TestSupport.h"
#include "engine/render/Renderer.h"

namespace creneau::engine::google {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// 2026-11-24 09:00 Europe/Paris (UTC+1) = 08:00Z
constexpr UnixTime kStart = 1795507200;

// Runs the contract checker (tests/emulators/contracts.py) on one body.
// Returns its output; empty means valid.
std::string contractViolations(const Object& body, const std::string& mode,
                               const std::string& query) {
  static int counter = 0;
  // One directory per process: ctest may run several tests at once.
  static const auto dir = test::scratchDir("GoogleMappingTest-" + std::to_string(::getpid()));
  const auto file = dir / ("body-" + std::to_string(++counter) + ".json");
  const auto out = dir / ("out-" + std::to_string(counter) + ".txt");
  {
    std::ofstream f(file);
    body.stringify(f);
  }
  const auto script = test::sourceDir() / "tests" / "emulators" / "contracts.py";
  const std::string cmd = "CRENEAU_CONTRACTS_DIR='" + (test::sharedDir() / "contracts").string() +
                          "' /usr/bin/python3 '" + script.string() + "' google-event '" +
                          file.string() + "' --mode " + mode + " --query '" + query + "' > '" +
                          out.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::string text = test::readFile(out);
  if (rc == 0) {  // keep only the bodies that failed, for a look
    std::filesystem::remove(file);
    std::filesystem::remove(out);
    return {};
  }
  return text.empty() ? "contracts.py failed with status " + std::to_string(rc) : text;
}

std::string str(const Object::Ptr& o, const std::string& key) {
  return o->getValue<std::string>(key);
}

class GoogleMappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.add(Employee{1, "emp-1", "Sophie", "Martin", "sophie@salon.example", "", "Europe/Paris"});
    dir_.add(Customer{10, "cus-10", "Zoë", "Ångström", "zoe@example.com", "", ""});
    dir_.add(Customer{11, "cus-11", "Jean", "Dupont", "jean@example.com", "", ""});
    dir_.add(Customer{12, "cus-12", "No", "Mail", "", "+44", ""});
    Service s;
    s.id = 5;
    s.externalId = "svc-5";
    s.name = "Coloration";
    s.durationMin = 90;
    dir_.add(s);
    dir_.add(Location{7, "loc-7", "Salon Étoile", "12 rue de l'Église, Paris"});

    appt_.id = 100;
    appt_.externalId = "A-100";
    appt_.serviceId = 5;
    appt_.employeeId = 1;
    appt_.locationId = 7;
    appt_.start = kStart;
    appt_.end = kStart + 90 * 60;
    appt_.status = Status::Approved;
    appt_.bookings = {Booking{"b1", 10, 1, Status::Approved, ""},
                      Booking{"b2", 11, 3, Status::Approved, ""},
                      Booking{"b3", 12, 1, Status::Approved, ""}};
    appt_.notes = "Bring \"photos\" & <samples>";
    appt_.revision = 4;

    target_.account = "sophie@salon.example";
    target_.calendarId = "primary";
  }

  [[nodiscard]] ical::Event rendered() const {
    return Renderer(RenderSettings{}).render(appt_, dir_);
  }

  [[nodiscard]] GoogleTarget targetFor(const ical::Event& ev) const {
    auto t = targetOf(ev);
    EXPECT_TRUE(t);
    GoogleTarget out = t ? *t : GoogleTarget{};
    out.account = target_.account;
    out.calendarId = target_.calendarId;
    out.generation = target_.generation;
    return out;
  }

  [[nodiscard]] GoogleRequest insert(const GoogleMappingOptions& o) const {
    const ical::Event ev = rendered();
    auto r = insertRequest(ev, targetFor(ev), o);
    EXPECT_TRUE(r) << r.error;
    EXPECT_EQ(contractViolations(*r->body, "insert", r->queryString()), "");
    return *r;
  }

  Directory dir_;
  Appointment appt_;
  GoogleTarget target_;
};

TEST_F(GoogleMappingTest, GoogleMapping_ContractChecker_RejectsABadBody) {
  // The checker itself works: a body it must refuse is refused.
  Object bad;
  bad.set("id", std::string("Not-Base32"));
  bad.set("status", std::string("maybe"));
  EXPECT_NE(contractViolations(bad, "insert", "sendUpdates=some"), "");
}

TEST_F(GoogleMappingTest, GoogleMapping_ApprovedAppointment_IsConfirmedWithZonedTimes) {
  const GoogleRequest r = insert({});
  const auto& b = r.body;
  EXPECT_EQ(str(b, "status"), "confirmed");
  EXPECT_EQ(str(b, "transparency"), "opaque");
  const ical::Event ev = rendered();
  EXPECT_EQ(str(b, "summary"), ev.summary);
  EXPECT_EQ(str(b, "description"), ev.description);
  EXPECT_NE(str(b, "description").find("Bring \"photos\" & <samples>"), std::string::npos);
  EXPECT_EQ(str(b, "location"), "Salon Étoile, 12 rue de l'Église, Paris");
  EXPECT_EQ(str(b->getObject("start"), "dateTime"), "2026-11-24T09:00:00+01:00");
  EXPECT_EQ(str(b->getObject("start"), "timeZone"), "Europe/Paris");
  EXPECT_EQ(str(b->getObject("end"), "dateTime"), "2026-11-24T10:30:00+01:00");
  EXPECT_EQ(str(b->getObject("end"), "timeZone"), "Europe/Paris");
  EXPECT_EQ(str(b, "id"), r.eventId);
  EXPECT_FALSE(b->has("sequence"));  // Google keeps its own; our revision is a private property
  EXPECT_FALSE(b->has("iCalUID"));   // never together with a client id
}

TEST_F(GoogleMappingTest, GoogleMapping_PendingAppointment_IsTentative) {
  appt_.status = Status::Pending;
  EXPECT_EQ(str(insert({}).body, "status"), "tentative");
}

TEST_F(GoogleMappingTest, GoogleMapping_CanceledAppointment_IsCancelledTransparentWithoutMeet) {
  appt_.status = Status::Canceled;
  GoogleMappingOptions o;
  o.addMeet = true;
  const GoogleRequest r = insert(o);
  EXPECT_EQ(str(r.body, "status"), "cancelled");
  EXPECT_EQ(str(r.body, "transparency"), "transparent");
  EXPECT_FALSE(r.body->has("conferenceData"));
}

TEST_F(GoogleMappingTest, GoogleMapping_SummerTime_UsesSummerOffset) {
  appt_.start = kStart - 150 * 86400;  // late June
  appt_.end = appt_.start + 3600;
  const GoogleRequest r = insert({});
  EXPECT_EQ(str(r.body->getObject("start"), "dateTime"), "2026-06-27T10:00:00+02:00");
}

TEST_F(GoogleMappingTest, GoogleMapping_EventId_IsBase32HexStableAndPerDestination) {
  const ical::Event ev = rendered();
  const GoogleTarget t = targetFor(ev);
  const std::string id = eventId(t);
  EXPECT_TRUE(std::regex_match(id, std::regex("^[a-v0-9]{5,1024}$"))) << id;
  EXPECT_EQ(eventId(t), id);
  EXPECT_EQ(insertRequest(ev, t, {})->eventId, id);

  std::set<std::string> ids{id};
  GoogleTarget other = t;
  other.calendarId = "team@group.calendar.google.com";
  ids.insert(eventId(other));
  other = t;
  other.account = "jean@salon.example";
  ids.insert(eventId(other));
  other = t;
  other.externalId = "A-101";
  ids.insert(eventId(other));
  other = t;
  other.kind = RecordKind::Event;
  ids.insert(eventId(other));
  EXPECT_EQ(ids.size(), 5u);
  for (const auto& i : ids) EXPECT_TRUE(std::regex_match(i, std::regex("^[a-v0-9]{5,1024}$")));

  // A re-created event (new generation) keeps its id.
  other = t;
  other.generation = 3;
  EXPECT_EQ(eventId(other), id);
}

TEST_F(GoogleMappingTest, GoogleMapping_NoAttendeesOption_SendsNoAttendeesAndNoMail) {
  GoogleMappingOptions o;
  o.sendInvitations = true;  // without attendees there is nobody to mail
  const GoogleRequest r = insert(o);
  EXPECT_EQ(r.body->getArray("attendees")->size(), 0u);
  EXPECT_EQ(r.queryValue("sendUpdates"), "none");
}

TEST_F(GoogleMappingTest, GoogleMapping_AttendeesWithInvitations_AddsCustomersAndSendsAll) {
  GoogleMappingOptions o;
  o.addAttendees = true;
  o.sendInvitations = true;
  const GoogleRequest r = insert(o);
  EXPECT_EQ(r.queryValue("sendUpdates"), "all");
  const Array::Ptr a = r.body->getArray("attendees");
  ASSERT_EQ(a->size(), 2u);  // the customer without an e-mail address is left out
  const Object::Ptr zoe = a->getObject(0);
  EXPECT_EQ(str(zoe, "email"), "zoe@example.com");
  EXPECT_EQ(str(zoe, "displayName"), "Zoë Ångström");
  EXPECT_EQ(str(zoe, "responseStatus"), "accepted");
  EXPECT_FALSE(zoe->has("additionalGuests"));
  const Object::Ptr jean = a->getObject(1);
  EXPECT_EQ(jean->getValue<int>("additionalGuests"), 2);  // booked for 3 persons
  EXPECT_FALSE(r.body->getValue<bool>("guestsCanSeeOtherGuests"));
  EXPECT_FALSE(r.body->getValue<bool>("guestsCanInviteOthers"));
}

TEST_F(GoogleMappingTest, GoogleMapping_PendingBooking_AttendeeNeedsAction) {
  appt_.status = Status::Pending;
  appt_.bookings[0].status = Status::Pending;
  GoogleMappingOptions o;
  o.addAttendees = true;
  const GoogleRequest r = insert(o);
  EXPECT_EQ(str(r.body->getArray("attendees")->getObject(0), "responseStatus"), "needsAction");
}

TEST_F(GoogleMappingTest, GoogleMapping_AttendeesWithoutInvitations_SendsNone) {
  GoogleMappingOptions o;
  o.addAttendees = true;
  const GoogleRequest r = insert(o);
  EXPECT_EQ(r.body->getArray("attendees")->size(), 2u);
  EXPECT_EQ(r.queryValue("sendUpdates"), "none");
  EXPECT_EQ(r.queryString(), "sendUpdates=none");
}

TEST_F(GoogleMappingTest, GoogleMapping_CustomersMaySeeEachOther_SetsGuestsCanSeeOtherGuests) {
  GoogleMappingOptions o;
  o.addAttendees = true;
  o.guestsCanSeeOtherGuests = true;
  EXPECT_TRUE(insert(o).body->getValue<bool>("guestsCanSeeOtherGuests"));
}

TEST_F(GoogleMappingTest, GoogleMapping_Meet_AddsCreateRequestAndConferenceDataVersion) {
  GoogleMappingOptions o;
  o.addMeet = true;
  const GoogleRequest r = insert(o);
  EXPECT_EQ(r.queryValue("conferenceDataVersion"), "1");
  EXPECT_EQ(r.queryString(), "conferenceDataVersion=1&sendUpdates=none");
  const Object::Ptr create = r.body->getObject("conferenceData")->getObject("createRequest");
  ASSERT_TRUE(create);
  EXPECT_EQ(str(create->getObject("conferenceSolutionKey"), "type"), "hangoutsMeet");
  const ical::Event ev = rendered();
  GoogleTarget t = targetFor(ev);
  EXPECT_EQ(str(create, "requestId"), conferenceRequestId(t));
  // Stable for a retry, new for a re-create.
  EXPECT_EQ(conferenceRequestId(t), conferenceRequestId(targetFor(ev)));
  t.generation = 1;
  EXPECT_NE(conferenceRequestId(t), str(create, "requestId"));
  EXPECT_EQ(
      str(insertRequest(ev, t, o)->body->getObject("conferenceData")->getObject("createRequest"),
          "requestId"),
      conferenceRequestId(t));
}

TEST_F(GoogleMappingTest, GoogleMapping_NoMeet_NoConferenceDataNorVersion) {
  const GoogleRequest r = insert({});
  EXPECT_FALSE(r.body->has("conferenceData"));
  EXPECT_FALSE(r.queryValue("conferenceDataVersion"));
}

TEST_F(GoogleMappingTest, GoogleMapping_ExtendedProperties_HoldRecordIdsAndRevision) {
  const GoogleRequest r = insert({});
  const Object::Ptr priv = r.body->getObject("extendedProperties")->getObject("private");
  ASSERT_TRUE(priv);
  EXPECT_EQ(str(priv, "creneauKind"), "appointment");
  EXPECT_EQ(str(priv, "creneauAppointmentId"), "A-100");
  EXPECT_EQ(str(priv, "creneauRevision"), "4");
  const ical::Event ev = rendered();
  EXPECT_EQ(lookupParameter(targetFor(ev)),
            (std::pair<std::string, std::string>{"privateExtendedProperty",
                                                 "creneauAppointmentId=A-100"}));
}

TEST_F(GoogleMappingTest, GoogleMapping_RescheduleWithMeet_KeepsExistingConference) {
  GoogleMappingOptions o;
  o.addMeet = true;
  appt_.start += 3600;
  appt_.end += 3600;
  const ical::Event ev = rendered();
  GoogleRemoteState remote;
  remote.hasConference = true;
  auto r = patchRequest(ev, targetFor(ev), o, remote);
  ASSERT_TRUE(r) << r.error;
  EXPECT_FALSE(r->body->has("conferenceData"));  // omitted: PATCH keeps the Meet link
  EXPECT_FALSE(r->body->has("id"));
  EXPECT_EQ(str(r->body->getObject("start"), "dateTime"), "2026-11-24T10:00:00+01:00");
  EXPECT_EQ(r->queryValue("conferenceDataVersion"), "1");
  EXPECT_EQ(contractViolations(*r->body, "patch", r->queryString()), "");
}

TEST_F(GoogleMappingTest, GoogleMapping_PatchWithoutConference_RequestsMeet) {
  GoogleMappingOptions o;
  o.addMeet = true;
  const ical::Event ev = rendered();
  auto r = patchRequest(ev, targetFor(ev), o, GoogleRemoteState{});
  ASSERT_TRUE(r) << r.error;
  EXPECT_TRUE(r->body->getObject("conferenceData"));
  EXPECT_EQ(contractViolations(*r->body, "patch", r->queryString()), "");
}

TEST_F(GoogleMappingTest, GoogleMapping_PatchAfterLastSentBody_SendsOnlyChangedFields) {
  GoogleMappingOptions o;
  o.addMeet = true;
  o.addAttendees = true;
  const ical::Event before = rendered();
  const GoogleTarget t = targetFor(before);
  const auto inserted = insertRequest(before, t, o);
  ASSERT_TRUE(inserted);
  // The stored copy comes back from the database as JSON text.
  std::ostringstream text;
  inserted->body->stringify(text);
  GoogleRemoteState remote;
  remote.hasConference = true;
  remote.lastSentBody = Poco::JSON::Parser().parse(text.str()).extract<Object::Ptr>();

  appt_.start += 1800;
  appt_.end += 1800;
  appt_.revision = 5;
  auto r = patchRequest(rendered(), t, o, remote);
  ASSERT_TRUE(r) << r.error;
  std::vector<std::string> names;
  r->body->getNames(names);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"end", "extendedProperties", "start"}));
  EXPECT_EQ(contractViolations(*r->body, "patch", r->queryString()), "");

  // Nothing changed: an empty patch.
  remote.lastSentBody = inserted->body;
  auto same = patchRequest(before, t, o, remote);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->body->size(), 0u);
}

TEST_F(GoogleMappingTest, GoogleMapping_AllDayEvent_UsesDates) {
  ical::Event ev = rendered();
  ev.start = ical::DateTime::date(2026, 12, 24);
  ev.end = ical::DateTime::date(2026, 12, 26);
  auto r = insertRequest(ev, targetFor(ev), {});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(str(r->body->getObject("start"), "date"), "2026-12-24");
  EXPECT_EQ(str(r->body->getObject("end"), "date"), "2026-12-26");
  EXPECT_FALSE(r->body->getObject("start")->has("dateTime"));
  EXPECT_EQ(contractViolations(*r->body, "insert", r->queryString()), "");

  ev.end.reset();  // one day
  r = insertRequest(ev, targetFor(ev), {});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(str(r->body->getObject("end"), "date"), "2026-12-25");
}

TEST_F(GoogleMappingTest, GoogleMapping_UtcAndDurationEvent_EndsAfterDuration) {
  ical::Event ev = rendered();
  ev.start = ical::DateTime::local(2026, 3, 10, 8, 0, 0, "UTC");
  ev.end.reset();
  ev.durationSec = 45 * 60;
  auto r = insertRequest(ev, targetFor(ev), {});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(str(r->body->getObject("start"), "dateTime"), "2026-03-10T08:00:00Z");
  EXPECT_EQ(str(r->body->getObject("end"), "dateTime"), "2026-03-10T08:45:00Z");
  EXPECT_EQ(str(r->body->getObject("end"), "timeZone"), "UTC");
  EXPECT_EQ(contractViolations(*r->body, "insert", r->queryString()), "");
}

TEST_F(GoogleMappingTest, GoogleMapping_WindowsZoneName_BecomesIana) {
  ical::Event ev = rendered();
  ev.start.tzid = "W. Europe Standard Time";
  ev.end->tzid = "W. Europe Standard Time";
  auto r = insertRequest(ev, targetFor(ev), {});
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(str(r->body->getObject("start"), "timeZone"), "Europe/Berlin");
  EXPECT_EQ(str(r->body->getObject("start"), "dateTime"), "2026-11-24T09:00:00+01:00");
  EXPECT_EQ(str(r->body->getObject("end"), "dateTime"), "2026-11-24T10:30:00+01:00");
  EXPECT_EQ(contractViolations(*r->body, "insert", r->queryString()), "");
}

TEST_F(GoogleMappingTest, GoogleMapping_UnknownZone_IsAnError) {
  ical::Event ev = rendered();
  ev.start.tzid = "Mars/Olympus_Mons";
  auto r = insertRequest(ev, targetFor(ev), {});
  EXPECT_FALSE(r);
  EXPECT_NE(r.error.find("Mars/Olympus_Mons"), std::string::npos);
}

TEST_F(GoogleMappingTest, GoogleMapping_EndBeforeStart_IsAnError) {
  ical::Event ev = rendered();
  ev.end = ical::DateTime::local(2026, 11, 24, 8, 0, 0, "Europe/Paris");
  EXPECT_FALSE(insertRequest(ev, targetFor(ev), {}));
}

TEST_F(GoogleMappingTest, GoogleMapping_EventWithoutRecordId_IsAnError) {
  ical::Event ev = rendered();
  ev.extra.clear();
  EXPECT_FALSE(targetOf(ev));
  auto r = insertRequest(ev, GoogleTarget{}, {});
  EXPECT_FALSE(r);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(GoogleMappingTest, GoogleMapping_GroupEventPeriod_InvitesCustomersNotStaff) {
  dir_.add(Employee{2, "emp-2", "Paul", "Staff", "paul@salon.example", "", "Europe/Paris"});
  GroupEvent e;
  e.externalId = "E-1";
  e.name = "Atelier";
  e.periods = {EventPeriod{"p1", kStart, kStart + 3600},
               EventPeriod{"p2", kStart + 86400, kStart + 86400 + 3600}};
  e.organizerId = 1;
  e.staffIds = {2};
  e.bookings = {Booking{"b1", 10, 1, Status::Approved, ""}};
  const auto periods = Renderer(RenderSettings{}).render(e, dir_);
  ASSERT_EQ(periods.size(), 2u);
  GoogleMappingOptions o;
  o.addAttendees = true;
  std::set<std::string> ids;
  for (const ical::Event& ev : periods) {
    const GoogleTarget t = targetFor(ev);
    EXPECT_EQ(t.kind, RecordKind::Event);
    EXPECT_EQ(t.externalId, "E-1");
    auto r = insertRequest(ev, t, o);
    ASSERT_TRUE(r) << r.error;
    ids.insert(r->eventId);
    const Array::Ptr a = r->body->getArray("attendees");
    ASSERT_EQ(a->size(), 1u);
    EXPECT_EQ(str(a->getObject(0), "email"), "zoe@example.com");
    const Object::Ptr priv = r->body->getObject("extendedProperties")->getObject("private");
    EXPECT_EQ(str(priv, "creneauKind"), "event");
    EXPECT_EQ(str(priv, "creneauEventId"), "E-1");
    EXPECT_EQ(str(priv, "creneauPeriodId"), t.periodId);
    EXPECT_EQ(contractViolations(*r->body, "insert", r->queryString()), "");
  }
  EXPECT_EQ(ids.size(), 2u);  // one remote event per period
}

TEST_F(GoogleMappingTest, GoogleMapping_DeleteQuery_FollowsInvitationSetting) {
  GoogleMappingOptions o;
  EXPECT_EQ(deleteQuery(o),
            (std::vector<std::pair<std::string, std::string>>{{"sendUpdates", "none"}}));
  o.addAttendees = true;
  o.sendInvitations = true;
  EXPECT_EQ(deleteQuery(o),
            (std::vector<std::pair<std::string, std::string>>{{"sendUpdates", "all"}}));
}

TEST_F(GoogleMappingTest, GoogleMapping_EveryOptionCombination_MatchesContract) {
  for (Status status : {Status::Approved, Status::Pending, Status::Canceled}) {
    appt_.status = status;
    const ical::Event ev = rendered();
    const GoogleTarget t = targetFor(ev);
    for (int bits = 0; bits < 16; ++bits) {
      GoogleMappingOptions o;
      o.addMeet = bits & 1;
      o.addAttendees = bits & 2;
      o.guestsCanSeeOtherGuests = bits & 4;
      o.sendInvitations = bits & 8;
      SCOPED_TRACE("status " + std::string(toString(status)) + ", options " + std::to_string(bits));
      auto r = insertRequest(ev, t, o);
      ASSERT_TRUE(r) << r.error;
      EXPECT_EQ(r->queryValue("sendUpdates"), o.addAttendees && o.sendInvitations ? "all" : "none");
      EXPECT_EQ(r->queryValue("conferenceDataVersion").has_value(), o.addMeet);
      EXPECT_EQ(r->body->has("conferenceData"), o.addMeet && status != Status::Canceled);
      EXPECT_EQ(r->body->getArray("attendees")->size(), o.addAttendees ? 2u : 0u);
      EXPECT_EQ(contractViolations(*r->body, "insert", r->queryString()), "");
      if (status == Status::Approved) {
        GoogleRemoteState remote;
        remote.hasConference = o.addMeet;
        auto p = patchRequest(ev, t, o, remote);
        ASSERT_TRUE(p) << p.error;
        EXPECT_FALSE(p->body->has("conferenceData"));
        EXPECT_EQ(contractViolations(*p->body, "patch", p->queryString()), "");
      }
    }
  }
}

}  // namespace
}  // namespace creneau::engine::google
