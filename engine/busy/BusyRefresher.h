#pragma once

// Refreshes the cached busy time of one or all employees (issue 5, item 3):
// every source read through its fetcher, in parallel across employees with a
// small pool, inside a total time budget. A source that cannot be read keeps
// its previous periods and is marked in error (unverified from then on).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/busy/BusySource.h"
#include "engine/connections/Connection.h"
#include "engine/connections/ProviderEndpoints.h"
#include "engine/secrets/SecretBox.h"

namespace creneau::engine {
class Store;
namespace net {
class HttpClient;
}
}  // namespace creneau::engine

namespace creneau::engine::busy {

struct RefreshOptions {
  std::chrono::milliseconds budget{60000};  // for the whole refresh
  std::chrono::milliseconds requestTimeout{30000};
  int threads = 4;  // employees refreshed at once
  // The window: from `daysBack` before now to `daysAhead` after (settings
  // busy.days_ahead overrides the latter when set).
  int daysBack = 1;
  int daysAhead = 90;
  // Set from another thread to stop early: sources not started yet are
  // skipped (requests in flight end within requestTimeout).
  const std::atomic<bool>* cancel = nullptr;
};

struct SourceReport {
  Id sourceId = 0;
  std::string employeeExternalId;
  std::string name;
  SourceKind kind = SourceKind::Ics;
  bool ok = false;
  bool notModified = false;
  bool skipped = false;  // the budget ran out before it was started
  std::size_t periods = 0;
  std::int64_t ms = 0;
  int requests = 0;
  std::string mode;
  std::string error;
};

class BusyRefresher {
 public:
  // tokens: Google/Microsoft access tokens (nullptr: those sources fail with
  // a clear message). box: opens sealed CalDAV passwords (nullopt: sources
  // with a password fail).
  BusyRefresher(Store& store, net::HttpClient& http, connections::TokenSource* tokens,
                connections::ProviderEndpoints endpoints, std::optional<secrets::SecretBox> box);

  // Every source of the employee (nullopt: of every employee). Store
  // failures throw StoreError.
  std::vector<SourceReport> refresh(std::optional<Id> employeeId, const RefreshOptions& options);

 private:
  Store& store_;
  net::HttpClient& http_;
  connections::TokenSource* tokens_;
  connections::ProviderEndpoints endpoints_;
  std::optional<secrets::SecretBox> box_;
};

// Runs refresh(all employees) every `interval` on a background thread until
// destroyed (stop() wakes it at once). For `creneau serve`.
class BusySchedule {
 public:
  BusySchedule(std::unique_ptr<BusyRefresher> refresher, std::unique_ptr<net::HttpClient> http,
               std::chrono::seconds interval, RefreshOptions options);
  ~BusySchedule();
  BusySchedule(const BusySchedule&) = delete;
  BusySchedule& operator=(const BusySchedule&) = delete;
  void stop();
  [[nodiscard]] int runs() const { return runs_.load(); }

 private:
  std::unique_ptr<net::HttpClient> http_;  // before refresher_: it outlives it
  std::unique_ptr<BusyRefresher> refresher_;
  std::chrono::seconds interval_;
  RefreshOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  std::atomic<int> runs_{0};
  std::thread thread_;
};

// For `creneau serve`: a schedule every CRENEAU_BUSY_REFRESH (a duration such
// as "5m", "300s", "0" = off; default 5 minutes) with the system's HTTP
// client, the key of CRENEAU_SECRET_KEY / `keyFile`, tokens when given
// (`tokens` must outlive the schedule). nullptr when turned off.
[[nodiscard]] std::unique_ptr<BusySchedule> startBusySchedule(Store& store,
                                                              connections::TokenSource* tokens,
                                                              const std::string& keyFile);

// "5m", "300s", "2h", "1500ms", "300" (seconds) -> duration; nullopt if bad.
[[nodiscard]] std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace creneau::engine::busy
