// The connections table through ConnectionStore on a real SQLite file:
// upsert by (provider, owner), settings per connection, health, and tokens
// that never reach the database in plain text.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "engine/connections/ConnectionStore.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::engine::connections {
namespace {

constexpr const char* kRefresh = "1//refresh-PLAINTEXT-marker-4711";
constexpr const char* kAccess = "ya29.access-PLAINTEXT-marker-0815";

class ConnectionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("connection-store-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    SqliteStoreOptions o;
    o.clock = [this] { return now_.load(); };
    store_ = std::make_unique<SqliteStore>((dir_ / "creneau.db").string(), o);
    auto box = secrets::SecretBox::create(std::string(32, 'k'));
    ASSERT_TRUE(box);
    connections_ = std::make_unique<ConnectionStore>(*store_->sqlAccess(), box.value());
  }

  NewConnection google(std::optional<Id> employee, const std::string& account) const {
    NewConnection c;
    c.provider = Provider::Google;
    c.employeeId = employee;
    c.account = account;
    c.refreshToken = kRefresh;
    c.accessToken = kAccess;
    c.accessExpiresAt = now_ + 3600;
    c.scopes = "openid email";
    return c;
  }

  // Every byte SQLite wrote: the database and its write-ahead log.
  std::string databaseBytes() const {
    std::string all;
    for (const char* name : {"creneau.db", "creneau.db-wal"})
      if (std::filesystem::exists(dir_ / name)) all += test::readFile(dir_ / name);
    return all;
  }

  std::filesystem::path dir_;
  std::atomic<UnixTime> now_{1795507200};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<ConnectionStore> connections_;
};

TEST_F(ConnectionStoreTest, Connect_StoresTheConnectionWithDefaults) {
  const auto out = connections_->connect(google(3, "anna@example.com"));
  EXPECT_FALSE(out.reconnected);
  EXPECT_TRUE(out.previousAccount.empty());
  const auto c = connections_->byId(out.connection.id);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->provider, Provider::Google);
  EXPECT_EQ(c->employeeId, std::optional<Id>(3));
  EXPECT_EQ(c->account, "anna@example.com");
  EXPECT_EQ(c->calendarId, "primary");
  EXPECT_TRUE(c->busyCalendars.empty());
  EXPECT_TRUE(c->healthy);
  EXPECT_EQ(c->connectedAt, now_.load());
  EXPECT_EQ(c->lastRefreshAt, 0);
  EXPECT_EQ(*c, out.connection);
}

TEST_F(ConnectionStoreTest, MicrosoftDefaultCalendar_IsTheMailboxDefault) {
  auto n = google(3, "carol@contoso.example");
  n.provider = Provider::Microsoft;
  const auto c = connections_->connect(n).connection;
  EXPECT_EQ(c.calendarId, "");
  EXPECT_EQ(c.provider, Provider::Microsoft);
}

TEST_F(ConnectionStoreTest, Tokens_AreSealedAndNeverInTheDatabaseFileInPlainText) {
  const auto id = connections_->connect(google(3, "anna@example.com")).connection.id;
  const auto t = connections_->tokens(id);
  ASSERT_TRUE(t) << t.problem;
  EXPECT_EQ(t.tokens->refreshToken, kRefresh);
  EXPECT_EQ(t.tokens->accessToken, kAccess);
  const std::string bytes = databaseBytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("refresh-PLAINTEXT-marker"), std::string::npos);
  EXPECT_EQ(bytes.find("access-PLAINTEXT-marker"), std::string::npos);
}

TEST_F(ConnectionStoreTest, TokensSealedWithAnotherKey_AreAProblemNotAnException) {
  const auto id = connections_->connect(google(3, "anna@example.com")).connection.id;
  auto other = secrets::SecretBox::create(std::string(32, 'x'));
  ConnectionStore otherKey(*store_->sqlAccess(), other.value());
  const auto t = otherKey.tokens(id);
  EXPECT_FALSE(t);
  EXPECT_NE(t.problem.find("secret key"), std::string::npos) << t.problem;
  EXPECT_EQ(t.problem.find("PLAINTEXT"), std::string::npos);
}

TEST_F(ConnectionStoreTest, ReconnectSameAccount_KeepsIdAndCalendarsAndHealsTheConnection) {
  const auto first = connections_->connect(google(3, "anna@example.com")).connection;
  ASSERT_TRUE(connections_->setCalendar(first.id, "team@example.com"));
  ASSERT_TRUE(connections_->setBusyCalendars(first.id, {"primary", "holidays@example.com"}));
  ASSERT_TRUE(connections_->markUnhealthy(first.id, "refused"));
  now_ += 100;
  auto again = google(3, "anna@example.com");
  again.refreshToken = "new-refresh";
  const auto out = connections_->connect(again);
  EXPECT_TRUE(out.reconnected);
  EXPECT_TRUE(out.previousAccount.empty());
  EXPECT_EQ(out.connection.id, first.id);
  EXPECT_EQ(out.connection.calendarId, "team@example.com");
  EXPECT_EQ(out.connection.busyCalendars,
            (std::vector<std::string>{"primary", "holidays@example.com"}));
  EXPECT_TRUE(out.connection.healthy);
  EXPECT_EQ(out.connection.healthReason, "");
  EXPECT_EQ(out.connection.connectedAt, now_.load());
  EXPECT_EQ(connections_->tokens(first.id).tokens->refreshToken, "new-refresh");
  EXPECT_EQ(connections_->list().size(), 1u);
}

