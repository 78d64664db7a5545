#include "engine/store/SqliteStore.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/SHA1Engine.h>
#include <Poco/Tuple.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "engine/store/SqlSchema.h"

namespace creneau::engine {

namespace {

using namespace Poco::Data::Keywords;
using Poco::Int64;
using Poco::Data::Session;
using Poco::Data::Statement;
using NullableId = Poco::Nullable<Int64>;

constexpr std::string_view kAppointment = "appointment";
constexpr std::string_view kEvent = "event";

std::optional<Id> toOptional(const NullableId& v) {
  if (v.isNull()) return std::nullopt;
  return v.value();
}

NullableId toNullable(const std::optional<Id>& v) {
  return v ? NullableId(*v) : NullableId();
}

Status statusFromText(const std::string& s) {
  return parseStatus(s).value_or(Status::Approved);
}

// "1,2,3" for an IN list. Only ever built from integer ids we read ourselves.
template <typename Ids>
std::string idList(const Ids& ids) {
  std::string out;
  for (const auto id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

// A digest of every imported field, length-prefixed so "ab"+"c" != "a"+"bc".
class Fingerprint {
 public:
  Fingerprint& add(std::string_view v) {
    const std::string n = std::to_string(v.size());
    engine_.update(n);
    engine_.update(':');
    engine_.update(v.data(), v.size());
    return *this;
  }
  Fingerprint& add(std::int64_t v) { return add(std::to_string(v)); }
  Fingerprint& add(Status s) { return add(toString(s)); }
  [[nodiscard]] std::string hex() { return Poco::DigestEngine::digestToHex(engine_.digest()); }

 private:
  Poco::SHA1Engine engine_;
};

// Rolls back unless committed: every write is all-or-nothing.
class Transaction {
 public:
  Transaction(Session& s, const std::string& begin) : session_(s) { session_ << begin, now; }
  ~Transaction() {
    if (!open_) return;
    try {
      session_ << "ROLLBACK", now;
    } catch (...) {  // NOLINT(bugprone-empty-catch): the original error matters more
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    session_ << "COMMIT", now;
    open_ = false;
  }

 private:
  Session& session_;
  bool open_ = true;
};

// A session pool that runs the dialect's per-connection set-up (pragmas).
class ConfiguredPool : public Poco::Data::SessionPool {
 public:
  ConfiguredPool(const std::string& path, int maxSessions, std::vector<std::string> setup)
      : SessionPool("SQLite", path, 1, maxSessions, 60), setup_(std::move(setup)) {}

 protected:
  void customizeSession(Session& s) override {
    for (const auto& q : setup_) s << q, now;
  }

 private:
  std::vector<std::string> setup_;
};

int currentVersion(Session& s) {
  Poco::Nullable<int> v;
  s << "SELECT MAX(version) FROM schema_migrations", into(v), now;
  return v.isNull() ? 0 : v.value();
}

// ---- reading -------------------------------------------------------------

const char* const kAppointmentColumns =
    "a.id, a.external_id, a.service_id, a.employee_id, a.location_id, a.start_at, a.end_at, "
    "a.status, a.notes, a.internal_notes, a.price, a.meeting_url, a.revision, a.created_at, "
    "a.updated_at, a.conference_url";
using AppointmentRow = Poco::Tuple<Int64, std::string, Int64, Int64, NullableId, Int64, Int64,
                                   std::string, std::string, std::string, std::string, std::string,
                                   Int64, Int64, Int64, std::string>;

Appointment toAppointment(const AppointmentRow& r) {
  Appointment a;
  a.id = r.get<0>();
  a.externalId = r.get<1>();
  a.serviceId = r.get<2>();
  a.employeeId = r.get<3>();
  a.locationId = toOptional(r.get<4>());
  a.start = r.get<5>();
  a.end = r.get<6>();
  a.status = statusFromText(r.get<7>());
  a.notes = r.get<8>();
  a.internalNotes = r.get<9>();
  a.price = r.get<10>();
  a.meetingUrl = r.get<11>();
  a.revision = r.get<12>();
  a.createdAt = r.get<13>();
  a.updatedAt = r.get<14>();
  a.conferenceUrl = r.get<15>();
  return a;
}

const char* const kEventColumns =
    "e.id, e.external_id, e.name, e.description, e.organizer_id, e.location_id, e.status, "
    "e.capacity, e.price, e.meeting_url, e.revision, e.created_at, e.updated_at, "
    "e.conference_url";
using EventRow =
    Poco::Tuple<Int64, std::string, std::string, std::string, NullableId, NullableId, std::string,
                int, std::string, std::string, Int64, Int64, Int64, std::string>;

GroupEvent toEvent(const EventRow& r) {
  GroupEvent e;
  e.id = r.get<0>();
  e.externalId = r.get<1>();
  e.name = r.get<2>();
  e.description = r.get<3>();
  e.organizerId = toOptional(r.get<4>());
  e.locationId = toOptional(r.get<5>());
  e.status = statusFromText(r.get<6>());
  e.capacity = r.get<7>();
  e.price = r.get<8>();
  e.meetingUrl = r.get<9>();
  e.revision = r.get<10>();
  e.createdAt = r.get<11>();
  e.updatedAt = r.get<12>();
  e.conferenceUrl = r.get<13>();
  return e;
}

// Bookings of many owners in one query, grouped by owner.
std::unordered_map<Id, std::vector<Booking>> loadBookings(Session& s, const std::string& table,
                                                          const std::string& ownerColumn,
                                                          const std::string& ids) {
  std::unordered_map<Id, std::vector<Booking>> out;
  if (ids.empty()) return out;
  std::vector<Poco::Tuple<Int64, std::string, Int64, int, std::string, std::string>> rows;
  s << "SELECT " + ownerColumn + ", external_id, customer_id, persons, status, price FROM " +
           table + " WHERE " + ownerColumn + " IN (" + ids + ") ORDER BY " + ownerColumn +
           ", position",
      into(rows), now;
  for (const auto& r : rows) {
    Booking b;
    b.externalId = r.get<1>();
    b.customerId = r.get<2>();
    b.persons = r.get<3>();
    b.status = statusFromText(r.get<4>());
    b.price = r.get<5>();
    out[r.get<0>()].push_back(std::move(b));
  }
  return out;
}

void attachEventChildren(Session& s, std::vector<GroupEvent>& events) {
  if (events.empty()) return;
  std::vector<Id> idv;
  for (const auto& e : events) idv.push_back(e.id);
  const std::string ids = idList(idv);
  std::unordered_map<Id, GroupEvent*> byId;
  for (auto& e : events) byId[e.id] = &e;

  std::vector<Poco::Tuple<Int64, std::string, Int64, Int64>> periods;
  s << "SELECT event_id, external_id, start_at, end_at FROM event_periods WHERE event_id IN (" +
           ids + ") ORDER BY event_id, position",
      into(periods), now;
  for (const auto& p : periods)
    byId[p.get<0>()]->periods.push_back(EventPeriod{p.get<1>(), p.get<2>(), p.get<3>()});

  std::vector<Poco::Tuple<Int64, Int64>> staff;
  s << "SELECT event_id, employee_id FROM event_staff WHERE event_id IN (" + ids +
           ") ORDER BY event_id, position",
      into(staff), now;
  for (const auto& st : staff) byId[st.get<0>()]->staffIds.push_back(st.get<1>());

  auto bookings = loadBookings(s, "event_bookings", "event_id", ids);
  for (auto& [id, list] : bookings) byId[id]->bookings = std::move(list);
}

// WHERE clauses built only from integers and enum names, never from text a
// caller typed, so they need no binding.
std::string statusList(const std::vector<Status>& statuses) {
  std::string out;
  for (const auto st : statuses) {
    if (!out.empty()) out += ", ";
    out += "'" + std::string(toString(st)) + "'";
  }
  return out;
}

std::string appointmentWhere(const RecordFilter& f) {
  std::vector<std::string> c;
  if (f.employeeId) c.push_back("a.employee_id = " + std::to_string(*f.employeeId));
  if (f.serviceId) c.push_back("a.service_id = " + std::to_string(*f.serviceId));
  if (f.locationId) c.push_back("a.location_id = " + std::to_string(*f.locationId));
  // Overlap with [from, to): an appointment ending exactly at `from` is out.
  if (f.from) c.push_back("a.end_at > " + std::to_string(*f.from));
  if (f.to) c.push_back("a.start_at < " + std::to_string(*f.to));
  if (!f.statuses.empty()) c.push_back("a.status IN (" + statusList(f.statuses) + ")");
  if (f.from && f.to && *f.from >= *f.to) c.push_back("1 = 0");  // an empty window
  std::string out;
  for (const auto& x : c) out += (out.empty() ? " WHERE " : " AND ") + x;
  return out;
}

std::string eventWhere(const RecordFilter& f) {
  std::vector<std::string> c;
  if (f.employeeId) {
    const auto id = std::to_string(*f.employeeId);
    c.push_back("(e.organizer_id = " + id +
                " OR EXISTS (SELECT 1 FROM event_staff s WHERE s.event_id = e.id AND "
                "s.employee_id = " +
                id + "))");
  }
  if (f.locationId) c.push_back("e.location_id = " + std::to_string(*f.locationId));
  if (f.from || f.to) {
    // e.start_at/end_at span every period: a cheap pre-filter, then any period.
    std::string period = "EXISTS (SELECT 1 FROM event_periods p WHERE p.event_id = e.id";
    if (f.from) {
      c.push_back("e.end_at > " + std::to_string(*f.from));
      period += " AND p.end_at > " + std::to_string(*f.from);
    }
    if (f.to) {
      c.push_back("e.start_at < " + std::to_string(*f.to));
      period += " AND p.start_at < " + std::to_string(*f.to);
    }
    c.push_back(period + ")");
  }
  if (!f.statuses.empty()) c.push_back("e.status IN (" + statusList(f.statuses) + ")");
  if (f.from && f.to && *f.from >= *f.to) c.push_back("1 = 0");  // an empty window
  std::string out;
  for (const auto& x : c) out += (out.empty() ? " WHERE " : " AND ") + x;
  return out;
}

// ---- writing -------------------------------------------------------------

struct ExistingRow {
  Id id = 0;
  std::string hash;
};

struct ExistingAppointment {
  Id id = 0;
  std::string hash;
  std::vector<std::string> collections;
};

std::vector<std::string> appointmentCollections(Id employee, Id service, std::optional<Id> loc) {
  std::vector<std::string> c{allCollection(), employeeCollection(employee),
                             serviceCollection(service)};
  if (loc) c.push_back(locationCollection(*loc));
  return c;
}

std::vector<std::string> eventCollections(std::optional<Id> organizer, const std::vector<Id>& staff,
                                          std::optional<Id> loc) {
  std::vector<std::string> c{allCollection()};
  auto addEmployee = [&](Id id) {
    auto key = employeeCollection(id);
    if (std::find(c.begin(), c.end(), key) == c.end()) c.push_back(std::move(key));
  };
  if (organizer) addEmployee(*organizer);
  for (const auto id : staff) addEmployee(id);
  if (loc) c.push_back(locationCollection(*loc));
  return c;
}

// Rows an import writes by the hundred thousand (change log, appointment
// bookings), buffered and written as multi-row INSERTs: Poco's SQLite
// connector re-prepares a statement on every execute, so fewer, larger
// statements make a 100k-appointment import about four times faster.
struct HotStatements {
  explicit HotStatements(Session& s)
      : session(s),
        clearAppointmentBookings(
            (s << "DELETE FROM appointment_bookings WHERE appointment_id = ?", use(bOwner))) {}

  struct ChangeRow {
    std::string collection;
    std::string_view kind;
    Int64 record;
    std::string uid;
    int deleted;
  };
  struct BookingRow {
    Int64 owner;
    int position;
    std::string ext;
    Int64 customer;
    int persons;
    std::string status, price;
  };
  static constexpr std::size_t kRowsPerInsert = 100;

  void addChange(ChangeRow row) {
    changes.push_back(std::move(row));
    if (changes.size() >= kRowsPerInsert) flushChanges();
  }
  void addBooking(BookingRow row) {
    bookings.push_back(std::move(row));
    if (bookings.size() >= kRowsPerInsert) flushBookings();
  }
  void flushChanges() {
    if (changes.empty()) return;
    Statement st(session);
    std::string sql =
        "INSERT INTO change_log (collection, kind, record_id, uid, deleted, at) VALUES ";
    for (std::size_t i = 0; i < changes.size(); ++i)
      sql += i ? ", (?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?)";
    st << sql;
    for (const auto& c : changes)
      st, bind(c.collection), bind(std::string(c.kind)), bind(c.record), bind(c.uid),
          bind(c.deleted), bind(logAt);
    st.execute();
    changes.clear();
  }
  void flushBookings() {
    if (bookings.empty()) return;
    Statement st(session);
    std::string sql =
        "INSERT INTO appointment_bookings (appointment_id, position, external_id, customer_id, "
        "persons, status, price) VALUES ";
    for (std::size_t i = 0; i < bookings.size(); ++i)
      sql += i ? ", (?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?)";
    st << sql;
    for (const auto& b : bookings)
      st, bind(b.owner), bind(b.position), bind(b.ext), bind(b.customer), bind(b.persons),
          bind(b.status), bind(b.price);
    st.execute();
    bookings.clear();
  }
  // Before anything that reads or deletes what the buffers hold.
  void flush() {
    flushBookings();
    flushChanges();
  }

  Session& session;
  std::vector<ChangeRow> changes;
  std::vector<BookingRow> bookings;
  Int64 logAt = 0;  // created_at / updated_at / change time: "now" of this apply()
  Int64 bOwner = 0;
  Statement clearAppointmentBookings;
};

// One apply() call: everything happens inside the caller's transaction.
class BatchWriter {
 public:
  BatchWriter(Session& s, UnixTime now) : s_(s), now_(now), hot_(s) { hot_.logAt = now; }

  ImportSummary run(const ImportBatch& batch) {
    for (const auto& e : batch.employees) upsert(e);
    for (const auto& c : batch.customers) upsert(c);
    for (const auto& sv : batch.services) upsert(sv);
    for (const auto& l : batch.locations) upsert(l);
    for (std::size_t i = 0; i < batch.appointments.size(); ++i) upsert(batch.appointments[i], i);
    flushAppointments();
    for (std::size_t i = 0; i < batch.events.size(); ++i) upsert(batch.events[i], i);
    hot_.flush();
    cascade();
    hot_.flush();
    return summary_;
  }

 private:
  std::optional<ExistingRow> find(const std::string& table, const std::string& ext) {
    std::vector<Poco::Tuple<Int64, std::string>> rows;
    s_ << "SELECT id, content_hash FROM " + table + " WHERE external_id = ?", into(rows), bind(ext),
        now;
    if (rows.empty()) return std::nullopt;
    return ExistingRow{rows[0].get<0>(), rows[0].get<1>()};
  }

  // Counts the outcome; true when the row must be inserted or updated.
  bool classify(const std::optional<ExistingRow>& ex, const std::string& hash,
                std::set<Id>* changed) {
    if (!ex) {
      ++summary_.inserted;
      return true;
    }
    if (ex->hash == hash) {
      ++summary_.unchanged;
      return false;
    }
    ++summary_.updated;
    if (changed) changed->insert(ex->id);
    return true;
  }

  void upsert(const Employee& e) {
    const std::string hash = Fingerprint()
                                 .add(e.firstName)
                                 .add(e.lastName)
                                 .add(e.email)
                                 .add(e.phone)
                                 .add(e.timeZone)
                                 .hex();
    const auto ex = find("employees", e.externalId);
    if (!classify(ex, hash, &changedEmployees_)) return;
    if (!ex) {
      Int64 id = 0;
      s_ << "INSERT INTO employees (external_id, first_name, last_name, email, phone, time_zone, "
            "content_hash, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
            "RETURNING id",
          bind(e.externalId), bind(e.firstName), bind(e.lastName), bind(e.email), bind(e.phone),
          bind(e.timeZone), bind(hash), bind(now_), bind(now_), into(id), now;
      employeeIds_[e.externalId] = id;
    } else {
      s_ << "UPDATE employees SET first_name = ?, last_name = ?, email = ?, phone = ?, "
            "time_zone = ?, content_hash = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
          bind(e.firstName), bind(e.lastName), bind(e.email), bind(e.phone), bind(e.timeZone),
          bind(hash), bind(now_), bind(ex->id), now;
    }
  }

  void upsert(const Customer& c) {
    const std::string hash =
        Fingerprint().add(c.firstName).add(c.lastName).add(c.email).add(c.phone).add(c.note).hex();
    const auto ex = find("customers", c.externalId);
    if (!classify(ex, hash, &changedCustomers_)) return;
    if (!ex) {
      Int64 id = 0;
      s_ << "INSERT INTO customers (external_id, first_name, last_name, email, phone, note, "
            "content_hash, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
            "RETURNING id",
          bind(c.externalId), bind(c.firstName), bind(c.lastName), bind(c.email), bind(c.phone),
          bind(c.note), bind(hash), bind(now_), bind(now_), into(id), now;
      customerIds_[c.externalId] = id;
    } else {
      s_ << "UPDATE customers SET first_name = ?, last_name = ?, email = ?, phone = ?, note = ?, "
            "content_hash = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
          bind(c.firstName), bind(c.lastName), bind(c.email), bind(c.phone), bind(c.note),
          bind(hash), bind(now_), bind(ex->id), now;
    }
  }

  void upsert(const Service& sv) {
    const std::string hash = Fingerprint()
                                 .add(sv.name)
                                 .add(sv.description)
                                 .add(sv.durationMin)
                                 .add(sv.bufferBeforeMin)
                                 .add(sv.bufferAfterMin)
                                 .add(sv.capacity)
                                 .add(sv.price)
                                 .add(sv.currency)
                                 .hex();
    const auto ex = find("services", sv.externalId);
    if (!classify(ex, hash, &changedServices_)) return;
    if (!ex) {
      Int64 id = 0;
      s_ << "INSERT INTO services (external_id, name, description, duration_min, "
            "buffer_before_min, buffer_after_min, capacity, price, currency, content_hash, "
            "revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
            "RETURNING id",
          bind(sv.externalId), bind(sv.name), bind(sv.description), bind(sv.durationMin),
          bind(sv.bufferBeforeMin), bind(sv.bufferAfterMin), bind(sv.capacity), bind(sv.price),
          bind(sv.currency), bind(hash), bind(now_), bind(now_), into(id), now;
      serviceIds_[sv.externalId] = id;
    } else {
      s_ << "UPDATE services SET name = ?, description = ?, duration_min = ?, "
            "buffer_before_min = ?, buffer_after_min = ?, capacity = ?, price = ?, currency = ?, "
            "content_hash = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
          bind(sv.name), bind(sv.description), bind(sv.durationMin), bind(sv.bufferBeforeMin),
          bind(sv.bufferAfterMin), bind(sv.capacity), bind(sv.price), bind(sv.currency), bind(hash),
          bind(now_), bind(ex->id), now;
    }
  }

  void upsert(const Location& l) {
    const std::string hash = Fingerprint().add(l.name).add(l.address).hex();
    const auto ex = find("locations", l.externalId);
    if (!classify(ex, hash, &changedLocations_)) return;
    if (!ex) {
      Int64 id = 0;
      s_ << "INSERT INTO locations (external_id, name, address, content_hash, revision, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
          bind(l.externalId), bind(l.name), bind(l.address), bind(hash), bind(now_), bind(now_),
          into(id), now;
      locationIds_[l.externalId] = id;
    } else {
      s_ << "UPDATE locations SET name = ?, address = ?, content_hash = ?, "
            "revision = revision + 1, updated_at = ? WHERE id = ?",
          bind(l.name), bind(l.address), bind(hash), bind(now_), bind(ex->id), now;
    }
  }

  // `path` builds the JSON path for the error message, only when needed.
  template <typename PathFn>
  Id resolve(const std::string& table, std::unordered_map<std::string, Id>& cache,
             const std::string& ext, PathFn&& path) {
    if (auto it = cache.find(ext); it != cache.end()) return it->second;
    std::vector<Int64> ids;
    s_ << "SELECT id FROM " + table + " WHERE external_id = ?", into(ids), bind(ext), now;
    if (ids.empty())
      throw ImportError(0, path(),
                        "no " + table.substr(0, table.size() - 1) + " with id \"" + ext +
                            "\": add it to the " + table + " or fix the reference");
    cache[ext] = ids[0];
    return ids[0];
  }

  std::optional<Id> resolveOptional(const std::string& table,
                                    std::unordered_map<std::string, Id>& cache,
                                    const std::string& ext, const std::string& path) {
    if (ext.empty()) return std::nullopt;
    return resolve(table, cache, ext, [&] { return path; });
  }

  void log(const std::vector<std::string>& collections, std::string_view kind, Id id,
           const std::string& uid, bool deleted) {
    for (const auto& c : collections) hot_.addChange({c, kind, id, uid, deleted ? 1 : 0});
  }

  // Deletion entries for collections the record left, upserts for the rest.
  void logMove(const std::vector<std::string>& before, const std::vector<std::string>& after,
               std::string_view kind, Id id, const std::string& uid) {
    std::vector<std::string> left;
    for (const auto& c : before)
      if (std::find(after.begin(), after.end(), c) == after.end()) left.push_back(c);
    log(left, kind, id, uid, true);
    log(after, kind, id, uid, false);
  }

  // Replaces the bookings of an appointment (prepared statements: the hot path).
  void replaceAppointmentBookings(Id owner, bool fresh, const std::vector<BookingInput>& bookings,
                                  const std::string& path) {
    if (!fresh) {
      hot_.flushBookings();  // the same appointment may be listed twice
      hot_.bOwner = owner;
      hot_.clearAppointmentBookings.execute();
    }
    for (std::size_t i = 0; i < bookings.size(); ++i) {
      const auto& b = bookings[i];
      const Id customer = resolve("customers", customerIds_, b.customerExt, [&] {
        return path + ".bookings[" + std::to_string(i) + "].customer";
      });
      hot_.addBooking({owner, static_cast<int>(i), b.booking.externalId, customer,
                       b.booking.persons, std::string(toString(b.booking.status)),
                       b.booking.price});
    }
  }

  void insertBookings(const std::string& table, const std::string& ownerColumn, Id owner,
                      const std::vector<BookingInput>& bookings, const std::string& path) {
    s_ << "DELETE FROM " + table + " WHERE " + ownerColumn + " = ?", bind(owner), now;
    for (std::size_t i = 0; i < bookings.size(); ++i) {
      const auto& b = bookings[i];
      const Id customer = resolve("customers", customerIds_, b.customerExt, [&] {
        return path + ".bookings[" + std::to_string(i) + "].customer";
      });
      s_ << "INSERT INTO " + table + " (" + ownerColumn +
                ", position, external_id, customer_id, persons, status, price) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
          bind(owner), bind(static_cast<int>(i)), bind(b.booking.externalId), bind(customer),
          bind(b.booking.persons), bind(std::string(toString(b.booking.status))),
          bind(b.booking.price), now;
    }
  }

  static void addBookings(Fingerprint& fp, const std::vector<BookingInput>& bookings) {
    fp.add(static_cast<std::int64_t>(bookings.size()));
    for (const auto& b : bookings)
      fp.add(b.booking.externalId)
          .add(b.customerExt)
          .add(b.booking.persons)
          .add(b.booking.status)
          .add(b.booking.price);
  }

  // Appointments come by the hundred thousand: they are handled in chunks,
  // with one query for the existing rows and one multi-row INSERT for the new
  // ones; change-log entries keep the order of the batch.
  void upsert(const AppointmentInput& in, std::size_t index) {
    if (!pendingExts_.insert(in.appointment.externalId).second) {
      flushAppointments();  // listed twice: the first must be written first
      pendingExts_.insert(in.appointment.externalId);
    }
    PendingAppointment p;
    p.in = &in;
    p.index = index;
    pending_.push_back(std::move(p));
    if (pending_.size() >= kAppointmentChunk) flushAppointments();
  }

  struct PendingAppointment {
    const AppointmentInput* in = nullptr;
    std::size_t index = 0;
    std::optional<ExistingAppointment> old;
    Id service = 0, employee = 0;
    std::optional<Id> location;
    std::string hash;
    enum { Unchanged, Insert, Update, Delete } action = Unchanged;
    Id id = 0;
  };
  static constexpr std::size_t kAppointmentChunk = 200;

  void flushAppointments() {
    if (pending_.empty()) return;
    loadExisting();
    std::vector<PendingAppointment*> inserts;
    for (auto& p : pending_) {
      classify(p);
      if (p.action == PendingAppointment::Insert) inserts.push_back(&p);
    }
    insertAll(inserts);
    for (auto& p : pending_) write(p);
    pending_.clear();
    pendingExts_.clear();
  }

  void loadExisting() {
    std::vector<Poco::Tuple<Int64, std::string, std::string, Int64, Int64, NullableId>> rows;
    Statement st(s_);
    std::string sql =
        "SELECT id, external_id, content_hash, employee_id, service_id, location_id "
        "FROM appointments WHERE external_id IN (";
    for (std::size_t i = 0; i < pending_.size(); ++i) sql += i ? ", ?" : "?";
    st << sql + ")";
    for (const auto& p : pending_) st, bind(p.in->appointment.externalId);
    st, into(rows);
    st.execute();
    std::unordered_map<std::string, ExistingAppointment> existing;
    for (const auto& r : rows)
      existing.emplace(r.get<1>(),
                       ExistingAppointment{
                           r.get<0>(), r.get<2>(),
                           appointmentCollections(r.get<3>(), r.get<4>(), toOptional(r.get<5>()))});
    for (auto& p : pending_)
      if (auto it = existing.find(p.in->appointment.externalId); it != existing.end())
        p.old = it->second;
  }

  void classify(PendingAppointment& p) {
    const AppointmentInput& in = *p.in;
    const Appointment& a = in.appointment;
    if (in.deleted) {
      p.action = p.old ? PendingAppointment::Delete : PendingAppointment::Unchanged;
      return;
    }
    const std::string path = "appointments[" + std::to_string(p.index) + "]";
    p.service = resolve("services", serviceIds_, in.serviceExt, [&] { return path + ".service"; });
    p.employee =
        resolve("employees", employeeIds_, in.employeeExt, [&] { return path + ".employee"; });
    p.location = resolveOptional("locations", locationIds_, in.locationExt, path + ".location");
    Fingerprint fp;
    fp.add(in.serviceExt)
        .add(in.employeeExt)
        .add(in.locationExt)
        .add(a.start)
        .add(a.end)
        .add(a.status)
        .add(a.notes)
        .add(a.internalNotes)
        .add(a.price)
        .add(a.meetingUrl);
    addBookings(fp, in.bookings);
    p.hash = fp.hex();
    if (!p.old)
      p.action = PendingAppointment::Insert;
    else if (p.old->hash != p.hash)
      p.action = PendingAppointment::Update;
  }

  void insertAll(const std::vector<PendingAppointment*>& rows) {
    if (rows.empty()) return;
    Statement st(s_);
    std::string sql =
        "INSERT INTO appointments (external_id, service_id, employee_id, location_id, start_at, "
        "end_at, status, notes, internal_notes, price, meeting_url, content_hash, revision, "
        "created_at, updated_at) VALUES ";
    for (std::size_t i = 0; i < rows.size(); ++i)
      sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
               : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
    st << sql + " RETURNING id, external_id";
    for (const auto* p : rows) {
      const Appointment& a = p->in->appointment;
      st, bind(a.externalId), bind(p->service), bind(p->employee), bind(toNullable(p->location)),
          bind(a.start), bind(a.end), bind(std::string(toString(a.status))), bind(a.notes),
          bind(a.internalNotes), bind(a.price), bind(a.meetingUrl), bind(p->hash), bind(now_),
          bind(now_);
    }
    std::vector<Poco::Tuple<Int64, std::string>> ids;
    st, into(ids);
    st.execute();
    std::unordered_map<std::string, Id> byExt;
    for (const auto& r : ids) byExt.emplace(r.get<1>(), r.get<0>());
    for (auto* p : rows) p->id = byExt.at(p->in->appointment.externalId);
  }

  void write(PendingAppointment& p) {
    const AppointmentInput& in = *p.in;
    const Appointment& a = in.appointment;
    const std::string uid = "appointment-" + a.externalId;
    const std::string path = "appointments[" + std::to_string(p.index) + "]";
    switch (p.action) {
      case PendingAppointment::Unchanged:
        ++summary_.unchanged;
        return;
      case PendingAppointment::Delete:
        log(p.old->collections, kAppointment, p.old->id, uid, true);
        hot_.flushBookings();
        s_ << "DELETE FROM appointment_bookings WHERE appointment_id = ?", bind(p.old->id), now;
        s_ << "DELETE FROM appointments WHERE id = ?", bind(p.old->id), now;
        ++summary_.deleted;
        return;
      case PendingAppointment::Insert:
        replaceAppointmentBookings(p.id, true, in.bookings, path);
        log(appointmentCollections(p.employee, p.service, p.location), kAppointment, p.id, uid,
            false);
        bumpedAppointments_.insert(p.id);
        ++summary_.inserted;
        return;
      case PendingAppointment::Update: {
        s_ << "UPDATE appointments SET service_id = ?, employee_id = ?, location_id = ?, "
              "start_at = ?, end_at = ?, status = ?, notes = ?, internal_notes = ?, price = ?, "
              "meeting_url = ?, content_hash = ?, revision = revision + 1, updated_at = ? "
              "WHERE id = ?",
            bind(p.service), bind(p.employee), bind(toNullable(p.location)), bind(a.start),
            bind(a.end), bind(std::string(toString(a.status))), bind(a.notes),
            bind(a.internalNotes), bind(a.price), bind(a.meetingUrl), bind(p.hash), bind(now_),
            bind(p.old->id), now;
        replaceAppointmentBookings(p.old->id, false, in.bookings, path);
        logMove(p.old->collections, appointmentCollections(p.employee, p.service, p.location),
                kAppointment, p.old->id, uid);
        bumpedAppointments_.insert(p.old->id);
        ++summary_.updated;
        return;
      }
    }
  }

  std::vector<std::string> currentEventCollections(Id id, const NullableId& organizer,
                                                   const NullableId& location) {
    std::vector<Int64> staff;
    s_ << "SELECT employee_id FROM event_staff WHERE event_id = ? ORDER BY position", into(staff),
        bind(id), now;
    return eventCollections(toOptional(organizer), staff, toOptional(location));
  }

  void upsert(const EventInput& in, std::size_t index) {
    const GroupEvent& e = in.event;
    const std::string path = "events[" + std::to_string(index) + "]";
    const std::string uid = "event-" + e.externalId;

    std::vector<Poco::Tuple<Int64, std::string, NullableId, NullableId>> rows;
    s_ << "SELECT id, content_hash, organizer_id, location_id FROM events WHERE external_id = ?",
        into(rows), bind(e.externalId), now;
    std::optional<ExistingAppointment> old;
    if (!rows.empty())
      old = ExistingAppointment{
          rows[0].get<0>(), rows[0].get<1>(),
          currentEventCollections(rows[0].get<0>(), rows[0].get<2>(), rows[0].get<3>())};

    if (in.deleted) {
      if (!old) {
        ++summary_.unchanged;
        return;
      }
      log(old->collections, kEvent, old->id, uid, true);
      for (const char* child : {"event_periods", "event_staff", "event_bookings"})
        s_ << std::string("DELETE FROM ") + child + " WHERE event_id = ?", bind(old->id), now;
      s_ << "DELETE FROM events WHERE id = ?", bind(old->id), now;
      ++summary_.deleted;
      return;
    }
    if (e.periods.empty())
      throw ImportError(0, path + ".periods", "an event needs at least one period");

    const auto organizer =
        resolveOptional("employees", employeeIds_, in.organizerExt, path + ".organizer");
    std::vector<Id> staff;
    for (std::size_t i = 0; i < in.staffExt.size(); ++i)
      staff.push_back(resolve("employees", employeeIds_, in.staffExt[i],
                              [&] { return path + ".staff[" + std::to_string(i) + "]"; }));
    const auto location =
        resolveOptional("locations", locationIds_, in.locationExt, path + ".location");

    UnixTime first = e.periods.front().start, last = e.periods.front().end;
    Fingerprint fp;
    fp.add(e.name).add(e.description).add(static_cast<std::int64_t>(e.periods.size()));
    for (const auto& p : e.periods) {
      fp.add(p.externalId).add(p.start).add(p.end);
      first = std::min(first, p.start);
      last = std::max(last, p.end);
    }
    fp.add(in.organizerExt).add(static_cast<std::int64_t>(in.staffExt.size()));
    for (const auto& st : in.staffExt) fp.add(st);
    fp.add(in.locationExt).add(e.status).add(e.capacity).add(e.price).add(e.meetingUrl);
    addBookings(fp, in.bookings);
    const std::string hash = fp.hex();
    const auto after = eventCollections(organizer, staff, location);
    const std::string status(toString(e.status));

    Id id = 0;
    if (!old) {
      Int64 newId = 0;
      s_ << "INSERT INTO events (external_id, name, description, organizer_id, location_id, "
            "status, capacity, price, meeting_url, start_at, end_at, content_hash, revision, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
            "RETURNING id",
          bind(e.externalId), bind(e.name), bind(e.description), bind(toNullable(organizer)),
          bind(toNullable(location)), bind(status), bind(e.capacity), bind(e.price),
          bind(e.meetingUrl), bind(first), bind(last), bind(hash), bind(now_), bind(now_),
          into(newId), now;
      id = newId;
      ++summary_.inserted;
      log(after, kEvent, id, uid, false);
    } else if (old->hash == hash) {
      ++summary_.unchanged;
      return;
    } else {
      id = old->id;
      s_ << "UPDATE events SET name = ?, description = ?, organizer_id = ?, location_id = ?, "
            "status = ?, capacity = ?, price = ?, meeting_url = ?, start_at = ?, end_at = ?, "
            "content_hash = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
          bind(e.name), bind(e.description), bind(toNullable(organizer)),
          bind(toNullable(location)), bind(status), bind(e.capacity), bind(e.price),
          bind(e.meetingUrl), bind(first), bind(last), bind(hash), bind(now_), bind(id), now;
      ++summary_.updated;
      logMove(old->collections, after, kEvent, id, uid);
    }
    bumpedEvents_.insert(id);

    s_ << "DELETE FROM event_periods WHERE event_id = ?", bind(id), now;
    for (std::size_t i = 0; i < e.periods.size(); ++i) {
      const auto& p = e.periods[i];
      s_ << "INSERT INTO event_periods (event_id, position, external_id, start_at, end_at) "
            "VALUES (?, ?, ?, ?, ?)",
          bind(id), bind(static_cast<int>(i)), bind(p.externalId), bind(p.start), bind(p.end), now;
    }
    s_ << "DELETE FROM event_staff WHERE event_id = ?", bind(id), now;
    for (std::size_t i = 0; i < staff.size(); ++i)
      s_ << "INSERT INTO event_staff (event_id, position, employee_id) VALUES (?, ?, ?)", bind(id),
          bind(static_cast<int>(i)), bind(staff[i]), now;
    insertBookings("event_bookings", "event_id", id, in.bookings, path);
  }

  // Appointments and events that render a changed employee, customer,
  // service or location get revision+1 and a change-log entry, once.
  void cascade() {
    const std::string emps = idList(changedEmployees_), custs = idList(changedCustomers_),
                      svcs = idList(changedServices_), locs = idList(changedLocations_);
    std::vector<std::string> a, e;
    if (!emps.empty()) {
      a.push_back("a.employee_id IN (" + emps + ")");
      e.push_back("e.organizer_id IN (" + emps + ")");
      e.push_back("e.id IN (SELECT event_id FROM event_staff WHERE employee_id IN (" + emps + "))");
    }
    if (!svcs.empty()) a.push_back("a.service_id IN (" + svcs + ")");
    if (!locs.empty()) {
      a.push_back("a.location_id IN (" + locs + ")");
      e.push_back("e.location_id IN (" + locs + ")");
    }
    if (!custs.empty()) {
      a.push_back(
          "a.id IN (SELECT appointment_id FROM appointment_bookings WHERE customer_id IN (" +
          custs + "))");
      e.push_back("e.id IN (SELECT event_id FROM event_bookings WHERE customer_id IN (" + custs +
                  "))");
    }
    auto anyOf = [](const std::vector<std::string>& c) {
      std::string out;
      for (const auto& x : c) out += (out.empty() ? "" : " OR ") + x;
      return out;
    };
    if (!a.empty()) {
      std::vector<Poco::Tuple<Int64, std::string, Int64, Int64, NullableId>> rows;
      s_ << "SELECT a.id, a.external_id, a.employee_id, a.service_id, a.location_id "
            "FROM appointments a WHERE " +
                anyOf(a) + " ORDER BY a.id",
          into(rows), now;
      for (const auto& r : rows) {
        if (!bumpedAppointments_.insert(r.get<0>()).second) continue;
        s_ << "UPDATE appointments SET revision = revision + 1, updated_at = ? WHERE id = ?",
            bind(now_), bind(r.get<0>()), now;
        log(appointmentCollections(r.get<2>(), r.get<3>(), toOptional(r.get<4>())), kAppointment,
            r.get<0>(), "appointment-" + r.get<1>(), false);
        ++summary_.cascaded;
      }
    }
    if (!e.empty()) {
      std::vector<Poco::Tuple<Int64, std::string, NullableId, NullableId>> rows;
      s_ << "SELECT e.id, e.external_id, e.organizer_id, e.location_id FROM events e WHERE " +
                anyOf(e) + " ORDER BY e.id",
          into(rows), now;
      for (const auto& r : rows) {
        if (!bumpedEvents_.insert(r.get<0>()).second) continue;
        s_ << "UPDATE events SET revision = revision + 1, updated_at = ? WHERE id = ?", bind(now_),
            bind(r.get<0>()), now;
        log(currentEventCollections(r.get<0>(), r.get<2>(), r.get<3>()), kEvent, r.get<0>(),
            "event-" + r.get<1>(), false);
        ++summary_.cascaded;
      }
    }
  }

  Session& s_;
  UnixTime now_;
  HotStatements hot_;
  std::vector<PendingAppointment> pending_;
  std::unordered_set<std::string> pendingExts_;
  ImportSummary summary_;
  std::unordered_map<std::string, Id> employeeIds_, customerIds_, serviceIds_, locationIds_;
  std::set<Id> changedEmployees_, changedCustomers_, changedServices_, changedLocations_;
  std::unordered_set<Id> bumpedAppointments_, bumpedEvents_;
};

}  // namespace

// ---- the store -------------------------------------------------------------

struct SqliteStore::Impl {
  std::string path;
  SqliteStoreOptions options;
  sql::Dialect dialect;
  std::unique_ptr<ConfiguredPool> pool;

  [[nodiscard]] UnixTime currentTime() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // A pooled connection; waits (up to the busy timeout) when all are in use.
  Session session() const {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(std::max(options.busyTimeoutMs, 100));
    for (;;) {
      try {
        return pool->get();
      } catch (const Poco::Data::SessionPoolExhaustedException&) {
        if (std::chrono::steady_clock::now() > deadline)
          throw StoreError("database " + path + ": every connection is busy");
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
  }

  void migrate() {
    Session s = session();
    s << sql::migrationsTableDdl(), now;
    const int latest = sql::latestVersion();
    int current = currentVersion(s);
    if (current > latest)
      throw StoreError("database " + path + " has schema version " + std::to_string(current) +
                       ", newer than this build of creneau understands (" + std::to_string(latest) +
                       "): upgrade creneau, or point --db / CRENEAU_DB at another file");
    for (const auto& m : sql::migrations(dialect)) {
      if (m.version <= current) continue;
      Transaction tx(s, dialect.beginWrite);
      current = currentVersion(s);  // another process may have been quicker
      if (m.version <= current) {
        tx.commit();
        continue;
      }
      for (const auto& q : m.statements) s << q, now;
      s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          bind(m.version), bind(m.name), bind(currentTime()), now;
      tx.commit();
    }
  }
};

namespace {
// Poco::Data errors leave the store as StoreError (ImportError passes through).
template <typename F>
auto guarded(const std::string& path, const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Poco::Exception& e) {
    throw StoreError(std::string(what) + " (" + path + "): " + e.displayText());
  }
}
}  // namespace

SqliteStore::SqliteStore(const std::string& path, SqliteStoreOptions options)
    : impl_(std::make_unique<Impl>()) {
  static std::once_flag registered;
  std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
  impl_->path = path;
  impl_->options = std::move(options);
  impl_->dialect = sql::sqliteDialect(impl_->options.busyTimeoutMs);
  guarded(path, "cannot open the database", [&] {
    impl_->pool = std::make_unique<ConfiguredPool>(
        path, static_cast<int>(std::max<std::size_t>(impl_->options.maxSessions, 2)),
        impl_->dialect.setup);
    Session s = impl_->session();
    // Persistent in the file: readers never block the writer and vice versa.
    std::string mode;
    s << "PRAGMA journal_mode = WAL", into(mode), now;
    impl_->migrate();
  });
}

SqliteStore::~SqliteStore() = default;

int SqliteStore::latestSchemaVersion() {
  return sql::latestVersion();
}

const std::string& SqliteStore::path() const {
  return impl_->path;
}

int SqliteStore::schemaVersion() const {
  return guarded(impl_->path, "cannot read the schema version", [&] {
    Session s = impl_->session();
    return currentVersion(s);
  });
}

namespace {

// ---- slot settings (migration 5) -------------------------------------------

constexpr const char* kWeekdayNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::optional<Int64> idByExternalId(Session& s, const std::string& table, const std::string& ext) {
  std::vector<Int64> ids;
  s << "SELECT id FROM " + table + " WHERE external_id = ?", into(ids), bind(ext), now;
  if (ids.empty()) return std::nullopt;
  return ids[0];
}

// Inside apply()'s transaction, after the records: an employee given with a
// schedule gets exactly that schedule (the old one is replaced); every
// service of the batch gets its slot rules. Nothing here renders, so no
// revision moves and nothing enters the change log.
void writeSlotSettings(Session& s, const ImportBatch& batch) {
  for (const auto& in : batch.schedules) {
    const auto id = idByExternalId(s, "employees", in.employeeExt);
    if (!id) continue;  // cannot happen: the employee was upserted just before
    const WorkSchedule& w = in.schedule;
    s << "DELETE FROM employee_hours WHERE employee_id = ?", bind(*id), now;
    s << "DELETE FROM employee_days WHERE employee_id = ?", bind(*id), now;
    auto addHours = [&](const std::string& day, const std::vector<TimeRange>& ranges) {
      for (const auto& r : ranges)
        s << "INSERT INTO employee_hours (employee_id, day, start_min, end_min) "
             "VALUES (?, ?, ?, ?)",
            bind(*id), bind(day), bind(r.startMin), bind(r.endMin), now;
    };
    for (std::size_t d = 0; d < 7; ++d) addHours(kWeekdayNames[d], w.weekly[d]);
    std::set<LocalDate> off(w.daysOff.begin(), w.daysOff.end());
    for (const auto& date : off)
      s << "INSERT INTO employee_days (employee_id, day, kind) VALUES (?, ?, 'off')", bind(*id),
          bind(date.toString()), now;
    for (const auto& [date, ranges] : w.special) {
      if (off.count(date)) continue;  // a day off wins over a special day
      s << "INSERT INTO employee_days (employee_id, day, kind) VALUES (?, ?, 'special')", bind(*id),
          bind(date.toString()), now;
      addHours(date.toString(), ranges);
    }
  }
  for (const auto& in : batch.slotSettings) {
    const auto id = idByExternalId(s, "services", in.serviceExt);
    if (!id) continue;
    s << "INSERT INTO service_slot_settings (service_id, slot_step_min, min_notice_min, "
         "horizon_days) VALUES (?, ?, ?, ?) ON CONFLICT (service_id) DO UPDATE SET "
         "slot_step_min = excluded.slot_step_min, min_notice_min = excluded.min_notice_min, "
         "horizon_days = excluded.horizon_days",
        bind(*id), bind(in.settings.slotStepMin), bind(in.settings.minNoticeMin),
        bind(in.settings.horizonDays), now;
  }
}

}  // namespace

Session SqliteStore::sqlSession() const {
  return impl_->session();
}
const sql::Dialect& SqliteStore::sqlDialect() const {
  return impl_->dialect;
}
UnixTime SqliteStore::sqlNow() const {
  return impl_->currentTime();
}
const std::string& SqliteStore::sqlLocation() const {
  return impl_->path;
}

ImportSummary SqliteStore::apply(const ImportBatch& batch) {
  return guarded(impl_->path, "cannot apply the import", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    BatchWriter writer(s, impl_->currentTime());
    ImportSummary summary = writer.run(batch);
    writeSlotSettings(s, batch);
    tx.commit();
    return summary;
  });
}

namespace {
using EmployeeRow = Poco::Tuple<Int64, std::string, std::string, std::string, std::string,
                                std::string, std::string, Int64>;
const char* const kEmployeeSelect =
    "SELECT id, external_id, first_name, last_name, email, phone, time_zone, revision "
    "FROM employees";
Employee toEmployee(const EmployeeRow& r) {
  return Employee{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(),
                  r.get<4>(), r.get<5>(), r.get<6>(), r.get<7>()};
}

using CustomerRow = Poco::Tuple<Int64, std::string, std::string, std::string, std::string,
                                std::string, std::string, Int64>;
const char* const kCustomerSelect =
    "SELECT id, external_id, first_name, last_name, email, phone, note, revision FROM customers";
Customer toCustomer(const CustomerRow& r) {
  return Customer{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(),
                  r.get<4>(), r.get<5>(), r.get<6>(), r.get<7>()};
}

using ServiceRow = Poco::Tuple<Int64, std::string, std::string, std::string, int, int, int, int,
                               std::string, std::string, Int64>;
const char* const kServiceSelect =
    "SELECT id, external_id, name, description, duration_min, buffer_before_min, "
    "buffer_after_min, capacity, price, currency, revision FROM services";
Service toService(const ServiceRow& r) {
  return Service{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(), r.get<5>(),
                 r.get<6>(), r.get<7>(), r.get<8>(), r.get<9>(), r.get<10>()};
}

using LocationRow = Poco::Tuple<Int64, std::string, std::string, std::string, Int64>;
const char* const kLocationSelect =
    "SELECT id, external_id, name, address, revision FROM locations";
Location toLocation(const LocationRow& r) {
  return Location{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>()};
}

template <typename Row, typename T>
std::vector<T> selectAll(Session& s, const std::string& sql, T (*convert)(const Row&)) {
  std::vector<Row> rows;
  s << sql + " ORDER BY id", into(rows), now;
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(convert(r));
  return out;
}

template <typename Row, typename T>
std::optional<T> selectByExternalId(Session& s, const std::string& sql, const std::string& ext,
                                    T (*convert)(const Row&)) {
  std::vector<Row> rows;
  s << sql + " WHERE external_id = ?", into(rows), bind(ext), now;
  if (rows.empty()) return std::nullopt;
  return convert(rows[0]);
}
}  // namespace

std::vector<Employee> SqliteStore::employees() const {
  return guarded(impl_->path, "cannot read employees", [&] {
    Session s = impl_->session();
    return selectAll<EmployeeRow>(s, kEmployeeSelect, &toEmployee);
  });
}

std::vector<Customer> SqliteStore::customers() const {
  return guarded(impl_->path, "cannot read customers", [&] {
    Session s = impl_->session();
    return selectAll<CustomerRow>(s, kCustomerSelect, &toCustomer);
  });
}

std::vector<Service> SqliteStore::services() const {
  return guarded(impl_->path, "cannot read services", [&] {
    Session s = impl_->session();
    return selectAll<ServiceRow>(s, kServiceSelect, &toService);
  });
}

std::vector<Location> SqliteStore::locations() const {
  return guarded(impl_->path, "cannot read locations", [&] {
    Session s = impl_->session();
    return selectAll<LocationRow>(s, kLocationSelect, &toLocation);
  });
}

std::optional<Employee> SqliteStore::employeeByExternalId(const std::string& ext) const {
  return guarded(impl_->path, "cannot read an employee", [&] {
    Session s = impl_->session();
    return selectByExternalId<EmployeeRow>(s, kEmployeeSelect, ext, &toEmployee);
  });
}

std::optional<Customer> SqliteStore::customerByExternalId(const std::string& ext) const {
  return guarded(impl_->path, "cannot read a customer", [&] {
    Session s = impl_->session();
    return selectByExternalId<CustomerRow>(s, kCustomerSelect, ext, &toCustomer);
  });
}

std::optional<Service> SqliteStore::serviceByExternalId(const std::string& ext) const {
  return guarded(impl_->path, "cannot read a service", [&] {
    Session s = impl_->session();
    return selectByExternalId<ServiceRow>(s, kServiceSelect, ext, &toService);
  });
}

std::optional<Location> SqliteStore::locationByExternalId(const std::string& ext) const {
  return guarded(impl_->path, "cannot read a location", [&] {
    Session s = impl_->session();
    return selectByExternalId<LocationRow>(s, kLocationSelect, ext, &toLocation);
  });
}

namespace {
// One appointment or event by a unique column (id or external_id), with its
// bookings (and periods and staff), in one snapshot.
template <typename Key>
std::optional<Appointment> selectAppointment(Session& s, const sql::Dialect& d, const char* column,
                                             const Key& key) {
  Transaction tx(s, d.beginRead);
  std::vector<AppointmentRow> rows;
  s << std::string("SELECT ") + kAppointmentColumns + " FROM appointments a WHERE a." + column +
           " = ?",
      into(rows), bind(key), now;
  if (rows.empty()) return std::nullopt;
  Appointment a = toAppointment(rows[0]);
  auto bookings = loadBookings(s, "appointment_bookings", "appointment_id", std::to_string(a.id));
  a.bookings = std::move(bookings[a.id]);
  tx.commit();
  return a;
}

template <typename Key>
std::optional<GroupEvent> selectEvent(Session& s, const sql::Dialect& d, const char* column,
                                      const Key& key) {
  Transaction tx(s, d.beginRead);
  std::vector<EventRow> rows;
  s << std::string("SELECT ") + kEventColumns + " FROM events e WHERE e." + column + " = ?",
      into(rows), bind(key), now;
  if (rows.empty()) return std::nullopt;
  std::vector<GroupEvent> events{toEvent(rows[0])};
  attachEventChildren(s, events);
  tx.commit();
  return std::move(events[0]);
}
}  // namespace

std::optional<Appointment> SqliteStore::appointmentByExternalId(const std::string& ext) const {
  return guarded(impl_->path, "cannot read an appointment", [&] {
    Session s = impl_->session();
    return selectAppointment(s, impl_->dialect, "external_id", ext);
  });
}

std::optional<Appointment> SqliteStore::appointmentById(Id id) const {
  return guarded(impl_->path, "cannot read an appointment", [&] {
    Session s = impl_->session();
    return selectAppointment(s, impl_->dialect, "id", static_cast<Int64>(id));
  });
}

std::optional<GroupEvent> SqliteStore::eventByExternalId(const std::string& ext) const {
  return guarded(impl_->path, "cannot read an event", [&] {
    Session s = impl_->session();
    return selectEvent(s, impl_->dialect, "external_id", ext);
  });
}

std::optional<GroupEvent> SqliteStore::eventById(Id id) const {
  return guarded(impl_->path, "cannot read an event", [&] {
    Session s = impl_->session();
    return selectEvent(s, impl_->dialect, "id", static_cast<Int64>(id));
  });
}

std::vector<Appointment> SqliteStore::appointmentsByIds(const std::vector<Id>& ids) const {
  return guarded(impl_->path, "cannot read appointments", [&] {
    std::vector<Appointment> out;
    if (ids.empty()) return out;
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginRead);
    std::string list;
    for (const auto id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    std::vector<AppointmentRow> rows;
    s << std::string("SELECT ") + kAppointmentColumns + " FROM appointments a WHERE a.id IN (" +
             list + ") ORDER BY a.id",
        into(rows), now;
    auto bookings = loadBookings(s, "appointment_bookings", "appointment_id", list);
    for (const auto& r : rows) {
      out.push_back(toAppointment(r));
      out.back().bookings = std::move(bookings[out.back().id]);
    }
    tx.commit();
    return out;
  });
}

bool SqliteStore::setConferenceUrl(RecordKind kind, Id id, const std::string& url) {
  return guarded(impl_->path, "cannot record a conference link", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    const UnixTime at = impl_->currentTime();
    Int64 key = id;
    std::vector<std::string> collections;
    std::string uid;
    if (kind == RecordKind::Appointment) {
      auto a = appointmentById(id);
      if (!a || a->conferenceUrl == url) return false;
      s << "UPDATE appointments SET conference_url = ?, revision = revision + 1, updated_at = ? "
           "WHERE id = ?",
          bind(url), bind(at), bind(key), now;
      collections = appointmentCollections(a->employeeId, a->serviceId, a->locationId);
      s << "SELECT uid FROM change_log WHERE kind = 'appointment' AND record_id = ? "
           "ORDER BY seq DESC LIMIT 1",
          into(uid), bind(key), now;
    } else {
      auto e = eventById(id);
      if (!e || e->conferenceUrl == url) return false;
      s << "UPDATE events SET conference_url = ?, revision = revision + 1, updated_at = ? "
           "WHERE id = ?",
          bind(url), bind(at), bind(key), now;
      collections = eventCollections(e->organizerId, e->staffIds, e->locationId);
      s << "SELECT uid FROM change_log WHERE kind = 'event' AND record_id = ? "
           "ORDER BY seq DESC LIMIT 1",
          into(uid), bind(key), now;
    }
    const std::string kindText = kind == RecordKind::Appointment ? "appointment" : "event";
    for (const auto& c : collections)
      s << "INSERT INTO change_log (collection, kind, record_id, uid, deleted, at) "
           "VALUES (?, ?, ?, ?, 0, ?)",
          bind(c), bind(kindText), bind(key), bind(uid), bind(at), now;
    tx.commit();
    return true;
  });
}

void SqliteStore::forEachAppointment(const RecordFilter& filter,
                                     const std::function<bool(const Appointment&)>& fn) const {
  guarded(impl_->path, "cannot read appointments", [&] {
    Session s = impl_->session();
    // One snapshot for the rows and their bookings, however long the caller takes.
    Transaction tx(s, impl_->dialect.beginRead);
    std::vector<AppointmentRow> rows;
    Statement select = (s << std::string("SELECT ") + kAppointmentColumns + " FROM appointments a" +
                                 appointmentWhere(filter) + " ORDER BY a.start_at, a.id",
                        into(rows), limit(std::max<std::size_t>(impl_->options.streamBatch, 1)));
    bool more = true;
    while (more && !select.done()) {
      rows.clear();
      select.execute();
      if (rows.empty()) break;
      std::vector<Id> ids;
      ids.reserve(rows.size());
      for (const auto& r : rows) ids.push_back(r.get<0>());
      // The batch's bookings in one query, not one per appointment.
      auto bookings = loadBookings(s, "appointment_bookings", "appointment_id", idList(ids));
      for (const auto& r : rows) {
        Appointment a = toAppointment(r);
        if (auto it = bookings.find(a.id); it != bookings.end()) a.bookings = std::move(it->second);
        if (!fn(a)) {
          more = false;
          break;
        }
      }
    }
    tx.commit();
  });
}

void SqliteStore::forEachEvent(const RecordFilter& filter,
                               const std::function<bool(const GroupEvent&)>& fn) const {
  guarded(impl_->path, "cannot read events", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginRead);
    std::vector<EventRow> rows;
    Statement select = (s << std::string("SELECT ") + kEventColumns + " FROM events e" +
                                 eventWhere(filter) + " ORDER BY e.start_at, e.id",
                        into(rows), limit(std::max<std::size_t>(impl_->options.streamBatch, 1)));
    bool more = true;
    while (more && !select.done()) {
      rows.clear();
      select.execute();
      if (rows.empty()) break;
      std::vector<GroupEvent> events;
      events.reserve(rows.size());
      for (const auto& r : rows) events.push_back(toEvent(r));
      attachEventChildren(s, events);
      for (const auto& e : events)
        if (!fn(e)) {
          more = false;
          break;
        }
    }
    tx.commit();
  });
}

std::int64_t SqliteStore::countAppointments(const RecordFilter& filter) const {
  return guarded(impl_->path, "cannot count appointments", [&] {
    Session s = impl_->session();
    Int64 n = 0;
    s << "SELECT COUNT(*) FROM appointments a" + appointmentWhere(filter), into(n), now;
    return static_cast<std::int64_t>(n);
  });
}

std::int64_t SqliteStore::latestChange(const std::string& collection) const {
  return guarded(impl_->path, "cannot read the change log", [&] {
    Session s = impl_->session();
    Poco::Nullable<Int64> seq;
    s << "SELECT MAX(seq) FROM change_log WHERE collection = ?", into(seq), bind(collection), now;
    return seq.isNull() ? std::int64_t{0} : static_cast<std::int64_t>(seq.value());
  });
}

std::vector<Change> SqliteStore::changesSince(const std::string& collection,
                                              std::int64_t seq) const {
  return guarded(impl_->path, "cannot read the change log", [&] {
    Session s = impl_->session();
    std::vector<Poco::Tuple<Int64, std::string, std::string, Int64, std::string, int, Int64>> rows;
    s << "SELECT seq, collection, kind, record_id, uid, deleted, at FROM change_log "
         "WHERE collection = ? AND seq > ? ORDER BY seq",
        into(rows), bind(collection), bind(static_cast<Int64>(seq)), now;
    std::vector<Change> out;
    out.reserve(rows.size());
    for (const auto& r : rows)
      out.push_back(Change{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(),
                           r.get<5>() != 0, r.get<6>()});
    return out;
  });
}

std::optional<std::string> SqliteStore::setting(const std::string& key) const {
  return guarded(impl_->path, "cannot read a setting", [&]() -> std::optional<std::string> {
    Session s = impl_->session();
    std::vector<std::string> values;
    s << "SELECT value FROM settings WHERE key = ?", into(values), bind(key), now;
    if (values.empty()) return std::nullopt;
    return values[0];
  });
}

void SqliteStore::setSetting(const std::string& key, const std::string& value) {
  guarded(impl_->path, "cannot save a setting", [&] {
    Session s = impl_->session();
    s << "INSERT INTO settings (key, value) VALUES (?, ?) "
         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        bind(key), bind(value), now;
  });
}

std::optional<Change> SqliteStore::lastChange(const std::string& collection) const {
  return guarded(impl_->path, "cannot read the change log", [&]() -> std::optional<Change> {
    Session s = impl_->session();
    std::vector<Poco::Tuple<Int64, std::string, std::string, Int64, std::string, int, Int64>> rows;
    s << "SELECT seq, collection, kind, record_id, uid, deleted, at FROM change_log "
         "WHERE collection = ? ORDER BY seq DESC LIMIT 1",
        into(rows), bind(collection), now;
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    return Change{r.get<0>(), r.get<1>(),      r.get<2>(), r.get<3>(),
                  r.get<4>(), r.get<5>() != 0, r.get<6>()};
  });
}

// ---- accounts and feeds ------------------------------------------------------

namespace {

std::string toBase64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << bytes;
  enc.close();
  return out.str();
}

std::string fromBase64(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder dec(in);
  std::string out;
  char buf[256];
  while (dec.read(buf, sizeof buf) || dec.gcount() > 0)
    out.append(buf, static_cast<std::size_t>(dec.gcount()));
  return out;
}

using UserRow = Poco::Tuple<Int64, std::string, std::string, NullableId, std::string, std::string,
                            int, std::string, std::string, Int64, Int64>;
const char* const kUserSelect =
    "SELECT u.id, u.login, u.role, u.employee_id, COALESCE(e.external_id, ''), "
    "u.password_algorithm, u.password_iterations, u.password_salt, u.password_hash, "
    "u.created_at, u.updated_at FROM users u LEFT JOIN employees e ON e.id = u.employee_id";

User toUser(const UserRow& r) {
  User u;
  u.id = r.get<0>();
  u.login = r.get<1>();
  u.role = parseRole(r.get<2>()).value_or(Role::Employee);
  u.employeeId = toOptional(r.get<3>());
  u.employeeExternalId = r.get<4>();
  u.password.algorithm = r.get<5>();
  u.password.iterations = r.get<6>();
  u.password.salt = fromBase64(r.get<7>());
  u.password.hash = fromBase64(r.get<8>());
  u.createdAt = r.get<9>();
  u.updatedAt = r.get<10>();
  return u;
}

using FeedRow = Poco::Tuple<Int64, std::string, std::string, NullableId, std::string, int, int,
                            Int64, NullableId>;
const char* const kFeedSelect =
    "SELECT id, token_hash, scope, record_id, label, include_pending, include_canceled, "
    "created_at, revoked_at FROM feeds";

Feed toFeed(const FeedRow& r) {
  Feed f;
  f.id = r.get<0>();
  f.tokenHash = r.get<1>();
  f.scope = parseFeedScope(r.get<2>()).value_or(FeedScope::All);
  f.recordId = toOptional(r.get<3>());
  f.label = r.get<4>();
  f.includePending = r.get<5>() != 0;
  f.includeCanceled = r.get<6>() != 0;
  f.createdAt = r.get<7>();
  f.revokedAt = toOptional(r.get<8>());
  return f;
}

}  // namespace

