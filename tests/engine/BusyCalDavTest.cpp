// External CalDAV busy sources: Radicale (Debian's 3.1.8, a real server that
// has no free-busy-query) and a fake server that has one (issue 5, items 1, 2, 5).

#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>

#include <cstdlib>

#include "BusyTestSupport.h"

namespace creneau::engine::busy {
namespace {

using test::BusyStoreFixture;
using test::FakeHttpServer;
using test::utc;
using test::vcalendar;
using test::vevent;

// Radicale on a free port with a fresh storage; stopped by the destructor.
class Radicale {
 public:
  explicit Radicale(const std::filesystem::path& dir) : dir_(dir) {
    std::uint16_t port = 0;
    {
      Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
      port = s.address().port();
    }
    port_ = port;
    std::filesystem::create_directories(dir);
    const std::string cmd = "sh " +
                            (test::sharedDir() / "harness/caldav/start_radicale.sh").string() +
                            " " + std::to_string(port) + " " + dir.string() + " alice secret > " +
                            (dir / "start.log").string() + " 2>&1";
    started_ = std::system(cmd.c_str()) == 0;
  }
  ~Radicale() {
    std::ifstream pid(dir_ / "radicale.pid");
    long p = 0;
    if (pid >> p && p > 0) {
      const std::string cmd = "kill " + std::to_string(p);
      (void)std::system(cmd.c_str());
    }
  }
  [[nodiscard]] bool started() const { return started_; }
  [[nodiscard]] std::string calendarUrl() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/alice/calendar/";
  }

 private:
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  bool started_ = false;
};

class BusyCalDavTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Debian's radicale (scripts/setup.sh installs it); without it there is
    // no real server to test against.
    if (!std::filesystem::exists("/usr/bin/radicale"))
      GTEST_SKIP() << "radicale is not installed (apt-get install radicale)";
  }

  BusyCalDavTest() : fx_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    fx_.box_ = *secrets::SecretBox::create(std::string(32, 'k'));
    http_ = net::makeHttpClient({});
  }

  Id addCalDav(const std::string& url, BusyRules rules, const std::string& password = "secret") {
    NewSource s;
    s.employeeId = fx_.employee();
    s.kind = SourceKind::CalDav;
    s.url = url;
    s.username = "alice";
    s.sealedPassword = *fx_.box_->seal(password);
    s.rules = rules;
    s.label = "dav";
    return fx_.busy().add(s);
  }

  void put(const Radicale& r, const std::string& name, const std::string& ics) {
    net::HttpRequest req;
    req.method = "PUT";
    req.url = r.calendarUrl() + name + ".ics";
    req.headers = {{"Content-Type", "text/calendar"}, {"Authorization", "Basic YWxpY2U6c2VjcmV0"}};
    req.body = ics;
    auto res = http_->send(req);
    ASSERT_TRUE(res) << res.failure().message;
    ASSERT_EQ(res->status, 201) << name << ": " << res->body;
  }

  void putAll(const Radicale& r) {
    put(r, "opaque",
        vcalendar(vevent("opaque", ":20261201T090000Z", ":20261201T100000Z", "Opaque")));
    put(r, "transparent",
        vcalendar(vevent("transparent", ":20261201T100000Z", ":20261201T110000Z", "Transparent",
                         "TRANSP:TRANSPARENT\r\n")));
    put(r, "tentative",
        vcalendar(vevent("tentative", ":20261201T110000Z", ":20261201T120000Z", "Tentative",
                         "STATUS:TENTATIVE\r\n")));
    put(r, "cancelled",
        vcalendar(vevent("cancelled", ":20261201T120000Z", ":20261201T130000Z", "Cancelled",
                         "STATUS:CANCELLED\r\n")));
    put(r, "declined",
        vcalendar(vevent("declined", ":20261201T130000Z", ":20261201T140000Z", "Declined",
                         "ORGANIZER:mailto:boss@example.com\r\n"
                         "ATTENDEE;PARTSTAT=DECLINED:mailto:eve@example.com\r\n")));
    put(r, "own",
        vcalendar(vevent("appointment-5@creneau", ":20261201T140000Z", ":20261201T150000Z",
                         "Exported by us")));
    put(r, "allday",
        vcalendar(vevent("allday", ";VALUE=DATE:20261203", ";VALUE=DATE:20261204", "Holiday")));
    // Every day at 07:00Z forever: must stay bounded to the refresh window.
    put(r, "standup",
        vcalendar(vevent("standup", ":20240101T070000Z", ":20240101T073000Z", "Standup",
                         "RRULE:FREQ=DAILY\r\n")));
  }

  std::vector<std::string> periodsOf(Id source) {
    std::vector<std::string> out;
    for (const auto& p : fx_.busy().sourcePeriods(source)) {
      if (p.summary == "Standup") continue;
      out.push_back(p.summary);
    }
    return out;
  }
  std::size_t standups(Id source) {
    std::size_t n = 0;
    for (const auto& p : fx_.busy().sourcePeriods(source)) n += p.summary == "Standup" ? 1 : 0;
    return n;
  }

  BusyStoreFixture fx_;
  std::unique_ptr<net::HttpClient> http_;
};

