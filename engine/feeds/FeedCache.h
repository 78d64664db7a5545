#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/model/Domain.h"

namespace creneau::engine {

// One rendered feed, shared read-only by every request that serves it.
struct RenderedFeed {
  std::int64_t seq = 0;  // the change-log position it was rendered at
  std::string etag;      // strong, quoted; the gzip variant adds "-gz" inside the quotes
  UnixTime lastModified = 0;
  std::string body;     // text/calendar, UTF-8
  std::string gzipped;  // the same bytes, gzip-compressed
  [[nodiscard]] std::size_t bytes() const { return body.size() + gzipped.size(); }
};

// Rendered feeds by key (scope, options, format, window day, settings),
// valid while the scope's change log has not moved past `seq`. Bounded by
// total bytes and entries, least recently used out first. Thread-safe; when
// several requests miss on one key at once, one renders and the others wait
// for its result, so a burst of subscribers does not render a calendar N times.
class FeedCache {
 public:
  explicit FeedCache(std::size_t maxBytes, std::size_t maxEntries = 512);

  // The entry for `key` if it was rendered at `seq` or later, else what
  // `render` returns (then kept). Exceptions from `render` pass through and
  // leave the cache as it was.
  [[nodiscard]] std::shared_ptr<const RenderedFeed> get(
      const std::string& key, std::int64_t seq, const std::function<RenderedFeed()>& render);

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t renders = 0;
    std::uint64_t evictions = 0;
    std::size_t bytes = 0;
    std::size_t entries = 0;
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Slot {
    std::mutex mutex;  // held while rendering this key
    std::shared_ptr<const RenderedFeed> value;
  };
  struct Entry {
    std::shared_ptr<Slot> slot;
    std::list<std::string>::iterator lru;
    std::size_t bytes = 0;
  };

  void evictLocked(const std::string& keep);

  std::size_t maxBytes_;
  std::size_t maxEntries_;
  mutable std::mutex mutex_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
  Stats stats_;
};

}  // namespace creneau::engine