std::vector<User> SqliteStore::users() const {
  return guarded(impl_->path, "cannot read users", [&] {
    Session s = impl_->session();
    std::vector<UserRow> rows;
    s << std::string(kUserSelect) + " ORDER BY u.login", into(rows), now;
    std::vector<User> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(toUser(r));
    return out;
  });
}

std::optional<User> SqliteStore::userByLogin(const std::string& login) const {
  return guarded(impl_->path, "cannot read a user", [&]() -> std::optional<User> {
    Session s = impl_->session();
    std::vector<UserRow> rows;
    s << std::string(kUserSelect) + " WHERE u.login = ?", into(rows), bind(login), now;
    if (rows.empty()) return std::nullopt;
    return toUser(rows[0]);
  });
}

std::optional<Id> SqliteStore::addUser(const NewUser& user) {
  return guarded(impl_->path, "cannot add a user", [&]() -> std::optional<Id> {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    Int64 taken = 0;
    s << "SELECT COUNT(*) FROM users WHERE login = ?", into(taken), bind(user.login), now;
    if (taken > 0) return std::nullopt;
    const Int64 at = impl_->currentTime();
    const NullableId employee =
        user.role == Role::Employee ? toNullable(user.employeeId) : NullableId();
    s << "INSERT INTO users (login, role, employee_id, password_algorithm, password_iterations, "
         "password_salt, password_hash, created_at, updated_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        bind(user.login), bind(std::string(toString(user.role))), bind(employee),
        bind(user.password.algorithm), bind(user.password.iterations),
        bind(toBase64(user.password.salt)), bind(toBase64(user.password.hash)), bind(at), bind(at),
        now;
    Int64 id = 0;
    s << "SELECT id FROM users WHERE login = ?", into(id), bind(user.login), now;
    tx.commit();
    return static_cast<Id>(id);
  });
}

