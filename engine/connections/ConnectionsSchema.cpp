#include "engine/store/ModuleSchemas.h"

namespace creneau::engine::sql {

// Migration 6. One row per connected account. owner is the employee's id, or
// 0 for the admin-wide calendar (a plain column so UNIQUE works on it; NULL
// would not). Tokens are SecretBox-sealed ("v1:..."), never plain.
std::vector<std::string> connectionsSchema(const Dialect& dialect) {
  (void)dialect;
  return {R"(CREATE TABLE connections (
  id {{id}},
  provider TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
  owner BIGINT NOT NULL,
  account TEXT NOT NULL,
  calendar_id TEXT NOT NULL,
  busy_calendars TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  access_token TEXT NOT NULL,
  access_expires_at BIGINT NOT NULL,
  scopes TEXT NOT NULL,
  healthy INTEGER NOT NULL CHECK (healthy IN (0, 1)),
  health_reason TEXT NOT NULL,
  connected_at BIGINT NOT NULL,
  last_refresh_at BIGINT NOT NULL,
  UNIQUE (provider, owner)))"};
}

}  // namespace creneau::engine::sql
