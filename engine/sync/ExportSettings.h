#pragma once

#include <string>
#include <vector>

#include "engine/render/RenderSettings.h"

namespace creneau::engine {

class Store;

// The admin's export options (issue 4, item 1), beside the RenderSettings
// that shape the event itself (templates, render.add_attendees,
// render.include_buffers apply to feeds and exports alike, so they agree).
struct ExportSettings {
  bool addMeet = false;                // Google: conferenceData.createRequest (hangoutsMeet)
  bool addTeams = false;               // Graph: isOnlineMeeting, teamsForBusiness
  bool insertPending = false;          // pending appointments go to the calendars too
  bool customersSeeEachOther = false;  // Google guestsCanSeeOtherGuests / Graph !hideAttendees
  bool sendInvitations = false;        // only with render.add_attendees (validate() says so)
  bool removeBusySlots = true;         // connected calendars' busy time hides slots (issue 5)
  bool operator==(const ExportSettings&) const = default;
};

namespace exportKeys {
inline constexpr const char* kAddMeet = "export.google.add_meet";
inline constexpr const char* kAddTeams = "export.microsoft.add_teams";
inline constexpr const char* kInsertPending = "export.insert_pending";
inline constexpr const char* kCustomersSeeEachOther = "export.customers_see_each_other";
inline constexpr const char* kSendInvitations = "export.send_invitations";
inline constexpr const char* kRemoveBusySlots = "busy.remove_busy_slots";
}  // namespace exportKeys

[[nodiscard]] ExportSettings loadExportSettings(const Store& store);

// Problems of the combination, e.g. send_invitations without attendees.
[[nodiscard]] std::vector<SettingProblem> validate(const ExportSettings& exportSettings,
                                                   const RenderSettings& render);

}  // namespace creneau::engine
