#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/busy/BusySource.h"

namespace creneau::engine {
class SqlAccess;
class Store;
}  // namespace creneau::engine

namespace creneau::engine::busy {

// The busy module's tables (engine/busy/BusySchema.cpp) in the store's
// database. Every call is one transaction; store failures throw StoreError.
// Thread-safe as far as the store's sessions are (one pooled session a call).
class BusyStore {
 public:
  explicit BusyStore(const SqlAccess& sql) : sql_(sql) {}
  // The store's SqlAccess, or nullptr when the store keeps no module tables.
  [[nodiscard]] static std::optional<BusyStore> of(const Store& store);

  // The new source's id (status never, nothing cached).
  Id add(const NewSource& source);
  // Sources (all, or one employee's), by employee then id.
  [[nodiscard]] std::vector<SourceRecord> sources(std::optional<Id> employeeId = {}) const;
  [[nodiscard]] std::optional<SourceRecord> source(Id id) const;
  // Removes the source and its cached periods; false when there was none.
  bool remove(Id id);

  // Cached periods of every source of the employee overlapping [from, to),
  // by start.
  [[nodiscard]] std::vector<CachedPeriod> periods(Id employeeId, UnixTime from, UnixTime to) const;
  [[nodiscard]] std::vector<CachedPeriod> sourcePeriods(Id sourceId) const;

  struct Success {
    UnixTime windowStart = 0;
    UnixTime windowEnd = 0;
    bool notModified = false;  // ICS 304: periods kept as they are
    std::vector<FetchedPeriod> periods;
    std::string etag;
    std::string lastModified;
    std::string mode;
    std::int64_t fetchMs = 0;
  };
  // Replaces the source's cached periods (unless notModified) and marks it ok
  // as of the store's clock.
  void recordSuccess(Id sourceId, const Success& success);
  // Marks the source in error; its cached periods stay (issue 5, item 3).
  void recordFailure(Id sourceId, const std::string& message, std::int64_t fetchMs);

  // The provider ("google" / "microsoft") and owner (employee id, 0: the
  // admin) of a connections row; nullopt when there is none.
  struct ConnectionOwner {
    std::string provider;
    Id owner = 0;
  };
  [[nodiscard]] std::optional<ConnectionOwner> connection(Id connectionId) const;

  // Per-employee policy; nullopt: the setting busy.unverified_policy.
  [[nodiscard]] std::map<Id, Policy> employeePolicies() const;
  void setEmployeePolicy(Id employeeId, std::optional<Policy> policy);

 private:
  const SqlAccess& sql_;
};

}  // namespace creneau::engine::busy
