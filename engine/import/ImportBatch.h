#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/Domain.h"
#include "engine/slots/WorkSchedule.h"

namespace creneau::engine {

// A parsed import file (docs: fixtures/schema/creneau-import.schema.json).
// References between records use the booking system's external ids; the
// store resolves them inside its transaction. Record ids (field `id`) in the
// domain structs are ignored here.

struct BookingInput {
  Booking booking;          // customerId unused
  std::string customerExt;  // external id of the customer
};

// The store reads bookings from AppointmentInput::bookings / EventInput::bookings;
// appointment.bookings and event.bookings are ignored here.
struct AppointmentInput {
  Appointment appointment;  // serviceId/employeeId/locationId unused
  std::string serviceExt;
  std::string employeeExt;
  std::string locationExt;  // empty: none
  std::vector<BookingInput> bookings;
  bool deleted = false;  // "deleted": true removes the record
};

struct EventInput {
  GroupEvent event;  // organizerId/staffIds/locationId unused
  std::string organizerExt;
  std::vector<std::string> staffExt;
  std::string locationExt;
  std::vector<BookingInput> bookings;
  bool deleted = false;
};

// Slot engine settings of an import: an employee's "schedule" and a
// service's slotStepMin / minNoticeMin / horizonDays. They render nothing, so
// they bump no revision and are not counted in ImportSummary.
struct ScheduleInput {
  std::string employeeExt;
  WorkSchedule schedule;  // schedule.timeZone unused: the employee's zone applies
};
struct SlotSettingsInput {
  std::string serviceExt;
  ServiceSlotSettings settings;
};

struct ImportBatch {
  std::vector<Employee> employees;
  std::vector<Customer> customers;
  std::vector<Service> services;
  std::vector<Location> locations;
  std::vector<AppointmentInput> appointments;
  std::vector<EventInput> events;
  std::vector<ScheduleInput> schedules;  // employees given with "schedule" (others keep theirs)
  std::vector<SlotSettingsInput> slotSettings;  // every service of the file (defaults filled in)
};

// One problem found in an import file.
struct ImportIssue {
  enum class Severity { Error, Warning };
  Severity severity = Severity::Error;
  int line = 0;         // 1-based; 0 when unknown (e.g. a batch built in code)
  int column = 0;       // 1-based, counted in characters; 0 when unknown
  std::string path;     // JSON path such as "appointments[3].start"; "" = whole file
  std::string message;  // what is wrong and what to write instead
  bool operator==(const ImportIssue&) const = default;
};

// A problem with an import file: where (1-based line, JSON path such as
// "appointments[3].start") and what to fix. Nothing was written.
// line(), path() and what() describe the first problem; issues() lists every
// error found (sorted by position), at least one.
class ImportError : public std::runtime_error {
 public:
  ImportError(int line, std::string path, const std::string& message)
      : std::runtime_error(message), line_(line), path_(std::move(path)) {
    issues_.push_back(ImportIssue{ImportIssue::Severity::Error, line_, 0, path_, message});
  }
  explicit ImportError(std::vector<ImportIssue> issues)
      : std::runtime_error(summary(issues)), issues_(std::move(issues)) {
    if (!issues_.empty()) {
      line_ = issues_.front().line;
      path_ = issues_.front().path;
    }
  }
  [[nodiscard]] int line() const { return line_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::vector<ImportIssue>& issues() const { return issues_; }

 private:
  static std::string summary(const std::vector<ImportIssue>& issues) {
    if (issues.empty()) return "invalid import";
    std::string s = issues.front().message;
    if (issues.size() > 1)
      s += " (and " + std::to_string(issues.size() - 1) + " more error" +
           (issues.size() > 2 ? "s" : "") + ")";
    return s;
  }

  int line_ = 0;
  std::string path_;
  std::vector<ImportIssue> issues_;
};

}  // namespace creneau::engine
