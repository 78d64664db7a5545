#include "bridge/feed/FeedHandler.h"

#include <Poco/InflatingStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "bridge/cli/FeedCommand.h"
#include "bridge/server/Server.h"
#include "engine/feeds/FeedService.h"
#include "engine/import/JsonImporter.h"
#include "engine/render/Renderer.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// 2026-11-15T12:00:00Z: inside the demo data (2026-10-24 .. 2027-01-31).
constexpr engine::UnixTime kNow = 1794744000;

struct Reply {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse head;
};

std::string inflate(const std::string& gz) {
  std::istringstream in(gz);
  Poco::InflatingInputStream inflater(in, Poco::InflatingStreamBuf::STREAM_GZIP);
  std::ostringstream out;
  Poco::StreamCopier::copyStream(inflater, out);
  return out.str();
}

// Content lines joined again (RFC 5545 3.1 folding undone).
std::string unfold(std::string text) {
  for (auto at = text.find("\r\n "); at != std::string::npos; at = text.find("\r\n ", at))
    text.erase(at, 3);
  return text;
}

// The VEVENT block holding `uid`, or "" when there is none.
std::string eventWithUid(const std::string& ics, const std::string& uid) {
  const auto at = ics.find("UID:" + uid + "\r\n");
  if (at == std::string::npos) return {};
  const auto begin = ics.rfind("BEGIN:VEVENT", at);
  const auto end = ics.find("END:VEVENT", at);
  return ics.substr(begin, end - begin);
}

class FeedHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("feed-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
    store_ = std::make_unique<engine::SqliteStore>(db_);
    load("demo/demo.json");
    options_.clock = [] { return kNow; };
    options_.settingsTtl = 0ms;
  }

  void TearDown() override {
    if (server_) server_->stop(2s);
  }

  void load(const std::string& fixture) {
    (void)store_->apply(engine::JsonImporter().parse(test::readFixture(fixture), *store_));
  }

  void start() {
    feeds_ = std::make_unique<engine::FeedService>(*store_, options_);
    router_.get("/feeds/{token}.ics", makeFeedHandler(*feeds_));
    ServerConfig config;
    config.port = 0;
    config.threads = 8;
    config.stopTimeout = 5s;
    server_ = std::make_unique<Server>(config, router_);
    server_->start();
  }

  // A new feed's token, created as `creneau feed create` does.
  std::string createFeed(engine::FeedScope scope, const std::string& ext = {},
                         bool includePending = false) {
    engine::Feed f;
    f.scope = scope;
    if (scope == engine::FeedScope::Employee) f.recordId = store_->employeeByExternalId(ext)->id;
    if (scope == engine::FeedScope::Service) f.recordId = store_->serviceByExternalId(ext)->id;
    if (scope == engine::FeedScope::Location) f.recordId = store_->locationByExternalId(ext)->id;
    f.includePending = includePending;
    const std::string token = engine::generateFeedToken();
    f.tokenHash = engine::hashFeedToken(token);
    lastFeedId_ = store_->addFeed(f);
    return token;
  }

  Reply request(const std::string& method, const std::string& uri,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    for (auto& [k, v] : headers) req.set(k, v);
    session.sendRequest(req);
    Reply r;
    std::istream& in = session.receiveResponse(r.head);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    r.status = static_cast<int>(r.head.getStatus());
    r.body = out.str();
    return r;
  }
  Reply get(const std::string& uri,
            const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    return request("GET", uri, headers);
  }

  static std::string uidOf(const std::string& appointmentExt) {
    return engine::Renderer(engine::RenderSettings{}).appointmentUid(appointmentExt);
  }

  fs::path dir_;
  std::string db_;
  std::unique_ptr<engine::SqliteStore> store_;
  engine::FeedServiceOptions options_;
  std::unique_ptr<engine::FeedService> feeds_;
  Router router_;
  std::unique_ptr<Server> server_;
  engine::Id lastFeedId_ = 0;
};