TEST_F(ConnectionStoreTest, ReconnectOtherAccount_KeepsIdReportsItAndResetsCalendars) {
  const auto first = connections_->connect(google(3, "anna@example.com")).connection;
  ASSERT_TRUE(connections_->setCalendar(first.id, "team@example.com"));
  const auto out = connections_->connect(google(3, "anna.private@example.com"));
  EXPECT_EQ(out.connection.id, first.id);
  EXPECT_EQ(out.previousAccount, "anna@example.com");
  EXPECT_EQ(out.connection.account, "anna.private@example.com");
  EXPECT_EQ(out.connection.calendarId, "primary");
}

TEST_F(ConnectionStoreTest, OwnersAndProviders_AreSeparateRows) {
  const auto a = connections_->connect(google(3, "anna@example.com")).connection;
  const auto admin = connections_->connect(google(std::nullopt, "office@example.com")).connection;
  auto ms = google(3, "anna@contoso.example");
  ms.provider = Provider::Microsoft;
  const auto m = connections_->connect(ms).connection;
  EXPECT_NE(a.id, admin.id);
  EXPECT_NE(a.id, m.id);
  EXPECT_FALSE(admin.employeeId);
  EXPECT_EQ(connections_->list().size(), 3u);
  EXPECT_EQ(connections_->forEmployee(3).size(), 2u);
  ASSERT_EQ(connections_->forEmployee(std::nullopt).size(), 1u);
  EXPECT_EQ(connections_->forEmployee(std::nullopt)[0].account, "office@example.com");
  EXPECT_EQ(connections_->find(Provider::Microsoft, 3)->id, m.id);
  EXPECT_FALSE(connections_->find(Provider::Microsoft, std::nullopt));
}

TEST_F(ConnectionStoreTest, MarkUnhealthy_KeepsReasonAndDropsCachedAccessToken) {
  const auto id = connections_->connect(google(3, "anna@example.com")).connection.id;
  ASSERT_TRUE(connections_->markUnhealthy(id, "Google refused the refresh token"));
  const auto c = connections_->byId(id);
  EXPECT_FALSE(c->healthy);
  EXPECT_EQ(c->healthReason, "Google refused the refresh token");
  EXPECT_EQ(connections_->tokens(id).tokens->accessToken, "");
  ASSERT_TRUE(connections_->markHealthy(id));
  EXPECT_TRUE(connections_->byId(id)->healthy);
  EXPECT_EQ(connections_->byId(id)->healthReason, "");
}

TEST_F(ConnectionStoreTest, StoreRefreshed_SavesRotatedRefreshTokenAndRefreshTime) {
  const auto id = connections_->connect(google(3, "anna@example.com")).connection.id;
  ASSERT_TRUE(connections_->markUnhealthy(id, "x"));
  now_ += 50;
  ASSERT_TRUE(connections_->storeRefreshed(id, "access-2", now_ + 3600, std::string("refresh-2")));
  auto t = connections_->tokens(id).tokens;
  EXPECT_EQ(t->accessToken, "access-2");
  EXPECT_EQ(t->refreshToken, "refresh-2");
  EXPECT_EQ(t->accessExpiresAt, now_ + 3600);
  EXPECT_EQ(connections_->byId(id)->lastRefreshAt, now_.load());
  EXPECT_TRUE(connections_->byId(id)->healthy);
  ASSERT_TRUE(connections_->storeRefreshed(id, "access-3", now_ + 3600, std::nullopt));
  EXPECT_EQ(connections_->tokens(id).tokens->refreshToken, "refresh-2");
}

TEST_F(ConnectionStoreTest, Remove_ForgetsTheRowAndItsTokens) {
  const auto id = connections_->connect(google(3, "anna@example.com")).connection.id;
  EXPECT_TRUE(connections_->remove(id));
  EXPECT_FALSE(connections_->byId(id));
  EXPECT_FALSE(connections_->tokens(id));
  EXPECT_FALSE(connections_->remove(id));
  EXPECT_FALSE(connections_->setCalendar(id, "x"));
  EXPECT_FALSE(connections_->markUnhealthy(id, "x"));
}

}  // namespace
}  // namespace creneau::engine::connections
