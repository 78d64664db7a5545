#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "engine/feeds/Feed.h"
#include "engine/feeds/FeedCache.h"
#include "engine/feeds/FeedRenderer.h"
#include "engine/render/RenderSettings.h"

namespace creneau::engine {

class Store;

enum class FeedFormat { Ics, FreeBusy };

struct FeedServiceOptions {
  int daysBack = 30;    // the window starts this many days before today (UTC)
  int daysAhead = 365;  // ... and ends this many days after it
  std::optional<long long> refreshIntervalSec = 3600;  // REFRESH-INTERVAL / X-PUBLISHED-TTL
  std::size_t cacheBytes = 64u * 1024u * 1024u;        // rendered feeds kept, plain + gzip
  std::size_t cacheEntries = 512;
  // How long the rendering settings read from the store are trusted before
  // they are read again (they are not in the change log).
  std::chrono::milliseconds settingsTtl{2000};
  std::function<UnixTime()> clock;  // "now"; default: the system clock
};

// What a feed would be if rendered now, known without rendering it: enough
// to answer If-None-Match / If-Modified-Since with 304.
struct FeedVersion {
  std::string key;  // cache key: scope, options, format, window day, settings
  std::int64_t seq = 0;
  std::string etag;  // strong, quoted
  UnixTime lastModified = 0;
  FeedWindow window;
  std::shared_ptr<const RenderSettings> settings;
};

// Serves /feeds/<token>.ics content (DESIGN.md "CalDAV and feed layout"):
// token lookup, versions derived from the change log, and rendered output
// cached until the scope's change log moves (issue 3, item 5).
// Thread-safe; `store` must outlive it.
class FeedService {
 public:
  explicit FeedService(const Store& store, FeedServiceOptions options = {});

  // The feed behind a token; nullopt when unknown or revoked (the two must
  // look the same to the caller).
  [[nodiscard]] std::optional<Feed> findFeed(std::string_view token) const;

  // Cheap: one change-log read (and the settings every settingsTtl).
  [[nodiscard]] FeedVersion version(const Feed& feed, FeedFormat format) const;

  // The rendered feed for `version`, from the cache or rendered now.
  [[nodiscard]] std::shared_ptr<const RenderedFeed> render(const Feed& feed, FeedFormat format,
                                                           const FeedVersion& version);

  [[nodiscard]] FeedCache::Stats cacheStats() const { return cache_.stats(); }
  [[nodiscard]] const FeedServiceOptions& options() const { return options_; }

 private:
  struct Settings {
    std::shared_ptr<const RenderSettings> settings;
    std::string fingerprint;
    UnixTime changedAt = 0;  // when this process first saw them change
    std::chrono::steady_clock::time_point loadedAt;
  };
  [[nodiscard]] Settings currentSettings() const;
  [[nodiscard]] UnixTime now() const;

  const Store& store_;
  FeedServiceOptions options_;
  FeedCache cache_;
  mutable std::mutex settingsMutex_;
  mutable std::optional<Settings> settings_;
};

// gzip (RFC 1952) of `data`, as served with Content-Encoding: gzip.
[[nodiscard]] std::string gzipCompress(std::string_view data);

}  // namespace creneau::engine