bool SqliteStore::setUserPassword(const std::string& login, const PasswordHash& password) {
  return guarded(impl_->path, "cannot change a password", [&] {
    Session s = impl_->session();
    Statement st(s);
    st << "UPDATE users SET password_algorithm = ?, password_iterations = ?, password_salt = ?, "
          "password_hash = ?, updated_at = ? WHERE login = ?",
        bind(password.algorithm), bind(password.iterations), bind(toBase64(password.salt)),
        bind(toBase64(password.hash)), bind(static_cast<Int64>(impl_->currentTime())), bind(login);
    return st.execute() > 0;
  });
}

bool SqliteStore::removeUser(const std::string& login) {
  return guarded(impl_->path, "cannot remove a user", [&] {
    Session s = impl_->session();
    Statement st(s);
    st << "DELETE FROM users WHERE login = ?", bind(login);
    return st.execute() > 0;
  });
}

Id SqliteStore::addFeed(const Feed& feed) {
  return guarded(impl_->path, "cannot add a feed", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    const NullableId record =
        feed.scope == FeedScope::All ? NullableId() : toNullable(feed.recordId);
    s << "INSERT INTO feeds (token_hash, scope, record_id, label, include_pending, "
         "include_canceled, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
        bind(feed.tokenHash), bind(std::string(toString(feed.scope))), bind(record),
        bind(feed.label), bind(feed.includePending ? 1 : 0), bind(feed.includeCanceled ? 1 : 0),
        bind(static_cast<Int64>(impl_->currentTime())), now;
    Int64 id = 0;
    s << "SELECT id FROM feeds WHERE token_hash = ?", into(id), bind(feed.tokenHash), now;
    tx.commit();
    return static_cast<Id>(id);
  });
}

