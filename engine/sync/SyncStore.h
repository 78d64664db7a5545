#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/Domain.h"
#include "engine/store/SqlAccess.h"
#include "engine/store/Store.h"

namespace creneau::engine::sync {

// A record whose remote copies may be out of date (a row of sync_outbox,
// see SyncSchema.cpp). `version` is the one the worker reconciles: finishing
// removes the row only if no newer change arrived meanwhile.
struct OutboxItem {
  RecordKind kind = RecordKind::Appointment;
  Id recordId = 0;
  std::int64_t version = 0;
  int attempts = 0;
  UnixTime dueAt = 0;
  bool failed = false;
  std::string lastError;
  bool operator==(const OutboxItem&) const = default;
};

struct OutboxStatus {
  std::int64_t pending = 0;          // waiting, due now or later
  std::int64_t due = 0;              // of which due now
  std::int64_t leased = 0;           // being worked on
  std::int64_t failed = 0;           // waiting for `creneau sync retry`
  std::vector<OutboxItem> failures;  // the failed ones, oldest first (at most 50)
  std::vector<OutboxItem> waiting;   // retried later after a transient error (at most 50)
};

// What one destination holds for one record (a row of sync_remote).
struct RemoteCopy {
  RecordKind kind = RecordKind::Appointment;
  Id recordId = 0;
  std::string destination;  // "google:<connection id>:<calendar>[#period]"
  Id connectionId = 0;
  std::string remoteId;        // the provider's event id ("" while a Graph create is unanswered)
  int generation = 0;          // re-creations after a remote deletion
  bool pendingCreate = false;  // a create was sent and its answer not recorded yet
  std::string bodyHash;        // of the full body the copy was last written with
  std::string lastBody;        // that body (JSON)
  std::string conferenceUrl;
  UnixTime updatedAt = 0;
  bool operator==(const RemoteCopy&) const = default;
};

[[nodiscard]] std::string kindText(RecordKind kind);  // "appointment" / "event"

// The outbox and the remote copies, in the store's database.
class SyncStore {
 public:
  explicit SyncStore(SqlAccess& db) : db_(db) {}

  // Up to `limit` due, unleased pending items, leased to `owner` until
  // now + leaseSeconds (an expired lease is free again: a worker that died
  // with items leased loses them after leaseSeconds).
  [[nodiscard]] std::vector<OutboxItem> lease(const std::string& owner, int limit,
                                              int leaseSeconds);
  // Done: the row goes when its version is still item.version; else the
  // lease is released so the newer change is worked on.
  void complete(const OutboxItem& item);
  // A transient failure: due again at dueAt, attempts + 1.
  void retryLater(const OutboxItem& item, UnixTime dueAt, const std::string& error);
  // A permanent failure: kept with the provider's message until retry().
  void fail(const OutboxItem& item, const std::string& error);
  // Failed (and waiting) items become due now; nullopt: all of them. The count.
  int retry(std::optional<Id> recordId = std::nullopt);
  // Every appointment and event ending after `from` (of one employee, or all)
  // is queued: after a template change, a new connection or a calendar change.
  int enqueueAll(UnixTime from, std::optional<Id> employeeId = std::nullopt);
  [[nodiscard]] OutboxStatus status() const;
  // Every pending item (leased or not), for --dry-run.
  [[nodiscard]] std::vector<OutboxItem> pending() const;

  // While a Batch lives on a thread, saveCopy/removeCopy from that thread
  // are kept and written by flush() in one transaction (a worker flushes
  // before it sends anything, so a pending create is on disk before the
  // request leaves, and after each answer).
  class Batch {
   public:
    explicit Batch(SyncStore& store);
    ~Batch();  // flushes
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    void flush();

   private:
    friend class SyncStore;
    SyncStore& store_;
    Batch* previous_;
    std::vector<std::pair<RemoteCopy, bool>> writes_;  // bool: removal
  };

  // The outcome of many items in one transaction.
  enum class Outcome { Complete, RetryLater, Fail };
  struct Finish {
    OutboxItem item;
    Outcome outcome = Outcome::Complete;
    UnixTime dueAt = 0;  // RetryLater
    std::string error;
  };
  void finishAll(const std::vector<Finish>& finishes);

  [[nodiscard]] std::vector<RemoteCopy> copies(RecordKind kind, Id recordId) const;
  [[nodiscard]] std::vector<RemoteCopy> copiesOfConnection(Id connectionId) const;
  // The copies of many records of one kind, by record id.
  [[nodiscard]] std::map<Id, std::vector<RemoteCopy>> copiesOf(RecordKind kind,
                                                               const std::vector<Id>& ids) const;
  void saveCopy(const RemoteCopy& copy);
  void removeCopy(RecordKind kind, Id recordId, const std::string& destination);
  [[nodiscard]] std::int64_t copyCount() const;

  // Connections as the worker last saw them (connected_at, destination).
  struct SeenConnection {
    Id connectionId = 0;
    UnixTime connectedAt = 0;
    std::string calendarId;
  };
  [[nodiscard]] std::vector<SeenConnection> seenConnections() const;
  void markSeen(const SeenConnection& c);
  // Forgets a connection that is gone, with every copy recorded for it (the
  // events stay in that calendar: nothing can reach it any more).
  void forgetConnection(Id connectionId);

  [[nodiscard]] UnixTime clock() const { return db_.sqlNow(); }

 private:
  SqlAccess& db_;
};

}  // namespace creneau::engine::sync
