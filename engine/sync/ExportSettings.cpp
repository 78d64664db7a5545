#include "engine/sync/ExportSettings.h"

#include "engine/store/Store.h"

namespace creneau::engine {

namespace {
bool flag(const Store& store, const char* key, bool fallback) {
  const auto v = store.setting(key);
  if (!v || v->empty()) return fallback;
  return *v == "true";
}
}  // namespace

ExportSettings loadExportSettings(const Store& store) {
  ExportSettings s;
  namespace k = exportKeys;
  s.addMeet = flag(store, k::kAddMeet, s.addMeet);
  s.addTeams = flag(store, k::kAddTeams, s.addTeams);
  s.insertPending = flag(store, k::kInsertPending, s.insertPending);
  s.customersSeeEachOther = flag(store, k::kCustomersSeeEachOther, s.customersSeeEachOther);
  s.sendInvitations = flag(store, k::kSendInvitations, s.sendInvitations);
  s.removeBusySlots = flag(store, k::kRemoveBusySlots, s.removeBusySlots);
  return s;
}

std::vector<SettingProblem> validate(const ExportSettings& exportSettings,
                                     const RenderSettings& render) {
  std::vector<SettingProblem> out;
  if (exportSettings.sendInvitations && !render.addAttendees)
    out.push_back({exportKeys::kSendInvitations,
                   "invitations go to attendees, and customers are not added as attendees: "
                   "set render.add_attendees to true first, or leave this false"});
  return out;
}

}  // namespace creneau::engine
