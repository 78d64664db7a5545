#include "engine/sync/SyncStore.h"

#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Tuple.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace creneau::engine::sync {

using namespace Poco::Data::Keywords;
using Poco::Int64;
using Poco::Data::Session;

namespace {

RecordKind kindFrom(const std::string& text) {
  return text == "event" ? RecordKind::Event : RecordKind::Appointment;
}

template <typename F>
auto guarded(SqlAccess& db, const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Poco::Exception& e) {
    throw StoreError(std::string(what) + " (" + db.sqlLocation() + "): " + e.displayText());
  }
}

using ItemRow = Poco::Tuple<std::string, Int64, Int64, int, Int64, std::string, std::string>;
const char* const kItemColumns = "kind, record_id, version, attempts, due_at, state, last_error";

OutboxItem toItem(const ItemRow& r) {
  OutboxItem i;
  i.kind = kindFrom(r.get<0>());
  i.recordId = r.get<1>();
  i.version = r.get<2>();
  i.attempts = r.get<3>();
  i.dueAt = r.get<4>();
  i.failed = r.get<5>() == "failed";
  i.lastError = r.get<6>();
  return i;
}

using CopyRow = Poco::Tuple<std::string, Int64, std::string, Int64, std::string, int, int,
                            std::string, std::string, std::string, Int64>;
const char* const kCopyColumns =
    "kind, record_id, destination, connection_id, remote_id, generation, pending_create, "
    "body_hash, last_body, conference_url, updated_at";

RemoteCopy toCopy(const CopyRow& r) {
  RemoteCopy c;
  c.kind = kindFrom(r.get<0>());
  c.recordId = r.get<1>();
  c.destination = r.get<2>();
  c.connectionId = r.get<3>();
  c.remoteId = r.get<4>();
  c.generation = r.get<5>();
  c.pendingCreate = r.get<6>() != 0;
  c.bodyHash = r.get<7>();
  c.lastBody = r.get<8>();
  c.conferenceUrl = r.get<9>();
  c.updatedAt = r.get<10>();
  return c;
}

}  // namespace

std::string kindText(RecordKind kind) {
  return kind == RecordKind::Event ? "event" : "appointment";
}

std::vector<OutboxItem> SyncStore::lease(const std::string& owner, int limit, int leaseSeconds) {
  return guarded(db_, "cannot lease export jobs", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    const Int64 t = db_.sqlNow();
    std::vector<ItemRow> rows;
    s << std::string("SELECT ") + kItemColumns +
             " FROM sync_outbox WHERE state = 'pending' AND due_at <= ? AND lease_until <= ? "
             "ORDER BY due_at, kind, record_id LIMIT ?",
        into(rows), bind(t), bind(t), bind(limit), now;
    std::vector<OutboxItem> out;
    const Int64 until = t + leaseSeconds;
    for (const auto& r : rows) {
      out.push_back(toItem(r));
      s << "UPDATE sync_outbox SET lease_owner = ?, lease_until = ? WHERE kind = ? AND "
           "record_id = ?",
          bind(owner), bind(until), bind(r.get<0>()), bind(r.get<1>()), now;
    }
    tx.commit();
    return out;
  });
}

void SyncStore::complete(const OutboxItem& item) {
  guarded(db_, "cannot finish an export job", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    const std::string k = kindText(item.kind);
    const Int64 id = item.recordId, version = item.version;
    s << "DELETE FROM sync_outbox WHERE kind = ? AND record_id = ? AND version = ?", bind(k),
        bind(id), bind(version), now;
    s << "UPDATE sync_outbox SET lease_owner = '', lease_until = 0 WHERE kind = ? AND "
         "record_id = ?",
        bind(k), bind(id), now;
    tx.commit();
  });
}

