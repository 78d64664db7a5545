#include "engine/feeds/FeedCache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "engine/feeds/FeedRenderer.h"
#include "engine/feeds/FeedService.h"

namespace creneau::engine {
namespace {

RenderedFeed make(std::int64_t seq, std::size_t size, char fill = 'x') {
  RenderedFeed r;
  r.seq = seq;
  r.etag = "\"" + std::to_string(seq) + "\"";
  r.body = std::string(size, fill);
  return r;
}

TEST(FeedCacheTest, SameSeq_IsAHit_NewerSeq_RendersAgain) {
  FeedCache cache(1 << 20);
  int renders = 0;
  auto a = cache.get("k", 1, [&] { return ++renders, make(1, 10); });
  auto b = cache.get("k", 1, [&] { return ++renders, make(1, 10); });
  EXPECT_EQ(renders, 1);
  EXPECT_EQ(a, b) << "the very same bytes are shared";
  auto c = cache.get("k", 2, [&] { return ++renders, make(2, 10); });
  EXPECT_EQ(renders, 2);
  EXPECT_EQ(c->seq, 2);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().renders, 2u);
}

TEST(FeedCacheTest, BoundedByBytes_LeastRecentlyUsedGoesFirst) {
  FeedCache cache(250);
  int renders = 0;
  auto render = [&](std::size_t size) {
    return [&renders, size] {
      ++renders;
      return make(1, size);
    };
  };
  (void)cache.get("a", 1, render(100));
  (void)cache.get("b", 1, render(100));
  (void)cache.get("a", 1, render(100));  // a is now the most recent
  (void)cache.get("c", 1, render(100));  // over 250 bytes: b goes
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_LE(cache.stats().bytes, 250u);
  EXPECT_EQ(renders, 3);
  (void)cache.get("a", 1, render(100));
  EXPECT_EQ(renders, 3) << "a stayed";
  (void)cache.get("b", 1, render(100));
  EXPECT_EQ(renders, 4) << "b was evicted";
  (void)cache.get("huge", 1, render(1000));  // larger than the cache: served, not kept
  EXPECT_LE(cache.stats().bytes, 250u);
}

TEST(FeedCacheTest, ConcurrentMisses_RenderOnce) {
  FeedCache cache(1 << 20);
  std::atomic<int> renders{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto r = cache.get("k", 5, [&] {
        ++renders;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return make(5, 1000);
      });
      EXPECT_EQ(r->seq, 5);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(renders.load(), 1);
}

TEST(FeedCacheTest, RenderFailure_LeavesTheCacheAsItWas) {
  FeedCache cache(1 << 20);
  (void)cache.get("k", 1, [] { return make(1, 10); });
  EXPECT_THROW((void)cache.get("k", 2, []() -> RenderedFeed { throw std::runtime_error("db"); }),
               std::runtime_error);
  int renders = 0;
  auto r = cache.get("k", 1, [&] { return ++renders, make(1, 10); });
  EXPECT_EQ(renders, 0);
  EXPECT_EQ(r->seq, 1);
}

TEST(FeedWindowTest, StartsAtMidnightUtc_AndCoversTheLastDay) {
  const UnixTime noon = 1794744000;  // 2026-11-15T12:00:00Z
  const auto w = feedWindow(noon, 30, 365);
  EXPECT_EQ(w.from, 1794700800 - 30 * 86400);
  EXPECT_EQ(w.to, 1794700800 + 366 * 86400);
  EXPECT_EQ(feedWindow(noon + 3600, 30, 365), w) << "the same all day";
}

TEST(FeedGzipTest, GzipHasTheMagicBytes) {
  const auto gz = gzipCompress(std::string(1000, 'a'));
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_LT(gz.size(), 100u);
}

}  // namespace
}  // namespace creneau::engine
