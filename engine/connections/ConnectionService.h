#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/connections/ConnectionStore.h"
#include "engine/connections/OAuthFlow.h"
#include "engine/connections/ProviderEndpoints.h"
#include "engine/connections/TokenManager.h"

namespace creneau::engine {
class SqlAccess;
}
namespace creneau::engine::net {
class HttpClient;
}

namespace creneau::engine::connections {

struct ConnectionServiceOptions {
  ProviderEndpoints endpoints;  // endpointsFromEnvironment() for the real thing
  // Null: makeHttpClient(httpOptionsFromEnvironment()).
  std::shared_ptr<net::HttpClient> http;
  // Null: the store's clock (SqlAccess::sqlNow), which also stamps the rows.
  std::function<UnixTime()> clock;
  // Row id -> the employee id of start URLs, for reasons ("reconnect at
  // /oauth/google/start?employee=emp-3"). Null: the row id.
  std::function<std::string(Id)> employeeRef;
};

// What disconnect() did.
struct DisconnectOutcome {
  bool found = false;    // false: no such connection, nothing done
  bool revoked = false;  // the provider confirmed the revocation
  std::string message;   // what happened at the provider and here
};

// Everything about connections in one place, for the server, the CLI and the
// export worker: the table, the OAuth flow and the token source. Thread-safe.
class ConnectionService {
 public:
  // `sql` must outlive this object. `box` seals tokens and states.
  ConnectionService(SqlAccess& sql, secrets::SecretBox box, ClientLookup clients,
                    ConnectionServiceOptions options);
  ~ConnectionService();
  ConnectionService(const ConnectionService&) = delete;
  ConnectionService& operator=(const ConnectionService&) = delete;

  [[nodiscard]] ConnectionStore& store() { return store_; }
  [[nodiscard]] const OAuthFlow& flow() const { return flow_; }
  [[nodiscard]] TokenSource& tokens() { return tokens_; }
  [[nodiscard]] OAuthResult<OAuthClient> client(Provider p) const { return clients_(p); }

  // The callback's work: check the state, exchange the code, learn the
  // account, store the connection. Nothing is stored on any failure.
  [[nodiscard]] OAuthResult<ConnectOutcome> complete(Provider provider, const std::string& code,
                                                     const std::string& state);

  // Revoke at the provider (Google) and forget the row, whatever the
  // provider said (the admin asked for the connection to go).
  [[nodiscard]] DisconnectOutcome disconnect(Id id);

 private:
  std::shared_ptr<net::HttpClient> http_;
  ClientLookup clients_;
  ConnectionStore store_;
  OAuthFlow flow_;
  TokenManager tokens_;
};

}  // namespace creneau::engine::connections