std::optional<Feed> SqliteStore::feedByTokenHash(const std::string& tokenHash) const {
  return guarded(impl_->path, "cannot read a feed", [&]() -> std::optional<Feed> {
    Session s = impl_->session();
    std::vector<FeedRow> rows;
    s << std::string(kFeedSelect) + " WHERE token_hash = ?", into(rows), bind(tokenHash), now;
    if (rows.empty()) return std::nullopt;
    return toFeed(rows[0]);
  });
}

std::vector<Feed> SqliteStore::feeds() const {
  return guarded(impl_->path, "cannot read feeds", [&] {
    Session s = impl_->session();
    std::vector<FeedRow> rows;
    s << std::string(kFeedSelect) + " ORDER BY id", into(rows), now;
    std::vector<Feed> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(toFeed(r));
    return out;
  });
}

bool SqliteStore::revokeFeed(Id id) {
  return guarded(impl_->path, "cannot revoke a feed", [&] {
    Session s = impl_->session();
    Statement st(s);
    st << "UPDATE feeds SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        bind(static_cast<Int64>(impl_->currentTime())), bind(static_cast<Int64>(id));
    return st.execute() > 0;
  });
}

// ---- personal calendars ------------------------------------------------------

namespace {

using CalendarRow =
    Poco::Tuple<Int64, Int64, std::string, std::string, std::string, std::string, int>;
constexpr std::string_view kCalendarSelect =
    "SELECT id, employee_id, slug, display_name, description, color, transparent "
    "FROM personal_calendars";
using ObjectRow = Poco::Tuple<Int64, Int64, std::string, std::string, std::string, std::string,
                              Int64, Int64, Int64, Int64, int>;
constexpr std::string_view kObjectSelect =
    "SELECT id, calendar_id, name, uid, ical, etag, revision, updated_at, first_start, last_end, "
    "recurring "
    "FROM personal_objects";

PersonalCalendar toCalendar(const CalendarRow& r) {
  return PersonalCalendar{r.get<0>(), r.get<1>(), r.get<2>(),     r.get<3>(),
                          r.get<4>(), r.get<5>(), r.get<6>() != 0};
}

PersonalObject toObject(const ObjectRow& r) {
  return PersonalObject{
      r.get<0>(), r.get<1>(), r.get<2>(),
      r.get<3>(), r.get<4>(), r.get<5>(),
      r.get<6>(), r.get<7>(), ObjectBounds{r.get<8>(), r.get<9>(), r.get<10>() != 0}};
}

std::optional<PersonalCalendar> selectCalendar(Session& s, Id employeeId, const std::string& slug) {
  std::vector<CalendarRow> rows;
  s << std::string(kCalendarSelect) + " WHERE employee_id = ? AND slug = ?", into(rows),
      bind(static_cast<Int64>(employeeId)), bind(slug), now;
  if (rows.empty()) return std::nullopt;
  return toCalendar(rows[0]);
}

std::optional<PersonalObject> selectObject(Session& s, Id calendarId, const std::string& name) {
  std::vector<ObjectRow> rows;
  s << std::string(kObjectSelect) + " WHERE calendar_id = ? AND name = ?", into(rows),
      bind(static_cast<Int64>(calendarId)), bind(name), now;
  if (rows.empty()) return std::nullopt;
  return toObject(rows[0]);
}

void logPersonalChange(Session& s, Id calendarId, Id objectId, const std::string& name,
                       bool deleted, UnixTime at) {
  s << "INSERT INTO change_log (collection, kind, record_id, uid, deleted, at) "
       "VALUES (?, 'personal', ?, ?, ?, ?)",
      bind(personalCollection(calendarId)), bind(static_cast<Int64>(objectId)), bind(name),
      bind(deleted ? 1 : 0), bind(static_cast<Int64>(at)), now;
}

void insertCalendar(Session& s, const PersonalCalendar& c, UnixTime at) {
  s << "INSERT INTO personal_calendars (employee_id, slug, display_name, description, color, "
       "transparent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      bind(static_cast<Int64>(c.employeeId)), bind(c.slug), bind(c.displayName),
      bind(c.description), bind(c.color), bind(c.transparent ? 1 : 0), bind(static_cast<Int64>(at)),
      bind(static_cast<Int64>(at)), now;
}

void setDeadProperties(Session& s, const std::string& resource,
                       const std::vector<DeadProperty>& props) {
  for (const auto& p : props)
    s << "INSERT INTO dav_properties (resource, name, value) VALUES (?, ?, ?) "
         "ON CONFLICT (resource, name) DO UPDATE SET value = excluded.value",
        bind(resource), bind(p.name), bind(p.value), now;
}

}  // namespace

