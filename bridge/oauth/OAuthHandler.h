#pragma once

#include <memory>
#include <string>

#include "bridge/auth/BasicAuth.h"
#include "bridge/server/Router.h"
#include "engine/connections/ConnectionService.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge {

// Connecting a Google or Microsoft calendar (issue 4, item 2):
//
//   GET /oauth/{google|microsoft}/start?employee=ID   (or ?admin=1)
//     HTTP Basic credentials: an admin may connect anyone (and the
//     admin-wide calendar), an employee only themselves (403 otherwise).
//     ID is the booking system's employee id (or the row id). 302 to the
//     provider's consent page; optional login_hint=EMAIL preselects an
//     account (default: the employee's e-mail).
//   GET /oauth/{google|microsoft}/callback?code=...&state=...
//     Where the provider sends the browser back. No login: the sealed state
//     says who started it. Stores the connection (same id on reconnect) and
//     answers a small HTML page naming the account and the employee. A
//     provider error (error=access_denied), a bad or expired state or a
//     refused code answers 400 with a page saying what happened; nothing is
//     stored then.
//
// `service` null: every route answers 503 with `problem`.
void addOAuthRoutes(Router& router, engine::Store& store, BasicAuth& auth,
                    std::shared_ptr<engine::connections::ConnectionService> service,
                    std::string problem = {});

// For `creneau serve`: the service of the store at dbPath (OAuthSetup.h).
void addOAuthRoutes(Router& router, engine::Store& store, BasicAuth& auth,
                    const std::string& dbPath);

}  // namespace creneau::bridge
