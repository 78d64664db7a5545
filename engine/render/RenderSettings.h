#pragma once

#include <string>
#include <vector>

#include "engine/render/Localization.h"

namespace creneau::engine {

class Store;

// What the admin sets on the booking product's settings page that changes
// how an appointment or event reads in a calendar. Loaded once, passed in.
struct RenderSettings {
  std::string appointmentTitle = "%service_name% – %customer_full_name%";
  std::string appointmentDescription =
      "%service_name% with %employee_full_name%\n"
      "Customers: %customer_full_name%\n"
      "E-mail: %customer_email%\n"
      "Phone: %customer_phone%\n"
      "Persons: %booked_persons%\n"
      "Status: %appointment_status%\n"
      "%appointment_notes%";
  std::string eventTitle = "%event_name%";
  std::string eventDescription =
      "%event_description%\nParticipants: %customer_full_name%\nPersons: %booked_persons%";
  std::string language = "en";        // "en" or "fr": dates, times, durations, statuses
  bool includeBuffers = false;        // event spans buffer before + service + buffer after
  bool addAttendees = true;           // one ATTENDEE per customer with an e-mail address
  std::string uidDomain = "creneau";  // right-hand side of every UID we mint

  bool operator==(const RenderSettings&) const = default;

  [[nodiscard]] Language lang() const;

  // The defaults above with templates worded in `lang`.
  [[nodiscard]] static RenderSettings defaultsFor(Language lang);
};

// A setting that cannot be used as is: which key, what to fix.
struct SettingProblem {
  std::string key;
  std::string message;
  bool operator==(const SettingProblem&) const = default;
};

// Every problem, e.g. an unknown %placeholder% in a template (a typo would
// otherwise show up verbatim in every customer's calendar).
[[nodiscard]] std::vector<SettingProblem> validate(const RenderSettings& settings);

// Store keys, also listed in the README.
namespace settingKeys {
inline constexpr const char* kAppointmentTitle = "template.appointment.title";
inline constexpr const char* kAppointmentDescription = "template.appointment.description";
inline constexpr const char* kEventTitle = "template.event.title";
inline constexpr const char* kEventDescription = "template.event.description";
inline constexpr const char* kLanguage = "render.language";
inline constexpr const char* kIncludeBuffers = "render.include_buffers";
inline constexpr const char* kAddAttendees = "render.add_attendees";
inline constexpr const char* kUidDomain = "render.uid_domain";
}  // namespace settingKeys

// Reads the settings the store holds, defaults for the rest (templates the
// admin never set follow render.language).
[[nodiscard]] RenderSettings loadRenderSettings(const Store& store);

}  // namespace creneau::engine