std::vector<PersonalCalendar> SqliteStore::personalCalendars(Id employeeId) const {
  return guarded(impl_->path, "cannot read personal calendars", [&] {
    Session s = impl_->session();
    std::vector<CalendarRow> rows;
    s << std::string(kCalendarSelect) + " WHERE employee_id = ? ORDER BY slug", into(rows),
        bind(static_cast<Int64>(employeeId)), now;
    std::vector<PersonalCalendar> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(toCalendar(r));
    return out;
  });
}

CreateCalendarOutcome SqliteStore::createPersonalCalendar(const PersonalCalendar& calendar,
                                                          const std::vector<DeadProperty>& props) {
  return guarded(impl_->path, "cannot create a calendar", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    if (selectCalendar(s, calendar.employeeId, calendar.slug)) return CreateCalendarOutcome::Exists;
    insertCalendar(s, calendar, impl_->currentTime());
    const auto created = selectCalendar(s, calendar.employeeId, calendar.slug);
    setDeadProperties(s, personalResource(created->id), props);
    tx.commit();
    return CreateCalendarOutcome::Created;
  });
}

bool SqliteStore::deletePersonalCalendar(Id calendarId) {
  return guarded(impl_->path, "cannot delete a calendar", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    const auto id = static_cast<Int64>(calendarId);
    int found = 0;
    s << "SELECT COUNT(*) FROM personal_calendars WHERE id = ?", into(found), bind(id), now;
    if (found == 0) return false;
    const std::string resource = personalResource(calendarId);
    s << "DELETE FROM personal_busy WHERE object_id IN "
         "(SELECT id FROM personal_objects WHERE calendar_id = ?)",
        bind(id), now;
    s << "DELETE FROM personal_objects WHERE calendar_id = ?", bind(id), now;
    s << "DELETE FROM personal_calendars WHERE id = ?", bind(id), now;
    s << "DELETE FROM dav_properties WHERE resource = ? OR resource LIKE ?", bind(resource),
        bind(resource + "/%"), now;
    s << "DELETE FROM dav_files WHERE calendar_id = ?", bind(id), now;
    s << "DELETE FROM dav_properties WHERE resource LIKE ?",
        bind(davFileResource(calendarId, "") + "%"), now;
    s << "DELETE FROM change_log WHERE collection = ?", bind(personalCollection(calendarId)), now;
    tx.commit();
    return true;
  });
}

