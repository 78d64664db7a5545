// The OAuth routes through a real server on port 0, the Google and Graph
// emulators as providers: start -> consent -> callback, and every way the
// callback must refuse (400, nothing stored).
#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "bridge/auth/BasicAuth.h"
#include "bridge/auth/Password.h"
#include "bridge/oauth/OAuthHandler.h"
#include "bridge/oauth/OAuthSetup.h"
#include "bridge/server/Server.h"
#include "engine/import/JsonImporter.h"
#include "engine/secrets/StoreKey.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/EmulatorProcess.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;
using engine::connections::Provider;

constexpr const char* kPassword = "correct horse battery";

struct Reply {
  int status = 0;
  std::string body;
  std::string location;
};

Reply httpGet(const std::string& url, const std::string& login = {}) {
  Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest req("GET", uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  if (!login.empty()) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << login << ':' << kPassword;
    enc.close();
    req.set("Authorization", "Basic " + out.str());
  }
  session.sendRequest(req);
  Poco::Net::HTTPResponse head;
  std::istream& in = session.receiveResponse(head);
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  return {static_cast<int>(head.getStatus()), body.str(), head.get("Location", "")};
}

std::string queryValue(const std::string& url, const std::string& name) {
  for (const auto& [k, v] : Poco::URI(url).getQueryParameters())
    if (k == name) return v;
  return {};
}

std::string withQueryValue(const std::string& url, const std::string& name,
                           const std::string& value) {
  Poco::URI uri(url);
  auto params = uri.getQueryParameters();
  for (auto& [k, v] : params)
    if (k == name) v = value;
  uri.setQueryParameters(params);
  return uri.toString();
}

class OAuthFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("oauth-flow-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    dbPath_ = (dir_ / "creneau.db").string();
    store_ = std::make_unique<engine::SqliteStore>(dbPath_);
    (void)store_->apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), *store_));
    addUser("admin", {});
    addUser("sophie", "emp-sophie");

    engine::connections::ConnectionServiceOptions options;
    options.endpoints.googleAuthUrl = google_.baseUrl() + "/o/oauth2/v2/auth";
    options.endpoints.googleTokenUrl = google_.baseUrl() + "/token";
    options.endpoints.googleApiUrl = google_.baseUrl();
    options.endpoints.msLoginUrl = graph_.baseUrl();
    options.endpoints.graphUrl = graph_.baseUrl();
    options.clock = [this] { return now_.load(); };
    auto setup = makeConnectionService(*store_, dbPath_, options);
    ASSERT_TRUE(setup.service) << setup.problem;
    service_ = setup.service;

    auth_ = std::make_unique<BasicAuth>(*store_);
    addOAuthRoutes(router_, *store_, *auth_, service_);
    ServerConfig config;
    config.port = 0;
    config.threads = 4;
    config.stopTimeout = 5s;
    server_ = std::make_unique<Server>(config, router_);
    server_->start();

    // The client secrets are stored sealed, as 'creneau settings' does.
    auto box = engine::secrets::secretBoxFor(dbPath_);
    ASSERT_TRUE(box);
    store_->setSetting("google.client_id", "1234-test.apps.googleusercontent.com");
    store_->setSetting("google.client_secret", box->seal("google-secret").value());
    store_->setSetting("google.redirect_uri", server_->localUrl() + "/oauth/google/callback");
    store_->setSetting("microsoft.client_id", "11111111-2222-3333-4444-555555555555");
    store_->setSetting("microsoft.client_secret", box->seal("ms-secret").value());
    store_->setSetting("microsoft.redirect_uri", server_->localUrl() + "/oauth/microsoft/callback");
    store_->setSetting("microsoft.tenant", "common");
  }

  void TearDown() override {
    if (server_) server_->stop(2s);
  }

  void addUser(const std::string& login, const std::string& employeeExt) {
    engine::NewUser u;
    u.login = login;
    u.role = employeeExt.empty() ? engine::Role::Admin : engine::Role::Employee;
    if (!employeeExt.empty()) u.employeeId = store_->employeeByExternalId(employeeExt)->id;
    u.password = hashPassword(kPassword, kMinPasswordIterations);
    ASSERT_TRUE(store_->addUser(u));
  }

  std::string url(const std::string& pathAndQuery) const {
    return server_->localUrl() + pathAndQuery;
  }

  // start (as `login`) and consent: the callback URL the provider sends the browser to.
  std::string consentFor(const std::string& startPath, const std::string& login = "admin") {
    const Reply start = httpGet(url(startPath), login);
    EXPECT_EQ(start.status, 302) << start.body;
    const Reply consent = httpGet(start.location);
    EXPECT_EQ(consent.status, 302) << consent.body;
    EXPECT_EQ(queryValue(consent.location, "error"), "") << consent.location;
    return consent.location;
  }

  std::string databaseBytes() const {
    std::string all;
    for (const char* name : {"creneau.db", "creneau.db-wal"})
      if (std::filesystem::exists(dir_ / name)) all += test::readFile(dir_ / name);
    return all;
  }

  engine::Id sophie() const { return store_->employeeByExternalId("emp-sophie")->id; }

  test::EmulatorProcess google_{
      "google_emulator.py",
      {"--client-id", "1234-test.apps.googleusercontent.com", "--client-secret", "google-secret"}};
  test::EmulatorProcess graph_{
      "graph_emulator.py",
      {"--client-id", "11111111-2222-3333-4444-555555555555", "--client-secret", "ms-secret"}};
  std::filesystem::path dir_;
  std::string dbPath_;
  std::atomic<engine::UnixTime> now_{static_cast<engine::UnixTime>(std::time(nullptr))};
  std::unique_ptr<engine::SqliteStore> store_;
  std::shared_ptr<engine::connections::ConnectionService> service_;
  std::unique_ptr<BasicAuth> auth_;
  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(OAuthFlowTest, GoogleStartConsentCallback_StoresConnectionWithAccountAndSealedToken) {
  const Reply start = httpGet(url("/oauth/google/start?employee=emp-sophie"), "admin");
  ASSERT_EQ(start.status, 302) << start.body;
  ASSERT_TRUE(start.location.starts_with(google_.baseUrl() + "/o/oauth2/v2/auth?"));
  EXPECT_EQ(queryValue(start.location, "access_type"), "offline");
  EXPECT_EQ(queryValue(start.location, "prompt"), "consent");
  EXPECT_EQ(queryValue(start.location, "code_challenge_method"), "S256");
  EXPECT_EQ(queryValue(start.location, "code_challenge").size(), 43u);
  EXPECT_EQ(queryValue(start.location, "redirect_uri"), url("/oauth/google/callback"));

  const Reply consent = httpGet(start.location);
  ASSERT_EQ(consent.status, 302);
  const Reply done = httpGet(consent.location);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("sophie@salon-lumiere.example"), std::string::npos) << done.body;
  EXPECT_NE(done.body.find("Sophie Martin-Dubois"), std::string::npos) << done.body;

  const auto list = service_->store().list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].provider, Provider::Google);
  EXPECT_EQ(list[0].employeeId, std::optional<engine::Id>(sophie()));
  EXPECT_EQ(list[0].account, "sophie@salon-lumiere.example");
  EXPECT_EQ(list[0].calendarId, "primary");
  EXPECT_TRUE(list[0].healthy);
  const auto tokens = service_->store().tokens(list[0].id);
  ASSERT_TRUE(tokens) << tokens.problem;
  ASSERT_GE(tokens.tokens->refreshToken.size(), 8u);
  EXPECT_EQ(databaseBytes().find(tokens.tokens->refreshToken), std::string::npos)
      << "the refresh token is in the database file in plain text";
  EXPECT_EQ(databaseBytes().find(tokens.tokens->accessToken), std::string::npos);
  // The token works at the API.
  auto token = service_->tokens().accessToken(list[0].id);
  ASSERT_TRUE(token) << token.message;
  EXPECT_EQ(google_
                .request("GET", "/calendar/v3/users/me/calendarList", {}, "application/json",
                         token.token->value)
                .status,
            200);
  EXPECT_EQ(google_.violationCount(), 0) << google_.violations().body;
}

