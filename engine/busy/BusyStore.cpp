#include "engine/busy/BusyStore.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Tuple.h>

#include "engine/store/SqlAccess.h"
#include "engine/store/Store.h"

namespace creneau::engine::busy {

using Poco::Int64;
using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

template <typename Fn>
auto guarded(const SqlAccess& sql, const char* what, Fn&& fn) {
  try {
    return fn();
  } catch (const StoreError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StoreError(std::string(what) + " (" + sql.sqlLocation() + "): " + e.displayText());
  }
}

const char* kColumns =
    "s.id, s.employee_id, e.external_id, s.kind, s.label, s.url, s.username, s.secret, "
    "s.connection_id, s.tentative_busy, s.all_day_busy, s.created_at, s.status, s.message, "
    "s.error_since, s.fetched_at, s.attempted_at, s.window_start, s.window_end, s.etag, "
    "s.last_modified, s.mode, s.fetch_ms, s.period_count";

SourceStatus statusFrom(const std::string& s) {
  if (s == "ok") return SourceStatus::Ok;
  if (s == "error") return SourceStatus::Error;
  return SourceStatus::Never;
}

// One row of a RecordSet over kColumns (more columns than Poco::Tuple holds).
SourceRecord fromRow(Poco::Data::RecordSet& rs, std::size_t row) {
  auto i64 = [&](std::size_t c) { return rs.value(c, row).convert<Int64>(); };
  auto str = [&](std::size_t c) { return rs.value(c, row).convert<std::string>(); };
  SourceRecord s;
  s.id = i64(0);
  s.employeeId = i64(1);
  s.employeeExternalId = str(2);
  s.kind = parseKind(str(3)).value_or(SourceKind::Ics);
  s.label = str(4);
  s.url = str(5);
  s.username = str(6);
  s.sealedPassword = str(7);
  s.connectionId = i64(8);
  s.rules.tentativeBusy = i64(9) != 0;
  s.rules.allDayBusy = i64(10) != 0;
  s.createdAt = i64(11);
  s.status = statusFrom(str(12));
  s.message = str(13);
  s.errorSince = i64(14);
  s.fetchedAt = i64(15);
  s.attemptedAt = i64(16);
  s.windowStart = i64(17);
  s.windowEnd = i64(18);
  s.etag = str(19);
  s.lastModified = str(20);
  s.mode = str(21);
  s.fetchMs = i64(22);
  s.periodCount = i64(23);
  return s;
}

std::vector<SourceRecord> selectSources(Session& s, const std::string& where,
                                        std::optional<Int64> arg) {
  Poco::Data::Statement st(s);
  st << std::string("SELECT ") + kColumns +
            " FROM busy_sources s JOIN employees e ON e.id = s.employee_id " + where +
            " ORDER BY s.employee_id, s.id";
  if (arg) st, bind(*arg);
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<SourceRecord> out;
  for (std::size_t r = 0; r < rs.rowCount(); ++r) out.push_back(fromRow(rs, r));
  return out;
}

}  // namespace

std::string_view kindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::CalDav:
      return "caldav";
    case SourceKind::Ics:
      return "ics";
    case SourceKind::Google:
      return "google";
    case SourceKind::Microsoft:
      return "microsoft";
  }
  return "ics";
}

std::optional<SourceKind> parseKind(std::string_view name) {
  for (auto k : {SourceKind::CalDav, SourceKind::Ics, SourceKind::Google, SourceKind::Microsoft})
    if (kindName(k) == name) return k;
  return std::nullopt;
}

std::string_view statusName(SourceStatus s) {
  switch (s) {
    case SourceStatus::Ok:
      return "ok";
    case SourceStatus::Error:
      return "error";
    case SourceStatus::Never:
      break;
  }
  return "never";
}

std::string_view policyName(Policy p) {
  return p == Policy::Hide ? "hide" : "mark";
}

std::optional<Policy> parsePolicy(std::string_view text) {
  if (text == "hide") return Policy::Hide;
  if (text == "mark" || text == "mark-unverified" || text == "unverified") return Policy::Mark;
  return std::nullopt;
}

std::string SourceRecord::displayName() const {
  std::string kindText;
  switch (kind) {
    case SourceKind::CalDav:
      kindText = "CalDAV";
      break;
    case SourceKind::Ics:
      kindText = "ICS";
      break;
    case SourceKind::Google:
      kindText = "Google";
      break;
    case SourceKind::Microsoft:
      kindText = "Microsoft";
      break;
  }
  if (!label.empty()) return label + " (" + kindText + ")";
  return kindText + " " + std::to_string(id);
}

