#include "engine/store/SqlSchema.h"

#include <string_view>
#include <utility>

#include "engine/store/ModuleSchemas.h"

namespace creneau::engine::sql {

namespace {

// "{{id}}" in a statement stands for the dialect's generated key column.
std::string fill(std::string_view text, const Dialect& d) {
  std::string out(text);
  const std::string_view token = "{{id}}";
  for (auto pos = out.find(token); pos != std::string::npos; pos = out.find(token, pos)) {
    out.replace(pos, token.size(), d.autoIdColumn);
    pos += d.autoIdColumn.size();
  }
  return out;
}

constexpr std::string_view kStatusCheck =
    "CHECK (status IN ('approved', 'pending', 'canceled', 'rejected', 'no-show'))";

// Version 1: records, bookings, change log, settings. Times are Unix seconds
// (UTC) in BIGINT columns; content_hash is a digest of every imported field,
// so a re-import can tell unchanged records without reading them back.
std::vector<std::string> initialSchema() {
  const std::string status(kStatusCheck);
  return {
      R"(CREATE TABLE employees (
  id {{id}},
  external_id TEXT NOT NULL UNIQUE,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))",
      R"(CREATE TABLE customers (
  id {{id}},
  external_id TEXT NOT NULL UNIQUE,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT NOT NULL,
  note TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))",
      R"(CREATE TABLE services (
  id {{id}},
  external_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  duration_min INTEGER NOT NULL CHECK (duration_min > 0),
  buffer_before_min INTEGER NOT NULL CHECK (buffer_before_min >= 0),
  buffer_after_min INTEGER NOT NULL CHECK (buffer_after_min >= 0),
  capacity INTEGER NOT NULL CHECK (capacity >= 1),
  price TEXT NOT NULL,
  currency TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))",
      R"(CREATE TABLE locations (
  id {{id}},
  external_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))",
      R"(CREATE TABLE appointments (
  id {{id}},
  external_id TEXT NOT NULL UNIQUE,
  service_id BIGINT NOT NULL REFERENCES services (id),
  employee_id BIGINT NOT NULL REFERENCES employees (id),
  location_id BIGINT REFERENCES locations (id),
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  status TEXT NOT NULL )" +
          status + R"(,
  notes TEXT NOT NULL,
  internal_notes TEXT NOT NULL,
  price TEXT NOT NULL,
  meeting_url TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (end_at > start_at)))",
      "CREATE INDEX appointments_employee_start ON appointments (employee_id, start_at)",
      "CREATE INDEX appointments_start ON appointments (start_at)",
      "CREATE INDEX appointments_end ON appointments (end_at)",
      "CREATE INDEX appointments_service ON appointments (service_id, start_at)",
      "CREATE INDEX appointments_location ON appointments (location_id, start_at)",
      R"(CREATE TABLE appointment_bookings (
  appointment_id BIGINT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers (id),
  persons INTEGER NOT NULL CHECK (persons >= 1),
  status TEXT NOT NULL )" +
          status + R"(,
  price TEXT NOT NULL,
  PRIMARY KEY (appointment_id, position)))",
      "CREATE INDEX appointment_bookings_customer ON appointment_bookings (customer_id)",
      R"(CREATE TABLE events (
  id {{id}},
  external_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  organizer_id BIGINT REFERENCES employees (id),
  location_id BIGINT REFERENCES locations (id),
  status TEXT NOT NULL )" +
          status + R"(,
  capacity INTEGER NOT NULL CHECK (capacity >= 0),
  price TEXT NOT NULL,
  meeting_url TEXT NOT NULL,
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  content_hash TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL))",
      "CREATE INDEX events_start ON events (start_at)",
      "CREATE INDEX events_organizer ON events (organizer_id)",
      "CREATE INDEX events_location ON events (location_id)",
      R"(CREATE TABLE event_periods (
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  PRIMARY KEY (event_id, position),
  CHECK (end_at > start_at)))",
      "CREATE INDEX event_periods_window ON event_periods (start_at, end_at)",
      R"(CREATE TABLE event_staff (
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  employee_id BIGINT NOT NULL REFERENCES employees (id),
  PRIMARY KEY (event_id, position)))",
      "CREATE INDEX event_staff_employee ON event_staff (employee_id)",
      R"(CREATE TABLE event_bookings (
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES customers (id),
  persons INTEGER NOT NULL CHECK (persons >= 1),
  status TEXT NOT NULL )" +
          status + R"(,
  price TEXT NOT NULL,
  PRIMARY KEY (event_id, position)))",
      "CREATE INDEX event_bookings_customer ON event_bookings (customer_id)",
      R"(CREATE TABLE change_log (
  seq {{id}},
  collection TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('appointment', 'event')),
  record_id BIGINT NOT NULL,
  uid TEXT NOT NULL,
  deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  at BIGINT NOT NULL))",
      "CREATE INDEX change_log_collection_seq ON change_log (collection, seq)",
      R"(CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL))",
  };
}

