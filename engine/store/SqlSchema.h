#pragma once

#include <string>
#include <vector>

namespace creneau::engine::sql {

// The few places where SQL differs between SQLite and PostgreSQL. Everything
// else in the schema and in the store's queries is written once, in portable
// SQL (TEXT, BIGINT, INTEGER, CHECK, ON CONFLICT ... DO UPDATE, RETURNING).
struct Dialect {
  std::string name;
  std::string autoIdColumn;        // a generated BIGINT primary key, never reused
  std::string beginWrite;          // starts a transaction that takes the write lock now
  std::string beginRead;           // starts a transaction giving one consistent snapshot
  std::vector<std::string> setup;  // per connection (pragmas); may be empty
};

[[nodiscard]] Dialect sqliteDialect(int busyTimeoutMs);
[[nodiscard]] Dialect postgresDialect();

struct Migration {
  int version = 0;  // 1, 2, 3, ... applied in order, each in its own transaction
  std::string name;
  std::vector<std::string> statements;
};

// Every migration this build knows, oldest first, with the dialect's bits
// filled in. The last one's version is the schema version this build writes.
[[nodiscard]] std::vector<Migration> migrations(const Dialect& dialect);
[[nodiscard]] int latestVersion();

// Created before any migration runs; records which ones were applied.
[[nodiscard]] std::string migrationsTableDdl();

}  // namespace creneau::engine::sql
