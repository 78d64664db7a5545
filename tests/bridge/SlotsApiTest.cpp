// GET /api/v1/slots through a real server on port 0, with the demo data and
// a fixed "now"; answers are checked against the engine's own findSlots.
#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "bridge/api/SlotsHandler.h"
#include "bridge/auth/BasicAuth.h"
#include "bridge/auth/Password.h"
#include "bridge/server/Server.h"
#include "engine/import/JsonImporter.h"
#include "engine/slots/StoreSlots.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr const char* kPassword = "correct horse battery";
constexpr engine::UnixTime kNow = 1795507200;  // 2026-11-24T08:00:00Z

struct Reply {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse head;
  [[nodiscard]] Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
  }
  [[nodiscard]] std::string error() const { return json()->getValue<std::string>("error"); }
};

std::string basic(const std::string& login) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << login << ':' << kPassword;
  enc.close();
  return "Basic " + out.str();
}

class SlotsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir =
        test::scratchDir(std::string("slots-api-") +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    store_ = std::make_unique<engine::SqliteStore>((dir / "creneau.db").string());
    (void)store_->apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), *store_));
    addUser("sophie", "emp-sophie");
    addUser("admin", {});

    auth_ = std::make_unique<BasicAuth>(*store_);
    router_.get("/api/v1/slots", makeSlotsHandler(*store_, *auth_, [] { return kNow; }));
    ServerConfig config;
    config.port = 0;
    config.threads = 4;
    config.stopTimeout = 5s;
    server_ = std::make_unique<Server>(config, router_);
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop(2s);
  }

  void addUser(const std::string& login, const std::string& employeeExt) {
    engine::NewUser u;
    u.login = login;
    if (employeeExt.empty()) {
      u.role = engine::Role::Admin;
    } else {
      u.role = engine::Role::Employee;
      u.employeeId = store_->employeeByExternalId(employeeExt)->id;
    }
    u.password = hashPassword(kPassword, kMinPasswordIterations);
    ASSERT_TRUE(store_->addUser(u));
  }

  Reply get(const std::string& uri, const std::string& login = "admin") const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("GET", uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!login.empty()) req.set("Authorization", basic(login));
    session.sendRequest(req);
    Reply r;
    std::istream& in = session.receiveResponse(r.head);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    r.status = static_cast<int>(r.head.getStatus());
    r.body = out.str();
    return r;
  }

  // What the engine itself answers.
  engine::SlotAnswer engineSlots(const std::string& service, std::vector<std::string> employees,
                                 engine::LocalDate day, const std::string& zone,
                                 bool explain = false) const {
    engine::SlotRequest r;
    r.serviceExt = service;
    r.employeeExts = std::move(employees);
    r.from = r.to = day;
    r.timeZone = zone;
    r.explain = explain;
    r.now = kNow;
    return engine::findSlots(*store_, r);
  }

  std::unique_ptr<engine::SqliteStore> store_;
  std::unique_ptr<BasicAuth> auth_;
  Router router_;
  std::unique_ptr<Server> server_;
};

constexpr engine::LocalDate kSaturday{2026, 12, 5};  // Sophie works; appointment 1028 at 14:30

TEST_F(SlotsApiTest, ReturnsTheEngineSlotsOfOneEmployeeAndDay) {
  const Reply r =
      get("/api/v1/slots?service=svc-cut&employee=emp-sophie&from=2026-12-05&to=2026-12-05");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.head.getContentType(), "application/json; charset=utf-8");
  EXPECT_EQ(r.head.get("Cache-Control", ""), "no-store");

  const auto doc = r.json();
  EXPECT_EQ(doc->getValue<std::string>("service"), "svc-cut");
  EXPECT_EQ(doc->getValue<std::string>("timeZone"), "Europe/Paris") << "the employee's zone";
  EXPECT_EQ(doc->getValue<std::string>("from"), "2026-12-05");
  EXPECT_EQ(doc->getValue<std::string>("to"), "2026-12-05");
  EXPECT_FALSE(doc->has("rejected")) << "only with explain=1";

  const auto expected = engineSlots("svc-cut", {"emp-sophie"}, kSaturday, "Europe/Paris");
  ASSERT_TRUE(expected.ok()) << expected.error;
  ASSERT_FALSE(expected.result.slots.empty());
  const auto slots = doc->getArray("slots");
  ASSERT_EQ(slots->size(), expected.result.slots.size());
  for (std::size_t i = 0; i < slots->size(); ++i) {
    const auto s = slots->getObject(static_cast<unsigned>(i));
    const auto& e = expected.result.slots[i];
    EXPECT_EQ(s->getValue<std::string>("employee"), "emp-sophie");
    EXPECT_EQ(s->getValue<std::string>("start"), engine::formatLocal(e.start, e.startOffset));
    EXPECT_EQ(s->getValue<std::string>("end"), engine::formatLocal(e.end, e.endOffset));
    EXPECT_EQ(s->getValue<int>("remaining"), e.remaining);
    EXPECT_FALSE(s->getValue<bool>("unverified"));
  }
  const auto first = slots->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("start"), "2026-12-05T09:00:00+01:00");
  EXPECT_EQ(first->getValue<std::string>("end"), "2026-12-05T09:45:00+01:00");
  EXPECT_EQ(first->getValue<std::string>("startUtc"), "2026-12-05T08:00:00Z");
  // Nothing overlapping appointment 1028 (14:30-15:30, buffers 5 and 10 min).
  for (std::size_t i = 0; i < slots->size(); ++i)
    EXPECT_NE(slots->getObject(static_cast<unsigned>(i))->getValue<std::string>("start"),
              "2026-12-05T14:30:00+01:00");
}

