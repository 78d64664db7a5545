#include "engine/store/ModuleSchemas.h"

namespace creneau::engine::sql {

// Migration 8: busy sources per employee and the periods last fetched from them.
std::vector<std::string> busySchema(const Dialect& dialect) {
  (void)dialect;
  return {R"(CREATE TABLE busy_sources (
  id {{id}},
  employee_id BIGINT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL))"};
}

}  // namespace creneau::engine::sql
