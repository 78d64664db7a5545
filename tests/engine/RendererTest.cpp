#include "engine/render/Renderer.h"

#include <gtest/gtest.h>

#include "IcalPrinters.h"
#include "ical/TimeZones.h"

namespace creneau::engine {
namespace {

// 2026-11-24 09:00 Europe/Paris (UTC+1) = 08:00Z
constexpr UnixTime kStart = 1795507200;

class RendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.add(Employee{1, "emp-1", "Sophie", "Martin", "sophie@salon.example", "+33 1 23",
                      "Europe/Paris"});
    dir_.add(
        Customer{10, "cus-10", "Zoë", "Ångström", "zoe@example.com", "+33 6", "Allergic to latex"});
    dir_.add(Customer{11, "cus-11", "Jean", "Dupont", "jean@example.com", "", ""});
    dir_.add(Customer{12, "cus-12", "No", "Mail", "", "+44", ""});
    Service s;
    s.id = 5;
    s.externalId = "svc-5";
    s.name = "Coloration";
    s.description = "Full colour";
    s.durationMin = 90;
    s.bufferBeforeMin = 15;
    s.bufferAfterMin = 10;
    s.capacity = 3;
    s.price = "80.00";
    s.currency = "EUR";
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
                      Booking{"b3", 12, 1, Status::Canceled, ""}};
    appt_.notes = "Bring photos";
    appt_.revision = 4;
    appt_.createdAt = kStart - 86400;
    appt_.updatedAt = kStart - 3600;
  }

  Directory dir_;
  Appointment appt_;
};

TEST_F(RendererTest, Appointment_TimesInEmployeeZoneWithStableUidAndSequence) {
  const Renderer r(RenderSettings{});
  const ical::Event ev = r.render(appt_, dir_);
  EXPECT_EQ(ev.uid, "appointment-A-100@creneau");
  EXPECT_EQ(ev.sequence, 4);
  EXPECT_EQ(ev.start, ical::DateTime::local(2026, 11, 24, 9, 0, 0, "Europe/Paris"));
  EXPECT_EQ(ev.end, ical::DateTime::local(2026, 11, 24, 10, 30, 0, "Europe/Paris"));
  ASSERT_TRUE(ev.dtstamp);
  EXPECT_TRUE(ev.dtstamp->isUtc());
  EXPECT_EQ(ical::toUnix(*ev.dtstamp), appt_.updatedAt);
  EXPECT_EQ(ical::toUnix(*ev.created), appt_.createdAt);
  EXPECT_EQ(ev.status, ical::EventStatus::Confirmed);
  EXPECT_EQ(ev.transparency, ical::Transparency::Opaque);
  EXPECT_EQ(ev.location, "Salon Étoile, 12 rue de l'Église, Paris");
  EXPECT_EQ(ev.categories, std::vector<std::string>{"Coloration"});
  EXPECT_EQ(ev.extraValue("X-CRENEAU-APPOINTMENT-ID"), "A-100");
  EXPECT_EQ(ev.extraValue("X-CRENEAU-EMPLOYEE-ID"), "emp-1");
  // Pure: the same input renders the same event.
  EXPECT_EQ(r.render(appt_, dir_), ev);
}

TEST_F(RendererTest, Appointment_GroupBookingListsEveryActiveCustomer) {
  RenderSettings s;
  s.appointmentTitle = "%service_name%: %customer_full_name% (%booked_persons%)";
  const ical::Event ev = Renderer(s).render(appt_, dir_);
  EXPECT_EQ(ev.summary, "Coloration: Zoë Ångström, Jean Dupont (4)");
  ASSERT_EQ(ev.attendees.size(), 2u);
  EXPECT_EQ(ev.attendees[0].email, "zoe@example.com");
  EXPECT_EQ(ev.attendees[0].commonName, "Zoë Ångström");
  EXPECT_EQ(ev.attendees[0].partStat, ical::PartStat::Accepted);
  EXPECT_EQ(ev.attendees[1].email, "jean@example.com");
  ASSERT_EQ(ev.attendees[1].extraParams.size(), 1u);
  EXPECT_EQ(ev.attendees[1].extraParams[0], (ical::Parameter{"X-NUM-GUESTS", "2"}));
  ASSERT_TRUE(ev.organizer);
  EXPECT_EQ(ev.organizer->email, "sophie@salon.example");
  EXPECT_EQ(ev.organizer->commonName, "Sophie Martin");
}

