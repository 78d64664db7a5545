#include <gtest/gtest.h>

#include <set>

#include "TestSupport.h"
#include "engine/feeds/Feed.h"
#include "engine/store/SqliteStore.h"

namespace creneau::engine {
namespace {

class FeedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("feedstore-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    SqliteStoreOptions options;
    options.clock = [this] { return now_; };
    store_ = std::make_unique<SqliteStore>((dir_ / "creneau.db").string(), options);
  }
  std::filesystem::path dir_;
  UnixTime now_ = 1'790'000'000;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(FeedStoreTest, Feed_TokenHasAtLeast128RandomBits_AndOnlyItsHashIsKept) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto t = generateFeedToken();
    EXPECT_EQ(t.size(), 32u);  // 32 base32 characters = 160 bits
    EXPECT_TRUE(looksLikeFeedToken(t)) << t;
    EXPECT_TRUE(seen.insert(t).second) << "tokens never repeat";
  }
  EXPECT_FALSE(looksLikeFeedToken("short"));
  EXPECT_FALSE(looksLikeFeedToken(std::string(32, '1')));
  EXPECT_FALSE(looksLikeFeedToken(std::string(32, 'A')));
  // SHA-256 of "abc" (FIPS 180-2 example).
  EXPECT_EQ(hashFeedToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(FeedStoreTest, Feed_AddFindListRevoke) {
  Feed f;
  f.scope = FeedScope::Employee;
  f.recordId = 7;
  f.label = "Sophie's phone";
  f.includePending = true;
  f.includeCanceled = false;
  f.tokenHash = hashFeedToken("token-a");
  f.id = store_->addFeed(f);
  EXPECT_GT(f.id, 0);
  Feed all;
  all.tokenHash = hashFeedToken("token-b");
  all.id = store_->addFeed(all);

  auto back = store_->feedByTokenHash(hashFeedToken("token-a"));
  ASSERT_TRUE(back);
  f.createdAt = now_;
  EXPECT_EQ(*back, f);
  EXPECT_EQ(feedCollection(*back), "employee:7");
  EXPECT_EQ(feedCollection(all), "all");
  EXPECT_FALSE(store_->feedByTokenHash(hashFeedToken("token-c")));
  EXPECT_EQ(store_->feeds().size(), 2u);

  now_ += 100;
  EXPECT_TRUE(store_->revokeFeed(f.id));
  EXPECT_FALSE(store_->revokeFeed(f.id)) << "once";
  EXPECT_FALSE(store_->revokeFeed(999));
  back = store_->feedByTokenHash(hashFeedToken("token-a"));
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->revoked());
  EXPECT_EQ(back->revokedAt, now_);

  f.tokenHash = hashFeedToken("token-b");  // the same hash twice is refused
  EXPECT_THROW((void)store_->addFeed(f), StoreError);
}

TEST_F(FeedStoreTest, Migration_AddsAccountsAndFeedsAsVersion2) {
  EXPECT_GE(SqliteStore::latestSchemaVersion(), 2);
  EXPECT_EQ(store_->schemaVersion(), SqliteStore::latestSchemaVersion());
  // Reopening an existing file applies nothing twice.
  store_.reset();
  store_ = std::make_unique<SqliteStore>((dir_ / "creneau.db").string());
  EXPECT_TRUE(store_->users().empty());
  EXPECT_TRUE(store_->feeds().empty());
}

}  // namespace
}  // namespace creneau::engine
