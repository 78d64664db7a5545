#pragma once

#include "bridge/server/Router.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

// GET /healthz: 200 {"status":"ok"} when the store answers a cheap read,
// 503 {"status":"unavailable","reason":"..."} otherwise. Never cached.
// `store` must outlive the handler.
[[nodiscard]] Handler makeHealthHandler(const engine::Store& store);

}  // namespace creneau::bridge