std::vector<DeadProperty> SqliteStore::deadProperties(const std::string& resource) const {
  return guarded(impl_->path, "cannot read WebDAV properties", [&] {
    Session s = impl_->session();
    std::vector<Poco::Tuple<std::string, std::string>> rows;
    s << "SELECT name, value FROM dav_properties WHERE resource = ? ORDER BY name", into(rows),
        bind(resource), now;
    std::vector<DeadProperty> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(DeadProperty{r.get<0>(), r.get<1>()});
    return out;
  });
}

void SqliteStore::patchProperties(const PropertyPatch& patch) {
  guarded(impl_->path, "cannot store WebDAV properties", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    const UnixTime at = impl_->currentTime();
    std::string resource = patch.resource;
    if (patch.personal) {
      const auto& [employeeId, slug] = *patch.personal;
      auto calendar = selectCalendar(s, employeeId, slug);
      if (!calendar) {
        if (slug != kBlockedSlug) throw StoreError("no calendar " + slug);
        insertCalendar(s, blockedCalendarDefaults(employeeId), at);
        calendar = selectCalendar(s, employeeId, slug);
      }
      auto c = *calendar;
      if (patch.displayName) c.displayName = *patch.displayName;
      if (patch.description) c.description = *patch.description;
      if (patch.color) c.color = *patch.color;
      if (patch.transparent) c.transparent = *patch.transparent;
      s << "UPDATE personal_calendars SET display_name = ?, description = ?, color = ?, "
           "transparent = ?, updated_at = ? WHERE id = ?",
          bind(c.displayName), bind(c.description), bind(c.color), bind(c.transparent ? 1 : 0),
          bind(static_cast<Int64>(at)), bind(static_cast<Int64>(c.id)), now;
      resource = personalResource(c.id);
    }
    setDeadProperties(s, resource, patch.set);
    for (const auto& name : patch.remove)
      s << "DELETE FROM dav_properties WHERE resource = ? AND name = ?", bind(resource), bind(name),
          now;
    tx.commit();
    return 0;
  });
}

