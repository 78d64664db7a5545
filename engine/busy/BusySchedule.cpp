#include <Poco/Logger.h>

#include <cstdlib>

#include "engine/busy/BusyRefresher.h"
#include "engine/net/HttpClient.h"
#include "engine/store/Store.h"

namespace creneau::engine::busy {

namespace {
Poco::Logger& logger() {
  return Poco::Logger::get("creneau.engine.busy");
}
}  // namespace

// ---- schedule ----------------------------------------------------------------

BusySchedule::BusySchedule(std::unique_ptr<BusyRefresher> refresher,
                           std::unique_ptr<net::HttpClient> http, std::chrono::seconds interval,
                           RefreshOptions options)
    : http_(std::move(http)),
      refresher_(std::move(refresher)),
      interval_(interval),
      options_(options) {
  options_.cancel = &cancel_;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        const auto reports = refresher_->refresh(std::nullopt, options_);
        std::size_t failed = 0;
        for (const auto& r : reports) failed += r.ok ? 0 : 1;
        if (!reports.empty())
          logger().information("busy refresh: %z sources, %z failed", reports.size(), failed);
      } catch (const std::exception& e) {
        logger().error("busy refresh failed: %s", std::string(e.what()));
      }
      ++runs_;
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

BusySchedule::~BusySchedule() {
  stop();
}

void BusySchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<BusySchedule> startBusySchedule(Store& store, connections::TokenSource* tokens,
                                                const std::string& keyFile) {
  std::chrono::milliseconds interval = std::chrono::minutes(5);
  if (const char* v = std::getenv("CRENEAU_BUSY_REFRESH"); v && *v) {
    const auto d = parseDuration(v);
    if (!d) {
      logger().error(
          "CRENEAU_BUSY_REFRESH=%s is not a duration such as 5m or 300s; busy "
          "time is not refreshed",
          std::string(v));
      return nullptr;
    }
    interval = *d;
  }
  if (interval.count() <= 0 || !store.sqlAccess()) return nullptr;
  std::optional<secrets::SecretBox> box;
  if (auto key = secrets::loadOrCreateKey(secrets::keySourceFromEnvironment(keyFile)); key) {
    if (auto b = secrets::SecretBox::create(*key); b) box = *b;
  }
  auto http = net::makeHttpClient(net::httpOptionsFromEnvironment());
  auto refresher = std::make_unique<BusyRefresher>(store, *http, tokens,
                                                   connections::endpointsFromEnvironment(), box);
  RefreshOptions options;
  options.budget = std::min<std::chrono::milliseconds>(interval, std::chrono::minutes(2));
  options.requestTimeout = std::chrono::seconds(10);
  return std::make_unique<BusySchedule>(
      std::move(refresher), std::move(http),
      std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(interval)),
      options);
}

}  // namespace creneau::engine::busy
