#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ical/DateTime.h"

namespace creneau::ical {

enum class EventStatus { None, Tentative, Confirmed, Cancelled };  // RFC 5545 3.8.1.11
enum class Transparency { Opaque, Transparent };                   // RFC 5545 3.8.2.7
enum class PartStat { NeedsAction, Accepted, Declined, Tentative, Delegated };
enum class Role { Chair, ReqParticipant, OptParticipant, NonParticipant };
enum class CalendarUserType { Individual, Group, Resource, Room, Unknown };

// A property parameter, e.g. {"X-CRENEAU-KIND", "customer"}.
struct Parameter {
  std::string name;
  std::string value;
  bool operator==(const Parameter&) const = default;
};

struct Attendee {
  std::string email;  // without the mailto: scheme
  std::string commonName;
  Role role = Role::ReqParticipant;
  PartStat partStat = PartStat::NeedsAction;
  CalendarUserType cuType = CalendarUserType::Individual;
  bool rsvp = false;
  std::vector<Parameter> extraParams;
  bool operator==(const Attendee&) const = default;
};

struct Organizer {
  std::string email;  // without the mailto: scheme
  std::string commonName;
  bool operator==(const Organizer&) const = default;
};

// RFC 7986 5.11 CONFERENCE.
struct Conference {
  std::string uri;
  std::vector<std::string> features;  // AUDIO, VIDEO, ...
  std::string label;
  bool operator==(const Conference&) const = default;
};

// Any property the model has no field for, kept verbatim (value unescaped for
// TEXT-like values).
struct ExtraProperty {
  std::string name;  // upper case, e.g. "X-CRENEAU-APPOINTMENT-ID"
  std::string value;
  std::vector<Parameter> params;
  bool operator==(const ExtraProperty&) const = default;
};

struct Event {
  std::string uid;
  int sequence = 0;
  std::optional<DateTime> dtstamp;
  std::optional<DateTime> created;
  std::optional<DateTime> lastModified;

  DateTime start;
  std::optional<DateTime> end;           // DTEND; exclusive with duration
  std::optional<long long> durationSec;  // DURATION, in seconds

  std::string summary;
  std::string description;
  std::string location;
  std::string url;
  std::vector<std::string> categories;
  std::string classification;  // CLASS; empty when absent

  EventStatus status = EventStatus::None;
  Transparency transparency = Transparency::Opaque;

  std::optional<Organizer> organizer;
  std::vector<Attendee> attendees;
  std::vector<Conference> conferences;

  // Recurrence (RFC 5545 3.8.5). rrule is the RECUR value text,
  // e.g. "FREQ=WEEKLY;BYDAY=MO,WE". Expansion lives in Recurrence.h.
  std::string rrule;
  std::vector<DateTime> rdates;
  std::vector<DateTime> exdates;
  std::optional<DateTime> recurrenceId;
  bool recurrenceThisAndFuture = false;  // RECURRENCE-ID;RANGE=THISANDFUTURE (3.2.13)

  std::vector<ExtraProperty> extra;

  bool operator==(const Event&) const = default;

  // Value of the first extra property with that name, or empty.
  [[nodiscard]] std::string extraValue(std::string_view name) const {
    for (const auto& p : extra)
      if (p.name == name) return p.value;
    return {};
  }
};

}  // namespace creneau::ical