std::optional<PersonalCalendar> SqliteStore::personalCalendar(Id employeeId,
                                                              const std::string& slug) const {
  return guarded(impl_->path, "cannot read a personal calendar", [&] {
    Session s = impl_->session();
    return selectCalendar(s, employeeId, slug);
  });
}

std::vector<PersonalObject> SqliteStore::personalObjects(Id calendarId) const {
  return guarded(impl_->path, "cannot read a personal calendar", [&] {
    Session s = impl_->session();
    std::vector<ObjectRow> rows;
    s << std::string(kObjectSelect) + " WHERE calendar_id = ? ORDER BY name", into(rows),
        bind(static_cast<Int64>(calendarId)), now;
    std::vector<PersonalObject> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(toObject(r));
    return out;
  });
}

std::optional<PersonalObject> SqliteStore::personalObject(Id calendarId,
                                                          const std::string& name) const {
  return guarded(impl_->path, "cannot read a calendar object", [&] {
    Session s = impl_->session();
    return selectObject(s, calendarId, name);
  });
}

PersonalPutResult SqliteStore::putPersonalObject(const PersonalPut& put) {
  // Parsing and expansion happen before the write lock is taken.
  const UnixTime at = impl_->currentTime();
  const auto analysis = analyzeObject(put.icalText, at);
  const auto& busy = analysis.busy;
  const auto first = static_cast<Int64>(analysis.bounds.first);
  const auto last = static_cast<Int64>(analysis.bounds.last);
  const int recurring = analysis.bounds.recurring ? 1 : 0;
  const std::string etag = personalEtag(put.icalText);
  return guarded(impl_->path, "cannot store a calendar object", [&] {
    using Outcome = PersonalPutResult::Outcome;
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    PersonalPutResult result;
    auto calendar = selectCalendar(s, put.employeeId, put.slug);
    if (!calendar) {
      if (put.slug != kBlockedSlug) {
        result.outcome = Outcome::NoCalendar;
        return result;
      }
      insertCalendar(s, blockedCalendarDefaults(put.employeeId), at);
      calendar = selectCalendar(s, put.employeeId, put.slug);
    }
    const Id calendarId = calendar->id;
    const auto existing = selectObject(s, calendarId, put.name);
    if ((existing && put.ifNoneMatchStar) ||
        (put.ifMatch && (!existing || (*put.ifMatch != "*" && existing->etag != *put.ifMatch)))) {
      result.outcome = Outcome::PreconditionFailed;
      return result;
    }
    std::vector<std::string> holders;
    s << "SELECT name FROM personal_objects WHERE calendar_id = ? AND uid = ? AND name <> ?",
        into(holders), bind(static_cast<Int64>(calendarId)), bind(put.uid), bind(put.name), now;
    if (!holders.empty()) {
      result.outcome = Outcome::UidConflict;
      result.conflictName = holders[0];
      return result;
    }
    Int64 objectId = 0;
    std::int64_t revision = 1;
    if (existing) {
      revision = existing->revision + 1;
      objectId = existing->id;
      s << "UPDATE personal_objects SET uid = ?, ical = ?, etag = ?, revision = ?, updated_at = ?, "
           "first_start = ?, last_end = ?, recurring = ? WHERE id = ?",
          bind(put.uid), bind(put.icalText), bind(etag), bind(static_cast<Int64>(revision)),
          bind(static_cast<Int64>(at)), bind(first), bind(last), bind(recurring), bind(objectId),
          now;
      s << "DELETE FROM personal_busy WHERE object_id = ?", bind(objectId), now;
    } else {
      s << "INSERT INTO personal_objects (calendar_id, name, uid, ical, etag, revision, "
           "created_at, updated_at, first_start, last_end, recurring) "
           "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
          bind(static_cast<Int64>(calendarId)), bind(put.name), bind(put.uid), bind(put.icalText),
          bind(etag), bind(static_cast<Int64>(at)), bind(static_cast<Int64>(at)), bind(first),
          bind(last), bind(recurring), now;
      s << "SELECT id FROM personal_objects WHERE calendar_id = ? AND name = ?", into(objectId),
          bind(static_cast<Int64>(calendarId)), bind(put.name), now;
    }
    if (!busy.empty()) {
      std::vector<Int64> ids(busy.size(), objectId);
      std::vector<Int64> starts;
      std::vector<Int64> ends;
      starts.reserve(busy.size());
      ends.reserve(busy.size());
      for (const auto& b : busy) {
        starts.push_back(static_cast<Int64>(b.start));
        ends.push_back(static_cast<Int64>(b.end));
      }
      s << "INSERT INTO personal_busy (object_id, start_at, end_at) VALUES (?, ?, ?)", use(ids),
          use(starts), use(ends), now;
    }
    logPersonalChange(s, calendarId, static_cast<Id>(objectId), put.name, false, at);
    tx.commit();
    result.outcome = existing ? Outcome::Replaced : Outcome::Created;
    result.object = PersonalObject{static_cast<Id>(objectId),
                                   calendarId,
                                   put.name,
                                   put.uid,
                                   put.icalText,
                                   etag,
                                   revision,
                                   at,
                                   analysis.bounds};
    return result;
  });
}

PersonalDeleteOutcome SqliteStore::deletePersonalObject(Id calendarId, const std::string& name,
                                                        const std::optional<std::string>& ifMatch) {
  return guarded(impl_->path, "cannot delete a calendar object", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    const auto existing = selectObject(s, calendarId, name);
    if (!existing) return PersonalDeleteOutcome::NotFound;
    if (ifMatch && *ifMatch != "*" && *ifMatch != existing->etag)
      return PersonalDeleteOutcome::PreconditionFailed;
    const Int64 objectId = existing->id;
    s << "DELETE FROM personal_busy WHERE object_id = ?", bind(objectId), now;
    s << "DELETE FROM personal_objects WHERE id = ?", bind(objectId), now;
    s << "DELETE FROM dav_properties WHERE resource = ?",
        bind(personalResource(calendarId) + "/" + name), now;
    logPersonalChange(s, calendarId, existing->id, name, true, impl_->currentTime());
    tx.commit();
    return PersonalDeleteOutcome::Deleted;
  });
}

std::vector<BusyInterval> SqliteStore::personalBusy(Id employeeId, UnixTime from,
                                                    UnixTime to) const {
  return guarded(impl_->path, "cannot read busy periods", [&] {
    Session s = impl_->session();
    std::vector<Poco::Tuple<Int64, Int64>> rows;
    s << "SELECT b.start_at, b.end_at FROM personal_busy b "
         "JOIN personal_objects o ON o.id = b.object_id "
         "JOIN personal_calendars c ON c.id = o.calendar_id "
         "WHERE c.employee_id = ? AND c.transparent = 0 AND b.start_at < ? AND b.end_at > ? "
         "ORDER BY b.start_at, b.end_at",
        into(rows), bind(static_cast<Int64>(employeeId)), bind(static_cast<Int64>(to)),
        bind(static_cast<Int64>(from)), now;
    std::vector<BusyInterval> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(BusyInterval{r.get<0>(), r.get<1>()});
    return out;
  });
}