void SyncStore::retryLater(const OutboxItem& item, UnixTime dueAt, const std::string& error) {
  guarded(db_, "cannot reschedule an export job", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    const std::string k = kindText(item.kind);
    const Int64 id = item.recordId, version = item.version, due = dueAt;
    // A newer change (version moved on) is due at once, with a fresh count.
    s << "UPDATE sync_outbox SET attempts = attempts + 1, due_at = ?, last_error = ?, "
         "lease_owner = '', lease_until = 0 WHERE kind = ? AND record_id = ? AND version = ?",
        bind(due), bind(error), bind(k), bind(id), bind(version), now;
    s << "UPDATE sync_outbox SET lease_owner = '', lease_until = 0 WHERE kind = ? AND "
         "record_id = ?",
        bind(k), bind(id), now;
    tx.commit();
  });
}

void SyncStore::fail(const OutboxItem& item, const std::string& error) {
  guarded(db_, "cannot record a failed export job", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    const std::string k = kindText(item.kind);
    const Int64 id = item.recordId, version = item.version;
    s << "UPDATE sync_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, "
         "lease_owner = '', lease_until = 0 WHERE kind = ? AND record_id = ? AND version = ?",
        bind(error), bind(k), bind(id), bind(version), now;
    s << "UPDATE sync_outbox SET lease_owner = '', lease_until = 0 WHERE kind = ? AND "
         "record_id = ?",
        bind(k), bind(id), now;
    tx.commit();
  });
}

int SyncStore::retry(std::optional<Id> recordId) {
  return guarded(db_, "cannot retry export jobs", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    const Int64 t = db_.sqlNow();
    Poco::Data::Statement st(s);
    st << "UPDATE sync_outbox SET state = 'pending', due_at = ?, attempts = 0 WHERE "
          "(state = 'failed' OR due_at > ?)",
        bind(t), bind(t);
    if (recordId) {
      const Int64 id = *recordId;
      st << " AND record_id = ?", bind(id);
    }
    const int n = static_cast<int>(st.execute());
    tx.commit();
    return n;
  });
}

int SyncStore::enqueueAll(UnixTime from, std::optional<Id> employeeId) {
  return guarded(db_, "cannot queue records for export", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    const Int64 t = db_.sqlNow(), since = from;
    int n = 0;
    const char* const upsert =
        " ON CONFLICT (kind, record_id) DO UPDATE SET version = sync_outbox.version + 1, "
        "due_at = excluded.due_at, attempts = 0, state = 'pending', last_error = ''";
    {
      Poco::Data::Statement st(s);
      st << std::string(
                "INSERT INTO sync_outbox (kind, record_id, version, due_at, attempts, state, "
                "last_error, lease_owner, lease_until) SELECT 'appointment', id, 1, ?, 0, "
                "'pending', '', '', 0 FROM appointments WHERE end_at > ?") +
                (employeeId ? " AND employee_id = ?" : "") + upsert,
          bind(t), bind(since);
      const Int64 emp = employeeId.value_or(0);
      if (employeeId) st, bind(emp);
      n += static_cast<int>(st.execute());
    }
    {
      Poco::Data::Statement st(s);
      st << std::string(
                "INSERT INTO sync_outbox (kind, record_id, version, due_at, attempts, state, "
                "last_error, lease_owner, lease_until) SELECT 'event', e.id, 1, ?, 0, "
                "'pending', '', '', 0 FROM events e WHERE EXISTS (SELECT 1 FROM event_periods "
                "p WHERE p.event_id = e.id AND p.end_at > ?)") +
                (employeeId ? " AND (e.organizer_id = ? OR EXISTS (SELECT 1 FROM event_staff "
                              "f WHERE f.event_id = e.id AND f.employee_id = ?))"
                            : "") +
                upsert,
          bind(t), bind(since);
      const Int64 emp = employeeId.value_or(0);
      if (employeeId) st, bind(emp), bind(emp);
      n += static_cast<int>(st.execute());
    }
    tx.commit();
    return n;
  });
}

