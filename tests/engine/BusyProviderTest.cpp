// Google freeBusy and Graph getSchedule busy sources against the emulators,
// with faults (issue 5, items 1, 3 and 5). Tokens come from a small test
// TokenSource that does the emulator's OAuth dance itself (authorization code
// with PKCE, then a refresh grant per token), so these tests do not depend on
// the connections module.

#include <gtest/gtest.h>

#include <Poco/Base64Encoder.h>
#include <Poco/SHA2Engine.h>

#include "BusyTestSupport.h"
#include "EmulatorProcess.h"
#include "engine/busy/BusyFetch.h"

namespace creneau::engine::busy {
namespace {

using test::BusyStoreFixture;
using test::EmulatorProcess;
using test::utc;

std::string base64Url(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  enc << bytes;
  enc.close();
  return out.str();
}

std::string queryValue(const std::string& url, const std::string& name) {
  const auto p = url.find(name + "=");
  if (p == std::string::npos) return {};
  const auto e = url.find('&', p);
  std::string v =
      url.substr(p + name.size() + 1, e == std::string::npos ? e : e - p - name.size() - 1);
  std::string out;
  Poco::URI::decode(v, out);
  return out;
}

class EmulatorTokens : public connections::TokenSource {
 public:
  EmulatorTokens(net::HttpClient& http, std::string authorizeUrl, std::string tokenUrl,
                 const std::string& scope, const std::string& user)
      : http_(http), tokenUrl_(std::move(tokenUrl)) {
    const std::string verifier(64, 'v');
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(verifier);
    const auto& d = sha.digest();
    const std::string challenge = base64Url(std::string(d.begin(), d.end()));
    const std::string redirect = "http://127.0.0.1:1/callback";
    net::HttpRequest auth;
    auth.url = authorizeUrl + "?" +
               net::formEncode({{"client_id", "cid"},
                                {"redirect_uri", redirect},
                                {"response_type", "code"},
                                {"scope", scope},
                                {"state", "s"},
                                {"code_challenge", challenge},
                                {"code_challenge_method", "S256"},
                                {"login_hint", user}}) +
               (authorizeUrl.find("googleapis") == std::string::npos &&
                        authorizeUrl.find("/o/oauth2/") != std::string::npos
                    ? "&access_type=offline"
                    : "");
    auto a = http_.send(auth);
    if (!a || a->status != 302) throw std::runtime_error("authorize failed");
    const std::string code = queryValue(a->header("Location").value_or(""), "code");
    auto t = grant({{"grant_type", "authorization_code"},
                    {"code", code},
                    {"redirect_uri", redirect},
                    {"client_id", "cid"},
                    {"code_verifier", verifier}});
    if (!t) throw std::runtime_error("code exchange failed: " + t.message);
  }

  connections::TokenResult accessToken(Id, bool) override {
    std::lock_guard lock(mutex_);
    return grant(
        {{"grant_type", "refresh_token"}, {"refresh_token", refresh_}, {"client_id", "cid"}});
  }

 private:
  connections::TokenResult grant(const std::vector<std::pair<std::string, std::string>>& form) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = tokenUrl_;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    req.body = net::formEncode(form);
    connections::TokenResult out;
    auto r = http_.send(req);
    if (!r) {
      out.message = r.failure().message;
      return out;
    }
    auto o = Poco::JSON::Parser().parse(r->body).extract<Poco::JSON::Object::Ptr>();
    if (r->status != 200) {
      const auto error = o->optValue<std::string>("error", "");
      out.failure = error == "invalid_grant" ? connections::TokenFailure::NeedsReconnect
                                             : connections::TokenFailure::Transient;
      out.message = "token endpoint: " + error;
      return out;
    }
    if (o->has("refresh_token")) refresh_ = o->getValue<std::string>("refresh_token");
    out.token = connections::AccessToken{o->getValue<std::string>("access_token"), 0};
    return out;
  }