TEST_F(OAuthFlowTest, MicrosoftStartConsentCallback_StoresConnectionWithAccount) {
  const Reply start = httpGet(url("/oauth/microsoft/start?employee=emp-sophie"), "sophie");
  ASSERT_EQ(start.status, 302) << start.body;
  ASSERT_TRUE(start.location.starts_with(graph_.baseUrl() + "/common/oauth2/v2.0/authorize?"));
  EXPECT_NE(queryValue(start.location, "scope").find("offline_access"), std::string::npos);
  EXPECT_NE(queryValue(start.location, "scope").find("Calendars.ReadWrite"), std::string::npos);
  EXPECT_EQ(queryValue(start.location, "response_mode"), "query");
  const Reply consent = httpGet(start.location);
  ASSERT_EQ(consent.status, 302);
  const Reply done = httpGet(consent.location);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("sophie@salon-lumiere.example"), std::string::npos) << done.body;
  const auto list = service_->store().list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].provider, Provider::Microsoft);
  EXPECT_EQ(list[0].account, "sophie@salon-lumiere.example");
  EXPECT_EQ(list[0].calendarId, "");
  const auto tokens = service_->store().tokens(list[0].id);
  ASSERT_TRUE(tokens);
  EXPECT_EQ(databaseBytes().find(tokens.tokens->refreshToken), std::string::npos);
  auto token = service_->tokens().accessToken(list[0].id, true);
  ASSERT_TRUE(token) << token.message;
  EXPECT_EQ(graph_.request("GET", "/v1.0/me/calendars", {}, "application/json", token.token->value)
                .status,
            200);
  EXPECT_EQ(graph_.violationCount(), 0) << graph_.violations().body;
}

TEST_F(OAuthFlowTest, AdminWideCalendar_IsConnectedWithoutEmployee) {
  const std::string back =
      consentFor("/oauth/google/start?admin=1&login_hint=office@salon-lumiere.example");
  const Reply done = httpGet(back);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("admin-wide"), std::string::npos) << done.body;
  const auto list = service_->store().list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].employeeId);
  EXPECT_EQ(list[0].account, "office@salon-lumiere.example");
}

TEST_F(OAuthFlowTest, TamperedState_Answers400AndStoresNothing) {
  const std::string back = consentFor("/oauth/google/start?employee=emp-sophie");
  std::string state = queryValue(back, "state");
  state[state.size() / 2] = state[state.size() / 2] == 'A' ? 'B' : 'A';
  const Reply done = httpGet(withQueryValue(back, "state", state));
  EXPECT_EQ(done.status, 400);
  EXPECT_NE(done.body.find("altered"), std::string::npos) << done.body;
  EXPECT_TRUE(service_->store().list().empty());
}

TEST_F(OAuthFlowTest, MissingState_Answers400AndStoresNothing) {
  const std::string back = consentFor("/oauth/google/start?employee=emp-sophie");
  const Reply done = httpGet(url("/oauth/google/callback?code=" + queryValue(back, "code")));
  EXPECT_EQ(done.status, 400);
  EXPECT_NE(done.body.find("no state"), std::string::npos) << done.body;
  EXPECT_TRUE(service_->store().list().empty());
}

