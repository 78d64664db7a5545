#include "engine/connections/ConnectionService.h"

#include <utility>

#include "engine/net/HttpClient.h"
#include "engine/store/SqlAccess.h"

namespace creneau::engine::connections {

namespace {
std::shared_ptr<net::HttpClient> orDefault(std::shared_ptr<net::HttpClient> http) {
  if (http) return http;
  return net::makeHttpClient(net::httpOptionsFromEnvironment());
}
}  // namespace

ConnectionService::ConnectionService(SqlAccess& sql, secrets::SecretBox box, ClientLookup clients,
                                     ConnectionServiceOptions options)
    : http_(orDefault(std::move(options.http))),
      clients_(std::move(clients)),
      store_(sql, box),
      flow_(std::move(options.endpoints), *http_, box,
            options.clock ? std::move(options.clock)
                          : std::function<UnixTime()>([&sql] { return sql.sqlNow(); })),
      tokens_(store_, flow_, clients_) {
  if (options.employeeRef) tokens_.setEmployeeRef(std::move(options.employeeRef));
}

ConnectionService::~ConnectionService() = default;

OAuthResult<ConnectOutcome> ConnectionService::complete(Provider provider, const std::string& code,
                                                        const std::string& state) {
  auto pending = flow_.openState(provider, state);
  if (!pending) return pending.error();
  if (code.empty())
    return OAuthError{OAuthErrorKind::Protocol, "",
                      "The sign-in answer has no code. Start again at /oauth/" +
                          std::string(providerName(provider)) + "/start."};
  auto client = clients_(provider);
  if (!client) return client.error();
  auto grant = flow_.exchangeCode(provider, client.value(), code, pending->verifier);
  if (!grant) return grant.error();
  auto account = flow_.accountOf(provider, grant.value());
  if (!account) return account.error();
  NewConnection c;
  c.provider = provider;
  c.employeeId = pending->employeeId;
  c.account = account.value();
  c.refreshToken = grant->refreshToken;
  c.accessToken = grant->accessToken;
  c.accessExpiresAt = grant->expiresAt;
  c.scopes = grant->scope;
  return store_.connect(c);
}

DisconnectOutcome ConnectionService::disconnect(Id id) {
  DisconnectOutcome out;
  const auto conn = store_.byId(id);
  if (!conn) {
    out.message = "there is no connection " + std::to_string(id);
    return out;
  }
  out.found = true;
  const TokensResult t = store_.tokens(id);
  if (t) {
    const RevokeOutcome r = flow_.revoke(conn->provider, t.tokens->refreshToken);
    out.revoked = r.revoked;
    out.message = r.message;
  } else {
    out.message = "the token could not be read, so it was not revoked (" + t.problem + ")";
  }
  store_.remove(id);
  out.message += "; connection " + std::to_string(id) + " (" + conn->account + ") removed";
  return out;
}

}  // namespace creneau::engine::connections
