#include "engine/render/RenderSettings.h"

#include "engine/render/Template.h"
#include "engine/store/Store.h"

namespace creneau::engine {

Language RenderSettings::lang() const {
  return parseLanguage(language).value_or(Language::English);
}

RenderSettings RenderSettings::defaultsFor(Language lang) {
  RenderSettings s;
  if (lang != Language::French) return s;
  s.language = "fr";
  s.appointmentDescription =
      "%service_name% avec %employee_full_name%\n"
      "Clients : %customer_full_name%\n"
      "E-mail : %customer_email%\n"
      "Téléphone : %customer_phone%\n"
      "Personnes : %booked_persons%\n"
      "Statut : %appointment_status%\n"
      "%appointment_notes%";
  s.eventDescription =
      "%event_description%\nParticipants : %customer_full_name%\nPersonnes : %booked_persons%";
  return s;
}

namespace {

void checkTemplate(const std::string& key, const std::string& text,
                   std::vector<SettingProblem>& out) {
  const Template t(text);
  for (const auto& name : t.unknownPlaceholders())
    out.push_back({key, "unknown placeholder %" + name +
                            "%: use one of the placeholders listed in the README "
                            "(e.g. %service_name%, %customer_full_name%)"});
}

bool parseBool(const std::string& v, bool fallback) {
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  return fallback;
}

}  // namespace

std::vector<SettingProblem> validate(const RenderSettings& s) {
  std::vector<SettingProblem> problems;
  checkTemplate(settingKeys::kAppointmentTitle, s.appointmentTitle, problems);
  checkTemplate(settingKeys::kAppointmentDescription, s.appointmentDescription, problems);
  checkTemplate(settingKeys::kEventTitle, s.eventTitle, problems);
  checkTemplate(settingKeys::kEventDescription, s.eventDescription, problems);
  if (s.appointmentTitle.empty())
    problems.push_back({settingKeys::kAppointmentTitle, "the title template is empty"});
  if (s.eventTitle.empty())
    problems.push_back({settingKeys::kEventTitle, "the title template is empty"});
  if (!parseLanguage(s.language))
    problems.push_back(
        {settingKeys::kLanguage, "unsupported language '" + s.language + "': use en or fr"});
  if (s.uidDomain.empty() || s.uidDomain.find_first_of(" \t\r\n@") != std::string::npos)
    problems.push_back({settingKeys::kUidDomain,
                        "the UID domain must be a non-empty host name without spaces or '@'"});
  return problems;
}

RenderSettings loadRenderSettings(const Store& store) {
  RenderSettings s;
  if (auto lang = store.setting(settingKeys::kLanguage))
    if (auto parsed = parseLanguage(*lang)) s = RenderSettings::defaultsFor(*parsed);
  auto text = [&](const char* key, std::string& field) {
    if (auto v = store.setting(key)) field = *v;
  };
  auto flag = [&](const char* key, bool& field) {
    if (auto v = store.setting(key)) field = parseBool(*v, field);
  };
  text(settingKeys::kAppointmentTitle, s.appointmentTitle);
  text(settingKeys::kAppointmentDescription, s.appointmentDescription);
  text(settingKeys::kEventTitle, s.eventTitle);
  text(settingKeys::kEventDescription, s.eventDescription);
  text(settingKeys::kLanguage, s.language);
  text(settingKeys::kUidDomain, s.uidDomain);
  flag(settingKeys::kIncludeBuffers, s.includeBuffers);
  flag(settingKeys::kAddAttendees, s.addAttendees);
  return s;
}

}  // namespace creneau::engine
