#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/JSON/Object.h>

#include "ical/Event.h"

namespace creneau::engine::google {

// Rendered ical::Event -> Google Calendar v3 Event resource (DESIGN.md
// decisions 2 and 4). Everything a destination shows comes from the Event the
// Renderer produced, never from the appointment row, so Google agrees with
// the ICS feed and CalDAV. Contract: shared/contracts/google/README.md.

enum class RecordKind { Appointment, Event };

// Which booking record a remote event stands for, and where it goes.
struct GoogleTarget {
  RecordKind kind = RecordKind::Appointment;
  std::string externalId;  // the booking system's appointment or group event id
  std::string periodId;    // group events: the period key; empty for appointments
  std::string account;     // the connected Google account (e.g. its e-mail address)
  std::string calendarId = "primary";
  // Bumped by the sync layer each time the remote event is re-created after
  // a deletion: the Meet create request must then be a new one.
  int generation = 0;
  bool operator==(const GoogleTarget&) const = default;
};

// The admin's settings for the Google integration (DESIGN.md, "The admin's
// options").
struct GoogleMappingOptions {
  bool addMeet = false;                  // conferenceData.createRequest (hangoutsMeet)
  bool addAttendees = false;             // customers as attendees
  bool guestsCanSeeOtherGuests = false;  // customers see each other
  bool sendInvitations = false;          // only has effect with addAttendees
  std::string floatingZone = "UTC";      // zone for floating and all-day times
  bool operator==(const GoogleMappingOptions&) const = default;
};

// What the remote copy already has, as recorded by the sync layer.
struct GoogleRemoteState {
  bool hasConference = false;            // a Meet exists (or was requested): keep it
  Poco::JSON::Object::Ptr lastSentBody;  // body of the last successful write, or null
};

// One events.insert / events.patch call: the body and the query parameters
// (in order, not yet URL-encoded).
struct GoogleRequest {
  std::string eventId;
  Poco::JSON::Object::Ptr body;
  std::vector<std::pair<std::string, std::string>> query;

  // "conferenceDataVersion=1&sendUpdates=none", URL-encoded.
  [[nodiscard]] std::string queryString() const;
  [[nodiscard]] std::optional<std::string> queryValue(const std::string& name) const;
};

// A request, or why the Event cannot be sent (e.g. an unknown TZID, a
// missing record id). Expected failures are values, not exceptions.
struct GoogleMapResult {
  std::optional<GoogleRequest> request;
  std::string error;

  explicit operator bool() const { return request.has_value(); }
  [[nodiscard]] const GoogleRequest& operator*() const { return *request; }
  [[nodiscard]] const GoogleRequest* operator->() const { return &*request; }
};

// The target read from the X-CRENEAU-* properties the Renderer sets (kind,
// appointment or event id, period id); account, calendar and generation are
// left for the caller. nullopt when the Event carries no record id.
[[nodiscard]] std::optional<GoogleTarget> targetOf(const ical::Event& ev);

// Client-chosen event id: base32hex (lowercase a-v, 0-9) of a SHA-256 over
// kind, record id, period, account and calendar. 52 characters; the same
// inputs always give the same id, another destination another id. The
// generation does not enter it: a re-created event keeps its id.
[[nodiscard]] std::string eventId(const GoogleTarget& target);

// conferenceData.createRequest.requestId: stable for one target and
// generation (a retried insert never makes a second Meet), new per generation.
[[nodiscard]] std::string conferenceRequestId(const GoogleTarget& target);

// Name of the private extended property holding the record id, and the
// events.list parameter that finds the event again:
// privateExtendedProperty=creneauAppointmentId=42.
[[nodiscard]] std::string recordPropertyName(RecordKind kind);
[[nodiscard]] std::pair<std::string, std::string> lookupParameter(const GoogleTarget& target);

// sendUpdates for insert, patch and delete: "all" only when customers are
// added as attendees and invitations are enabled, else "none".
[[nodiscard]] std::string sendUpdates(const GoogleMappingOptions& options);

// The full Event body for events.insert, with the client-chosen id.
// Query: conferenceDataVersion=1 when a Meet is requested, sendUpdates.
[[nodiscard]] GoogleMapResult insertRequest(const ical::Event& ev, const GoogleTarget& target,
                                            const GoogleMappingOptions& options);

// events.patch body. Never sends `id`; never sends conferenceData when the
// remote event already has a conference (a reschedule keeps its Meet link),
// and asks for a Meet only when it has none. With remote.lastSentBody, only
// the top-level fields that changed since then are sent.
[[nodiscard]] GoogleMapResult patchRequest(const ical::Event& ev, const GoogleTarget& target,
                                           const GoogleMappingOptions& options,
                                           const GoogleRemoteState& remote);

// Query for events.delete (sendUpdates).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> deleteQuery(
    const GoogleMappingOptions& options);

// Top-level members of `after` whose value differs from `before` (compared
// as JSON text), except `id`. Members absent from `after` are not cleared.
[[nodiscard]] Poco::JSON::Object::Ptr changedFields(const Poco::JSON::Object& before,
                                                    const Poco::JSON::Object& after);

}  // namespace creneau::engine::google