std::optional<BusyStore> BusyStore::of(const Store& store) {
  // sqlAccess() is not const in Store, but SqlAccess only hands out sessions.
  const SqlAccess* sql = const_cast<Store&>(store).sqlAccess();
  if (!sql) return std::nullopt;
  return BusyStore(*sql);
}

Id BusyStore::add(const NewSource& in) {
  return guarded(sql_, "cannot add the busy source", [&] {
    Session s = sql_.sqlSession();
    SqlTransaction tx(s, sql_.sqlDialect().beginWrite);
    Int64 id = 0;
    std::string kind(kindName(in.kind));
    Int64 employee = in.employeeId;
    Int64 connection = in.connectionId;
    int tentative = in.rules.tentativeBusy ? 1 : 0;
    int allDay = in.rules.allDayBusy ? 1 : 0;
    Int64 at = sql_.sqlNow();
    s << "INSERT INTO busy_sources (employee_id, kind, label, url, username, secret, "
         "connection_id, tentative_busy, all_day_busy, created_at, status, message, "
         "error_since, fetched_at, attempted_at, window_start, window_end, etag, "
         "last_modified, mode, fetch_ms, period_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
         "'never', '', 0, 0, 0, 0, 0, '', '', '', 0, 0) RETURNING id",
        use(employee), use(kind), bind(in.label), bind(in.url), bind(in.username),
        bind(in.sealedPassword), use(connection), use(tentative), use(allDay), use(at), into(id),
        now;
    tx.commit();
    return Id{id};
  });
}

std::vector<SourceRecord> BusyStore::sources(std::optional<Id> employeeId) const {
  return guarded(sql_, "cannot read the busy sources", [&] {
    Session s = sql_.sqlSession();
    if (employeeId) return selectSources(s, "WHERE s.employee_id = ?", Int64{*employeeId});
    return selectSources(s, "", std::nullopt);
  });
}