TEST_F(OAuthFlowTest, ExpiredState_Answers400AndStoresNothing) {
  const std::string back = consentFor("/oauth/google/start?employee=emp-sophie");
  now_ += 11 * 60;
  const Reply done = httpGet(back);
  EXPECT_EQ(done.status, 400);
  EXPECT_NE(done.body.find("expired"), std::string::npos) << done.body;
  EXPECT_TRUE(service_->store().list().empty());
}

TEST_F(OAuthFlowTest, StateOfTheOtherProvider_Answers400AndStoresNothing) {
  const std::string back = consentFor("/oauth/google/start?employee=emp-sophie");
  const Reply done = httpGet(url("/oauth/microsoft/callback?code=" + queryValue(back, "code") +
                                 "&state=" + queryValue(back, "state")));
  EXPECT_EQ(done.status, 400);
  EXPECT_NE(done.body.find("started for Google"), std::string::npos) << done.body;
  EXPECT_TRUE(service_->store().list().empty());
}

TEST_F(OAuthFlowTest, ReplayedCode_Answers400AndChangesNothing) {
  const std::string back = consentFor("/oauth/microsoft/start?employee=emp-sophie");
  ASSERT_EQ(httpGet(back).status, 200);
  const auto before = service_->store().list();
  now_ += 5;
  const Reply again = httpGet(back);
  EXPECT_EQ(again.status, 400);
  EXPECT_NE(again.body.find("already used"), std::string::npos) << again.body;
  EXPECT_EQ(service_->store().list(), before);
}

TEST_F(OAuthFlowTest, ProviderError_Answers400WithReasonAndStoresNothing) {
  const Reply start = httpGet(url("/oauth/google/start?employee=emp-sophie"), "admin");
  const Reply done = httpGet(url("/oauth/google/callback?error=access_denied&state=" +
                                 queryValue(start.location, "state")));
  EXPECT_EQ(done.status, 400);
  EXPECT_NE(done.body.find("access_denied"), std::string::npos) << done.body;
  EXPECT_NE(done.body.find("declined"), std::string::npos) << done.body;
  EXPECT_TRUE(service_->store().list().empty());
}

TEST_F(OAuthFlowTest, EmployeeStartingForAnotherEmployee_Answers403) {
  EXPECT_EQ(httpGet(url("/oauth/google/start?employee=emp-lea"), "sophie").status, 403);
  EXPECT_EQ(httpGet(url("/oauth/google/start?admin=1"), "sophie").status, 403);
  EXPECT_EQ(httpGet(url("/oauth/google/start?employee=emp-sophie"), "sophie").status, 302);
  EXPECT_EQ(httpGet(url("/oauth/google/start?employee=emp-sophie")).status, 401);
  EXPECT_EQ(httpGet(url("/oauth/google/start?employee=nobody"), "admin").status, 404);
  EXPECT_EQ(httpGet(url("/oauth/google/start"), "admin").status, 400);
  EXPECT_EQ(httpGet(url("/oauth/yahoo/start?employee=emp-sophie"), "admin").status, 404);
}

TEST_F(OAuthFlowTest, UnconfiguredProvider_Answers503NamingTheSettings) {
  store_->setSetting("microsoft.client_id", "");
  const Reply r = httpGet(url("/oauth/microsoft/start?employee=emp-sophie"), "admin");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("microsoft.client_id"), std::string::npos) << r.body;
}

TEST_F(OAuthFlowTest, ReconnectAfterInvalidGrant_HealsTheSameConnection) {
  ASSERT_EQ(httpGet(consentFor("/oauth/google/start?employee=emp-sophie")).status, 200);
  const auto id = service_->store().list().at(0).id;
  now_ += 4000;  // the cached access token has expired
  google_.faults(R"({"action": "invalid-grant"})");
  const auto refused = service_->tokens().accessToken(id);
  EXPECT_EQ(refused.failure, engine::connections::TokenFailure::NeedsReconnect);
  EXPECT_FALSE(service_->store().byId(id)->healthy);

  const Reply done = httpGet(consentFor("/oauth/google/start?employee=emp-sophie", "sophie"));
  ASSERT_EQ(done.status, 200) << done.body;
  const auto list = service_->store().list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].id, id);
  EXPECT_TRUE(list[0].healthy);
  EXPECT_TRUE(service_->tokens().accessToken(id));
}