TEST_F(SlotsApiTest, ExplainListsRejectedCandidatesWithReasons) {
  const Reply r = get(
      "/api/v1/slots?service=svc-cut&employee=emp-sophie&from=2026-12-05&to=2026-12-05&explain=1");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto rejected = r.json()->getArray("rejected");
  ASSERT_TRUE(rejected);
  const auto expected = engineSlots("svc-cut", {"emp-sophie"}, kSaturday, "Europe/Paris", true);
  ASSERT_EQ(rejected->size(), expected.result.rejected.size());
  ASSERT_FALSE(expected.result.rejected.empty());

  bool sawAppointment = false;
  for (std::size_t i = 0; i < rejected->size(); ++i) {
    const auto o = rejected->getObject(static_cast<unsigned>(i));
    const auto& e = expected.result.rejected[i];
    EXPECT_EQ(o->getValue<std::string>("start"), engine::formatLocal(e.start, e.startOffset));
    const auto reasons = o->getArray("reasons");
    ASSERT_EQ(reasons->size(), e.reasons.size());
    for (std::size_t k = 0; k < reasons->size(); ++k) {
      const auto why = reasons->getObject(static_cast<unsigned>(k));
      EXPECT_EQ(why->getValue<std::string>("kind"), engine::toString(e.reasons[k].kind));
      EXPECT_EQ(why->getValue<std::string>("text"), e.reasons[k].text());
      if (why->has("appointment") && why->getValue<std::string>("appointment") == "1028") {
        sawAppointment = true;
        EXPECT_EQ(why->getValue<std::string>("conflictStart"), "2026-12-05T14:30:00+01:00");
        EXPECT_EQ(why->getValue<std::string>("conflictEnd"), "2026-12-05T15:30:00+01:00");
      }
    }
  }
  EXPECT_TRUE(sawAppointment) << r.body;
}

TEST_F(SlotsApiTest, EmployeeListAcceptsRepeatsAndCommas) {
  const Reply a = get(
      "/api/v1/slots?service=svc-cut&employee=emp-sophie,emp-lea&from=2026-12-05&to=2026-12-05");
  const Reply b =
      get("/api/v1/slots?service=svc-cut&employee=emp-sophie&employee=emp-lea&from=2026-12-05"
          "&to=2026-12-05");
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(a.body, b.body);
  const auto doc = a.json();
  EXPECT_EQ(doc->getValue<std::string>("timeZone"), "UTC") << "two employees: UTC by default";
  EXPECT_EQ(doc->getArray("employees")->size(), 2u);
  const auto expected = engineSlots("svc-cut", {"emp-sophie", "emp-lea"}, kSaturday, "UTC");
  EXPECT_EQ(doc->getArray("slots")->size(), expected.result.slots.size());
}

TEST_F(SlotsApiTest, TimeZoneParameterChangesTheDaysAndOffsets) {
  const Reply r =
      get("/api/v1/slots?service=svc-cut&employee=emp-sophie&from=2026-12-05&to=2026-12-05"
          "&tz=America/New_York");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto doc = r.json();
  EXPECT_EQ(doc->getValue<std::string>("timeZone"), "America/New_York");
  const auto first = doc->getArray("slots")->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("start"), "2026-12-05T03:00:00-05:00");
}

