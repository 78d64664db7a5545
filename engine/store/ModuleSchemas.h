#pragma once

#include <string>
#include <vector>

#include "engine/store/SqlSchema.h"

namespace creneau::engine::sql {

// Tables of engine modules, each defined next to its module and applied as a
// store migration (SqlSchema.cpp lists them in order).

// Migration 6: OAuth connections (engine/connections/ConnectionsSchema.cpp).
[[nodiscard]] std::vector<std::string> connectionsSchema(const Dialect& dialect);
// Migration 7: export outbox and remote copies (engine/sync/SyncSchema.cpp).
[[nodiscard]] std::vector<std::string> syncSchema(const Dialect& dialect);
// Migration 8: busy sources and their cached periods (engine/busy/BusySchema.cpp).
[[nodiscard]] std::vector<std::string> busySchema(const Dialect& dialect);

}  // namespace creneau::engine::sql
