// TokenManager against the Google and Graph emulators: cached tokens, refresh
// before expiry, forced refresh, one refresh for concurrent callers, refused
// grants marking the connection unhealthy, transient failures not.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <thread>

#include "engine/connections/ConnectionStore.h"
#include "engine/connections/OAuthFlow.h"
#include "engine/connections/TokenManager.h"
#include "engine/net/HttpClient.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/EmulatorProcess.h"
#include "tests/common/TestSupport.h"

namespace creneau::engine::connections {
namespace {

constexpr UnixTime kDay = 86400;

// Follows the emulator's auto-approving consent page: the Location of its 302.
std::string consent(const std::string& authorizeUrl) {
  Poco::URI uri(authorizeUrl);
  Poco::Net::HTTPClientSession s(uri.getHost(), uri.getPort());
  Poco::Net::HTTPRequest req("GET", uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  s.receiveResponse(resp).ignore(1 << 20);
  EXPECT_EQ(resp.getStatus(), 302);
  return resp.get("Location", "");
}

std::string queryValue(const std::string& url, const std::string& name) {
  for (const auto& [k, v] : Poco::URI(url).getQueryParameters())
    if (k == name) return v;
  return {};
}

// Requests to the token endpoint logged by the emulator.
int tokenRequests(const test::EmulatorProcess& emu) {
  auto root = Poco::JSON::Parser()
                  .parse(emu.get("/_emulator/requests").body)
                  .extract<Poco::JSON::Object::Ptr>();
  auto list = root->getArray("requests");
  int n = 0;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path =
        list->getObject(static_cast<unsigned>(i))->getValue<std::string>("path");
    if (path.ends_with("/token")) ++n;
  }
  return n;
}

class TokenManagerTest : public ::testing::TestWithParam<Provider> {
 protected:
  void SetUp() override {
    const bool google = GetParam() == Provider::Google;
    emu_ = std::make_unique<test::EmulatorProcess>(
        google ? "google_emulator.py" : "graph_emulator.py",
        std::vector<std::string>{"--client-id", "cid", "--client-secret", "shh"});
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& ch : name) ch = ch == '/' ? '-' : ch;
    const auto dir = test::scratchDir("token-manager-" + name);
    SqliteStoreOptions o;
    o.clock = [this] { return now_.load(); };
    store_ = std::make_unique<SqliteStore>((dir / "creneau.db").string(), o);
    auto box = secrets::SecretBox::create(std::string(32, 'k'));
    connections_ = std::make_unique<ConnectionStore>(*store_->sqlAccess(), box.value());
    ProviderEndpoints ep;
    ep.googleAuthUrl = emu_->baseUrl() + "/o/oauth2/v2/auth";
    ep.googleTokenUrl = emu_->baseUrl() + "/token";
    ep.googleApiUrl = emu_->baseUrl();
    ep.msLoginUrl = emu_->baseUrl();
    ep.graphUrl = emu_->baseUrl();
    http_ = net::makeHttpClient({});
    // Token expiry follows the store's clock, as in the server.
    flow_ = std::make_unique<OAuthFlow>(ep, *http_, box.value(), [this] { return now_.load(); });
    client_.clientId = "cid";
    client_.clientSecret = "shh";
    client_.redirectUri = "http://127.0.0.1:9/oauth/callback";
    manager_ = std::make_unique<TokenManager>(
        *connections_, *flow_, [this](Provider) -> OAuthResult<OAuthClient> { return client_; });
    id_ = connect();
  }

  // The authorization-code flow against the emulator; the new connection's id.
  Id connect() {
    const Provider p = GetParam();
    const auto start = flow_->start(p, client_, 3);
    const std::string back = consent(start.url);
    auto pending = flow_->openState(p, queryValue(back, "state"));
    EXPECT_TRUE(pending) << pending.error().message;
    auto grant = flow_->exchangeCode(p, client_, queryValue(back, "code"), pending->verifier);
    EXPECT_TRUE(grant) << grant.error().message;
    auto account = flow_->accountOf(p, grant.value());
    EXPECT_TRUE(account) << account.error().message;
    NewConnection c;
    c.provider = p;
    c.employeeId = 3;
    c.account = account.value();
    c.refreshToken = grant->refreshToken;
    c.accessToken = grant->accessToken;
    c.accessExpiresAt = grant->expiresAt;
    return connections_->connect(c).connection.id;
  }