OutboxStatus SyncStore::status() const {
  return guarded(db_, "cannot read the export queue", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginRead);
    const Int64 t = db_.sqlNow();
    OutboxStatus st;
    s << "SELECT COUNT(*) FROM sync_outbox WHERE state = 'pending'", into(st.pending), now;
    s << "SELECT COUNT(*) FROM sync_outbox WHERE state = 'pending' AND due_at <= ?", into(st.due),
        bind(t), now;
    s << "SELECT COUNT(*) FROM sync_outbox WHERE lease_until > ?", into(st.leased), bind(t), now;
    s << "SELECT COUNT(*) FROM sync_outbox WHERE state = 'failed'", into(st.failed), now;
    std::vector<ItemRow> rows;
    s << std::string("SELECT ") + kItemColumns +
             " FROM sync_outbox WHERE state = 'failed' ORDER BY due_at LIMIT 50",
        into(rows), now;
    for (const auto& r : rows) st.failures.push_back(toItem(r));
    rows.clear();
    s << std::string("SELECT ") + kItemColumns +
             " FROM sync_outbox WHERE state = 'pending' AND attempts > 0 ORDER BY due_at "
             "LIMIT 50",
        into(rows), now;
    for (const auto& r : rows) st.waiting.push_back(toItem(r));
    tx.commit();
    return st;
  });
}

std::vector<OutboxItem> SyncStore::pending() const {
  return guarded(db_, "cannot read the export queue", [&] {
    Session s = db_.sqlSession();
    std::vector<ItemRow> rows;
    s << std::string("SELECT ") + kItemColumns +
             " FROM sync_outbox WHERE state = 'pending' ORDER BY due_at, kind, record_id",
        into(rows), now;
    std::vector<OutboxItem> out;
    for (const auto& r : rows) out.push_back(toItem(r));
    return out;
  });
}

std::vector<RemoteCopy> SyncStore::copies(RecordKind kind, Id recordId) const {
  return guarded(db_, "cannot read remote copies", [&] {
    Session s = db_.sqlSession();
    std::vector<CopyRow> rows;
    const std::string k = kindText(kind);
    const Int64 id = recordId;
    s << std::string("SELECT ") + kCopyColumns +
             " FROM sync_remote WHERE kind = ? AND record_id = ? ORDER BY destination",
        into(rows), bind(k), bind(id), now;
    std::vector<RemoteCopy> out;
    for (const auto& r : rows) out.push_back(toCopy(r));
    return out;
  });
}