TEST_F(BusyCalDavTest, RadicaleEventsCountByTheSourceRules) {
  Radicale radicale(fx_.dir_ / "radicale");
  ASSERT_TRUE(radicale.started()) << test::readFile(fx_.dir_ / "radicale" / "start.log");
  putAll(radicale);
  const Id plain = addCalDav(radicale.calendarUrl(), {});
  const Id all = addCalDav(radicale.calendarUrl(), {true, true});
  const auto reports = fx_.refresh();
  ASSERT_EQ(reports.size(), 2u);
  for (const auto& r : reports) EXPECT_TRUE(r.ok) << r.error;

  EXPECT_EQ(periodsOf(plain), (std::vector<std::string>{"Opaque"}));
  EXPECT_EQ(periodsOf(all), (std::vector<std::string>{"Opaque", "Tentative", "Holiday"}));
  // The unbounded RRULE: one a day inside the window (1 day back, 90 ahead).
  EXPECT_GE(standups(plain), 90u);
  EXPECT_LE(standups(plain), 92u);
  EXPECT_EQ(fx_.busy().source(plain)->mode, "calendar-query");

  // 10:00 Paris (Opaque) is gone; 15:00 Paris (our own event) is offered.
  const auto slots = BusyStoreFixture::starts(fx_.slots());
  EXPECT_EQ(std::count(slots.begin(), slots.end(), "10:00"), 0);
  EXPECT_EQ(std::count(slots.begin(), slots.end(), "15:00"), 1);
}

TEST_F(BusyCalDavTest, RadicaleLacksFreeBusyQuery_FallsBackToCalendarQueryAndRemembers) {
  Radicale radicale(fx_.dir_ / "radicale");
  ASSERT_TRUE(radicale.started());
  putAll(radicale);
  // All-day events count: free-busy-query could serve, so it is tried first.
  const Id id = addCalDav(radicale.calendarUrl(), {false, true});
  auto first = fx_.refresh();
  ASSERT_TRUE(first[0].ok) << first[0].error;
  EXPECT_EQ(first[0].requests, 2);  // free-busy-query (a 207 from Radicale), then calendar-query
  EXPECT_EQ(first[0].mode, "calendar-query");
  EXPECT_EQ(periodsOf(id), (std::vector<std::string>{"Opaque", "Holiday"}));
  auto second = fx_.refresh();
  EXPECT_EQ(second[0].requests, 1);  // straight to calendar-query
}

