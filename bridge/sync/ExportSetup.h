#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/connections/ConnectionService.h"
#include "engine/net/HttpClient.h"
#include "engine/sync/SyncStore.h"
#include "engine/sync/SyncWorker.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge {

// Everything the export worker needs for one store: the connection service
// (tokens, connected accounts), the HTTP client, the outbox. Built the same
// way by `creneau sync` and `creneau serve`.
struct ExportSetup {
  std::shared_ptr<engine::connections::ConnectionService> connections;
  std::unique_ptr<engine::sync::SyncStore> sync;
  std::shared_ptr<engine::net::HttpClient> http;
  std::unique_ptr<engine::sync::SyncWorker> worker;
  std::string problem;  // why there is no worker (no key, no SQL store); empty when ready
};

// Options from the environment: CRENEAU_SYNC_BATCH=0 turns batching off,
// CRENEAU_SYNC_THREADS, CRENEAU_SYNC_PER_ACCOUNT.
[[nodiscard]] engine::sync::WorkerOptions workerOptionsFromEnvironment();

// `connections`: the server's one connection service (one token cache and
// one refresh per account: Microsoft rotates refresh tokens, so two caches
// refreshing at once would invalidate each other); null: a new one.
[[nodiscard]] ExportSetup makeExportSetup(
    engine::Store& store, const std::string& dbPath,
    engine::sync::WorkerOptions options = workerOptionsFromEnvironment(),
    std::shared_ptr<engine::connections::ConnectionService> connections = nullptr);

// `creneau serve` runs the worker on its own thread: a round every
// `interval` (sooner when woken), until stop().
class BackgroundExport {
 public:
  BackgroundExport(engine::sync::SyncWorker& worker, std::chrono::milliseconds interval);
  ~BackgroundExport();
  BackgroundExport(const BackgroundExport&) = delete;
  BackgroundExport& operator=(const BackgroundExport&) = delete;
  void wake();
  void stop();

 private:
  void run();
  engine::sync::SyncWorker& worker_;
  std::chrono::milliseconds interval_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace creneau::bridge
