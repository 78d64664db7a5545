#pragma once

#include <memory>
#include <string>

#include "engine/connections/ConnectionService.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge {

// The connection service of one store, or why there is none (the store has
// no SQL access, the secret key cannot be loaded). The message says what to
// fix and never holds key material.
struct ConnectionServiceSetup {
  std::shared_ptr<engine::connections::ConnectionService> service;
  std::string problem;
};

// endpointsFromEnvironment(), the default HTTP client and the store's clock.
[[nodiscard]] engine::connections::ConnectionServiceOptions defaultConnectionOptions();

// For the store at dbPath: the key of CRENEAU_SECRET_KEY or <db>.key, the
// OAuth clients from the settings (google.*, microsoft.*, read at each use),
// and the endpoints of `options` (endpointsFromEnvironment() by default).
// `store` must outlive the service.
[[nodiscard]] ConnectionServiceSetup makeConnectionService(
    engine::Store& store, const std::string& dbPath,
    engine::connections::ConnectionServiceOptions options = defaultConnectionOptions());

}  // namespace creneau::bridge
