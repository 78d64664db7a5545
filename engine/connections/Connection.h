#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/Domain.h"

namespace creneau::engine::connections {

// An employee's (or the admin's) Google or Microsoft account, connected
// through OAuth 2 (issue 4, item 2). Tokens are sealed with SecretBox before
// they reach the store (DESIGN.md decision 8) and never appear here.

enum class Provider { Google, Microsoft };

[[nodiscard]] std::string_view providerName(Provider p);  // "google" / "microsoft"
[[nodiscard]] std::optional<Provider> parseProvider(std::string_view name);

struct Connection {
  Id id = 0;
  Provider provider = Provider::Google;
  std::optional<Id> employeeId;  // nullopt: the admin-wide calendar
  std::string account;           // the account's e-mail address / user principal name
  // Where exported events go: Google "primary" by default, Graph "" (the
  // mailbox's default calendar) by default.
  std::string calendarId;
  // Calendars whose busy time counts (issue 5). Empty: the destination calendar.
  std::vector<std::string> busyCalendars;
  bool healthy = true;
  std::string healthReason;    // why not healthy: "refresh token revoked (invalid_grant)..."
  UnixTime connectedAt = 0;    // when the refresh token was obtained
  UnixTime lastRefreshAt = 0;  // last successful token refresh (0: never)
  bool operator==(const Connection&) const = default;
};

// A bearer token for API calls, or why there is none.
enum class TokenFailure {
  NotConnected,    // no such connection, or it was disconnected
  NeedsReconnect,  // invalid_grant / revoked / expired grant: the user must connect again
  Transient,       // token endpoint unreachable, timeout, 5xx: try again later
  NotConfigured,   // the provider's client id / secret are not set
};

struct AccessToken {
  std::string value;
  UnixTime expiresAt = 0;
};

struct TokenResult {
  std::optional<AccessToken> token;
  TokenFailure failure = TokenFailure::Transient;
  std::string message;  // what happened and what to do; never a token
  explicit operator bool() const { return token.has_value(); }
};

// Hands out access tokens: a cached one while it has more than a minute to
// live, else a refreshed one (the refresh grant, with the sealed refresh
// token). invalid_grant marks the connection unhealthy with the reason.
// Thread-safe; concurrent callers for one connection share one refresh.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // forceRefresh: the API answered 401 with the cached token; refresh once.
  [[nodiscard]] virtual TokenResult accessToken(Id connectionId, bool forceRefresh = false) = 0;
};

}  // namespace creneau::engine::connections