TEST_F(RendererTest, Appointment_AttendeesOmittedWhenDisabled) {
  RenderSettings s;
  s.addAttendees = false;
  EXPECT_TRUE(Renderer(s).render(appt_, dir_).attendees.empty());
}

TEST_F(RendererTest, Appointment_BuffersWidenTheEventWhenEnabled) {
  RenderSettings s;
  s.includeBuffers = true;
  const ical::Event ev = Renderer(s).render(appt_, dir_);
  EXPECT_EQ(ev.start, ical::DateTime::local(2026, 11, 24, 8, 45, 0, "Europe/Paris"));
  EXPECT_EQ(ev.end, ical::DateTime::local(2026, 11, 24, 10, 40, 0, "Europe/Paris"));
  EXPECT_EQ(ev.extraValue("X-CRENEAU-BUFFER-BEFORE"), "15");
  s.includeBuffers = false;
  EXPECT_EQ(Renderer(s).render(appt_, dir_).start,
            ical::DateTime::local(2026, 11, 24, 9, 0, 0, "Europe/Paris"));
}

TEST_F(RendererTest, Appointment_StatusMapsToIcalStatus) {
  const Renderer r(RenderSettings{});
  appt_.status = Status::Pending;
  auto ev = r.render(appt_, dir_);
  EXPECT_EQ(ev.status, ical::EventStatus::Tentative);
  EXPECT_EQ(ev.extraValue("X-MICROSOFT-CDO-BUSYSTATUS"), "TENTATIVE");
  for (Status s : {Status::Canceled, Status::Rejected}) {
    appt_.status = s;
    ev = r.render(appt_, dir_);
    EXPECT_EQ(ev.status, ical::EventStatus::Cancelled);
    EXPECT_EQ(ev.transparency, ical::Transparency::Transparent);
  }
  appt_.status = Status::NoShow;
  EXPECT_EQ(r.render(appt_, dir_).status, ical::EventStatus::Confirmed);
  EXPECT_EQ(r.render(appt_, dir_).extraValue("X-CRENEAU-STATUS"), "no-show");
}

TEST_F(RendererTest, Appointment_CancelledStillNamesItsCustomers) {
  appt_.status = Status::Canceled;
  for (auto& b : appt_.bookings) b.status = Status::Canceled;
  RenderSettings s;
  s.appointmentTitle = "%customer_full_name%";
  const auto ev = Renderer(s).render(appt_, dir_);
  EXPECT_EQ(ev.summary, "Zoë Ångström, Jean Dupont, No Mail");
  for (const auto& a : ev.attendees) EXPECT_EQ(a.partStat, ical::PartStat::Declined);
}

TEST_F(RendererTest, Appointment_FrenchPlaceholders) {
  RenderSettings s;
  s.language = "fr";
  s.appointmentDescription =
      "%appointment_date% %appointment_start_time%-%appointment_end_time% %service_duration% "
      "%service_price% %appointment_status% %employee_full_name% %location_name%";
  const auto ev = Renderer(s).render(appt_, dir_);
  EXPECT_EQ(ev.description,
            "mardi 24 novembre 2026 09:00-10:30 1 h 30 min 80,00 EUR Approuvé Sophie Martin Salon "
            "Étoile");
}

TEST_F(RendererTest, Appointment_MeetingUrlBecomesUrlAndConference) {
  appt_.meetingUrl = "https://meet.example.com/abc";
  RenderSettings s;
  s.appointmentDescription = "Join: %meeting_url%";
  const auto ev = Renderer(s).render(appt_, dir_);
  EXPECT_EQ(ev.url, "https://meet.example.com/abc");
  ASSERT_EQ(ev.conferences.size(), 1u);
  EXPECT_EQ(ev.conferences[0].uri, "https://meet.example.com/abc");
  EXPECT_EQ(ev.description, "Join: https://meet.example.com/abc");
}

