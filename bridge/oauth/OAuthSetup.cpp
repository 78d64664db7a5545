#include "bridge/oauth/OAuthSetup.h"

#include <utility>

#include "engine/connections/ProviderClients.h"
#include "engine/secrets/SecretBox.h"
#include "engine/secrets/StoreKey.h"
#include "engine/store/SqlAccess.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

using engine::connections::OAuthClient;
using engine::connections::OAuthError;
using engine::connections::OAuthErrorKind;
using engine::connections::OAuthResult;
using engine::connections::Provider;

// The settings' client (ProviderClients.h) in the flow's terms.
OAuthResult<OAuthClient> clientFromSettings(const engine::Store& store,
                                            const engine::secrets::SecretBox& box, Provider p) {
  auto loaded = engine::connections::loadProviderClient(store, box, p);
  if (!loaded) return OAuthError{OAuthErrorKind::Misconfigured, "", loaded.error().message};
  OAuthClient c;
  c.clientId = loaded->clientId;
  c.clientSecret = loaded->clientSecret;
  c.redirectUri = loaded->redirectUri;
  if (!loaded->tenant.empty()) c.tenant = loaded->tenant;
  return c;
}

}  // namespace

engine::connections::ConnectionServiceOptions defaultConnectionOptions() {
  engine::connections::ConnectionServiceOptions o;
  o.endpoints = engine::connections::endpointsFromEnvironment();
  return o;
}

ConnectionServiceSetup makeConnectionService(
    engine::Store& store, const std::string& dbPath,
    engine::connections::ConnectionServiceOptions options) {
  ConnectionServiceSetup out;
  engine::SqlAccess* sql = store.sqlAccess();
  if (!sql) {
    out.problem = "this store keeps no connections (it has no SQL database)";
    return out;
  }
  auto box = engine::secrets::secretBoxFor(dbPath);
  if (!box) {
    out.problem = "the secret key cannot be loaded: " + box.error().message;
    return out;
  }
  if (!options.employeeRef)
    options.employeeRef = [&store](engine::Id id) -> std::string {
      for (const auto& e : store.employees())
        if (e.id == id) return e.externalId;
      return {};
    };
  const engine::secrets::SecretBox clientBox = box.value();
  auto lookup = [&store, clientBox](Provider p) { return clientFromSettings(store, clientBox, p); };
  out.service = std::make_shared<engine::connections::ConnectionService>(
      *sql, box.value(), std::move(lookup), std::move(options));
  return out;
}

}  // namespace creneau::bridge