TEST_F(FeedHandlerTest, Feed_ServesCalendarWithNameRefreshAndCacheHeaders) {
  const auto token = createFeed(engine::FeedScope::Employee, "emp-sophie");
  start();
  const auto r = get("/feeds/" + token + ".ics");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.head.getContentType(), "text/calendar; charset=utf-8");
  EXPECT_EQ(r.body.rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  EXPECT_NE(r.body.find("X-WR-CALNAME:Créneau – Sophie Martin-Dubois\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("NAME:Créneau – Sophie Martin-Dubois\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("X-PUBLISHED-TTL:PT1H\r\n"), std::string::npos);
  const std::string etag = r.head.get("ETag", "");
  EXPECT_EQ(etag.front(), '"') << "a strong ETag";
  EXPECT_FALSE(r.head.get("Last-Modified", "").empty());
  EXPECT_EQ(r.head.get("Vary", ""), "Accept-Encoding");
  EXPECT_FALSE(r.head.has("Content-Encoding"));

  const auto head = request("HEAD", "/feeds/" + token + ".ics");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.head.get("ETag", ""), etag);
  EXPECT_EQ(head.head.getContentLength64(), static_cast<Poco::Int64>(r.body.size()));
}

TEST_F(FeedHandlerTest, Feed_UnknownToken_Returns404) {
  (void)createFeed(engine::FeedScope::All);
  start();
  const auto unknown = get("/feeds/" + engine::generateFeedToken() + ".ics");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body.find("BEGIN:VCALENDAR"), std::string::npos);
  // Malformed tokens are unknown tokens too, never a 400 that tells them apart.
  EXPECT_EQ(get("/feeds/short.ics").status, 404);
  EXPECT_EQ(get("/feeds/" + std::string(32, 'A') + ".ics").status, 404);
  EXPECT_EQ(get("/feeds/.ics").status, 404);
}

TEST_F(FeedHandlerTest, Feed_RevokedToken_Returns404) {
  const auto token = createFeed(engine::FeedScope::All);
  start();
  ASSERT_EQ(get("/feeds/" + token + ".ics").status, 200);
  ASSERT_TRUE(store_->revokeFeed(lastFeedId_));
  const auto revoked = get("/feeds/" + token + ".ics");
  const auto unknown = get("/feeds/" + engine::generateFeedToken() + ".ics");
  EXPECT_EQ(revoked.status, 404);
  EXPECT_EQ(revoked.body, unknown.body) << "a revoked feed looks exactly like a missing one";
  EXPECT_EQ(get("/feeds/" + token + ".ics?format=freebusy").status, 404);
}

TEST_F(FeedHandlerTest, Feed_TokenStoredHashed) {
  std::ostringstream out, err;
  ASSERT_EQ(feedCommand({"create", "--employee", "emp-sophie", "--label", "Sophie's phone", "--db",
                         db_, "--public-url", "https://cal.example.com"},
                        {out, err}),
            0)
      << err.str();
  const std::string printed = out.str();
  const auto at = printed.find("https://cal.example.com/feeds/");
  ASSERT_NE(at, std::string::npos) << printed;
  const std::string token = printed.substr(at + 30, 32);
  ASSERT_TRUE(engine::looksLikeFeedToken(token)) << token;
  EXPECT_NE(printed.find("webcal://cal.example.com/feeds/" + token + ".ics"), std::string::npos);

  // Neither the database nor its write-ahead log holds the token's text...
  for (const auto& name : {"creneau.db", "creneau.db-wal"}) {
    const auto file = dir_ / name;
    if (!fs::exists(file)) continue;
    EXPECT_EQ(test::readFile(file).find(token), std::string::npos) << name;
  }
  // ... only its SHA-256, which finds the feed.
  const auto feed = store_->feedByTokenHash(engine::hashFeedToken(token));
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->label, "Sophie's phone");
  EXPECT_EQ(feed->tokenHash.size(), 64u);

  std::ostringstream listed;
  ASSERT_EQ(feedCommand({"list", "--db", db_}, {listed, err}), 0);
  EXPECT_EQ(listed.str().find(token), std::string::npos) << "list never shows the token";

  start();
  EXPECT_EQ(get("/feeds/" + token + ".ics").status, 200);
}

