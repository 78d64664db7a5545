#include "engine/connections/ConnectionStore.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Tuple.h>

#include <sstream>
#include <utility>

#include "engine/store/SqlAccess.h"

namespace creneau::engine::connections {

namespace {

using namespace Poco::Data::Keywords;
using Poco::Int64;
using Poco::Data::Session;

// owner column: the employee's id, 0 for the admin-wide calendar.
Int64 ownerOf(const std::optional<Id>& employeeId) {
  return employeeId ? *employeeId : 0;
}

std::string busyJson(const std::vector<std::string>& calendars) {
  Poco::JSON::Array a;
  for (const auto& c : calendars) a.add(c);
  std::ostringstream out;
  a.stringify(out);
  return out.str();
}

std::vector<std::string> busyFromJson(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  try {
    auto a = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(i));
  } catch (const Poco::Exception&) {  // written only by this file; unreadable means empty
  }
  return out;
}

using Row = Poco::Tuple<Int64, std::string, Int64, std::string, std::string, std::string, int,
                        std::string, Int64, Int64>;
constexpr const char* kColumns =
    "SELECT id, provider, owner, account, calendar_id, busy_calendars, healthy, health_reason, "
    "connected_at, last_refresh_at FROM connections ";

Connection fromRow(const Row& r) {
  Connection c;
  c.id = r.get<0>();
  c.provider = parseProvider(r.get<1>()).value_or(Provider::Google);
  if (r.get<2>() != 0) c.employeeId = r.get<2>();
  c.account = r.get<3>();
  c.calendarId = r.get<4>();
  c.busyCalendars = busyFromJson(r.get<5>());
  c.healthy = r.get<6>() != 0;
  c.healthReason = r.get<7>();
  c.connectedAt = r.get<8>();
  c.lastRefreshAt = r.get<9>();
  return c;
}

template <typename F>
auto guarded(const SqlAccess& sql, const char* what, F&& f) {
  try {
    return f();
  } catch (const Poco::Exception& e) {
    throw ConnectionStoreError(std::string("cannot ") + what + " in " + sql.sqlLocation() + ": " +
                               e.displayText());
  }
}

}  // namespace

ConnectionStore::ConnectionStore(SqlAccess& sql, secrets::SecretBox box)
    : sql_(sql), box_(std::move(box)) {}

std::string ConnectionStore::defaultCalendar(Provider p) {
  return p == Provider::Google ? "primary" : "";
}

UnixTime ConnectionStore::currentTime() const {
  return sql_.sqlNow();
}

std::string ConnectionStore::seal(const std::string& plain) const {
  if (plain.empty()) return {};
  auto sealed = box_.seal(plain);
  if (!sealed) throw ConnectionStoreError("cannot seal a token: " + sealed.error().message);
  return sealed.value();
}

ConnectOutcome ConnectionStore::connect(const NewConnection& c) {
  // Sealed before the transaction: nothing plain ever reaches SQL.
  const std::string refresh = seal(c.refreshToken);
  const std::string access = seal(c.accessToken);
  return guarded(sql_, "store the connection", [&] {
    Session s = sql_.sqlSession();
    SqlTransaction tx(s, sql_.sqlDialect().beginWrite);
    const std::string provider(providerName(c.provider));
    const Int64 owner = ownerOf(c.employeeId);
    const Int64 stamp = sql_.sqlNow();
    std::vector<Poco::Tuple<Int64, std::string>> existing;
    s << "SELECT id, account FROM connections WHERE provider = ? AND owner = ?", into(existing),
        bind(provider), bind(owner), Poco::Data::Keywords::now;
    ConnectOutcome out;
    Int64 id = 0;
    if (existing.empty()) {
      s << "INSERT INTO connections (provider, owner, account, calendar_id, busy_calendars, "
           "refresh_token, access_token, access_expires_at, scopes, healthy, health_reason, "
           "connected_at, last_refresh_at) VALUES (?, ?, ?, ?, '[]', ?, ?, ?, ?, 1, '', ?, 0) "
           "RETURNING id",
          bind(provider), bind(owner), bind(c.account), bind(defaultCalendar(c.provider)),
          bind(refresh), bind(access), bind(static_cast<Int64>(c.accessExpiresAt)), bind(c.scopes),
          bind(stamp), into(id), Poco::Data::Keywords::now;
    } else {
      id = existing.front().get<0>();
      out.reconnected = true;
      const std::string& before = existing.front().get<1>();
      if (!before.empty() && before != c.account) {
        out.previousAccount = before;
        s << "UPDATE connections SET calendar_id = ?, busy_calendars = '[]' WHERE id = ?",
            bind(defaultCalendar(c.provider)), bind(id), Poco::Data::Keywords::now;
      }
      s << "UPDATE connections SET account = ?, refresh_token = ?, access_token = ?, "
           "access_expires_at = ?, scopes = ?, healthy = 1, health_reason = '', connected_at = ?, "
           "last_refresh_at = 0 WHERE id = ?",
          bind(c.account), bind(refresh), bind(access), bind(static_cast<Int64>(c.accessExpiresAt)),
          bind(c.scopes), bind(stamp), bind(id), Poco::Data::Keywords::now;
    }
    std::vector<Row> rows;
    s << std::string(kColumns) + "WHERE id = ?", into(rows), bind(id), Poco::Data::Keywords::now;
    tx.commit();
    out.connection = fromRow(rows.at(0));
    return out;
  });
}