std::map<Id, std::vector<RemoteCopy>> SyncStore::copiesOf(RecordKind kind,
                                                          const std::vector<Id>& ids) const {
  return guarded(db_, "cannot read remote copies", [&] {
    std::map<Id, std::vector<RemoteCopy>> out;
    if (ids.empty()) return out;
    Session s = db_.sqlSession();
    std::string list;
    for (const auto id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    std::vector<CopyRow> rows;
    const std::string k = kindText(kind);
    s << std::string("SELECT ") + kCopyColumns +
             " FROM sync_remote WHERE kind = ? AND record_id IN (" + list +
             ") ORDER BY record_id, destination",
        into(rows), bind(k), now;
    for (const auto& r : rows) {
      auto c = toCopy(r);
      out[c.recordId].push_back(std::move(c));
    }
    return out;
  });
}

std::vector<RemoteCopy> SyncStore::copiesOfConnection(Id connectionId) const {
  return guarded(db_, "cannot read remote copies", [&] {
    Session s = db_.sqlSession();
    std::vector<CopyRow> rows;
    const Int64 id = connectionId;
    s << std::string("SELECT ") + kCopyColumns +
             " FROM sync_remote WHERE connection_id = ? ORDER BY kind, record_id, destination",
        into(rows), bind(id), now;
    std::vector<RemoteCopy> out;
    for (const auto& r : rows) out.push_back(toCopy(r));
    return out;
  });
}

namespace {
thread_local SyncStore::Batch* tCurrentBatch = nullptr;

void writeCopy(Session& s, const RemoteCopy& c, Int64 t) {
  const std::string k = kindText(c.kind);
  const Int64 id = c.recordId, conn = c.connectionId;
  const int pending = c.pendingCreate ? 1 : 0;
  s << std::string("INSERT INTO sync_remote (") + kCopyColumns +
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, record_id, "
           "destination) DO UPDATE SET connection_id = excluded.connection_id, remote_id = "
           "excluded.remote_id, generation = excluded.generation, pending_create = "
           "excluded.pending_create, body_hash = excluded.body_hash, last_body = "
           "excluded.last_body, conference_url = excluded.conference_url, updated_at = "
           "excluded.updated_at",
      bind(k), bind(id), bind(c.destination), bind(conn), bind(c.remoteId), bind(c.generation),
      bind(pending), bind(c.bodyHash), bind(c.lastBody), bind(c.conferenceUrl), bind(t), now;
}

void writeCopies(Session& s, const std::vector<const RemoteCopy*>& rows, Int64 t) {
  if (rows.empty()) return;
  std::string sql = std::string("INSERT INTO sync_remote (") + kCopyColumns + ") VALUES ";
  for (std::size_t i = 0; i < rows.size(); ++i)
    sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  sql +=
      " ON CONFLICT (kind, record_id, destination) DO UPDATE SET connection_id = "
      "excluded.connection_id, remote_id = excluded.remote_id, generation = excluded.generation, "
      "pending_create = excluded.pending_create, body_hash = excluded.body_hash, last_body = "
      "excluded.last_body, conference_url = excluded.conference_url, updated_at = "
      "excluded.updated_at";
  Poco::Data::Statement st(s);
  st << sql;
  for (const auto* c : rows)
    st, bind(kindText(c->kind)), bind(static_cast<Int64>(c->recordId)), bind(c->destination),
        bind(static_cast<Int64>(c->connectionId)), bind(c->remoteId), bind(c->generation),
        bind(c->pendingCreate ? 1 : 0), bind(c->bodyHash), bind(c->lastBody),
        bind(c->conferenceUrl), bind(t);
  st.execute();
}

void deleteCopy(Session& s, RecordKind kind, Id recordId, const std::string& destination) {
  const std::string k = kindText(kind);
  const Int64 id = recordId;
  s << "DELETE FROM sync_remote WHERE kind = ? AND record_id = ? AND destination = ?", bind(k),
      bind(id), bind(destination), now;
}
}  // namespace

SyncStore::Batch::Batch(SyncStore& store) : store_(store), previous_(tCurrentBatch) {
  tCurrentBatch = this;
}

SyncStore::Batch::~Batch() {
  try {
    flush();
  } catch (...) {  // NOLINT(bugprone-empty-catch): destructors do not throw
  }
  tCurrentBatch = previous_;
}

void SyncStore::Batch::flush() {
  if (writes_.empty()) return;
  guarded(store_.db_, "cannot record remote copies", [&] {
    Session s = store_.db_.sqlSession();
    SqlTransaction tx(s, store_.db_.sqlDialect().beginWrite);
    const Int64 t = store_.db_.sqlNow();
    // Poco's SQLite connector prepares a statement at every execute: rows go
    // in multi-row statements (in order: a removal then a save of one copy
    // must stay in that order, so runs of the same kind are grouped).
    constexpr std::size_t kRows = 100;
    std::size_t i = 0;
    while (i < writes_.size()) {
      const bool removal = writes_[i].second;
      std::size_t end = i;
      while (end < writes_.size() && writes_[end].second == removal && end - i < kRows) ++end;
      if (removal) {
        for (std::size_t j = i; j < end; ++j)
          deleteCopy(s, writes_[j].first.kind, writes_[j].first.recordId,
                     writes_[j].first.destination);
      } else {
        // One row per copy: the last write of a copy in this run wins.
        std::map<std::tuple<RecordKind, Id, std::string>, const RemoteCopy*> last;
        std::vector<const RemoteCopy*> rows;
        for (std::size_t j = i; j < end; ++j) {
          const auto& c = writes_[j].first;
          auto key = std::make_tuple(c.kind, c.recordId, c.destination);
          auto it = last.find(key);
          if (it == last.end()) {
            last.emplace(key, &c);
            rows.push_back(&c);
          } else {
            *std::find(rows.begin(), rows.end(), it->second) = &c;
            it->second = &c;
          }
        }
        writeCopies(s, rows, t);
      }
      i = end;
    }
    tx.commit();
  });
  writes_.clear();
}

void SyncStore::saveCopy(const RemoteCopy& c) {
  if (tCurrentBatch && &tCurrentBatch->store_ == this) {
    tCurrentBatch->writes_.emplace_back(c, false);
    return;
  }
  guarded(db_, "cannot record a remote copy", [&] {
    Session s = db_.sqlSession();
    writeCopy(s, c, db_.sqlNow());
  });
}

void SyncStore::removeCopy(RecordKind kind, Id recordId, const std::string& destination) {
  if (tCurrentBatch && &tCurrentBatch->store_ == this) {
    RemoteCopy c;
    c.kind = kind;
    c.recordId = recordId;
    c.destination = destination;
    tCurrentBatch->writes_.emplace_back(std::move(c), true);
    return;
  }
  guarded(db_, "cannot forget a remote copy", [&] {
    Session s = db_.sqlSession();
    deleteCopy(s, kind, recordId, destination);
  });
}

void SyncStore::finishAll(const std::vector<Finish>& finishes) {
  if (finishes.empty()) return;
  guarded(db_, "cannot finish export jobs", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    for (const auto& f : finishes) {
      const std::string k = kindText(f.item.kind);
      const Int64 id = f.item.recordId, version = f.item.version, due = f.dueAt;
      switch (f.outcome) {
        case Outcome::Complete:
          s << "DELETE FROM sync_outbox WHERE kind = ? AND record_id = ? AND version = ?", bind(k),
              bind(id), bind(version), now;
          break;
        case Outcome::RetryLater:
          s << "UPDATE sync_outbox SET attempts = attempts + 1, due_at = ?, last_error = ? "
               "WHERE kind = ? AND record_id = ? AND version = ?",
              bind(due), bind(f.error), bind(k), bind(id), bind(version), now;
          break;
        case Outcome::Fail:
          s << "UPDATE sync_outbox SET state = 'failed', attempts = attempts + 1, last_error = ? "
               "WHERE kind = ? AND record_id = ? AND version = ?",
              bind(f.error), bind(k), bind(id), bind(version), now;
          break;
      }
      // Whatever happened, the lease ends (a newer version is due at once).
      s << "UPDATE sync_outbox SET lease_owner = '', lease_until = 0 WHERE kind = ? AND "
           "record_id = ?",
          bind(k), bind(id), now;
    }
    tx.commit();
  });
}