// Version 2: logins (CalDAV, admin UI) and feed tokens. Passwords are kept
// as PBKDF2 parameters + salt + hash (base64), feed tokens as their SHA-256
// (hex) only: neither table holds a secret that could be replayed.
std::vector<std::string> accountsAndFeeds() {
  return {
      R"(CREATE TABLE users (
  id {{id}},
  login TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'employee')),
  employee_id BIGINT REFERENCES employees (id),
  password_algorithm TEXT NOT NULL,
  password_iterations INTEGER NOT NULL CHECK (password_iterations > 0),
  password_salt TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK ((role = 'employee' AND employee_id IS NOT NULL) OR
         (role = 'admin' AND employee_id IS NULL))))",
      "CREATE INDEX users_employee ON users (employee_id)",
      R"(CREATE TABLE feeds (
  id {{id}},
  token_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL CHECK (scope IN ('employee', 'service', 'location', 'all')),
  record_id BIGINT,
  label TEXT NOT NULL,
  include_pending INTEGER NOT NULL CHECK (include_pending IN (0, 1)),
  include_canceled INTEGER NOT NULL CHECK (include_canceled IN (0, 1)),
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  CHECK ((scope = 'all' AND record_id IS NULL) OR (scope <> 'all' AND record_id IS NOT NULL))))",
  };
}

// Version 3: personal calendars (CalDAV `blocked` and MKCALENDAR ones), their
// objects as the client sent them, and the busy periods each object expands
// to (bounded window, capped). The change log learns the kind "personal".
std::vector<std::string> personalCalendars(const Dialect& d) {
  std::vector<std::string> out;
  const std::string kinds = "CHECK (kind IN ('appointment', 'event', 'personal'))";
  if (d.name == "sqlite") {
    out.push_back(R"(CREATE TABLE change_log_v3 (
  seq {{id}},
  collection TEXT NOT NULL,
  kind TEXT NOT NULL )" +
                  kinds + R"(,
  record_id BIGINT NOT NULL,
  uid TEXT NOT NULL,
  deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  at BIGINT NOT NULL))");
    out.push_back(
        "INSERT INTO change_log_v3 (seq, collection, kind, record_id, uid, deleted, at) "
        "SELECT seq, collection, kind, record_id, uid, deleted, at FROM change_log");
    out.push_back("DROP TABLE change_log");
    out.push_back("ALTER TABLE change_log_v3 RENAME TO change_log");
    out.push_back("CREATE INDEX change_log_collection_seq ON change_log (collection, seq)");
  } else {
    out.push_back("ALTER TABLE change_log DROP CONSTRAINT change_log_kind_check");
    out.push_back("ALTER TABLE change_log ADD CONSTRAINT change_log_kind_check " + kinds);
  }
  out.push_back(R"(CREATE TABLE personal_calendars (
  id {{id}},
  employee_id BIGINT NOT NULL REFERENCES employees (id),
  slug TEXT NOT NULL,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL,
  color TEXT NOT NULL,
  transparent INTEGER NOT NULL CHECK (transparent IN (0, 1)),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (employee_id, slug)))");
  out.push_back(R"(CREATE TABLE personal_objects (
  id {{id}},
  calendar_id BIGINT NOT NULL REFERENCES personal_calendars (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  ical TEXT NOT NULL,
  etag TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (calendar_id, name),
  UNIQUE (calendar_id, uid)))");
  out.push_back(R"(CREATE TABLE personal_busy (
  object_id BIGINT NOT NULL REFERENCES personal_objects (id) ON DELETE CASCADE,
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  CHECK (end_at >= start_at)))");
  out.push_back("CREATE INDEX personal_busy_object ON personal_busy (object_id)");
  out.push_back("CREATE INDEX personal_busy_window ON personal_busy (start_at, end_at)");
  return out;
}

// Properties clients set with PROPPATCH or MKCALENDAR that we keep without
// interpreting (RFC 4918 4.2, "dead" properties): Apple's calendar-order,
// colours in other namespaces. `resource` names the collection or object
// ("appointments:<employee id>", "personal:<calendar id>[/<name>]").
std::vector<std::string> davProperties() {
  return {R"(CREATE TABLE dav_properties (
  resource TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (resource, name)))",
          // Every instance of the object lies in [first_start, last_end): the
          // calendar-query index. Rows written before know no better bounds.
          "ALTER TABLE personal_objects ADD COLUMN first_start BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE personal_objects ADD COLUMN last_end BIGINT NOT NULL DEFAULT 253402300799",
          "ALTER TABLE personal_objects ADD COLUMN recurring INTEGER NOT NULL DEFAULT 1",
          "CREATE INDEX personal_objects_bounds ON personal_objects (calendar_id, first_start)",
          // Plain WebDAV collections inside a personal calendar and whatever
          // files clients keep in them (RFC 4791 4.2 allows them; litmus and
          // some sync tools make them). `path` is relative to the calendar:
          // "notes/" for a collection, "notes/a.txt" for a file.
          R"(CREATE TABLE dav_files (
  calendar_id BIGINT NOT NULL REFERENCES personal_calendars (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  collection INTEGER NOT NULL CHECK (collection IN (0, 1)),
  content TEXT NOT NULL,
  content_type TEXT NOT NULL,
  etag TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (calendar_id, path)))"};
}