  net::HttpClient& http_;
  std::string tokenUrl_;
  std::string refresh_;
  std::mutex mutex_;
};

Id insertConnection(SqlAccess& sql, const char* provider, Id owner, const std::string& account,
                    const std::string& busyCalendars) {
  auto s = sql.sqlSession();
  Poco::Int64 id = 0;
  Poco::Int64 o = owner;
  std::string p = provider, a = account, b = busyCalendars;
  using Poco::Data::Keywords::into;
  using Poco::Data::Keywords::now;
  using Poco::Data::Keywords::use;
  s << "INSERT INTO connections (provider, owner, account, calendar_id, busy_calendars, "
       "refresh_token, access_token, access_expires_at, scopes, healthy, health_reason, "
       "connected_at, last_refresh_at) VALUES (?, ?, ?, '', ?, '', '', 0, '', 1, '', 0, 0) "
       "RETURNING id",
      use(p), use(o), use(a), use(b), into(id), now;
  return id;
}

int requestsTo(const EmulatorProcess& emu, const std::string& pathEnd) {
  auto root = Poco::JSON::Parser()
                  .parse(emu.get("/_emulator/requests").body)
                  .extract<Poco::JSON::Object::Ptr>();
  auto list = root->getArray("requests");
  int n = 0;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto path = list->getObject(i)->getValue<std::string>("path");
    n += path.ends_with(pathEnd) ? 1 : 0;
  }
  return n;
}

class BusyProviderTest : public ::testing::Test {
 protected:
  BusyProviderTest() : fx_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    http_ = net::makeHttpClient({});
  }
  Id addConnectionSource(SourceKind kind, Id connection) {
    NewSource s;
    s.employeeId = fx_.employee();
    s.kind = kind;
    s.connectionId = connection;
    s.label = kind == SourceKind::Google ? "work" : "office";
    return fx_.busy().add(s);
  }
  void importAppointmentAt14Utc() {
    (void)fx_.store().apply(JsonImporter().parse(R"({"version": 1, "appointments": [
      {"id": "a1", "service": "s1", "employee": "e1", "start": "2026-12-01T15:00:00+01:00",
       "end": "2026-12-01T16:00:00+01:00", "status": "approved"}]})",
                                                 fx_.store()));
  }

  BusyStoreFixture fx_;
  std::unique_ptr<net::HttpClient> http_;
};

std::string googleEvent(const std::string& cal, const std::string& id, const std::string& start,
                        const std::string& end, const std::string& extra = "") {
  return R"({"user": "anna@example.com", "calendarId": ")" + cal + R"(", "id": ")" + id +
         R"(", "start": {"dateTime": ")" + start + R"("}, "end": {"dateTime": ")" + end + R"("})" +
         extra + "}";
}

TEST_F(BusyProviderTest, GoogleFreeBusySplitsCalendarsAndWindowAndSubtractsOwnAppointments) {
  EmulatorProcess google("google_emulator.py");
  std::string calendars, ids = R"(["primary")";
  for (int i = 0; i < 60; ++i) {
    const std::string id = "cal" + std::to_string(i) + "@example.com";
    calendars += std::string(i ? "," : "") + R"({"id": ")" + id +
                 R"(", "owner": "anna@example.com", "timeZone": "Europe/Paris"})";
    ids += R"(, ")" + id + R"(")";
  }
  ids += "]";
  const auto seeded = google.seed(
      R"({"calendars": [)" + calendars + R"(], "events": [)" +
      googleEvent("primary", "b0000001", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z") + "," +
      googleEvent("cal59@example.com", "b0000002", "2026-12-01T11:00:00Z", "2026-12-01T12:00:00Z") +
      "," +
      googleEvent("primary", "b0000003", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z",
                  R"(, "transparency": "transparent")") +
      "," + googleEvent("primary", "b0000004", "2026-12-01T14:00:00Z", "2026-12-01T15:00:00Z") +
      "," + googleEvent("primary", "b0000005", "2026-12-02T16:00:00Z", "2026-12-02T17:00:00Z") +
      "]}");
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  importAppointmentAt14Utc();  // b0000004 is "our" exported event: same time
  // b0000005 is the copy of our group event's period.
  (void)fx_.store().apply(JsonImporter().parse(R"({"version": 1, "events": [
      {"id": "ev1", "name": "Workshop", "organizer": "e1", "status": "approved", "capacity": 5,
       "periods": [{"id": "p1", "start": "2026-12-02T16:00:00Z", "end": "2026-12-02T17:00:00Z"}]}]})",
                                               fx_.store()));
  EmulatorTokens tokens(*http_, google.baseUrl() + "/o/oauth2/v2/auth", google.baseUrl() + "/token",
                        "https://www.googleapis.com/auth/calendar", "anna@example.com");
  const Id conn =
      insertConnection(*fx_.store().sqlAccess(), "google", fx_.employee(), "anna@example.com", ids);
  const Id id = addConnectionSource(SourceKind::Google, conn);
  connections::ProviderEndpoints endpoints;
  endpoints.googleApiUrl = google.baseUrl();

  const auto r = fx_.refresh(&tokens, endpoints);
  ASSERT_TRUE(r[0].ok) << r[0].error;
  // 61 calendars in groups of 50, 91 days in windows of 90: 4 calls.
  EXPECT_EQ(r[0].requests, 4);
  EXPECT_EQ(requestsTo(google, "/freeBusy"), 4);
  const auto periods = fx_.busy().sourcePeriods(id);
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0].start, utc(2026, 12, 1, 9));
  EXPECT_EQ(periods[1].start, utc(2026, 12, 1, 11));
  EXPECT_EQ(google.violations().body.find("\"seq\""), std::string::npos)
      << google.violations().body;

  const auto slots = BusyStoreFixture::starts(fx_.slots());
  EXPECT_EQ(slots, (std::vector<std::string>{"09:00", "11:00", "13:00", "14:00", "16:00"}));

  // busy.remove_busy_slots off: the Google calendar no longer hides slots.
  fx_.store().setSetting("busy.remove_busy_slots", "false");
  EXPECT_EQ(fx_.slots().result.slots.size(), 7u);  // all but our appointment's hour
}