TEST_F(OAuthFlowTest, ReconnectWithAnotherAccount_IsAllowedAndReported) {
  ASSERT_EQ(httpGet(consentFor("/oauth/google/start?employee=emp-sophie")).status, 200);
  const auto id = service_->store().list().at(0).id;
  const Reply done = httpGet(
      consentFor("/oauth/google/start?employee=emp-sophie&login_hint=sophie.private@example.com"));
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("replaces the account"), std::string::npos) << done.body;
  EXPECT_NE(done.body.find("sophie@salon-lumiere.example"), std::string::npos);
  const auto list = service_->store().list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].id, id);
  EXPECT_EQ(list[0].account, "sophie.private@example.com");
}

// The real executable: `creneau serve` registers the routes and takes the
// provider endpoints from CRENEAU_GOOGLE_* in its environment.
TEST(OAuthServe, CreneauServe_ConnectsAGoogleCalendarThroughTheEmulator) {
  test::EmulatorProcess google("google_emulator.py",
                               {"--client-id", "1234-test.apps.googleusercontent.com"});
  const auto dir = test::scratchDir("oauth-serve");
  const std::string db = (dir / "creneau.db").string();
  {
    engine::SqliteStore store(db);
    (void)store.apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), store));
    engine::NewUser u;
    u.login = "admin";
    u.role = engine::Role::Admin;
    u.password = hashPassword(kPassword, kMinPasswordIterations);
    ASSERT_TRUE(store.addUser(u));
    auto box = engine::secrets::secretBoxFor(db);
    ASSERT_TRUE(box);
    store.setSetting("google.client_id", "1234-test.apps.googleusercontent.com");
    store.setSetting("google.client_secret", box->seal("google-secret").value());
  }
  Poco::Process::Env env;
  env["CRENEAU_GOOGLE_AUTH_URL"] = google.baseUrl() + "/o/oauth2/v2/auth";
  env["CRENEAU_GOOGLE_TOKEN_URL"] = google.baseUrl() + "/token";
  env["CRENEAU_GOOGLE_API_URL"] = google.baseUrl();
  Poco::Pipe outPipe, errPipe;
  Poco::ProcessHandle ph = Poco::Process::launch(test::creneauBinary().string(),
                                                 {"serve", "--listen", "127.0.0.1:0", "--db", db},
                                                 {}, nullptr, &outPipe, &errPipe, env);
  Poco::PipeInputStream outStream(outPipe);
  std::string firstLine;
  std::getline(outStream, firstLine);
  ASSERT_TRUE(firstLine.starts_with("listening on http://")) << firstLine;
  const std::string base = firstLine.substr(std::string("listening on ").size());
  {
    engine::SqliteStore store(db);
    store.setSetting("google.redirect_uri", base + "/oauth/google/callback");
  }
  const Reply start = httpGet(base + "/oauth/google/start?employee=emp-sophie", "admin");
  EXPECT_EQ(start.status, 302) << start.body;
  const Reply consent = httpGet(start.location);
  EXPECT_EQ(consent.status, 302);
  const Reply done = httpGet(consent.location);
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("sophie@salon-lumiere.example"), std::string::npos);
  ::kill(ph.id(), SIGTERM);
  EXPECT_EQ(ph.wait(), 0);
  EXPECT_EQ(google.violationCount(), 0) << google.violations().body;
  engine::SqliteStore store(db);
  auto setup = makeConnectionService(store, db);
  ASSERT_TRUE(setup.service) << setup.problem;
  const auto list = setup.service->store().list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].account, "sophie@salon-lumiere.example");
}

}  // namespace
}  // namespace creneau::bridge