TEST_F(FeedHandlerTest, Feed_EmployeeScope_ContainsOnlyTheirAppointments) {
  const auto token = createFeed(engine::FeedScope::Employee, "emp-sophie", true);
  start();
  const auto r = get("/feeds/" + token + ".ics");
  ASSERT_EQ(r.status, 200);
  const auto sophie = store_->employeeByExternalId("emp-sophie")->id;
  const auto window = engine::feedWindow(kNow, options_.daysBack, options_.daysAhead);
  int theirs = 0;
  store_->forEachAppointment({}, [&](const engine::Appointment& a) {
    const bool inWindow = a.end > window.from && a.start < window.to;
    const bool present = r.body.find("UID:" + uidOf(a.externalId) + "\r\n") != std::string::npos;
    if (a.employeeId == sophie && inWindow) {
      EXPECT_TRUE(present) << a.externalId;
      ++theirs;
    } else {
      EXPECT_FALSE(present) << a.externalId << " is not Sophie's";
    }
    return true;
  });
  EXPECT_GT(theirs, 5);
  // Her workshop (she organizes it) is there; Dr. O'Neill's records are not.
  EXPECT_NE(r.body.find("UID:event-evt-workshop-"), std::string::npos);
  EXPECT_EQ(r.body.find("O'Neill"), std::string::npos);
  EXPECT_NE(r.body.find("STATUS:TENTATIVE"), std::string::npos) << "pending included";
}

TEST_F(FeedHandlerTest, Feed_PendingLeftOutUnlessIncluded) {
  const auto token = createFeed(engine::FeedScope::Employee, "emp-sophie");
  start();
  const auto r = get("/feeds/" + token + ".ics");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(eventWithUid(r.body, uidOf("1010")).empty()) << "1010 is pending";
  EXPECT_EQ(r.body.find("STATUS:TENTATIVE"), std::string::npos);
}

