#include "engine/feeds/FeedService.h"

#include <Poco/DeflatingStream.h>
#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <sstream>

#include "engine/render/Renderer.h"
#include "engine/store/Store.h"

namespace creneau::engine {

namespace {

constexpr UnixTime kDay = 86400;

// A digest of every setting that changes rendered bytes, length-prefixed.
std::string fingerprint(const RenderSettings& s) {
  Poco::SHA1Engine sha;
  auto add = [&](std::string_view v) {
    const std::string n = std::to_string(v.size()) + ":";
    sha.update(n);
    sha.update(v.data(), static_cast<unsigned>(v.size()));
  };
  add(s.appointmentTitle);
  add(s.appointmentDescription);
  add(s.eventTitle);
  add(s.eventDescription);
  add(s.language);
  add(s.includeBuffers ? "1" : "0");
  add(s.addAttendees ? "1" : "0");
  add(s.uidDomain);
  return Poco::DigestEngine::digestToHex(sha.digest());
}

std::string shortHash(const std::string& text) {
  Poco::SHA1Engine sha;
  sha.update(text);
  return Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 16);
}

}  // namespace

std::string gzipCompress(std::string_view data) {
  std::ostringstream out;
  Poco::DeflatingOutputStream gz(out, Poco::DeflatingStreamBuf::STREAM_GZIP);
  gz.write(data.data(), static_cast<std::streamsize>(data.size()));
  gz.close();
  return out.str();
}

FeedService::FeedService(const Store& store, FeedServiceOptions options)
    : store_(store),
      options_(std::move(options)),
      cache_(options_.cacheBytes, options_.cacheEntries) {}

UnixTime FeedService::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<Feed> FeedService::findFeed(std::string_view token) const {
  if (!looksLikeFeedToken(token)) return std::nullopt;
  auto feed = store_.feedByTokenHash(hashFeedToken(token));
  if (!feed || feed->revoked()) return std::nullopt;
  return feed;
}

FeedService::Settings FeedService::currentSettings() const {
  const auto t = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(settingsMutex_);
    if (settings_ && t - settings_->loadedAt < options_.settingsTtl) return *settings_;
  }
  // Read outside the lock; two threads reloading at once is harmless.
  auto loaded = std::make_shared<const RenderSettings>(loadRenderSettings(store_));
  std::string print = fingerprint(*loaded);
  std::lock_guard lock(settingsMutex_);
  if (settings_ && settings_->fingerprint == print) {
    settings_->loadedAt = t;
    return *settings_;
  }
  const UnixTime changedAt = settings_ ? now() : 0;
  settings_ = Settings{std::move(loaded), std::move(print), changedAt, t};
  return *settings_;
}

FeedVersion FeedService::version(const Feed& feed, FeedFormat format) const {
  const Settings settings = currentSettings();
  const UnixTime t = now();
  const UnixTime dayStart = t / kDay * kDay;

  const std::string collection = feedCollection(feed);
  const auto last = store_.lastChange(collection);

  FeedVersion v;
  v.window = feedWindow(t, options_.daysBack, options_.daysAhead);
  v.seq = last ? last->seq : 0;
  v.settings = settings.settings;
  v.key = collection + "|" + (format == FeedFormat::Ics ? "ics" : "freebusy");
  if (format == FeedFormat::Ics)
    v.key += std::string("|pending=") + (feed.includePending ? "1" : "0") +
             "|canceled=" + (feed.includeCanceled ? "1" : "0");
  v.key += "|window=" + std::to_string(v.window.from) + "-" + std::to_string(v.window.to) +
           "|refresh=" +
           (options_.refreshIntervalSec ? std::to_string(*options_.refreshIntervalSec)
                                        : std::string("none")) +
           "|settings=" + settings.fingerprint;
  v.etag = "\"" + std::to_string(v.seq) + "-" + shortHash(v.key) + "\"";
  v.lastModified = std::max({last ? last->at : UnixTime{0}, dayStart, settings.changedAt});
  return v;
}

std::shared_ptr<const RenderedFeed> FeedService::render(const Feed& feed, FeedFormat format,
                                                        const FeedVersion& version) {
  return cache_.get(version.key, version.seq, [&] {
    const Renderer renderer(version.settings ? *version.settings : RenderSettings{});
    const Directory dir = Directory::load(store_);
    FeedOutput output;
    output.name = feedCalendarName(feed, dir);
    output.refreshIntervalSec = options_.refreshIntervalSec;
    RenderedFeed r;
    r.seq = version.seq;
    r.etag = version.etag;
    r.lastModified = version.lastModified;
    if (format == FeedFormat::FreeBusy) {
      r.body = writeFeedFreeBusy(store_, renderer, dir, feed, version.window, output,
                                 version.lastModified);
    } else {
      std::ostringstream out;
      writeFeedIcs(store_, renderer, dir, feed, version.window, output, out);
      r.body = std::move(out).str();
    }
    r.gzipped = gzipCompress(r.body);
    return r;
  });
}

}  // namespace creneau::engine
