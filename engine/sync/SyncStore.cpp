#include "engine/sync/SyncStore.h"

#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Tuple.h>

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

void SyncStore::saveCopy(const RemoteCopy& c) {
  guarded(db_, "cannot record a remote copy", [&] {
    Session s = db_.sqlSession();
    const std::string k = kindText(c.kind);
    const Int64 id = c.recordId, conn = c.connectionId, t = db_.sqlNow();
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
  });
}

void SyncStore::removeCopy(RecordKind kind, Id recordId, const std::string& destination) {
  guarded(db_, "cannot forget a remote copy", [&] {
    Session s = db_.sqlSession();
    const std::string k = kindText(kind);
    const Int64 id = recordId;
    s << "DELETE FROM sync_remote WHERE kind = ? AND record_id = ? AND destination = ?", bind(k),
        bind(id), bind(destination), now;
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