TEST_F(SlotsApiTest, EmployeeLoginSeesOnlyTheirOwnSlots) {
  const Reply own = get("/api/v1/slots?service=svc-cut&from=2026-12-05&to=2026-12-05", "sophie");
  ASSERT_EQ(own.status, 200) << own.body;
  const auto slots = own.json()->getArray("slots");
  ASSERT_GT(slots->size(), 0u);
  for (std::size_t i = 0; i < slots->size(); ++i)
    EXPECT_EQ(slots->getObject(static_cast<unsigned>(i))->getValue<std::string>("employee"),
              "emp-sophie");

  const Reply other =
      get("/api/v1/slots?service=svc-cut&employee=emp-lea&from=2026-12-05&to=2026-12-05", "sophie");
  const Reply unknown = get(
      "/api/v1/slots?service=svc-cut&employee=emp-nobody&from=2026-12-05&to=2026-12-05", "admin");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(other.error(), "no employee with id \"emp-lea\"");
  EXPECT_EQ(unknown.error(), "no employee with id \"emp-nobody\"");
  EXPECT_EQ(other.head.getContentType(), "application/json; charset=utf-8");
  const Reply mixed =
      get("/api/v1/slots?service=svc-cut&employee=emp-sophie,emp-lea&from=2026-12-05&to=2026-12-05",
          "sophie");
  EXPECT_EQ(mixed.status, 404);
}

TEST_F(SlotsApiTest, NoCredentialsAnswers401WithChallenge) {
  const Reply r = get("/api/v1/slots?service=svc-cut&from=2026-12-05&to=2026-12-05", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.head.get("WWW-Authenticate", "").rfind("Basic realm=", 0), 0u);
  EXPECT_FALSE(r.error().empty());
  EXPECT_EQ(r.head.getContentType(), "application/json; charset=utf-8");
}

TEST_F(SlotsApiTest, BadDateAnswers400SayingWhatToFix) {
  const Reply r = get("/api/v1/slots?service=svc-cut&from=2026-12-32&to=2026-12-05");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.head.getContentType(), "application/json; charset=utf-8");
  EXPECT_EQ(r.error(), "from \"2026-12-32\" is not a date: use YYYY-MM-DD (e.g. 2026-11-30)");

  const Reply missing = get("/api/v1/slots?service=svc-cut&from=2026-12-05");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.error().find("to is required"), std::string::npos) << missing.body;

  const Reply reversed = get("/api/v1/slots?service=svc-cut&from=2026-12-06&to=2026-12-05");
  EXPECT_EQ(reversed.status, 400);
  EXPECT_NE(reversed.error().find("is after"), std::string::npos) << reversed.body;

  const Reply tooLong = get("/api/v1/slots?service=svc-cut&from=2026-01-01&to=2027-06-01");
  EXPECT_EQ(tooLong.status, 400);
  EXPECT_NE(tooLong.error().find("at most 366"), std::string::npos) << tooLong.body;
}

TEST_F(SlotsApiTest, UnknownZoneAnswers400) {
  const Reply r = get("/api/v1/slots?service=svc-cut&from=2026-12-05&to=2026-12-05&tz=Mars/Base");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.error().find("tz \"Mars/Base\" is not a known time zone"), std::string::npos)
      << r.body;
}

TEST_F(SlotsApiTest, UnknownParameterOrServiceIsRefused) {
  const Reply typo = get("/api/v1/slots?service=svc-cut&form=2026-12-05&to=2026-12-05");
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.error().find("unknown parameter \"form\""), std::string::npos) << typo.body;

  const Reply service = get("/api/v1/slots?service=svc-nope&from=2026-12-05&to=2026-12-05");
  EXPECT_EQ(service.status, 404);
  EXPECT_EQ(service.error(), "no service with id \"svc-nope\"");
}

TEST_F(SlotsApiTest, FixedNowClockReadsIsoDateTimesWithAnOffset) {
  EXPECT_EQ(makeSlotClock(std::string("2026-11-24T08:00:00Z"))(), kNow);
  EXPECT_EQ(makeSlotClock(std::string("2026-11-24T09:00:00+01:00"))(), kNow);
  EXPECT_THROW((void)makeSlotClock(std::string("2026-11-24T08:00:00")), std::invalid_argument);
  EXPECT_THROW((void)makeSlotClock(std::string("soon")), std::invalid_argument);
  const auto before = std::chrono::system_clock::now();
  const engine::UnixTime real = makeSlotClock(std::nullopt)();
  EXPECT_NEAR(
      static_cast<double>(real),
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count()),
      5.0);
}

}  // namespace
}  // namespace creneau::bridge
