#include "engine/render/Template.h"

#include <algorithm>

namespace creneau::engine {

const std::array<PlaceholderInfo, static_cast<size_t>(Placeholder::Count_)>& placeholderCatalog() {
  using P = Placeholder;
  static const std::array<PlaceholderInfo, static_cast<size_t>(P::Count_)> catalog{{
      {P::ServiceName, "service_name", "name of the booked service"},
      {P::ServiceDescription, "service_description", "description of the service"},
      {P::ServiceDuration, "service_duration", "duration of the service, e.g. 1h 30min"},
      {P::ServicePrice, "service_price", "list price of the service with its currency"},
      {P::EmployeeFullName, "employee_full_name", "first and last name of the employee"},
      {P::EmployeeFirstName, "employee_first_name", "first name of the employee"},
      {P::EmployeeLastName, "employee_last_name", "last name of the employee"},
      {P::EmployeeEmail, "employee_email", "e-mail address of the employee"},
      {P::EmployeePhone, "employee_phone", "phone number of the employee"},
      {P::CustomerFullName, "customer_full_name",
       "full name of the customer (group bookings: every customer, comma separated)"},
      {P::CustomerFirstName, "customer_first_name", "first name(s) of the customer(s)"},
      {P::CustomerLastName, "customer_last_name", "last name(s) of the customer(s)"},
      {P::CustomerEmail, "customer_email", "e-mail address(es) of the customer(s)"},
      {P::CustomerPhone, "customer_phone", "phone number(s) of the customer(s)"},
      {P::CustomerNote, "customer_note", "the customer's own note(s)"},
      {P::AppointmentId, "appointment_id", "the booking system's appointment id"},
      {P::AppointmentDate, "appointment_date",
       "date in the employee's time zone, e.g. Tuesday, November 24, 2026"},
      {P::AppointmentDateTime, "appointment_date_time", "date and start time"},
      {P::AppointmentStartTime, "appointment_start_time", "start time, e.g. 9:30 AM / 09:30"},
      {P::AppointmentEndTime, "appointment_end_time", "end time"},
      {P::AppointmentNotes, "appointment_notes", "notes of the appointment"},
      {P::AppointmentStatus, "appointment_status", "status: approved, pending, ..."},
      {P::AppointmentPrice, "appointment_price", "price of this appointment with its currency"},
      {P::BookedPersons, "booked_persons", "number of persons booked (all bookings)"},
      {P::LocationName, "location_name", "name of the location"},
      {P::LocationAddress, "location_address", "address of the location"},
      {P::EventName, "event_name", "name of the group event"},
      {P::EventDescription, "event_description", "description of the group event"},
      {P::EventLocation, "event_location", "location of the group event (name and address)"},
      {P::EventId, "event_id", "the booking system's event id"},
      {P::MeetingUrl, "meeting_url", "online meeting link (Meet, Teams, ...) when known"},
  }};
  return catalog;
}

namespace {

bool isPlaceholderChar(char c) {
  return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
}

}  // namespace

Template::Template(std::string_view text) : text_(text) {
  const auto& catalog = placeholderCatalog();
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '%') {
      size_t j = i + 1;
      while (j < text.size() && isPlaceholderChar(text[j])) ++j;
      if (j < text.size() && text[j] == '%' && j > i + 1) {
        std::string_view name = text.substr(i + 1, j - i - 1);
        auto it = std::find_if(catalog.begin(), catalog.end(),
                               [&](const PlaceholderInfo& p) { return p.name == name; });
        if (it != catalog.end()) {
          if (!literal.empty())
            pieces_.push_back({false, Placeholder::ServiceName, std::move(literal)});
          literal.clear();
          pieces_.push_back({true, it->id, {}});
          i = j + 1;
          continue;
        }
        // Looks like a placeholder but names none: keep it, report it.
        if (std::find(unknown_.begin(), unknown_.end(), name) == unknown_.end())
          unknown_.emplace_back(name);
        literal.append(text.substr(i, j - i + 1));
        i = j + 1;
        continue;
      }
    }
    literal.push_back(text[i]);
    ++i;
  }
  if (!literal.empty()) pieces_.push_back({false, Placeholder::ServiceName, std::move(literal)});
}

std::string Template::render(const PlaceholderValues& values) const {
  std::string out;
  out.reserve(text_.size() + 32);
  for (const auto& piece : pieces_) {
    if (piece.isPlaceholder)
      out += values[static_cast<size_t>(piece.placeholder)];
    else
      out += piece.literal;
  }
  return out;
}

bool Template::uses(Placeholder p) const {
  return std::any_of(pieces_.begin(), pieces_.end(),
                     [p](const Piece& x) { return x.isPlaceholder && x.placeholder == p; });
}

}  // namespace creneau::engine