WorkSchedule SqliteStore::employeeSchedule(Id employeeId) const {
  return guarded(impl_->path, "cannot read the employee's schedule", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginRead);
    const Int64 id = employeeId;
    WorkSchedule w;
    std::vector<std::string> zone;
    s << "SELECT time_zone FROM employees WHERE id = ?", into(zone), bind(id), now;
    if (!zone.empty()) w.timeZone = zone[0];
    std::vector<Poco::Tuple<std::string, std::string>> days;
    s << "SELECT day, kind FROM employee_days WHERE employee_id = ? ORDER BY day", into(days),
        bind(id), now;
    std::vector<Poco::Tuple<std::string, int, int>> hours;
    s << "SELECT day, start_min, end_min FROM employee_hours WHERE employee_id = ? "
         "ORDER BY day, start_min",
        into(hours), bind(id), now;
    tx.commit();
    for (const auto& d : days) {
      const auto date = LocalDate::parse(d.get<0>());
      if (!date) continue;
      if (d.get<1>() == "off")
        w.daysOff.push_back(*date);
      else
        w.special[*date];  // closed unless hours follow
    }
    for (const auto& h : hours) {
      const TimeRange r{h.get<1>(), h.get<2>()};
      const auto* name = std::find(std::begin(kWeekdayNames), std::end(kWeekdayNames), h.get<0>());
      if (name != std::end(kWeekdayNames))
        w.weekly[static_cast<std::size_t>(name - std::begin(kWeekdayNames))].push_back(r);
      else if (const auto date = LocalDate::parse(h.get<0>()))
        w.special[*date].push_back(r);
    }
    return w;
  });
}

ServiceSlotSettings SqliteStore::serviceSlotSettings(Id serviceId) const {
  return guarded(impl_->path, "cannot read the service's slot settings", [&] {
    Session s = impl_->session();
    std::vector<Poco::Tuple<int, int, int>> rows;
    s << "SELECT slot_step_min, min_notice_min, horizon_days FROM service_slot_settings "
         "WHERE service_id = ?",
        into(rows), bind(static_cast<Int64>(serviceId)), now;
    ServiceSlotSettings out;
    if (!rows.empty()) out = {rows[0].get<0>(), rows[0].get<1>(), rows[0].get<2>()};
    return out;
  });
}

}  // namespace creneau::engine

// ---- plain WebDAV files inside personal calendars ---------------------------

namespace creneau::engine {

namespace {

using FileRow = Poco::Tuple<Int64, std::string, int, std::string, std::string, std::string, Int64>;
constexpr std::string_view kFileSelect =
    "SELECT calendar_id, path, collection, content, content_type, etag, updated_at FROM dav_files";

DavFile toFile(const FileRow& r) {
  return DavFile{r.get<0>(), r.get<1>(), r.get<2>() != 0, r.get<3>(),
                 r.get<4>(), r.get<5>(), r.get<6>()};
}

std::optional<DavFile> selectFile(Session& s, Id calendarId, const std::string& path) {
  std::vector<FileRow> rows;
  s << std::string(kFileSelect) + " WHERE calendar_id = ? AND path = ?", into(rows),
      bind(static_cast<Int64>(calendarId)), bind(path), now;
  if (rows.empty()) return std::nullopt;
  return toFile(rows[0]);
}

// "a/b/c" -> "a/b/", "a/" -> "", "c" -> "".
std::string parentPath(std::string_view path) {
  if (path.ends_with('/')) path.remove_suffix(1);
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash + 1));
}

bool parentExists(Session& s, Id calendarId, const std::string& path) {
  const std::string parent = parentPath(path);
  if (parent.empty()) return true;
  const auto p = selectFile(s, calendarId, parent);
  return p && p->collection;
}

// Anything at `path` as a file or as a collection.
bool anythingAt(Session& s, Id calendarId, std::string path) {
  if (path.ends_with('/')) path.pop_back();
  return selectFile(s, calendarId, path) || selectFile(s, calendarId, path + "/");
}

}  // namespace

std::optional<DavFile> SqliteStore::davFile(Id calendarId, const std::string& path) const {
  return guarded(impl_->path, "cannot read a WebDAV file", [&] {
    Session s = impl_->session();
    return selectFile(s, calendarId, path);
  });
}

std::vector<DavFile> SqliteStore::davFiles(Id calendarId, const std::string& collection) const {
  return guarded(impl_->path, "cannot read WebDAV files", [&] {
    Session s = impl_->session();
    std::vector<FileRow> rows;
    s << std::string(kFileSelect) +
             " WHERE calendar_id = ? AND substr(path, 1, ?) = ? AND path <> ? ORDER BY path",
        into(rows), bind(static_cast<Int64>(calendarId)), bind(static_cast<int>(collection.size())),
        bind(collection), bind(collection), now;
    std::vector<DavFile> out;
    for (const auto& r : rows) {
      auto f = toFile(r);
      if (parentPath(f.path) == collection) out.push_back(std::move(f));
    }
    return out;
  });
}

DavFileOutcome SqliteStore::putDavFile(const DavFilePut& put) {
  return guarded(impl_->path, "cannot store a WebDAV file", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    if (!parentExists(s, put.calendarId, put.path)) return DavFileOutcome::NoParent;
    if (selectFile(s, put.calendarId, put.path + "/")) return DavFileOutcome::IsCollection;
    const auto existing = selectFile(s, put.calendarId, put.path);
    if ((existing && put.ifNoneMatchStar) ||
        (put.ifMatch && (!existing || (*put.ifMatch != "*" && existing->etag != *put.ifMatch))))
      return DavFileOutcome::PreconditionFailed;
    const std::string etag = personalEtag(put.content);
    s << "INSERT INTO dav_files (calendar_id, path, collection, content, content_type, etag, "
         "updated_at) VALUES (?, ?, 0, ?, ?, ?, ?) ON CONFLICT (calendar_id, path) DO UPDATE SET "
         "content = excluded.content, content_type = excluded.content_type, etag = excluded.etag, "
         "updated_at = excluded.updated_at",
        bind(static_cast<Int64>(put.calendarId)), bind(put.path), bind(put.content),
        bind(put.contentType), bind(etag), bind(static_cast<Int64>(impl_->currentTime())), now;
    tx.commit();
    return existing ? DavFileOutcome::Replaced : DavFileOutcome::Created;
  });
}

DavFileOutcome SqliteStore::makeDavCollection(Id calendarId, const std::string& path) {
  return guarded(impl_->path, "cannot create a WebDAV collection", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    if (anythingAt(s, calendarId, path)) return DavFileOutcome::Exists;
    if (!parentExists(s, calendarId, path)) return DavFileOutcome::NoParent;
    const UnixTime at = impl_->currentTime();
    s << "INSERT INTO dav_files (calendar_id, path, collection, content, content_type, etag, "
         "updated_at) VALUES (?, ?, 1, '', '', ?, ?)",
        bind(static_cast<Int64>(calendarId)), bind(path),
        bind("\"col-" + std::to_string(at) + "\""), bind(static_cast<Int64>(at)), now;
    tx.commit();
    return DavFileOutcome::Created;
  });
}

namespace {

// Deletes `path` (and below it, for a collection) with its dead properties.
void removeDavPath(Session& s, Id calendarId, const std::string& path) {
  const auto id = static_cast<Int64>(calendarId);
  const std::string resource = davFileResource(calendarId, path);
  if (!path.ends_with('/')) {
    s << "DELETE FROM dav_files WHERE calendar_id = ? AND path = ?", bind(id), bind(path), now;
    s << "DELETE FROM dav_properties WHERE resource = ?", bind(resource), now;
    return;
  }
  s << "DELETE FROM dav_files WHERE calendar_id = ? AND substr(path, 1, ?) = ?", bind(id),
      bind(static_cast<int>(path.size())), bind(path), now;
  s << "DELETE FROM dav_properties WHERE substr(resource, 1, ?) = ?",
      bind(static_cast<int>(resource.size())), bind(resource), now;
}

}  // namespace

DavTransferOutcome SqliteStore::transferDavFile(const DavFileTransfer& t) {
  return guarded(impl_->path, "cannot move or copy a WebDAV file", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    if (!selectFile(s, t.calendarId, t.from)) return DavTransferOutcome::NotFound;
    if (!parentExists(s, t.calendarId, t.to)) return DavTransferOutcome::NoParent;
    std::string toAlt = t.to;
    if (toAlt.ends_with('/'))
      toAlt.pop_back();
    else
      toAlt += '/';
    const bool existed = selectFile(s, t.calendarId, t.to) || selectFile(s, t.calendarId, toAlt);
    if (existed && !t.overwrite) return DavTransferOutcome::PreconditionFailed;
    if (existed) {
      removeDavPath(s, t.calendarId, t.to);
      removeDavPath(s, t.calendarId, toAlt);
    }
    const auto id = static_cast<Int64>(t.calendarId);
    const auto fromLen = static_cast<int>(t.from.size());
    const std::string fromRes = davFileResource(t.calendarId, t.from);
    const std::string toRes = davFileResource(t.calendarId, t.to);
    const auto fromResLen = static_cast<int>(fromRes.size());
    // Every row at (a file) or below (a folder) `from` gets `to` in place of
    // its prefix; a file's path must match exactly ("a" is no prefix of "ab").
    const bool dir = t.from.ends_with('/');
    const std::string matchPath =
        dir ? "substr(path, 1, " + std::to_string(fromLen) + ") = ?" : "path = ?";
    const std::string matchResource =
        dir ? "substr(resource, 1, " + std::to_string(fromResLen) + ") = ?" : "resource = ?";
    s << "INSERT INTO dav_files (calendar_id, path, collection, content, content_type, etag, "
         "updated_at) SELECT calendar_id, ? || substr(path, ?), collection, content, "
         "content_type, etag, ? FROM dav_files WHERE calendar_id = ? AND " +
             matchPath,
        bind(t.to), bind(fromLen + 1), bind(static_cast<Int64>(impl_->currentTime())), bind(id),
        bind(t.from), now;
    s << "INSERT INTO dav_properties (resource, name, value) SELECT ? || substr(resource, ?), "
         "name, value FROM dav_properties WHERE " +
             matchResource,
        bind(toRes), bind(fromResLen + 1), bind(fromRes), now;
    if (t.move) removeDavPath(s, t.calendarId, t.from);
    tx.commit();
    return existed ? DavTransferOutcome::Replaced : DavTransferOutcome::Created;
  });
}

bool SqliteStore::deleteDavFile(Id calendarId, const std::string& path) {
  return guarded(impl_->path, "cannot delete a WebDAV file", [&] {
    Session s = impl_->session();
    Transaction tx(s, impl_->dialect.beginWrite);
    const auto existing = selectFile(s, calendarId, path);
    if (!existing) return false;
    const auto id = static_cast<Int64>(calendarId);
    const std::string resource = davFileResource(calendarId, path);
    if (existing->collection) {
      s << "DELETE FROM dav_files WHERE calendar_id = ? AND substr(path, 1, ?) = ?", bind(id),
          bind(static_cast<int>(path.size())), bind(path), now;
      s << "DELETE FROM dav_properties WHERE substr(resource, 1, ?) = ?",
          bind(static_cast<int>(resource.size())), bind(resource), now;
    } else {
      s << "DELETE FROM dav_files WHERE calendar_id = ? AND path = ?", bind(id), bind(path), now;
      s << "DELETE FROM dav_properties WHERE resource = ?", bind(resource), now;
    }
    tx.commit();
    return true;
  });
}

}  // namespace creneau::engine