// What the slot engine needs beyond the records: each employee's working
// hours (local wall time, minutes since midnight, end exclusive) and each
// service's slot rules. `day` is a weekday ('mon' .. 'sun') for the weekly
// hours, or a date ('YYYY-MM-DD') for a special day. employee_days lists days
// off and special days; a special day without employee_hours rows is closed.
std::vector<std::string> employeeSchedules() {
  return {R"(CREATE TABLE employee_hours (
  employee_id BIGINT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  start_min INTEGER NOT NULL CHECK (start_min >= 0 AND start_min < 1440),
  end_min INTEGER NOT NULL CHECK (end_min > start_min AND end_min <= 1440)))",
          "CREATE INDEX employee_hours_employee ON employee_hours (employee_id)",
          R"(CREATE TABLE employee_days (
  employee_id BIGINT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('off', 'special')),
  PRIMARY KEY (employee_id, day)))",
          R"(CREATE TABLE service_slot_settings (
  service_id BIGINT PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
  slot_step_min INTEGER NOT NULL CHECK (slot_step_min >= 0),
  min_notice_min INTEGER NOT NULL CHECK (min_notice_min >= 0),
  horizon_days INTEGER NOT NULL CHECK (horizon_days >= 0)))"};
}

}  // namespace

Dialect sqliteDialect(int busyTimeoutMs) {
  Dialect d;
  d.name = "sqlite";
  // AUTOINCREMENT: ids and change-log sequence numbers are never reused, even
  // after the newest row is deleted.
  d.autoIdColumn = "INTEGER PRIMARY KEY AUTOINCREMENT";
  d.beginWrite = "BEGIN IMMEDIATE";
  d.beginRead = "BEGIN";
  d.setup = {"PRAGMA foreign_keys = ON",
             "PRAGMA busy_timeout = " + std::to_string(busyTimeoutMs > 0 ? busyTimeoutMs : 0),
             "PRAGMA synchronous = NORMAL"};
  return d;
}

Dialect postgresDialect() {
  Dialect d;
  d.name = "postgresql";
  d.autoIdColumn = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
  d.beginWrite = "BEGIN ISOLATION LEVEL SERIALIZABLE";
  d.beginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  return d;
}

std::vector<Migration> migrations(const Dialect& dialect) {
  std::vector<Migration> list;
  Migration m{1, "records, bookings, change log, settings", {}};
  for (const auto& s : initialSchema()) m.statements.push_back(fill(s, dialect));
  list.push_back(std::move(m));
  Migration accounts{2, "users and feed tokens", {}};
  for (const auto& s : accountsAndFeeds()) accounts.statements.push_back(fill(s, dialect));
  list.push_back(std::move(accounts));
  Migration personal{3, "personal calendars, their objects and busy periods", {}};
  for (const auto& s : personalCalendars(dialect)) personal.statements.push_back(fill(s, dialect));
  list.push_back(std::move(personal));
  Migration props{4, "dead WebDAV properties, calendar object bounds, plain WebDAV files", {}};
  for (const auto& s : davProperties()) props.statements.push_back(fill(s, dialect));
  list.push_back(std::move(props));
  Migration schedules{5, "employee schedules", {}};
  for (const auto& s : employeeSchedules()) schedules.statements.push_back(fill(s, dialect));
  list.push_back(std::move(schedules));
  const std::pair<const char*, std::vector<std::string> (*)(const Dialect&)> modules[] = {
      {"OAuth connections", connectionsSchema},
      {"export outbox and remote copies", syncSchema},
      {"busy sources and cached busy periods", busySchema}};
  int version = 6;
  for (const auto& [name, schema] : modules) {
    Migration m{version++, name, {}};
    for (const auto& s : schema(dialect)) m.statements.push_back(fill(s, dialect));
    list.push_back(std::move(m));
  }
  return list;
}

int latestVersion() {
  return migrations(sqliteDialect(0)).back().version;
}

std::string migrationsTableDdl() {
  return "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
         "  version INTEGER PRIMARY KEY,\n"
         "  name TEXT NOT NULL,\n"
         "  applied_at BIGINT NOT NULL)";
}

}  // namespace creneau::engine::sql
