#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/connections/Connection.h"
#include "engine/secrets/SecretBox.h"

namespace creneau::engine {
class SqlAccess;
}

namespace creneau::engine::connections {

// The database failed (not an expected outcome: disk, lock timeout). The
// message names the database, never a token.
class ConnectionStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a successful authorization-code exchange gives (OAuthFlow), ready to
// be stored. Plain tokens here; they are sealed before any SQL sees them.
struct NewConnection {
  Provider provider = Provider::Google;
  std::optional<Id> employeeId;  // nullopt: the admin-wide calendar
  std::string account;
  std::string refreshToken;
  std::string accessToken;
  UnixTime accessExpiresAt = 0;
  std::string scopes;  // as granted, space separated
};

struct ConnectOutcome {
  Connection connection;
  bool reconnected = false;     // the (provider, owner) row existed: same id kept
  std::string previousAccount;  // set when a reconnect brought a *different* account
};

// The tokens of one connection, opened. Never log these.
struct StoredTokens {
  std::string refreshToken;
  std::string accessToken;  // empty: none cached
  UnixTime accessExpiresAt = 0;
};

// Tokens, or why they cannot be read (the key changed, the row is gone).
struct TokensResult {
  std::optional<StoredTokens> tokens;
  std::string problem;  // never holds token material
  explicit operator bool() const { return tokens.has_value(); }
};

// The `connections` table (migration 6) over the store's database. One row
// per (provider, owner): connecting again updates that row and keeps its id,
// so exported events keep their mapping (sync_remote.connection_id).
// Thread-safe (every call takes its own pooled session).
class ConnectionStore {
 public:
  // `sql` must outlive this object; `box` seals the tokens.
  ConnectionStore(SqlAccess& sql, secrets::SecretBox box);

  // Insert, or update the (provider, owner) row: new tokens and account,
  // healthy again, connectedAt = now. A different account than before
  // resets the destination and busy calendars (the old ids belong to the old
  // account) and is reported in previousAccount.
  [[nodiscard]] ConnectOutcome connect(const NewConnection& c);

  [[nodiscard]] std::optional<Connection> byId(Id id) const;
  [[nodiscard]] std::optional<Connection> find(Provider provider,
                                               std::optional<Id> employeeId) const;
  // Every connection, by id.
  [[nodiscard]] std::vector<Connection> list() const;
  // The connections of one employee (nullopt: the admin-wide ones).
  [[nodiscard]] std::vector<Connection> forEmployee(std::optional<Id> employeeId) const;

  // False when there is no such connection.
  bool setCalendar(Id id, const std::string& calendarId);
  bool setBusyCalendars(Id id, const std::vector<std::string>& calendars);
  bool markUnhealthy(Id id, const std::string& reason);
  bool markHealthy(Id id);

  [[nodiscard]] TokensResult tokens(Id id) const;
  // After a refresh: the new access token, the rotated refresh token when
  // the provider sent one (Microsoft does), lastRefreshAt = now, healthy.
  bool storeRefreshed(Id id, const std::string& accessToken, UnixTime accessExpiresAt,
                      const std::optional<std::string>& newRefreshToken);

  // Deletes the row (and its tokens). False when there was none.
  bool remove(Id id);

  [[nodiscard]] UnixTime currentTime() const;

  // Default destination calendar: Google "primary", Graph "" (default calendar).
  [[nodiscard]] static std::string defaultCalendar(Provider p);

 private:
  [[nodiscard]] std::string seal(const std::string& plain) const;

  SqlAccess& sql_;
  secrets::SecretBox box_;
};

}  // namespace creneau::engine::connections