std::optional<Connection> ConnectionStore::byId(Id id) const {
  return guarded(sql_, "read a connection", [&]() -> std::optional<Connection> {
    Session s = sql_.sqlSession();
    std::vector<Row> rows;
    s << std::string(kColumns) + "WHERE id = ?", into(rows), bind(static_cast<Int64>(id)), now;
    if (rows.empty()) return std::nullopt;
    return fromRow(rows.front());
  });
}

std::optional<Connection> ConnectionStore::find(Provider provider,
                                                std::optional<Id> employeeId) const {
  return guarded(sql_, "read a connection", [&]() -> std::optional<Connection> {
    Session s = sql_.sqlSession();
    std::vector<Row> rows;
    s << std::string(kColumns) + "WHERE provider = ? AND owner = ?", into(rows),
        bind(std::string(providerName(provider))), bind(ownerOf(employeeId)), now;
    if (rows.empty()) return std::nullopt;
    return fromRow(rows.front());
  });
}

std::vector<Connection> ConnectionStore::list() const {
  return guarded(sql_, "list the connections", [&] {
    Session s = sql_.sqlSession();
    std::vector<Row> rows;
    s << std::string(kColumns) + "ORDER BY id", into(rows), now;
    std::vector<Connection> out;
    for (const auto& r : rows) out.push_back(fromRow(r));
    return out;
  });
}

std::vector<Connection> ConnectionStore::forEmployee(std::optional<Id> employeeId) const {
  return guarded(sql_, "list the connections", [&] {
    Session s = sql_.sqlSession();
    std::vector<Row> rows;
    s << std::string(kColumns) + "WHERE owner = ? ORDER BY id", into(rows),
        bind(ownerOf(employeeId)), now;
    std::vector<Connection> out;
    for (const auto& r : rows) out.push_back(fromRow(r));
    return out;
  });
}

namespace {
// Runs one UPDATE ... WHERE id = ? and says whether a row matched.
template <typename... Values>
bool updateOne(SqlAccess& sql, const std::string& statement, Id id, Values&&... values) {
  return guarded(sql, "update a connection", [&] {
    Session s = sql.sqlSession();
    Poco::Data::Statement st(s);
    st << statement;
    if constexpr (sizeof...(Values) > 0) (st, ..., bind(values));
    st, bind(static_cast<Int64>(id));
    return st.execute() > 0;
  });
}
}  // namespace

bool ConnectionStore::setCalendar(Id id, const std::string& calendarId) {
  return updateOne(sql_, "UPDATE connections SET calendar_id = ? WHERE id = ?", id, calendarId);
}

bool ConnectionStore::setBusyCalendars(Id id, const std::vector<std::string>& calendars) {
  return updateOne(sql_, "UPDATE connections SET busy_calendars = ? WHERE id = ?", id,
                   busyJson(calendars));
}

bool ConnectionStore::markUnhealthy(Id id, const std::string& reason) {
  // The cached access token is dropped too: it belongs to a dead grant.
  return updateOne(sql_,
                   "UPDATE connections SET healthy = 0, health_reason = ?, access_token = '', "
                   "access_expires_at = 0 WHERE id = ?",
                   id, reason);
}

bool ConnectionStore::markHealthy(Id id) {
  return updateOne(sql_, "UPDATE connections SET healthy = 1, health_reason = '' WHERE id = ?", id);
}

TokensResult ConnectionStore::tokens(Id id) const {
  std::vector<Poco::Tuple<std::string, std::string, Int64>> rows;
  guarded(sql_, "read the tokens of a connection", [&] {
    Session s = sql_.sqlSession();
    s << "SELECT refresh_token, access_token, access_expires_at FROM connections WHERE id = ?",
        into(rows), bind(static_cast<Int64>(id)), now;
    return 0;
  });
  TokensResult out;
  if (rows.empty()) {
    out.problem = "connection " + std::to_string(id) + " does not exist (disconnected?)";
    return out;
  }
  StoredTokens t;
  const auto refresh = box_.open(rows.front().get<0>());
  if (!refresh) {
    out.problem = "the refresh token of connection " + std::to_string(id) + " cannot be opened (" +
                  refresh.error().message +
                  "): was the secret key changed? Connect the account again";
    return out;
  }
  t.refreshToken = refresh.value();
  if (!rows.front().get<1>().empty()) {
    // An unreadable cached access token is only a cache miss.
    if (auto access = box_.open(rows.front().get<1>())) {
      t.accessToken = access.value();
      t.accessExpiresAt = rows.front().get<2>();
    }
  }
  out.tokens = std::move(t);
  return out;
}

bool ConnectionStore::storeRefreshed(Id id, const std::string& accessToken,
                                     UnixTime accessExpiresAt,
                                     const std::optional<std::string>& newRefreshToken) {
  const std::string access = seal(accessToken);
  const Int64 expires = accessExpiresAt;
  const Int64 at = sql_.sqlNow();
  if (newRefreshToken && !newRefreshToken->empty()) {
    return updateOne(sql_,
                     "UPDATE connections SET access_token = ?, access_expires_at = ?, "
                     "refresh_token = ?, last_refresh_at = ?, healthy = 1, health_reason = '' "
                     "WHERE id = ?",
                     id, access, expires, seal(*newRefreshToken), at);
  }
  return updateOne(sql_,
                   "UPDATE connections SET access_token = ?, access_expires_at = ?, "
                   "last_refresh_at = ?, healthy = 1, health_reason = '' WHERE id = ?",
                   id, access, expires, at);
}

bool ConnectionStore::remove(Id id) {
  return updateOne(sql_, "DELETE FROM connections WHERE id = ?", id);
}

}  // namespace creneau::engine::connections
