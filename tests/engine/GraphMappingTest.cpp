#include "engine/export/graph/GraphEventMapping.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include <Poco/JSON/Array.h>

#include "TestSupport.h"
#include "engine/render/Renderer.h"

namespace creneau::engine::graph {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// 2026-11-24 09:00 Europe/Paris (UTC+1) = 08:00Z
constexpr UnixTime kStart = 1795507200;

const std::regex kGuid("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

// Runs the contract checker (tests/emulators/contracts.py) on one body.
// Returns its output; empty means valid.
std::string contractViolations(const Object& body, const std::string& mode) {
  static int counter = 0;
  // One directory per process: ctest may run several tests at once.
  static const auto dir = test::scratchDir("GraphMappingTest-" + std::to_string(::getpid()));
  const auto file = dir / ("body-" + std::to_string(++counter) + ".json");
  const auto out = dir / ("out-" + std::to_string(counter) + ".txt");
  {
    std::ofstream f(file);
    body.stringify(f);
  }
  const auto script = test::sourceDir() / "tests" / "emulators" / "contracts.py";
  const std::string cmd = "CRENEAU_CONTRACTS_DIR='" + (test::sharedDir() / "contracts").string() +
                          "' /usr/bin/python3 '" + script.string() + "' graph-event '" +
                          file.string() + "' --mode " + mode + " > '" + out.string() + "' 2>&1";
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

class GraphMappingTest : public ::testing::Test {
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
                      Booking{"b2", 11, 1, Status::Approved, ""},
                      Booking{"b3", 12, 1, Status::Approved, ""}};
    appt_.notes = "Bring \"photos\" & <samples>";
    appt_.revision = 4;
  }

  [[nodiscard]] ical::Event rendered() const {
    return Renderer(RenderSettings{}).render(appt_, dir_);
  }

  [[nodiscard]] static GraphTarget targetFor(const ical::Event& ev, int generation = 0) {
    auto t = targetOf(ev);
    EXPECT_TRUE(t);
    GraphTarget out = t ? *t : GraphTarget{};
    out.mailbox = "sophie@salon.example";
    out.generation = generation;
    return out;
  }

  [[nodiscard]] Object::Ptr create(const GraphMappingOptions& o) const {
    const ical::Event ev = rendered();
    auto r = createBody(ev, targetFor(ev), o);
    EXPECT_TRUE(r) << r.error;
    if (!r) return new Object;
    EXPECT_EQ(contractViolations(*r.body, "create"), "");
    return r.body;
  }

  Directory dir_;
  Appointment appt_;
};

TEST_F(GraphMappingTest, GraphMapping_ContractChecker_RejectsABadBody) {
  // The checker itself works: a body it must refuse is refused.
  Object bad;
  bad.set("subject", std::string("x"));
  bad.set("isCancelled", std::string("yes"));
  bad.set("showAs", std::string("maybe"));
  EXPECT_NE(contractViolations(bad, "create"), "");
}

TEST_F(GraphMappingTest, GraphMapping_ApprovedAppointment_IsBusyInLocalWallTime) {
  const Object::Ptr b = create({});
  const ical::Event ev = rendered();
  EXPECT_EQ(str(b, "subject"), ev.summary);
  EXPECT_EQ(str(b->getObject("start"), "dateTime"), "2026-11-24T09:00:00.0000000");
  EXPECT_EQ(str(b->getObject("start"), "timeZone"), "Europe/Paris");
  EXPECT_EQ(str(b->getObject("end"), "dateTime"), "2026-11-24T10:30:00.0000000");
  EXPECT_EQ(str(b->getObject("end"), "timeZone"), "Europe/Paris");
  EXPECT_FALSE(b->getValue<bool>("isAllDay"));
  EXPECT_EQ(str(b, "showAs"), "busy");
  EXPECT_EQ(str(b->getObject("location"), "displayName"),
            "Salon Étoile, 12 rue de l'Église, Paris");
  EXPECT_EQ(str(b->getObject("body"), "contentType"), "HTML");
  EXPECT_FALSE(b->has("isCancelled"));  // read-only in Graph
  EXPECT_FALSE(b->has("isOnlineMeeting"));
  EXPECT_EQ(actionFor(ev), GraphAction::Upsert);
}

TEST_F(GraphMappingTest, GraphMapping_PendingAppointment_ShowsTentative) {
  appt_.status = Status::Pending;
  EXPECT_EQ(str(create({}), "showAs"), "tentative");
}

TEST_F(GraphMappingTest, GraphMapping_CanceledAppointment_IsADelete) {
  appt_.status = Status::Canceled;
  EXPECT_EQ(actionFor(rendered()), GraphAction::Delete);
  appt_.status = Status::Rejected;
  EXPECT_EQ(actionFor(rendered()), GraphAction::Delete);
}

TEST_F(GraphMappingTest, GraphMapping_Description_IsEscapedHtml) {
  EXPECT_EQ(htmlText("a < b && \"c\" > 'd'\nnext\r\nlast"),
            "a &lt; b &amp;&amp; &quot;c&quot; &gt; 'd'<br>next<br>last");
  EXPECT_EQ(htmlText("Zoë <script>"), "Zoë &lt;script&gt;");
  const std::string content = str(create({})->getObject("body"), "content");
  EXPECT_NE(content.find("Bring &quot;photos&quot; &amp; &lt;samples&gt;"), std::string::npos);
  EXPECT_EQ(content.find('\n'), std::string::npos);
  EXPECT_NE(content.find("<br>"), std::string::npos);
}

TEST_F(GraphMappingTest, GraphMapping_Teams_RequestsTeamsForBusiness) {
  GraphMappingOptions o;
  o.addTeams = true;
  const Object::Ptr b = create(o);
  EXPECT_TRUE(b->getValue<bool>("isOnlineMeeting"));
  EXPECT_EQ(str(b, "onlineMeetingProvider"), "teamsForBusiness");
}

TEST_F(GraphMappingTest, GraphMapping_AttendeesWithInvitations_AreRequiredAttendees) {
  GraphMappingOptions o;
  o.addAttendees = true;
  o.sendInvitations = true;
  const ical::Event ev = rendered();
  auto r = createBody(ev, targetFor(ev), o);
  ASSERT_TRUE(r) << r.error;
  EXPECT_FALSE(r.attendeesWithheld);
  const Array::Ptr a = r.body->getArray("attendees");
  ASSERT_EQ(a->size(), 2u);  // the customer without an e-mail address is left out
  const Object::Ptr zoe = a->getObject(0);
  EXPECT_EQ(str(zoe->getObject("emailAddress"), "address"), "zoe@example.com");
  EXPECT_EQ(str(zoe->getObject("emailAddress"), "name"), "Zoë Ångström");
  EXPECT_EQ(str(zoe, "type"), "required");
  EXPECT_TRUE(r.body->getValue<bool>("hideAttendees"));
  EXPECT_FALSE(r.body->getValue<bool>("responseRequested"));
  EXPECT_EQ(contractViolations(*r.body, "create"), "");
}

TEST_F(GraphMappingTest, GraphMapping_AttendeesWithoutInvitations_AreWithheld) {
  GraphMappingOptions o;
  o.addAttendees = true;
  const ical::Event ev = rendered();
  auto r = createBody(ev, targetFor(ev), o);
  ASSERT_TRUE(r) << r.error;
  EXPECT_TRUE(r.attendeesWithheld);  // Graph would mail them anyway
  EXPECT_EQ(r.body->getArray("attendees")->size(), 0u);
}

TEST_F(GraphMappingTest, GraphMapping_CustomersMaySeeEachOther_DoesNotHideAttendees) {
  GraphMappingOptions o;
  o.addAttendees = true;
  o.sendInvitations = true;
  o.customersSeeEachOther = true;
  EXPECT_FALSE(create(o)->getValue<bool>("hideAttendees"));
}

TEST_F(GraphMappingTest, GraphMapping_TransactionId_IsGuidStablePerDestinationAndGeneration) {
  const ical::Event ev = rendered();
  const std::string id = transactionId(targetFor(ev));
  EXPECT_TRUE(std::regex_match(id, kGuid)) << id;
  EXPECT_EQ(transactionId(targetFor(ev)), id);
  EXPECT_EQ(str(createBody(ev, targetFor(ev), {}).body, "transactionId"), id);

  std::set<std::string> ids{id, transactionId(targetFor(ev, 1))};
  GraphTarget other = targetFor(ev);
  other.mailbox = "jean@salon.example";
  ids.insert(transactionId(other));
  other = targetFor(ev);
  other.calendarId = "AAMkAGI2";
  ids.insert(transactionId(other));
  other = targetFor(ev);
  other.externalId = "A-101";
  ids.insert(transactionId(other));
  EXPECT_EQ(ids.size(), 5u);
}

TEST_F(GraphMappingTest, GraphMapping_ExtendedProperty_CarriesAppointmentIdAndFindsItAgain) {
  const Object::Ptr b = create({});
  const Array::Ptr props = b->getArray("singleValueExtendedProperties");
  ASSERT_EQ(props->size(), 1u);
  const std::string id = "String {bbe76dff-a97b-4c77-a51a-cce21e3ce44b} Name CreneauAppointmentId";
  EXPECT_EQ(str(props->getObject(0), "id"), id);
  EXPECT_EQ(str(props->getObject(0), "value"), "A-100");

  GraphTarget t;
  t.externalId = "O'Brien-7";
  EXPECT_EQ(lookupFilter(t), "singleValueExtendedProperties/Any(ep: ep/id eq '" + id +
                                 "' and ep/value eq 'O''Brien-7')");
  EXPECT_EQ(lookupExpand(RecordKind::Appointment),
            "singleValueExtendedProperties($filter=id eq '" + id + "')");
}

TEST_F(GraphMappingTest, GraphMapping_Patch_OmitsTransactionIdAndKeepsExistingMeeting) {
  GraphMappingOptions o;
  o.addTeams = true;
  appt_.start += 3600;
  appt_.end += 3600;
  const ical::Event ev = rendered();
  auto r = patchBody(ev, targetFor(ev), o, GraphRemoteState{true});
  ASSERT_TRUE(r) << r.error;
  EXPECT_FALSE(r.body->has("transactionId"));
  EXPECT_FALSE(r.body->has("isOnlineMeeting"));
  EXPECT_FALSE(r.body->has("onlineMeetingProvider"));
  EXPECT_EQ(str(r.body->getObject("start"), "dateTime"), "2026-11-24T10:00:00.0000000");
  EXPECT_EQ(contractViolations(*r.body, "patch"), "");

  auto first = patchBody(ev, targetFor(ev), o, GraphRemoteState{false});
  ASSERT_TRUE(first);
  EXPECT_TRUE(first.body->getValue<bool>("isOnlineMeeting"));
}

TEST_F(GraphMappingTest, GraphMapping_AllDayEvent_IsMidnightToMidnightInOneZone) {
  ical::Event ev = rendered();
  ev.start = ical::DateTime::date(2026, 12, 24);
  ev.end = ical::DateTime::date(2026, 12, 26);
  GraphMappingOptions o;
  o.floatingZone = "Europe/Paris";
  auto r = createBody(ev, targetFor(ev), o);
  ASSERT_TRUE(r) << r.error;
  EXPECT_TRUE(r.body->getValue<bool>("isAllDay"));
  EXPECT_EQ(str(r.body->getObject("start"), "dateTime"), "2026-12-24T00:00:00.0000000");
  EXPECT_EQ(str(r.body->getObject("end"), "dateTime"), "2026-12-26T00:00:00.0000000");
  EXPECT_EQ(str(r.body->getObject("end"), "timeZone"), "Europe/Paris");
  EXPECT_EQ(contractViolations(*r.body, "create"), "");
}

TEST_F(GraphMappingTest, GraphMapping_SpringForward_WallTimeMatchesInstant) {
  appt_.start = 1774746000;  // 2026-03-29 01:00Z = 03:00 CEST, right after the gap
  appt_.end = appt_.start + 3600;
  const Object::Ptr b = create({});
  EXPECT_EQ(str(b->getObject("start"), "dateTime"), "2026-03-29T03:00:00.0000000");
}

TEST_F(GraphMappingTest, GraphMapping_UnknownZone_IsAnError) {
  ical::Event ev = rendered();
  ev.start.tzid = "Mars/Olympus_Mons";
  auto r = createBody(ev, targetFor(ev), {});
  EXPECT_FALSE(r);
  EXPECT_NE(r.error.find("Mars/Olympus_Mons"), std::string::npos);
}

TEST_F(GraphMappingTest, GraphMapping_EventWithoutRecordId_IsAnError) {
  ical::Event ev = rendered();
  ev.extra.clear();
  EXPECT_FALSE(targetOf(ev));
  EXPECT_FALSE(createBody(ev, GraphTarget{}, {}));
}

TEST_F(GraphMappingTest, GraphMapping_GroupEventPeriod_UsesPeriodProperty) {
  GroupEvent e;
  e.externalId = "E-1";
  e.name = "Atelier";
  e.periods = {EventPeriod{"p1", kStart, kStart + 3600}};
  e.organizerId = 1;
  e.bookings = {Booking{"b1", 10, 1, Status::Approved, ""}};
  const auto periods = Renderer(RenderSettings{}).render(e, dir_);
  ASSERT_EQ(periods.size(), 1u);
  const GraphTarget t = targetFor(periods[0]);
  EXPECT_EQ(t.kind, RecordKind::Event);
  auto r = createBody(periods[0], t, {});
  ASSERT_TRUE(r) << r.error;
  const Object::Ptr p = r.body->getArray("singleValueExtendedProperties")->getObject(0);
  EXPECT_EQ(str(p, "id"),
            "String {bbe76dff-a97b-4c77-a51a-cce21e3ce44b} Name CreneauEventPeriodId");
  EXPECT_EQ(str(p, "value"), "E-1/" + t.periodId);
  EXPECT_EQ(contractViolations(*r.body, "create"), "");
}

TEST_F(GraphMappingTest, GraphMapping_EveryOptionCombination_MatchesContract) {
  for (Status status : {Status::Approved, Status::Pending}) {
    appt_.status = status;
    const ical::Event ev = rendered();
    const GraphTarget t = targetFor(ev);
    for (int bits = 0; bits < 16; ++bits) {
      GraphMappingOptions o;
      o.addTeams = bits & 1;
      o.addAttendees = bits & 2;
      o.customersSeeEachOther = bits & 4;
      o.sendInvitations = bits & 8;
      SCOPED_TRACE("status " + std::string(toString(status)) + ", options " + std::to_string(bits));
      auto r = createBody(ev, t, o);
      ASSERT_TRUE(r) << r.error;
      EXPECT_EQ(r.body->getArray("attendees")->size(),
                o.addAttendees && o.sendInvitations ? 2u : 0u);
      EXPECT_EQ(r.body->has("isOnlineMeeting"), o.addTeams);
      EXPECT_EQ(r.body->getValue<bool>("hideAttendees"), !o.customersSeeEachOther);
      EXPECT_EQ(contractViolations(*r.body, "create"), "");
      auto p = patchBody(ev, t, o, GraphRemoteState{o.addTeams});
      ASSERT_TRUE(p) << p.error;
      EXPECT_EQ(contractViolations(*p.body, "patch"), "");
    }
  }
}

}  // namespace
}  // namespace creneau::engine::graph
