#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/connections/Connection.h"
#include "engine/connections/ProviderEndpoints.h"
#include "engine/net/HttpClient.h"
#include "engine/store/Store.h"
#include "engine/sync/CopyTask.h"
#include "engine/sync/SyncStore.h"

namespace creneau::engine::sync {

struct WorkerOptions {
  std::string owner;              // lease owner; default "<host>:<pid>"
  int leaseRecords = 200;         // records taken per round
  int leaseSeconds = 300;         // an abandoned lease is free again after this
  bool batching = true;           // Google batch / Graph $batch; false: one request per call
  int googleBatchSize = 50;       // Google accepts up to 1000 but advises 50
  int graphBatchSize = 20;        // Graph's hard limit
  int perAccountConcurrency = 2;  // requests (or batches) in flight per connected account
  int threads = 4;
  std::chrono::milliseconds requestTimeout{30000};
  int baseBackoffSec = 10;  // first retry after a transient failure (jittered, doubling)
  int maxBackoffSec = 3600;
  // Only records ending after now - exportPastDays are queued by enqueueAll.
  int exportPastDays = 30;
};

struct RunStats {
  std::int64_t records = 0;  // outbox items worked on
  std::int64_t completed = 0;
  std::int64_t retried = 0;  // transient failure: due again later
  std::int64_t failed = 0;   // permanent failure: waits for `sync retry`
  std::int64_t created = 0, updated = 0, deleted = 0, unchanged = 0;
  std::int64_t requests = 0;  // HTTP requests sent (a batch counts once)
  std::int64_t calls = 0;     // provider calls (each part of a batch counts)
  void add(const RunStats& o);
};

// One line of `creneau sync --dry-run`.
struct PlanLine {
  RecordKind kind = RecordKind::Appointment;
  std::string recordExternalId;
  std::string destination;
  PlannedAction action = PlannedAction::None;
  std::string note;  // why nothing can happen (mapping error, missing record)
};

// Works the export outbox (issue 4, item 6): leases due records, works out
// per destination what must change (CopyTask), sends the calls grouped per
// connected account (batched, at most perAccountConcurrency in flight per
// account), and records the outcome: done, due again later with jittered
// exponential backoff (Retry-After honoured), or failed with the provider's
// message. Several workers (processes) may share one outbox.
class SyncWorker {
 public:
  using ConnectionList = std::function<std::vector<connections::Connection>()>;

  SyncWorker(Store& store, SyncStore& sync, net::HttpClient& http, connections::TokenSource& tokens,
             ConnectionList connections, connections::ProviderEndpoints endpoints,
             WorkerOptions options = {});

  // One round; records == 0 when nothing was due. Starts with
  // noticeConnections().
  RunStats runOnce();
  // A new connection, a reconnect or a new destination calendar queues the
  // owner's records (every record for the admin-wide calendar); copies of a
  // connection that is gone are forgotten. The number of records queued.
  int noticeConnections();
  // Rounds until nothing is due or stop() was called. progress(stats so far,
  // items still due) after each round.
  RunStats drain(const std::function<void(const RunStats&, std::int64_t)>& progress = {});
  // What the pending records would need, without calling anyone.
  [[nodiscard]] std::vector<PlanLine> plan();
  // Leases of workers of this host whose process is gone are released.
  int releaseDeadLeases();
  void stop() { stopping_ = true; }
  [[nodiscard]] const WorkerOptions& options() const { return options_; }

 private:
  struct Item;
  std::vector<Item> prepare(const std::vector<OutboxItem>& items);
  void execute(std::vector<CopyTask*>& tasks, RunStats& stats);
  void runConnection(Id connectionId, std::vector<CopyTask*> tasks, RunStats& stats);
  void sendSingle(const std::string& token, std::vector<std::pair<CopyTask*, ApiCall>>& calls,
                  connections::Provider provider, RunStats& stats);
  void sendBatch(const std::string& token, std::vector<std::pair<CopyTask*, ApiCall>>& calls,
                 connections::Provider provider, RunStats& stats);
  UnixTime backoff(int attempts, int retryAfterSec) const;

  Store& store_;
  SyncStore& sync_;
  net::HttpClient& http_;
  connections::TokenSource& tokens_;
  ConnectionList connections_;
  connections::ProviderEndpoints endpoints_;
  WorkerOptions options_;
  std::atomic<bool> stopping_{false};
};

}  // namespace creneau::engine::sync