std::optional<SourceRecord> BusyStore::source(Id id) const {
  return guarded(sql_, "cannot read the busy source", [&]() -> std::optional<SourceRecord> {
    Session s = sql_.sqlSession();
    auto rows = selectSources(s, "WHERE s.id = ?", Int64{id});
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

bool BusyStore::remove(Id id) {
  return guarded(sql_, "cannot remove the busy source", [&] {
    Session s = sql_.sqlSession();
    SqlTransaction tx(s, sql_.sqlDialect().beginWrite);
    Int64 i = id;
    s << "DELETE FROM busy_periods WHERE source_id = ?", bind(i), now;
    std::vector<Int64> gone;
    s << "DELETE FROM busy_sources WHERE id = ? RETURNING id", bind(i), into(gone), now;
    tx.commit();
    return !gone.empty();
  });
}

std::vector<CachedPeriod> BusyStore::periods(Id employeeId, UnixTime from, UnixTime to) const {
  return guarded(sql_, "cannot read the busy periods", [&] {
    Session s = sql_.sqlSession();
    std::vector<Poco::Tuple<Int64, Int64, Int64, std::string>> rows;
    Int64 e = employeeId, f = from, t = to;
    s << "SELECT source_id, start_at, end_at, summary FROM busy_periods WHERE employee_id = ? "
         "AND start_at < ? AND end_at > ? ORDER BY start_at, end_at, source_id",
        into(rows), bind(e), bind(t), bind(f), now;
    std::vector<CachedPeriod> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back({r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>()});
    return out;
  });
}

std::vector<CachedPeriod> BusyStore::sourcePeriods(Id sourceId) const {
  return guarded(sql_, "cannot read the busy periods", [&] {
    Session s = sql_.sqlSession();
    std::vector<Poco::Tuple<Int64, Int64, Int64, std::string>> rows;
    Int64 i = sourceId;
    s << "SELECT source_id, start_at, end_at, summary FROM busy_periods WHERE source_id = ? "
         "ORDER BY start_at, end_at",
        into(rows), bind(i), now;
    std::vector<CachedPeriod> out;
    for (const auto& r : rows) out.push_back({r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>()});
    return out;
  });
}

void BusyStore::recordSuccess(Id sourceId, const Success& in) {
  guarded(sql_, "cannot store the busy periods", [&] {
    Session s = sql_.sqlSession();
    SqlTransaction tx(s, sql_.sqlDialect().beginWrite);
    Int64 id = sourceId;
    Int64 at = sql_.sqlNow();
    Int64 ms = in.fetchMs;
    Int64 ws = in.windowStart, we = in.windowEnd;
    if (in.notModified) {
      s << "UPDATE busy_sources SET status = 'ok', message = '', error_since = 0, fetched_at = ?, "
           "attempted_at = ?, fetch_ms = ?, window_start = ?, window_end = ? WHERE id = ?",
          use(at), use(at), use(ms), use(ws), use(we), use(id), now;
    } else {
      std::vector<Int64> owner;
      s << "SELECT employee_id FROM busy_sources WHERE id = ?", into(owner), use(id), now;
      if (owner.empty()) return;  // removed meanwhile: nothing to cache
      s << "DELETE FROM busy_periods WHERE source_id = ?", use(id), now;
      if (!in.periods.empty()) {
        std::vector<Int64> sid(in.periods.size(), id), emp(in.periods.size(), owner.front());
        std::vector<Int64> st, en;
        std::vector<std::string> su;
        for (const auto& p : in.periods) {
          st.push_back(p.start);
          en.push_back(p.end);
          su.push_back(p.summary);
        }
        s << "INSERT INTO busy_periods (source_id, employee_id, start_at, end_at, summary) "
             "VALUES (?, ?, ?, ?, ?)",
            use(sid), use(emp), use(st), use(en), use(su), now;
      }
      Int64 count = static_cast<Int64>(in.periods.size());
      s << "UPDATE busy_sources SET status = 'ok', message = '', error_since = 0, fetched_at = ?, "
           "attempted_at = ?, fetch_ms = ?, window_start = ?, window_end = ?, etag = ?, "
           "last_modified = ?, mode = ?, period_count = ? WHERE id = ?",
          use(at), use(at), use(ms), use(ws), use(we), bind(in.etag), bind(in.lastModified),
          bind(in.mode), use(count), use(id), now;
    }
    tx.commit();
  });
}

void BusyStore::recordFailure(Id sourceId, const std::string& message, std::int64_t fetchMs) {
  guarded(sql_, "cannot record the busy source's failure", [&] {
    Session s = sql_.sqlSession();
    SqlTransaction tx(s, sql_.sqlDialect().beginWrite);
    Int64 id = sourceId;
    Int64 at = sql_.sqlNow();
    Int64 ms = fetchMs;
    s << "UPDATE busy_sources SET error_since = CASE WHEN status = 'error' THEN error_since "
         "ELSE ? END, status = 'error', message = ?, attempted_at = ?, fetch_ms = ? WHERE id = ?",
        use(at), bind(message), use(at), use(ms), use(id), now;
    tx.commit();
  });
}

std::optional<BusyStore::ConnectionOwner> BusyStore::connection(Id connectionId) const {
  return guarded(sql_, "cannot read the connection", [&]() -> std::optional<ConnectionOwner> {
    Session s = sql_.sqlSession();
    std::vector<Poco::Tuple<std::string, Int64>> rows;
    Int64 i = connectionId;
    s << "SELECT provider, owner FROM connections WHERE id = ?", into(rows), bind(i), now;
    if (rows.empty()) return std::nullopt;
    return ConnectionOwner{rows.front().get<0>(), rows.front().get<1>()};
  });
}

std::map<Id, Policy> BusyStore::employeePolicies() const {
  return guarded(sql_, "cannot read the busy policies", [&] {
    Session s = sql_.sqlSession();
    std::vector<Poco::Tuple<Int64, std::string>> rows;
    s << "SELECT employee_id, policy FROM busy_employee_policy", into(rows), now;
    std::map<Id, Policy> out;
    for (const auto& r : rows) out[r.get<0>()] = parsePolicy(r.get<1>()).value_or(Policy::Hide);
    return out;
  });
}

void BusyStore::setEmployeePolicy(Id employeeId, std::optional<Policy> policy) {
  guarded(sql_, "cannot store the busy policy", [&] {
    Session s = sql_.sqlSession();
    SqlTransaction tx(s, sql_.sqlDialect().beginWrite);
    Int64 e = employeeId;
    s << "DELETE FROM busy_employee_policy WHERE employee_id = ?", use(e), now;
    if (policy) {
      std::string p(policyName(*policy));
      s << "INSERT INTO busy_employee_policy (employee_id, policy) VALUES (?, ?)", use(e), use(p),
          now;
    }
    tx.commit();
  });
}

}  // namespace creneau::engine::busy
