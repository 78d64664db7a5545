#include "bridge/sync/ExportSetup.h"

#include <cstdlib>

#include "bridge/oauth/OAuthSetup.h"
#include <Poco/Logger.h>
#include "engine/store/SqlAccess.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {
int envInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    return fallback;
  }
}
}  // namespace

engine::sync::WorkerOptions workerOptionsFromEnvironment() {
  engine::sync::WorkerOptions o;
  o.batching = envInt("CRENEAU_SYNC_BATCH", 1) != 0;
  o.threads = envInt("CRENEAU_SYNC_THREADS", o.threads);
  o.perAccountConcurrency = envInt("CRENEAU_SYNC_PER_ACCOUNT", o.perAccountConcurrency);
  return o;
}

ExportSetup makeExportSetup(engine::Store& store, const std::string& dbPath,
                            engine::sync::WorkerOptions options,
                            std::shared_ptr<engine::connections::ConnectionService> connections) {
  ExportSetup s;
  auto* sql = store.sqlAccess();
  if (!sql) {
    s.problem = "this store keeps no export queue";
    return s;
  }
  if (connections) {
    s.connections = std::move(connections);
  } else {
    auto conn = makeConnectionService(store, dbPath);
    if (!conn.service) {
      s.problem = conn.problem;
      return s;
    }
    s.connections = conn.service;
  }
  s.sync = std::make_unique<engine::sync::SyncStore>(*sql);
  s.http = std::shared_ptr<engine::net::HttpClient>(
      engine::net::makeHttpClient(engine::net::httpOptionsFromEnvironment()));
  auto service = s.connections;
  s.worker = std::make_unique<engine::sync::SyncWorker>(
      store, *s.sync, *s.http, service->tokens(),
      [service] { return service->store().list(); },
      engine::connections::endpointsFromEnvironment(), options);
  return s;
}

BackgroundExport::BackgroundExport(engine::sync::SyncWorker& worker,
                                   std::chrono::milliseconds interval)
    : worker_(worker), interval_(interval), thread_([this] { run(); }) {}

BackgroundExport::~BackgroundExport() {
  stop();
}

void BackgroundExport::wake() {
  {
    std::lock_guard lock(m_);
    woken_ = true;
  }
  cv_.notify_all();
}

void BackgroundExport::stop() {
  {
    std::lock_guard lock(m_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  worker_.stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundExport::run() {
  worker_.releaseDeadLeases();
  for (;;) {
    {
      std::unique_lock lock(m_);
      cv_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    try {
      auto stats = worker_.drain();
      if (stats.records > 0)
        Poco::Logger::get("creneau.export").information("export: " + std::to_string(stats.completed) + " done, " +
                std::to_string(stats.retried) + " retried later, " +
                std::to_string(stats.failed) + " failed (" + std::to_string(stats.created) +
                " created, " + std::to_string(stats.updated) + " updated, " +
                std::to_string(stats.deleted) + " deleted)");
    } catch (const std::exception& e) {
      Poco::Logger::get("creneau.export").warning(std::string("export round failed: ") + e.what());
    }
  }
}

}  // namespace creneau::bridge