TEST_F(BusyProviderTest, GoogleFaultsMarkTheSourceInErrorAndKeepThePreviousPeriods) {
  EmulatorProcess google("google_emulator.py");
  ASSERT_EQ(
      google
          .seed(R"({"events": [)" +
                googleEvent("primary", "b0000001", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z") +
                "]}")
          .status,
      200);
  EmulatorTokens tokens(*http_, google.baseUrl() + "/o/oauth2/v2/auth", google.baseUrl() + "/token",
                        "https://www.googleapis.com/auth/calendar", "anna@example.com");
  const Id conn = insertConnection(*fx_.store().sqlAccess(), "google", fx_.employee(),
                                   "anna@example.com", "[]");
  const Id id = addConnectionSource(SourceKind::Google, conn);
  connections::ProviderEndpoints endpoints;
  endpoints.googleApiUrl = google.baseUrl();
  RefreshOptions options;
  options.requestTimeout = std::chrono::milliseconds(700);
  ASSERT_TRUE(fx_.refresh(&tokens, endpoints, options)[0].ok);
  fx_.busy().setEmployeePolicy(fx_.employee(), Policy::Mark);

  struct Case {
    const char* rule;
    const char* expected;
  };
  for (const auto& c : {
           Case{R"({"path": "freeBusy", "action": "500"})", "HTTP 500"},
           Case{R"({"path": "freeBusy", "action": "429", "retryAfter": 7})", "retry after 7"},
           Case{R"({"path": "freeBusy", "action": "delay", "delayMs": 2000})", "timeout"},
           Case{R"({"action": "invalid-grant"})", "connected again"},
       }) {
    SCOPED_TRACE(c.rule);
    ASSERT_EQ(google.faults(c.rule).status, 200);
    const auto r = fx_.refresh(&tokens, endpoints, options);
    ASSERT_FALSE(r[0].ok);
    EXPECT_NE(r[0].error.find(c.expected), std::string::npos) << r[0].error;
    const auto src = *fx_.busy().source(id);
    EXPECT_EQ(src.status, SourceStatus::Error);
    EXPECT_EQ(src.message, r[0].error);
    EXPECT_EQ(fx_.busy().sourcePeriods(id).size(), 1u);  // previous periods kept
    const auto slots = BusyStoreFixture::starts(fx_.slots());
    ASSERT_EQ(slots.size(), 7u);  // 10:00 Paris still busy, the rest marked
    EXPECT_EQ(slots.front(), "09:00?");
    (void)google.request("DELETE", "/_emulator/faults");
  }
}

std::string graphEvent(const std::string& subject, const std::string& showAs, int hour,
                       bool cancelled = false) {
  char start[32], end[32];
  std::snprintf(start, sizeof start, "2026-12-01T%02d:00:00", hour);
  std::snprintf(end, sizeof end, "2026-12-01T%02d:00:00", hour + 1);
  return R"({"user": "carol@contoso.example", "subject": ")" + subject + R"(", "showAs": ")" +
         showAs + R"(", "isAllDay": false, "start": {"dateTime": ")" + start +
         R"(", "timeZone": "UTC"}, "end": {"dateTime": ")" + end +
         R"(", "timeZone": "UTC"}, "isCancelled": )" + (cancelled ? "true" : "false") + "}";
}