  std::unique_ptr<test::EmulatorProcess> emu_;
  std::atomic<UnixTime> now_{static_cast<UnixTime>(std::time(nullptr))};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<ConnectionStore> connections_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<OAuthFlow> flow_;
  OAuthClient client_;
  std::unique_ptr<TokenManager> manager_;
  Id id_ = 0;
};

TEST_P(TokenManagerTest, FreshToken_IsServedFromTheStoreWithoutARefresh) {
  const int before = tokenRequests(*emu_);
  const auto first = manager_->accessToken(id_);
  ASSERT_TRUE(first) << first.message;
  const auto second = manager_->accessToken(id_);
  ASSERT_TRUE(second);
  EXPECT_EQ(first.token->value, second.token->value);
  EXPECT_EQ(tokenRequests(*emu_), before);
  // A new manager (a restart) reuses the sealed cached token too.
  TokenManager restarted(*connections_, *flow_,
                         [this](Provider) -> OAuthResult<OAuthClient> { return client_; });
  EXPECT_EQ(restarted.accessToken(id_).token->value, first.token->value);
  EXPECT_EQ(tokenRequests(*emu_), before);
  EXPECT_EQ(emu_->violationCount(), 0) << emu_->violations().body;
}

TEST_P(TokenManagerTest, TokenWithLessThanAMinuteLeft_IsRefreshedAndWorksAtTheApi) {
  const auto old = manager_->accessToken(id_);
  now_ += 3600 - 30;  // 30 s left on the emulator's 1 h token
  const int before = tokenRequests(*emu_);
  const auto fresh = manager_->accessToken(id_);
  ASSERT_TRUE(fresh) << fresh.message;
  EXPECT_NE(fresh.token->value, old.token->value);
  EXPECT_EQ(tokenRequests(*emu_), before + 1);
  EXPECT_GT(fresh.token->expiresAt, now_ + 3000);
  const auto c = connections_->byId(id_);
  EXPECT_EQ(c->lastRefreshAt, now_.load());
  EXPECT_TRUE(c->healthy);
  // The refreshed token is accepted by the API.
  const std::string path = GetParam() == Provider::Google ? "/oauth2/v3/userinfo" : "/v1.0/me";
  EXPECT_EQ(emu_->request("GET", path, {}, "application/json", fresh.token->value).status, 200);
  // And a second refresh works (Microsoft rotates refresh tokens: the new one was kept).
  now_ += 3600;
  const auto third = manager_->accessToken(id_);
  ASSERT_TRUE(third) << third.message;
  EXPECT_NE(third.token->value, fresh.token->value);
  EXPECT_EQ(emu_->violationCount(), 0) << emu_->violations().body;
}

TEST_P(TokenManagerTest, ShortLivedTokens_AreRefreshedAMinuteBeforeTheyExpire) {
  // Tokens of 30 s have less than the minute TokenManager wants left.
  ASSERT_EQ(emu_->post("/_emulator/config", R"({"accessTokenLifetime": 30})").status, 200);
  ASSERT_EQ(connect(), id_);
  const int before = tokenRequests(*emu_);
  const auto first = manager_->accessToken(id_);
  ASSERT_TRUE(first) << first.message;
  EXPECT_EQ(tokenRequests(*emu_), before + 1);
  ASSERT_EQ(emu_->post("/_emulator/config", R"({"accessTokenLifetime": 3600})").status, 200);
  const auto second = manager_->accessToken(id_);
  ASSERT_TRUE(second) << second.message;
  EXPECT_NE(second.token->value, first.token->value);
  EXPECT_EQ(tokenRequests(*emu_), before + 2);
  EXPECT_EQ(manager_->accessToken(id_).token->value, second.token->value);
  EXPECT_EQ(tokenRequests(*emu_), before + 2);
}

TEST_P(TokenManagerTest, ForceRefresh_GetsANewTokenOnce) {
  const auto old = manager_->accessToken(id_);
  const int before = tokenRequests(*emu_);
  const auto forced = manager_->accessToken(id_, true);
  ASSERT_TRUE(forced) << forced.message;
  EXPECT_NE(forced.token->value, old.token->value);
  EXPECT_EQ(tokenRequests(*emu_), before + 1);
  EXPECT_EQ(manager_->accessToken(id_).token->value, forced.token->value);
  EXPECT_EQ(tokenRequests(*emu_), before + 1);
}

TEST_P(TokenManagerTest, ConcurrentCallers_ShareOneRefresh) {
  now_ += 4000;  // the cached token has expired
  emu_->faults(R"([{"path": "/token$", "action": "delay", "delayMs": 300}])");
  const int before = tokenRequests(*emu_);
  std::vector<std::thread> threads;
  std::vector<TokenResult> results(8);
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = manager_->accessToken(id_); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.message;
    EXPECT_EQ(r.token->value, results[0].token->value);
  }
  EXPECT_EQ(tokenRequests(*emu_), before + 1);
}