std::int64_t SyncStore::copyCount() const {
  return guarded(db_, "cannot count remote copies", [&] {
    Session s = db_.sqlSession();
    Int64 n = 0;
    s << "SELECT COUNT(*) FROM sync_remote", into(n), now;
    return n;
  });
}

std::vector<SyncStore::SeenConnection> SyncStore::seenConnections() const {
  return guarded(db_, "cannot read the export's connections", [&] {
    Session s = db_.sqlSession();
    std::vector<Poco::Tuple<Int64, Int64, std::string>> rows;
    s << "SELECT connection_id, connected_at, calendar_id FROM sync_connections", into(rows), now;
    std::vector<SeenConnection> out;
    for (const auto& r : rows) out.push_back({r.get<0>(), r.get<1>(), r.get<2>()});
    return out;
  });
}

void SyncStore::markSeen(const SeenConnection& c) {
  guarded(db_, "cannot record a connection", [&] {
    Session s = db_.sqlSession();
    const Int64 id = c.connectionId, at = c.connectedAt;
    s << "INSERT INTO sync_connections (connection_id, connected_at, calendar_id) VALUES (?, ?, "
         "?) ON CONFLICT (connection_id) DO UPDATE SET connected_at = excluded.connected_at, "
         "calendar_id = excluded.calendar_id",
        bind(id), bind(at), bind(c.calendarId), now;
  });
}

void SyncStore::forgetConnection(Id connectionId) {
  guarded(db_, "cannot forget a connection", [&] {
    Session s = db_.sqlSession();
    SqlTransaction tx(s, db_.sqlDialect().beginWrite);
    const Int64 id = connectionId;
    s << "DELETE FROM sync_remote WHERE connection_id = ?", bind(id), now;
    s << "DELETE FROM sync_connections WHERE connection_id = ?", bind(id), now;
    tx.commit();
  });
}

}  // namespace creneau::engine::sync
