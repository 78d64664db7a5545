// `creneau connections ...` in process, on a database whose connections were
// made through the real flow against the Google and Graph emulators.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "bridge/cli/Commands.h"
#include "bridge/oauth/OAuthSetup.h"
#include "engine/import/JsonImporter.h"
#include "engine/secrets/StoreKey.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/EmulatorProcess.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using engine::connections::Provider;

constexpr const char* kGoogleClient = "1234-test.apps.googleusercontent.com";
constexpr const char* kMsClient = "11111111-2222-3333-4444-555555555555";
constexpr const char* kGoogleCallback = "http://127.0.0.1:9/oauth/google/callback";
constexpr const char* kMsCallback = "http://127.0.0.1:9/oauth/microsoft/callback";

struct CliRun {
  int status = 0;
  std::string out;
  std::string err;
};

std::string queryValue(const std::string& url, const std::string& name) {
  for (const auto& [k, v] : Poco::URI(url).getQueryParameters())
    if (k == name) return v;
  return {};
}

class ConnectionsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The CLI finds the providers through the environment, as in production.
    setenv("CRENEAU_GOOGLE_AUTH_URL", (google_.baseUrl() + "/o/oauth2/v2/auth").c_str(), 1);
    setenv("CRENEAU_GOOGLE_TOKEN_URL", (google_.baseUrl() + "/token").c_str(), 1);
    setenv("CRENEAU_GOOGLE_API_URL", google_.baseUrl().c_str(), 1);
    setenv("CRENEAU_MS_LOGIN_URL", graph_.baseUrl().c_str(), 1);
    setenv("CRENEAU_GRAPH_URL", graph_.baseUrl().c_str(), 1);

    const auto dir =
        test::scratchDir(std::string("connections-cli-") +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    dbPath_ = (dir / "creneau.db").string();
    store_ = std::make_unique<engine::SqliteStore>(dbPath_);
    (void)store_->apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), *store_));
    auto box = engine::secrets::secretBoxFor(dbPath_);
    ASSERT_TRUE(box);
    store_->setSetting("google.client_id", kGoogleClient);
    store_->setSetting("google.client_secret", box->seal("google-secret").value());
    store_->setSetting("google.redirect_uri", kGoogleCallback);
    store_->setSetting("microsoft.client_id", kMsClient);
    store_->setSetting("microsoft.client_secret", box->seal("ms-secret").value());
    store_->setSetting("microsoft.redirect_uri", kMsCallback);
    auto setup = makeConnectionService(*store_, dbPath_);
    ASSERT_TRUE(setup.service) << setup.problem;
    service_ = setup.service;
  }

  void TearDown() override {
    for (const char* v : {"CRENEAU_GOOGLE_AUTH_URL", "CRENEAU_GOOGLE_TOKEN_URL",
                          "CRENEAU_GOOGLE_API_URL", "CRENEAU_MS_LOGIN_URL", "CRENEAU_GRAPH_URL"})
      unsetenv(v);
  }

  // The whole authorization-code flow, the browser's part played here.
  engine::Id connect(Provider p, const std::string& employeeExt) {
    const auto employee = store_->employeeByExternalId(employeeExt);
    auto client = service_->client(p);
    EXPECT_TRUE(client) << client.error().message;
    const auto start = service_->flow().start(p, client.value(), employee->id, employee->email);
    Poco::URI uri(start.url);
    Poco::Net::HTTPClientSession s(uri.getHost(), uri.getPort());
    Poco::Net::HTTPRequest req("GET", uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    s.receiveResponse(resp).ignore(1 << 20);
    const std::string back = resp.get("Location", "");
    auto done = service_->complete(p, queryValue(back, "code"), queryValue(back, "state"));
    EXPECT_TRUE(done) << done.error().message;
    return done.value().connection.id;
  }

  CliRun cli(std::vector<std::string> args) const {
    args.insert(args.begin(), "connections");
    args.push_back("--db");
    args.push_back(dbPath_);
    std::ostringstream out, err;
    CliRun r;
    r.status = runCli(args, {out, err});
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  test::EmulatorProcess google_{"google_emulator.py",
                                {"--client-id", kGoogleClient, "--client-secret", "google-secret"}};
  test::EmulatorProcess graph_{"graph_emulator.py",
                               {"--client-id", kMsClient, "--client-secret", "ms-secret"}};
  std::string dbPath_;
  std::unique_ptr<engine::SqliteStore> store_;
  std::shared_ptr<engine::connections::ConnectionService> service_;
};

TEST_F(ConnectionsCommandTest, List_ShowsEveryConnectionWithEmployeeAccountAndHealth) {
  const auto g = connect(Provider::Google, "emp-sophie");
  const auto m = connect(Provider::Microsoft, "emp-lea");
  const auto r = cli({"list"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_NE(header.find("ACCOUNT"), std::string::npos) << r.out;
  EXPECT_TRUE(first.starts_with(std::to_string(g) + " ")) << r.out;
  EXPECT_NE(first.find("google"), std::string::npos);
  EXPECT_NE(first.find("emp-sophie"), std::string::npos);
  EXPECT_NE(first.find("sophie@salon-lumiere.example"), std::string::npos);
  EXPECT_NE(first.find("primary"), std::string::npos);
  EXPECT_NE(first.find("healthy"), std::string::npos);
  EXPECT_TRUE(second.starts_with(std::to_string(m) + " ")) << r.out;
  EXPECT_NE(second.find("microsoft"), std::string::npos);
  EXPECT_NE(second.find("lea@salon-lumiere.example"), std::string::npos);
}

TEST_F(ConnectionsCommandTest, List_ShowsWhyAConnectionIsUnhealthy) {
  const auto id = connect(Provider::Google, "emp-sophie");
  google_.faults(R"({"action": "invalid-grant"})");
  const auto refused = service_->tokens().accessToken(id, true);
  ASSERT_EQ(refused.failure, engine::connections::TokenFailure::NeedsReconnect);
  const auto r = cli({"list"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("UNHEALTHY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("invalid_grant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reconnect at /oauth/google/start?employee=emp-sophie"), std::string::npos)
      << r.out;

  const auto json = cli({"list", "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  auto list = Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Array::Ptr>();
  ASSERT_EQ(list->size(), 1u);
  auto o = list->getObject(0);
  EXPECT_EQ(o->getValue<engine::Id>("id"), id);
  EXPECT_EQ(o->getValue<std::string>("provider"), "google");
  EXPECT_EQ(o->getValue<std::string>("employee"), "emp-sophie");
  EXPECT_EQ(o->getValue<std::string>("account"), "sophie@salon-lumiere.example");
  EXPECT_FALSE(o->getValue<bool>("healthy"));
  EXPECT_NE(o->getValue<std::string>("reason").find("invalid_grant"), std::string::npos);
  // Nothing secret in either output.
  const auto tokens = service_->store().tokens(id);
  ASSERT_TRUE(tokens);
  EXPECT_EQ(r.out.find(tokens.tokens->refreshToken), std::string::npos);
  EXPECT_EQ(json.out.find(tokens.tokens->refreshToken), std::string::npos);
}

TEST_F(ConnectionsCommandTest, List_ShowsAConnectionWhoseBusyTimeCannotBeRead) {
  const auto id = connect(Provider::Google, "emp-sophie");
  std::ostringstream out, err;
  ASSERT_EQ(runCli({"busy", "source", "add", "--employee", "emp-sophie", "--google",
                    std::to_string(id), "--db", dbPath_},
                   {out, err}),
            0)
      << err.str();
  google_.faults(R"({"path": "/freeBusy", "action": "500", "count": null})");
  (void)runCli({"busy", "refresh", "--db", dbPath_}, {out, err});
  const auto r = cli({"list"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("UNHEALTHY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("busy time not read since"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("500"), std::string::npos) << r.out;
  // The grant itself is fine: tokens are still handed out for the export.
  EXPECT_TRUE(service_->tokens().accessToken(id));
  const auto json = cli({"list", "--json"});
  auto list = Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Array::Ptr>();
  EXPECT_NE(list->getObject(0)->getValue<std::string>("busyError").find("busy source"),
            std::string::npos);
}

TEST_F(ConnectionsCommandTest, Disconnect_RevokesAtGoogleAndForgetsTheConnection) {
  const auto id = connect(Provider::Google, "emp-sophie");
  const std::string refresh = service_->store().tokens(id).tokens->refreshToken;
  const auto r = cli({"disconnect", std::to_string(id)});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Google revoked the grant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("removed"), std::string::npos) << r.out;
  EXPECT_FALSE(service_->store().byId(id));

  auto state = Poco::JSON::Parser().parse(google_.state().body).extract<Poco::JSON::Object::Ptr>();
  auto refreshTokens = state->getObject("tokens")->getArray("refreshTokens");
  bool revoked = false;
  for (std::size_t i = 0; i < refreshTokens->size(); ++i) {
    auto t = refreshTokens->getObject(static_cast<unsigned>(i));
    if (t->getValue<std::string>("token") == refresh) revoked = t->getValue<bool>("revoked");
  }
  EXPECT_TRUE(revoked) << "the emulator does not show the refresh token revoked";
  EXPECT_EQ(google_.violationCount(), 0) << google_.violations().body;
  EXPECT_EQ(cli({"disconnect", std::to_string(id)}).status, 1);
}

TEST_F(ConnectionsCommandTest, DisconnectMicrosoft_ForgetsAndSaysItCannotRevoke) {
  const auto id = connect(Provider::Microsoft, "emp-sophie");
  const auto r = cli({"disconnect", std::to_string(id)});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Microsoft has no endpoint"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("myapps.microsoft.com"), std::string::npos) << r.out;
  EXPECT_FALSE(service_->store().byId(id));
}

TEST_F(ConnectionsCommandTest, CalendarAndBusyCalendars_AreStoredAndListed) {
  const auto id = connect(Provider::Google, "emp-sophie");
  auto r = cli({"calendar", std::to_string(id), "team@example.com"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("team@example.com"), std::string::npos);
  r = cli({"busy-calendars", std::to_string(id), "primary,holidays@example.com"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = service_->store().byId(id);
  EXPECT_EQ(c->calendarId, "team@example.com");
  EXPECT_EQ(c->busyCalendars, (std::vector<std::string>{"primary", "holidays@example.com"}));
  const auto list = cli({"list"});
  EXPECT_NE(list.out.find("primary,holidays@example.com"), std::string::npos) << list.out;
  // "" goes back to the destination calendar only.
  ASSERT_EQ(cli({"busy-calendars", std::to_string(id), ""}).status, 0);
  EXPECT_TRUE(service_->store().byId(id)->busyCalendars.empty());
}

TEST_F(ConnectionsCommandTest, BadIdsAndActions_AreRefusedWithMessages) {
  auto r = cli({"calendar", "42", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no connection 42"), std::string::npos) << r.err;
  r = cli({"disconnect", "abc"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not a number"), std::string::npos) << r.err;
  EXPECT_EQ(cli({"frobnicate"}).status, 2);
  EXPECT_EQ(cli({"calendar", "1"}).status, 2);
  r = cli({"list"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("no connections"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace creneau::bridge
