#pragma once

#include <string>

#include <Poco/Data/Session.h>

#include "engine/model/Domain.h"
#include "engine/store/SqlSchema.h"

namespace creneau::engine {

// For engine modules that keep their own tables in the store's database
// (connections, the export outbox, busy-time caches): a pooled session, the
// dialect and the store's clock. Their tables come with the store's
// migrations (SqlSchema.cpp, moduleMigrations.h), so one file holds it all.
class SqlAccess {
 public:
  virtual ~SqlAccess() = default;
  // A pooled connection; waits up to the busy timeout when all are in use.
  [[nodiscard]] virtual Poco::Data::Session sqlSession() const = 0;
  [[nodiscard]] virtual const sql::Dialect& sqlDialect() const = 0;
  // The store's "now" (SqliteStoreOptions::clock), in Unix seconds.
  [[nodiscard]] virtual UnixTime sqlNow() const = 0;
  // For messages: the database file or URL.
  [[nodiscard]] virtual const std::string& sqlLocation() const = 0;
};

// BEGIN (the dialect's write or read flavour) ... COMMIT, rolled back when
// destroyed without commit().
class SqlTransaction {
 public:
  SqlTransaction(Poco::Data::Session& s, const std::string& begin) : session_(s) {
    session_ << begin, Poco::Data::Keywords::now;
  }
  ~SqlTransaction() {
    if (!open_) return;
    try {
      session_ << "ROLLBACK", Poco::Data::Keywords::now;
    } catch (...) {  // NOLINT(bugprone-empty-catch): the original error matters more
    }
  }
  SqlTransaction(const SqlTransaction&) = delete;
  SqlTransaction& operator=(const SqlTransaction&) = delete;
  void commit() {
    session_ << "COMMIT", Poco::Data::Keywords::now;
    open_ = false;
  }

 private:
  Poco::Data::Session& session_;
  bool open_ = true;
};

}  // namespace creneau::engine
