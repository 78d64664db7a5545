#include "engine/store/ModuleSchemas.h"

namespace creneau::engine::sql {

// Migration 8: busy sources per employee (issue 5), what was last fetched from
// them, and how each one is doing.
//
// busy_sources: one row per source. kind says which fetcher reads it; `url`,
// `username` and `secret` (a SecretBox-sealed password, "" when none) serve
// CalDAV and ICS sources, `connection_id` Google and Microsoft ones (the
// connections row whose token and busy calendars are used). The rules are
// flags (tentative and all-day events count or not). The rest is the state of
// the last refresh: `status` never | ok | error with `message` and
// `error_since` (when the current run of failures began), `fetched_at` (last
// successful read), `window_start`/`window_end` (the span the cached periods
// cover), `etag`/`last_modified` (ICS conditional GET), `mode` (CalDAV:
// which report answered), `fetch_ms` and `period_count` for `busy source list`.
//
// busy_periods: the cached busy time of each source, replaced in one
// transaction on every successful read, kept as it was when a read fails (a
// failed source is unverified, never free).
//
// busy_employee_policy: per employee, what slot queries do while one of their
// sources is unverified ('hide' or 'mark'); absent: the setting
// busy.unverified_policy.
std::vector<std::string> busySchema(const Dialect& dialect) {
  (void)dialect;
  return {R"(CREATE TABLE busy_sources (
  id {{id}},
  employee_id BIGINT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('caldav', 'ics', 'google', 'microsoft')),
  label TEXT NOT NULL,
  url TEXT NOT NULL,
  username TEXT NOT NULL,
  secret TEXT NOT NULL,
  connection_id BIGINT NOT NULL,
  tentative_busy INTEGER NOT NULL CHECK (tentative_busy IN (0, 1)),
  all_day_busy INTEGER NOT NULL CHECK (all_day_busy IN (0, 1)),
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('never', 'ok', 'error')),
  message TEXT NOT NULL,
  error_since BIGINT NOT NULL,
  fetched_at BIGINT NOT NULL,
  attempted_at BIGINT NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  etag TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  mode TEXT NOT NULL,
  fetch_ms BIGINT NOT NULL,
  period_count BIGINT NOT NULL))",
          "CREATE INDEX busy_sources_employee ON busy_sources (employee_id)",
          R"(CREATE TABLE busy_periods (
  source_id BIGINT NOT NULL REFERENCES busy_sources (id) ON DELETE CASCADE,
  employee_id BIGINT NOT NULL,
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  summary TEXT NOT NULL))",
          "CREATE INDEX busy_periods_employee ON busy_periods (employee_id, start_at)",
          "CREATE INDEX busy_periods_source ON busy_periods (source_id)",
          R"(CREATE TABLE busy_employee_policy (
  employee_id BIGINT PRIMARY KEY REFERENCES employees (id) ON DELETE CASCADE,
  policy TEXT NOT NULL CHECK (policy IN ('hide', 'mark'))))"};
}

}  // namespace creneau::engine::sql