TEST_F(BusyProviderTest, GraphGetScheduleSplitsSchedulesAndWindowAndFollowsShowAs) {
  EmulatorProcess graph("graph_emulator.py");
  std::string users = R"({"mail": "carol@contoso.example", "timeZone": "Europe/Paris"})";
  std::string schedules = R"(["carol@contoso.example")";
  for (int i = 0; i < 24; ++i) {
    const std::string mail = "user" + std::to_string(i) + "@contoso.example";
    users += R"(, {"mail": ")" + mail + R"(", "timeZone": "UTC"})";
    schedules += R"(, ")" + mail + R"(")";
  }
  schedules += "]";
  const auto seeded = graph.seed(
      R"({"users": [)" + users + R"(], "events": [)" + graphEvent("Busy", "busy", 9) + "," +
      graphEvent("Free", "free", 10) + "," + graphEvent("Elsewhere", "workingElsewhere", 11) + "," +
      graphEvent("Maybe", "tentative", 12) + "," + graphEvent("Away", "oof", 13) + "," +
      graphEvent("Called off", "busy", 15, true) + "]}");
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  EmulatorTokens tokens(*http_, graph.baseUrl() + "/common/oauth2/v2.0/authorize",
                        graph.baseUrl() + "/common/oauth2/v2.0/token",
                        "offline_access Calendars.Read", "carol@contoso.example");
  const Id conn = insertConnection(*fx_.store().sqlAccess(), "microsoft", fx_.employee(),
                                   "carol@contoso.example", schedules);
  const Id id = addConnectionSource(SourceKind::Microsoft, conn);
  connections::ProviderEndpoints endpoints;
  endpoints.graphUrl = graph.baseUrl();

  const auto r = fx_.refresh(&tokens, endpoints);
  ASSERT_TRUE(r[0].ok) << r[0].error;
  // 25 schedules in groups of 20, 91 days in windows under 62 days: 4 calls.
  EXPECT_EQ(r[0].requests, 4);
  EXPECT_EQ(requestsTo(graph, "/getSchedule"), 4);
  std::vector<std::string> subjects;
  for (const auto& p : fx_.busy().sourcePeriods(id)) subjects.push_back(p.summary);
  EXPECT_EQ(subjects, (std::vector<std::string>{"Busy", "Away"}));
  EXPECT_EQ(graph.violations().body.find("\"seq\""), std::string::npos) << graph.violations().body;

  const auto a = fx_.slots(true);
  bool sawBusy = false;
  for (const auto& rej : a.result.rejected)
    for (const auto& reason : rej.reasons)
      if (reason.kind == SlotReasonKind::Busy && reason.summary == "Busy") {
        sawBusy = true;
        EXPECT_EQ(reason.sourceName, "office (Microsoft)");
      }
  EXPECT_TRUE(sawBusy);

  // A 503: the source is in error, its periods stay, the slots are hidden.
  ASSERT_EQ(graph.faults(R"({"path": "getSchedule", "action": "503", "retryAfter": 3})").status,
            200);
  const auto failed = fx_.refresh(&tokens, endpoints);
  ASSERT_FALSE(failed[0].ok);
  EXPECT_NE(failed[0].error.find("HTTP 503"), std::string::npos) << failed[0].error;
  EXPECT_EQ(fx_.busy().sourcePeriods(id).size(), 2u);
  EXPECT_TRUE(fx_.slots().result.slots.empty());  // default policy: hide
}

}  // namespace
}  // namespace creneau::engine::busy
