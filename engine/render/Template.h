#pragma once

#include <array>
#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace creneau::engine {

// The %placeholders% an admin can put in a title or description template.
// Order matters only for the README and the admin UI listing.
enum class Placeholder {
  ServiceName,
  ServiceDescription,
  ServiceDuration,
  ServicePrice,
  EmployeeFullName,
  EmployeeFirstName,
  EmployeeLastName,
  EmployeeEmail,
  EmployeePhone,
  CustomerFullName,
  CustomerFirstName,
  CustomerLastName,
  CustomerEmail,
  CustomerPhone,
  CustomerNote,
  AppointmentId,
  AppointmentDate,
  AppointmentDateTime,
  AppointmentStartTime,
  AppointmentEndTime,
  AppointmentNotes,
  AppointmentStatus,
  AppointmentPrice,
  BookedPersons,
  LocationName,
  LocationAddress,
  EventName,
  EventDescription,
  EventLocation,
  EventId,
  MeetingUrl,
  Count_
};

struct PlaceholderInfo {
  Placeholder id;
  std::string_view name;  // without the percent signs
  std::string_view help;  // one line for the README / UI
};

[[nodiscard]] const std::array<PlaceholderInfo, static_cast<size_t>(Placeholder::Count_)>&
placeholderCatalog();

// Values for one rendering, indexed by Placeholder.
using PlaceholderValues = std::array<std::string, static_cast<size_t>(Placeholder::Count_)>;
// Which placeholders a set of templates uses, indexed by Placeholder.
using PlaceholderMask = std::bitset<static_cast<size_t>(Placeholder::Count_)>;

// A template compiled once into literal runs and placeholder slots, so
// rendering 100k appointments does no parsing. Text that looks like a
// placeholder (%lower_case_name%) but names none is kept verbatim in the
// output and listed by unknownPlaceholders(); validation reports it.
class Template {
 public:
  Template() = default;
  explicit Template(std::string_view text);

  [[nodiscard]] std::string render(const PlaceholderValues& values) const;
  [[nodiscard]] const std::vector<std::string>& unknownPlaceholders() const { return unknown_; }
  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] bool uses(Placeholder p) const;

 private:
  struct Piece {
    bool isPlaceholder = false;
    Placeholder placeholder = Placeholder::ServiceName;
    std::string literal;
  };
  std::string text_;
  std::vector<Piece> pieces_;
  std::vector<std::string> unknown_;
};

}  // namespace creneau::engine