// Two processes (serve and a `sync run`) each have a TokenManager. One's
// refresh is slow; the other refreshes meanwhile, which rotates Microsoft's
// refresh token, so the slow one is refused: it must take the token the
// other stored, not mark a healthy connection as needing a reconnect.
TEST_P(TokenManagerTest, RefreshRacingAnotherProcess_UsesItsTokenAndStaysHealthy) {
  TokenManager other(*connections_, *flow_,
                     [this](Provider) -> OAuthResult<OAuthClient> { return client_; });
  emu_->faults(R"([{"path": "/token$", "action": "delay", "delayMs": 1500, "count": 1}])");
  TokenResult slow;
  std::thread first([&] { slow = manager_->accessToken(id_, true); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const auto quick = other.accessToken(id_, true);
  first.join();
  ASSERT_TRUE(quick) << quick.message;
  ASSERT_TRUE(slow) << slow.message;
  EXPECT_TRUE(connections_->byId(id_)->healthy) << connections_->byId(id_)->healthReason;
  // And the stored grant still works.
  ASSERT_TRUE(manager_->accessToken(id_, true));
}

TEST_P(TokenManagerTest, InvalidGrant_MarksUnhealthyWithReasonAndNeedsReconnect) {
  now_ += 4000;
  emu_->faults(R"({"action": "invalid-grant"})");
  const auto r = manager_->accessToken(id_);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.failure, TokenFailure::NeedsReconnect);
  EXPECT_NE(r.message.find("invalid_grant"), std::string::npos) << r.message;
  const std::string start = GetParam() == Provider::Google ? "/oauth/google/start?employee=3"
                                                           : "/oauth/microsoft/start?employee=3";
  EXPECT_NE(r.message.find(start), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("testing mode"), std::string::npos) << r.message;
  const auto c = connections_->byId(id_);
  EXPECT_FALSE(c->healthy);
  EXPECT_EQ(c->healthReason, r.message);
  // An unhealthy connection answers at once, without asking the provider.
  const int before = tokenRequests(*emu_);
  EXPECT_EQ(manager_->accessToken(id_).failure, TokenFailure::NeedsReconnect);
  EXPECT_EQ(tokenRequests(*emu_), before);
  // Reconnecting heals it, same id.
  EXPECT_EQ(connect(), id_);
  EXPECT_TRUE(connections_->byId(id_)->healthy);
  EXPECT_TRUE(manager_->accessToken(id_));
}

TEST_P(TokenManagerTest, GrantDyingSevenDaysAfterConsent_ReasonNamesGoogleTestingMode) {
  now_ += 7 * kDay + 3600;
  emu_->faults(R"({"action": "invalid-grant"})");
  const auto r = manager_->accessToken(id_);
  ASSERT_EQ(r.failure, TokenFailure::NeedsReconnect);
  const bool named =
      r.message.find("testing mode after 7 days: publish the OAuth app") != std::string::npos;
  EXPECT_EQ(named, GetParam() == Provider::Google) << r.message;
  EXPECT_EQ(connections_->byId(id_)->healthReason, r.message);
}

TEST_P(TokenManagerTest, UnhealthyConnection_IsTriedAgainAfterAQuarterHourAndHealsOnSuccess) {
  now_ += 4000;
  emu_->faults(R"({"action": "invalid-grant"})");  // refuses once; the grant itself lives on
  ASSERT_EQ(manager_->accessToken(id_).failure, TokenFailure::NeedsReconnect);
  now_ += TokenManager::kRetryUnhealthyAfter - 10;
  const int before = tokenRequests(*emu_);
  EXPECT_EQ(manager_->accessToken(id_).failure, TokenFailure::NeedsReconnect);
  EXPECT_EQ(tokenRequests(*emu_), before);
  now_ += 20;
  const auto healed = manager_->accessToken(id_);
  ASSERT_TRUE(healed) << healed.message;
  EXPECT_EQ(tokenRequests(*emu_), before + 1);
  const auto c = connections_->byId(id_);
  EXPECT_TRUE(c->healthy);
  EXPECT_EQ(c->healthReason, "");
}

TEST_P(TokenManagerTest, TransientFailure_LeavesTheConnectionHealthy) {
  now_ += 4000;
  emu_->faults(R"([{"path": "/token$", "action": "503", "retryAfter": 1}])");
  const auto r = manager_->accessToken(id_);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.failure, TokenFailure::Transient);
  EXPECT_TRUE(connections_->byId(id_)->healthy);
  EXPECT_TRUE(manager_->accessToken(id_)) << "the next call refreshes";
}

