#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/DateTime.h"

namespace creneau::engine {

using Id = std::int64_t;          // our row id
using UnixTime = ical::UnixTime;  // seconds since the epoch, UTC

// Every record carries the booking system's own id (externalId, unique per
// kind) and a revision bumped on every change that alters what we render.

struct Employee {
  Id id = 0;
  std::string externalId;
  std::string firstName;
  std::string lastName;
  std::string email;
  std::string phone;
  std::string timeZone = "UTC";  // IANA name
  std::int64_t revision = 1;
  bool operator==(const Employee&) const = default;
  [[nodiscard]] std::string fullName() const;
};

struct Customer {
  Id id = 0;
  std::string externalId;
  std::string firstName;
  std::string lastName;
  std::string email;
  std::string phone;
  std::string note;
  std::int64_t revision = 1;
  bool operator==(const Customer&) const = default;
  [[nodiscard]] std::string fullName() const;
};

struct Service {
  Id id = 0;
  std::string externalId;
  std::string name;
  std::string description;
  int durationMin = 60;
  int bufferBeforeMin = 0;
  int bufferAfterMin = 0;
  int capacity = 1;
  std::string price;     // decimal text as the booking system gives it, "45.00"
  std::string currency;  // ISO 4217, may be empty
  std::int64_t revision = 1;
  bool operator==(const Service&) const = default;
};

struct Location {
  Id id = 0;
  std::string externalId;
  std::string name;
  std::string address;
  std::int64_t revision = 1;
  bool operator==(const Location&) const = default;
};

enum class Status { Approved, Pending, Canceled, Rejected, NoShow };

[[nodiscard]] std::string_view toString(Status s);  // "approved", "no-show", ...
[[nodiscard]] std::optional<Status> parseStatus(std::string_view s);

struct Booking {
  std::string externalId;
  Id customerId = 0;
  int persons = 1;
  Status status = Status::Approved;
  std::string price;
  bool operator==(const Booking&) const = default;
};

struct Appointment {
  Id id = 0;
  std::string externalId;
  Id serviceId = 0;
  Id employeeId = 0;
  std::optional<Id> locationId;
  UnixTime start = 0;
  UnixTime end = 0;
  Status status = Status::Approved;
  std::vector<Booking> bookings;
  std::string notes;
  std::string internalNotes;
  std::string price;
  std::string meetingUrl;
  std::int64_t revision = 1;
  UnixTime createdAt = 0;
  UnixTime updatedAt = 0;
  // The Meet / Teams link a calendar provider made for this appointment when
  // it was exported (not imported; see Store::setConferenceUrl).
  std::string conferenceUrl;
  bool operator==(const Appointment&) const = default;
};

struct EventPeriod {
  std::string externalId;  // stable per period; "" means its index in the list
  UnixTime start = 0;
  UnixTime end = 0;
  bool operator==(const EventPeriod&) const = default;
};

// A group event (class, workshop): one or more periods, an organizer, staff,
// and bookings from many customers.
struct GroupEvent {
  Id id = 0;
  std::string externalId;
  std::string name;
  std::string description;
  std::vector<EventPeriod> periods;
  std::optional<Id> organizerId;  // an employee
  std::vector<Id> staffIds;       // employees
  std::optional<Id> locationId;
  Status status = Status::Approved;
  std::vector<Booking> bookings;
  std::string price;
  std::string meetingUrl;
  int capacity = 0;  // 0: unlimited
  std::int64_t revision = 1;
  UnixTime createdAt = 0;
  UnixTime updatedAt = 0;
  std::string conferenceUrl;  // as Appointment::conferenceUrl
  bool operator==(const GroupEvent&) const = default;
};

}  // namespace creneau::engine
