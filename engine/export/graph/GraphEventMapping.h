#pragma once

#include <optional>
#include <string>

#include <Poco/JSON/Object.h>

#include "ical/Event.h"

namespace creneau::engine::graph {

// Rendered ical::Event -> Microsoft Graph v1.0 `event` resource (DESIGN.md
// decisions 2 and 4). Contract: shared/contracts/graph/README.md.
//
// Cancellation: `isCancelled` is read-only in Graph, so a cancelled
// appointment is not a body at all: actionFor() answers Delete and the sync
// layer sends DELETE /users/{id}/events/{event-id} (the organizer's delete
// also sends attendees a cancellation).
//
// Invitations: Graph mails every attendee of an event the organizer creates
// and has no switch to stay silent. With addAttendees but not
// sendInvitations, customers are therefore not added as attendees (the
// rendered description still names them); GraphMapResult::attendeesWithheld
// says so.

enum class RecordKind { Appointment, Event };

// Which booking record a remote event stands for, and where it goes.
struct GraphTarget {
  RecordKind kind = RecordKind::Appointment;
  std::string externalId;  // the booking system's appointment or group event id
  std::string periodId;    // group events: the period key; empty for appointments
  std::string mailbox;     // the connected account (user id or principal name)
  std::string calendarId;  // empty: the default calendar
  // Bumped by the sync layer each time the remote event is re-created after
  // a deletion, so the new POST gets a new transactionId.
  int generation = 0;
  bool operator==(const GraphTarget&) const = default;
};

// The admin's settings for the Outlook integration.
struct GraphMappingOptions {
  bool addTeams = false;               // isOnlineMeeting + teamsForBusiness
  bool addAttendees = false;           // customers as attendees (see invitations above)
  bool customersSeeEachOther = false;  // false: hideAttendees
  bool sendInvitations = false;        // only has effect with addAttendees
  std::string floatingZone = "UTC";    // zone for floating and all-day times
  bool operator==(const GraphMappingOptions&) const = default;
};

// What the remote copy already has, as recorded by the sync layer.
struct GraphRemoteState {
  bool hasOnlineMeeting = false;  // provider can be neither changed nor turned off
};

enum class GraphAction { Upsert, Delete };

struct GraphMapResult {
  Poco::JSON::Object::Ptr body;  // null on error
  std::string error;
  bool attendeesWithheld = false;  // addAttendees without sendInvitations

  explicit operator bool() const { return !body.isNull(); }
};

// The fixed property set of our single-value extended properties.
inline constexpr const char* kPropertySetGuid = "{bbe76dff-a97b-4c77-a51a-cce21e3ce44b}";

// The target read from the X-CRENEAU-* properties the Renderer sets;
// mailbox, calendar and generation are left for the caller.
[[nodiscard]] std::optional<GraphTarget> targetOf(const ical::Event& ev);

// Cancelled events are deleted, everything else created or patched.
[[nodiscard]] GraphAction actionFor(const ical::Event& ev);

// A GUID-shaped name-based UUID (version 5, SHA-1) over kind, record id,
// period, mailbox, calendar and generation: the same on every retry of one
// create, new for a re-create.
[[nodiscard]] std::string transactionId(const GraphTarget& target);

// "String {guid} Name CreneauAppointmentId" (group events:
// CreneauEventPeriodId), and the value stored in it ("42"; "7/p1" for a
// group event period).
[[nodiscard]] std::string extendedPropertyId(RecordKind kind);
[[nodiscard]] std::string extendedPropertyValue(const GraphTarget& target);

// The $filter that finds our event again after a lost response:
// singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '42')
// (not URL-encoded; quotes in values doubled as OData requires), and the
// $expand that returns the property with the event.
[[nodiscard]] std::string lookupFilter(const GraphTarget& target);
[[nodiscard]] std::string lookupExpand(RecordKind kind);

// HTML for body.content: & < > " escaped, line breaks as <br>.
[[nodiscard]] std::string htmlText(const std::string& text);

// Full body for POST .../events (with transactionId).
[[nodiscard]] GraphMapResult createBody(const ical::Event& ev, const GraphTarget& target,
                                        const GraphMappingOptions& options);

// Body for PATCH .../events/{id}: without transactionId (immutable), and
// without the online meeting fields once the remote event has one.
[[nodiscard]] GraphMapResult patchBody(const ical::Event& ev, const GraphTarget& target,
                                       const GraphMappingOptions& options,
                                       const GraphRemoteState& remote);

}  // namespace creneau::engine::graph
