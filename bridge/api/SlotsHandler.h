#pragma once

#include "bridge/api/SlotsQuery.h"
#include "bridge/auth/BasicAuth.h"
#include "bridge/server/Router.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge {

// GET/HEAD /api/v1/slots?service=ID&employee=ID&from=DATE&to=DATE&tz=ZONE&explain=1
// Bookable slots of one service as JSON (slotsJson in SlotsQuery.h).
//  - HTTP Basic credentials, as for /dav/ (401 with a challenge otherwise);
//  - `employee` may repeat or be a comma list; none: every employee for an
//    admin, the login's own employee otherwise. An employee login asking
//    for someone else gets the 404 an unknown id gets;
//  - bad or unknown parameters: 400; unknown service or employee: 404;
//    every error is a JSON {"error": "..."} saying what to fix;
//  - Cache-Control: no-store (slots change with every booking).
// `store`, `auth` must outlive the handler; `clock` gives "now".
// Register as router.get("/api/v1/slots", ...).
[[nodiscard]] Handler makeSlotsHandler(const engine::Store& store, BasicAuth& auth,
                                       SlotClock clock);

}  // namespace creneau::bridge
