#include "bridge/cli/FeedCommand.h"

#include <gtest/gtest.h>

#include <sstream>

#include "bridge/cli/Args.h"
#include "bridge/server/ServerConfig.h"
#include "engine/import/JsonImporter.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

struct FeedRun {
  int code = 0;
  std::string out;
  std::string err;
};

class FeedCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("feedcmd-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
    engine::SqliteStore store(db_);
    (void)store.apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), store));
  }

  FeedRun feed(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db_);
    std::ostringstream out, err;
    try {
      const int code = feedCommand(args, {out, err});
      return {code, out.str(), err.str()};
    } catch (const UsageError& e) {  // what runCli turns into exit status 2
      return {kExitUsage, out.str(), err.str() + e.what()};
    }
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(FeedCommandTest, Feed_Create_PrintsUrlWebcalAndFreeBusyOnce) {
  auto r = feed({"create", "--location", "loc-paris", "--label", "front desk", "--include-pending",
                 "--public-url", "https://cal.example.com/"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("feed 1 created: location loc-paris"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  https:     https://cal.example.com/feeds/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  webcal:    webcal://cal.example.com/feeds/"), std::string::npos);
  EXPECT_NE(r.out.find(".ics?format=freebusy\n"), std::string::npos);
  EXPECT_NE(r.out.find("shown only now"), std::string::npos);

  // Without a public URL: what `creneau serve` listens on by default.
  r = feed({"create", "--all"});
  ASSERT_EQ(r.code, 0) << r.err;
  if (!processEnvironment()("CRENEAU_PUBLIC_URL") && !processEnvironment()("CRENEAU_LISTEN")) {
    EXPECT_NE(r.out.find("http://127.0.0.1:8080/feeds/"), std::string::npos) << r.out;
  }

  const auto feeds = engine::SqliteStore(db_).feeds();
  ASSERT_EQ(feeds.size(), 2u);
  EXPECT_EQ(feeds[0].scope, engine::FeedScope::Location);
  EXPECT_TRUE(feeds[0].includePending);
  EXPECT_TRUE(feeds[0].includeCanceled) << "canceled stay by default, as STATUS:CANCELLED";
  EXPECT_EQ(feeds[1].scope, engine::FeedScope::All);
  EXPECT_FALSE(feeds[1].recordId);
}

TEST_F(FeedCommandTest, Feed_Create_NeedsExactlyOneKnownScope) {
  EXPECT_EQ(feed({"create"}).code, kExitUsage);
  EXPECT_EQ(feed({"create", "--all", "--employee", "emp-lea"}).code, kExitUsage);
  auto r = feed({"create", "--service", "svc-nothing"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("svc-nothing"), std::string::npos);
  EXPECT_EQ(feed({"create", "--all", "--public-url", "ftp://x"}).code, kExitUsage);
  EXPECT_TRUE(engine::SqliteStore(db_).feeds().empty()) << "nothing written";
}

TEST_F(FeedCommandTest, Feed_ListAndRevoke) {
  ASSERT_EQ(feed({"create", "--service", "svc-cut", "--no-canceled"}).code, 0);
  ASSERT_EQ(feed({"create", "--employee", "emp-lea", "--label", "Léa"}).code, 0);
  auto r = feed({"revoke", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(feed({"revoke", "1"}).code, kExitInvalidInput) << "once";
  EXPECT_EQ(feed({"revoke", "42"}).code, kExitInvalidInput);
  EXPECT_EQ(feed({"revoke", "one"}).code, kExitUsage);

  r = feed({"list"});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("service svc-cut (Coupe & brushing) -canceled"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("employee emp-lea (Léa Rousseau)"), std::string::npos) << r.out;
  for (const auto& f : engine::SqliteStore(db_).feeds())
    EXPECT_EQ(r.out.find(f.tokenHash), std::string::npos) << "not even the hash";
  EXPECT_TRUE(engine::SqliteStore(db_).feeds()[0].revoked());
  EXPECT_FALSE(engine::SqliteStore(db_).feeds()[1].revoked());
}

TEST(FeedConfigTest, FeedAndAuthKeys_ParseFromFlagsAndEnvironment) {
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "CRENEAU_FEED_DAYS_BACK") return "7";
    return std::nullopt;
  };
  const auto c = loadServerConfig(std::nullopt, env,
                                  {{"feeds.days_ahead", "90"},
                                   {"feeds.refresh", "30m"},
                                   {"feeds.cache_size", "8MiB"},
                                   {"auth.cache_ttl", "1h"}});
  EXPECT_EQ(c.feedDaysBack, 7);
  EXPECT_EQ(c.feedDaysAhead, 90);
  EXPECT_EQ(c.feedRefresh, std::chrono::minutes(30));
  EXPECT_EQ(c.feedCacheBytes, 8u * 1024 * 1024);
  EXPECT_EQ(c.authCacheTtl, std::chrono::hours(1));
  const ServerConfig defaults;
  EXPECT_EQ(defaults.feedDaysBack, 30);
  EXPECT_EQ(defaults.feedDaysAhead, 365);
  EXPECT_EQ(defaults.feedRefresh, std::chrono::hours(1));
  EXPECT_THROW((void)loadServerConfig(std::nullopt, env, {{"feeds.days_back", "-1"}}), ConfigError);
  EXPECT_THROW((void)loadServerConfig(std::nullopt, env, {{"feeds.days_ahead", "9999"}}),
               ConfigError);
}

}  // namespace
}  // namespace creneau::bridge