TEST_P(TokenManagerTest, UnknownConnection_IsNotConnected) {
  const auto r = manager_->accessToken(id_ + 100);
  EXPECT_EQ(r.failure, TokenFailure::NotConnected);
}

TEST_P(TokenManagerTest, MissingClientSettings_AreNotConfigured) {
  now_ += 4000;
  TokenManager unconfigured(*connections_, *flow_, [](Provider) -> OAuthResult<OAuthClient> {
    return OAuthError{OAuthErrorKind::Misconfigured, "", "set google.client_id"};
  });
  const auto r = unconfigured.accessToken(id_);
  EXPECT_EQ(r.failure, TokenFailure::NotConfigured);
  EXPECT_EQ(r.message, "set google.client_id");
  EXPECT_TRUE(connections_->byId(id_)->healthy);
}

INSTANTIATE_TEST_SUITE_P(Providers, TokenManagerTest,
                         ::testing::Values(Provider::Google, Provider::Microsoft),
                         [](const auto& info) { return std::string(providerName(info.param)); });

TEST(TokenManagerReason, GoogleTokenDyingAfterSevenDays_NamesTestingMode) {
  Connection c;
  c.provider = Provider::Google;
  c.employeeId = 3;
  c.connectedAt = 1000000;
  const auto reason = TokenManager::refusedReason(c, "Google refused the grant (invalid_grant)",
                                                  1000000 + 7 * kDay + 600);
  EXPECT_NE(reason.find("testing mode after 7 days: publish the OAuth app"), std::string::npos)
      << reason;
  EXPECT_NE(reason.find("reconnect at /oauth/google/start?employee=3"), std::string::npos);
  EXPECT_EQ(TokenManager::refusedReason(c, "x", 1000000 + 2 * kDay).find("testing mode"),
            std::string::npos);
  // Noticed late (the token sat unused), but it never refreshed after day 7.
  c.lastRefreshAt = 1000000 + 6 * kDay;
  EXPECT_NE(TokenManager::refusedReason(c, "x", 1000000 + 20 * kDay).find("testing mode"),
            std::string::npos);
  // It refreshed on day 10: not the testing-mode expiry.
  c.lastRefreshAt = 1000000 + 10 * kDay;
  EXPECT_EQ(TokenManager::refusedReason(c, "x", 1000000 + 20 * kDay).find("testing mode"),
            std::string::npos);
  c.provider = Provider::Microsoft;
  EXPECT_EQ(TokenManager::refusedReason(c, "x", 1000000 + 7 * kDay).find("testing mode"),
            std::string::npos);
  c.employeeId.reset();
  EXPECT_NE(TokenManager::refusedReason(c, "x", 0).find("/oauth/microsoft/start?admin=1"),
            std::string::npos);
}

}  // namespace
}  // namespace creneau::engine::connections