TEST_F(BusyCalDavTest, WrongPasswordIsAnErrorNamingTheCredentials) {
  Radicale radicale(fx_.dir_ / "radicale");
  ASSERT_TRUE(radicale.started());
  const Id id = addCalDav(radicale.calendarUrl(), {}, "wrong");
  const auto r = fx_.refresh();
  ASSERT_FALSE(r[0].ok);
  EXPECT_NE(r[0].error.find("401"), std::string::npos) << r[0].error;
  EXPECT_NE(r[0].error.find("credentials"), std::string::npos) << r[0].error;
  EXPECT_EQ(r[0].error.find("wrong"), std::string::npos);  // never the password
  EXPECT_EQ(fx_.busy().source(id)->status, SourceStatus::Error);
  EXPECT_TRUE(fx_.slots().result.slots.empty());
}

// A server with free-busy-query (RFC 4791 7.10), or without (403), as a fake.
TEST_F(BusyCalDavTest, FreeBusyQueryIsUsedWhenTheServerHasItAndOwnAppointmentsAreSubtracted) {
  // Our appointment a1 at 15:00-16:00 Paris (14:00Z) comes back as busy time
  // in the free/busy answer, which has no ids: it must not block anything
  // but the appointment itself.
  (void)fx_.store().apply(JsonImporter().parse(R"({"version": 1, "appointments": [
      {"id": "a1", "service": "s1", "employee": "e1", "start": "2026-12-01T15:00:00+01:00",
       "end": "2026-12-01T16:00:00+01:00", "status": "approved"}]})",
                                               fx_.store()));
  bool hasFreeBusy = true;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) -> FakeHttpServer::Reply {
    if (r.headers.count("authorization") == 0) return {401, "", {}};
    if (r.body.find("free-busy-query") != std::string::npos) {
      if (!hasFreeBusy) return {403, "<error xmlns='DAV:'><supported-report/></error>", {}};
      return {200,
              "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VFREEBUSY\r\n"
              "DTSTAMP:20261101T000000Z\r\n"
              "FREEBUSY:20261201T090000Z/PT1H,20261201T140000Z/20261201T150000Z\r\n"
              "END:VFREEBUSY\r\nEND:VCALENDAR\r\n",
              {{"Content-Type", "text/calendar"}}};
    }
    return {207,
            "<?xml version='1.0'?><d:multistatus xmlns:d='DAV:' "
            "xmlns:cal='urn:ietf:params:xml:ns:caldav'><d:response><d:href>/c/x.ics</d:href>"
            "<d:propstat><d:prop><cal:calendar-data>" +
                vcalendar(vevent("x", ":20261201T110000Z", ":20261201T120000Z", "From query")) +
                "</cal:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
                "</d:response></d:multistatus>",
            {{"Content-Type", "application/xml"}}};
  });
  const Id id = addCalDav(server.url("/cal/"), {false, true});
  auto r = fx_.refresh();
  ASSERT_TRUE(r[0].ok) << r[0].error;
  EXPECT_EQ(r[0].mode, "free-busy-query");
  auto periods = fx_.busy().sourcePeriods(id);
  ASSERT_EQ(periods.size(), 1u);  // 14:00Z-15:00Z was our own appointment
  EXPECT_EQ(periods[0].start, utc(2026, 12, 1, 9));
  const auto log = server.log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].method, "REPORT");
  EXPECT_EQ(log[0].headers.at("depth"), "1");
  EXPECT_NE(log[0].body.find("start=\"20261129T080000Z\""), std::string::npos) << log[0].body;

  // Without it (403): calendar-query, whose XML is read by namespace.
  hasFreeBusy = false;
  const Id other = addCalDav(server.url("/cal2/"), {false, true});
  r = fx_.refresh();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[1].ok) << r[1].error;
  EXPECT_EQ(r[1].mode, "calendar-query");
  periods = fx_.busy().sourcePeriods(other);
  ASSERT_EQ(periods.size(), 1u);
  EXPECT_EQ(periods[0].summary, "From query");
}

}  // namespace
}  // namespace creneau::engine::busy