TEST_F(RendererTest, Appointment_DstEdge_NewYorkFallBackKeepsInstants) {
  dir_.add(Employee{2, "emp-2", "Ana", "Lee", "ana@example.com", "", "America/New_York"});
  appt_.employeeId = 2;
  appt_.start = 1793511000;  // 2026-11-01 01:30 EDT (05:30Z)
  appt_.end = 1793514600;    // 2026-11-01 01:30 EST (06:30Z)
  const auto ev = Renderer(RenderSettings{}).render(appt_, dir_);
  EXPECT_EQ(ical::toUnix(ev.start), appt_.start);
  EXPECT_EQ(ical::toUnix(*ev.end), appt_.end);
  // 01:30 happens twice that night: parsers disagree on which one a TZID
  // value means, so both ends are written in UTC.
  EXPECT_EQ(ev.start, ical::DateTime::local(2026, 11, 1, 5, 30, 0, "UTC"));
  EXPECT_EQ(*ev.end, ical::DateTime::local(2026, 11, 1, 6, 30, 0, "UTC"));
  // An hour earlier is unambiguous and keeps the zone.
  appt_.start -= 3600;
  EXPECT_EQ(Renderer(RenderSettings{}).render(appt_, dir_).start,
            ical::DateTime::local(2026, 11, 1, 0, 30, 0, "America/New_York"));
}

TEST_F(RendererTest, GroupEvent_OneVeventPerPeriodWithStaffAndCustomers) {
  GroupEvent e;
  e.externalId = "E-1";
  e.name = "Atelier";
  e.periods = {EventPeriod{"p1", kStart, kStart + 3600},
               EventPeriod{"", kStart + 86400, kStart + 90000}};
  e.organizerId = 1;
  dir_.add(Employee{2, "emp-2", "Ana", "Lee", "ana@example.com", "", "America/New_York"});
  e.staffIds = {1, 2};
  e.bookings = {Booking{"eb1", 10, 2, Status::Approved, ""}};
  e.revision = 2;
  RenderSettings s;
  s.eventTitle = "%event_name% (%booked_persons%)";
  const auto evs = Renderer(s).render(e, dir_);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].uid, "event-E-1-p1@creneau");
  EXPECT_EQ(evs[1].uid, "event-E-1-2@creneau");
  EXPECT_EQ(evs[0].summary, "Atelier (2)");
  EXPECT_EQ(evs[0].start.tzid, "Europe/Paris");
  EXPECT_EQ(evs[1].extraValue("X-CRENEAU-PERIOD-ID"), "2");
  ASSERT_EQ(evs[0].attendees.size(), 2u);  // Ana (staff) and Zoë (customer); Sophie organizes
  EXPECT_EQ(evs[0].attendees[0].email, "ana@example.com");
  EXPECT_EQ(evs[0].attendees[1].email, "zoe@example.com");
}

TEST(RenderSettingsTest, Validate_ReportsUnknownPlaceholderWithItsKey) {
  RenderSettings s;
  s.appointmentTitle = "%service_name% %custmer_name%";
  s.language = "de";
  const auto problems = validate(s);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].key, "template.appointment.title");
  EXPECT_NE(problems[0].message.find("%custmer_name%"), std::string::npos);
  EXPECT_EQ(problems[1].key, "render.language");
  EXPECT_TRUE(validate(RenderSettings{}).empty());
}

}  // namespace
}  // namespace creneau::engine

namespace creneau::engine {
namespace {

TEST(RenderSettingsTest, FrenchDefaults_AreWordedInFrenchAndValid) {
  const auto fr = RenderSettings::defaultsFor(Language::French);
  EXPECT_EQ(fr.language, "fr");
  EXPECT_NE(fr.appointmentDescription.find("Téléphone"), std::string::npos);
  EXPECT_TRUE(validate(fr).empty());
  EXPECT_EQ(RenderSettings::defaultsFor(Language::English), RenderSettings{});
}

}  // namespace
}  // namespace creneau::engine
