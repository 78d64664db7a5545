#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/model/Domain.h"

namespace creneau::engine {

// A parsed import file (docs: fixtures/schema/creneau-import.schema.json).
// References between records use the booking system's external ids; the
// store resolves them inside its transaction. Record ids (field `id`) in the
// domain structs are ignored here.

struct BookingInput {
  Booking booking;          // customerId unused
  std::string customerExt;  // external id of the customer
};

struct AppointmentInput {
  Appointment appointment;  // serviceId/employeeId/locationId unused
  std::string serviceExt;
  std::string employeeExt;
  std::string locationExt;  // empty: none
  std::vector<BookingInput> bookings;
  bool deleted = false;     // "deleted": true removes the record
};

struct EventInput {
  GroupEvent event;  // organizerId/staffIds/locationId unused
  std::string organizerExt;
  std::vector<std::string> staffExt;
  std::string locationExt;
  std::vector<BookingInput> bookings;
  bool deleted = false;
};

struct ImportBatch {
  std::vector<Employee> employees;
  std::vector<Customer> customers;
  std::vector<Service> services;
  std::vector<Location> locations;
  std::vector<AppointmentInput> appointments;
  std::vector<EventInput> events;
};

// A problem with an import file: where (1-based line, JSON path such as
// "appointments[3].start") and what to fix. Nothing was written.
class ImportError : public std::runtime_error {
 public:
  ImportError(int line, std::string path, const std::string& message)
      : std::runtime_error(message), line_(line), path_(std::move(path)) {}
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  int line_;
  std::string path_;
};

}  // namespace creneau::engine
