#include "engine/feeds/FeedCache.h"

#include <algorithm>

namespace creneau::engine {

FeedCache::FeedCache(std::size_t maxBytes, std::size_t maxEntries)
    : maxBytes_(maxBytes), maxEntries_(std::max<std::size_t>(maxEntries, 1)) {}

std::shared_ptr<const RenderedFeed> FeedCache::get(const std::string& key, std::int64_t seq,
                                                   const std::function<RenderedFeed()>& render) {
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      lru_.push_front(key);
      it = entries_.emplace(key, Entry{std::make_shared<Slot>(), lru_.begin(), 0}).first;
    } else {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
    }
    slot = it->second.slot;
  }

  std::lock_guard renderLock(slot->mutex);
  if (slot->value && slot->value->seq >= seq) {
    std::lock_guard lock(mutex_);
    ++stats_.hits;
    return slot->value;
  }
  auto value = std::make_shared<const RenderedFeed>(render());
  slot->value = value;

  std::lock_guard lock(mutex_);
  ++stats_.renders;
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.slot == slot) {
    stats_.bytes -= it->second.bytes;
    it->second.bytes = value->bytes();
    stats_.bytes += it->second.bytes;
    if (it->second.bytes > maxBytes_) {  // too large to keep at all
      stats_.bytes -= it->second.bytes;
      lru_.erase(it->second.lru);
      entries_.erase(it);
      ++stats_.evictions;
    }
  }
  evictLocked(key);
  return value;
}

void FeedCache::evictLocked(const std::string& keep) {
  auto victim = lru_.end();
  while ((stats_.bytes > maxBytes_ || entries_.size() > maxEntries_) && victim != lru_.begin()) {
    --victim;
    if (*victim == keep) continue;
    auto it = entries_.find(*victim);
    stats_.bytes -= it->second.bytes;
    entries_.erase(it);
    victim = lru_.erase(victim);
    ++stats_.evictions;
  }
}

FeedCache::Stats FeedCache::stats() const {
  std::lock_guard lock(mutex_);
  Stats s = stats_;
  s.entries = entries_.size();
  return s;
}

}  // namespace creneau::engine