TEST_F(FeedHandlerTest, Feed_IfNoneMatch_Returns304WithoutBody) {
  const auto token = createFeed(engine::FeedScope::All);
  start();
  const std::string uri = "/feeds/" + token + ".ics";
  const auto first = get(uri);
  ASSERT_EQ(first.status, 200);
  const std::string etag = first.head.get("ETag");
  const std::string lastModified = first.head.get("Last-Modified");
  ASSERT_EQ(feeds_->cacheStats().renders, 1u);

  const auto again = get(uri, {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.head.get("ETag", ""), etag);
  EXPECT_EQ(again.head.get("Last-Modified", ""), lastModified);

  EXPECT_EQ(get(uri, {{"If-None-Match", "\"other\", " + etag}}).status, 304);
  EXPECT_EQ(get(uri, {{"If-None-Match", "W/" + etag}}).status, 304) << "weak comparison";
  EXPECT_EQ(get(uri, {{"If-Modified-Since", lastModified}}).status, 304);
  EXPECT_EQ(get(uri, {{"If-None-Match", "\"other\""}, {"If-Modified-Since", lastModified}}).status,
            200)
      << "If-None-Match wins over If-Modified-Since";
  EXPECT_EQ(get(uri, {{"If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT"}}).status, 200);

  const auto stats = feeds_->cacheStats();
  EXPECT_EQ(stats.renders, 1u) << "neither a 304 nor a repeated 200 renders again";
  EXPECT_EQ(stats.hits, 2u);
}

TEST_F(FeedHandlerTest, Feed_ImportChange_MovesEtag) {
  const auto token = createFeed(engine::FeedScope::Employee, "emp-sophie");
  start();
  const std::string uri = "/feeds/" + token + ".ics";
  const auto before = get(uri);
  ASSERT_EQ(before.status, 200);
  const std::string etag = before.head.get("ETag");

  // The booking system sends appointment 1008 again with new notes.
  Poco::JSON::Parser parser;
  auto root = parser.parse(test::readFixture("demo/demo.json")).extract<Poco::JSON::Object::Ptr>();
  auto appointments = root->getArray("appointments");
  for (std::size_t i = 0; i < appointments->size(); ++i) {
    auto a = appointments->getObject(static_cast<unsigned>(i));
    if (a->getValue<std::string>("id") == "1008") a->set("notes", "Bring the blue dye, please.");
  }
  std::ostringstream json;
  root->stringify(json);
  const auto summary = store_->apply(engine::JsonImporter().parse(json.str(), *store_));
  ASSERT_EQ(summary.updated, 1);

  const auto stale = get(uri, {{"If-None-Match", etag}});
  ASSERT_EQ(stale.status, 200) << "the old ETag no longer matches";
  EXPECT_NE(stale.head.get("ETag"), etag);
  EXPECT_NE(unfold(stale.body).find("Bring the blue dye"), std::string::npos);
  EXPECT_EQ(unfold(before.body).find("Bring the blue dye"), std::string::npos);
  EXPECT_EQ(get(uri, {{"If-None-Match", stale.head.get("ETag")}}).status, 304);

  // A change outside the scope (another employee's appointment) leaves it alone.
  for (std::size_t i = 0; i < appointments->size(); ++i) {
    auto a = appointments->getObject(static_cast<unsigned>(i));
    if (a->getValue<std::string>("employee") == "emp-james") a->set("notes", "Moved room.");
  }
  std::ostringstream other;
  root->stringify(other);
  ASSERT_GT(store_->apply(engine::JsonImporter().parse(other.str(), *store_)).updated, 0);
  EXPECT_EQ(get(uri, {{"If-None-Match", stale.head.get("ETag")}}).status, 304);
}

TEST_F(FeedHandlerTest, Feed_Gzip_WhenAccepted) {
  const auto token = createFeed(engine::FeedScope::All, {}, true);
  start();
  const std::string uri = "/feeds/" + token + ".ics";
  const auto plain = get(uri);
  ASSERT_EQ(plain.status, 200);
  EXPECT_FALSE(plain.head.has("Content-Encoding"));

  const auto gz = get(uri, {{"Accept-Encoding", "br;q=1.0, gzip;q=0.8, deflate"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.head.get("Content-Encoding", ""), "gzip");
  EXPECT_EQ(gz.head.get("Vary", ""), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size() / 3);
  EXPECT_EQ(inflate(gz.body), plain.body);
  // Another representation, another strong ETag; either one revalidates.
  EXPECT_NE(gz.head.get("ETag"), plain.head.get("ETag"));
  EXPECT_EQ(get(uri, {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz.head.get("ETag")}}).status,
            304);
  EXPECT_EQ(get(uri, {{"If-None-Match", gz.head.get("ETag")}}).status, 304);

  EXPECT_FALSE(get(uri, {{"Accept-Encoding", "gzip;q=0"}}).head.has("Content-Encoding"));
  EXPECT_FALSE(get(uri, {{"Accept-Encoding", "identity"}}).head.has("Content-Encoding"));
}

TEST_F(FeedHandlerTest, Feed_CanceledStaysAsCancelled) {
  const auto token = createFeed(engine::FeedScope::Employee, "emp-sophie");
  start();
  const auto r = get("/feeds/" + token + ".ics");
  ASSERT_EQ(r.status, 200);
  // 1026 (2026-12-01) was canceled: it stays, marked so that subscribers drop it.
  const std::string canceled = eventWithUid(r.body, uidOf("1026"));
  ASSERT_FALSE(canceled.empty()) << r.body;
  EXPECT_NE(canceled.find("STATUS:CANCELLED\r\n"), std::string::npos) << canceled;
  EXPECT_NE(canceled.find("TRANSP:TRANSPARENT\r\n"), std::string::npos) << canceled;
  const std::string approved = eventWithUid(r.body, uidOf("1008"));
  EXPECT_NE(approved.find("STATUS:CONFIRMED\r\n"), std::string::npos) << approved;
}

TEST_F(FeedHandlerTest, Feed_FreeBusy_HasNoCustomerData) {
  const auto token = createFeed(engine::FeedScope::All);
  start();
  const auto r = get("/feeds/" + token + ".ics?format=freebusy");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.head.getContentType(), "text/calendar; charset=utf-8");
  EXPECT_NE(r.body.find("BEGIN:VFREEBUSY\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("FREEBUSY;FBTYPE=BUSY:"), std::string::npos);
  EXPECT_NE(r.body.find("FREEBUSY;FBTYPE=BUSY-TENTATIVE:"), std::string::npos) << "pending";
  EXPECT_EQ(r.body.find("BEGIN:VEVENT"), std::string::npos);
  for (const char* property : {"SUMMARY", "DESCRIPTION", "ATTENDEE", "LOCATION", "CONTACT"})
    EXPECT_EQ(r.body.find(std::string("\r\n") + property), std::string::npos) << property;
  for (const auto& c : store_->customers()) {
    for (const std::string& text : {c.firstName, c.lastName, c.email, c.phone, c.note})
      if (!text.empty()) {
        EXPECT_EQ(r.body.find(text), std::string::npos) << text;
      }
  }
  for (const auto& s : store_->services()) EXPECT_EQ(r.body.find(s.name), std::string::npos);

  // Periods are UTC, ordered, and do not overlap.
  std::vector<std::string> periods;
  std::istringstream lines(r.body);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("FREEBUSY;", 0) == 0) periods.push_back(line.substr(line.find(':') + 1));
  ASSERT_GT(periods.size(), 10u);
  for (std::size_t i = 0; i < periods.size(); ++i) {
    ASSERT_EQ(periods[i].size(), 34u) << periods[i];  // 20261105T090000Z/20261105T113000Z\r
    EXPECT_EQ(periods[i][15], 'Z');
    if (i > 0) {
      EXPECT_LE(periods[i - 1].substr(17, 16), periods[i].substr(0, 16));
    }
  }
}

TEST_F(FeedHandlerTest, Feed_WindowLeavesOutOldAppointments) {
  options_.daysBack = 10;   // from 2026-11-05T00:00Z
  options_.daysAhead = 30;  // to the end of 2026-12-15
  const auto token = createFeed(engine::FeedScope::Employee, "emp-sophie");
  start();
  const auto r = get("/feeds/" + token + ".ics");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(eventWithUid(r.body, uidOf("1001")).empty()) << "2026-10-24 is before the window";
  EXPECT_TRUE(eventWithUid(r.body, uidOf("1002")).empty()) << "2026-10-25 is before the window";
  EXPECT_FALSE(eventWithUid(r.body, uidOf("1008")).empty()) << "2026-11-05 is inside";
  EXPECT_FALSE(eventWithUid(r.body, uidOf("1031")).empty()) << "2026-12-12 is inside";
  EXPECT_TRUE(eventWithUid(r.body, uidOf("1034")).empty()) << "2026-12-23 is after the window";
  EXPECT_TRUE(eventWithUid(r.body, uidOf("1040")).empty()) << "2027-01-23 is after the window";
  // The workshop keeps its periods inside the window only.
  EXPECT_NE(r.body.find("UID:event-evt-workshop-w1@"), std::string::npos);
  EXPECT_NE(r.body.find("UID:event-evt-workshop-w3@"), std::string::npos);

  const auto fb = get("/feeds/" + token + ".ics?format=freebusy");
  EXPECT_NE(fb.body.find("DTSTART:20261105T000000Z\r\n"), std::string::npos) << fb.body;
  EXPECT_NE(fb.body.find("DTEND:20261216T000000Z\r\n"), std::string::npos) << fb.body;
}

TEST_F(FeedHandlerTest, Feed_UnknownFormat_Returns400) {
  const auto token = createFeed(engine::FeedScope::All);
  start();
  EXPECT_EQ(get("/feeds/" + token + ".ics?format=pdf").status, 400);
}

TEST_F(FeedHandlerTest, Feed_ConcurrentRequests_RenderOnce) {
  const auto token = createFeed(engine::FeedScope::All);
  start();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j)
        if (get("/feeds/" + token + ".ics").status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(feeds_->cacheStats().renders, 1u);
}

TEST(FeedHeaders, AcceptEncodingAndIfNoneMatch) {
  EXPECT_TRUE(acceptsGzip("gzip"));
  EXPECT_TRUE(acceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(acceptsGzip("*"));
  EXPECT_FALSE(acceptsGzip("gzip;q=0, *"));
  EXPECT_FALSE(acceptsGzip("br, deflate"));
  EXPECT_FALSE(acceptsGzip(""));
  EXPECT_TRUE(noneMatchHits("*", "\"1-a\""));
  EXPECT_TRUE(noneMatchHits("\"x\" , W/\"1-a-gz\"", "\"1-a\""));
  EXPECT_FALSE(noneMatchHits("\"1-ab\"", "\"1-a\""));
}

}  // namespace
}  // namespace creneau::bridge
