#include <Poco/String.h>

#include <algorithm>
#include <iostream>
#include <ostream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "engine/connections/ProviderClients.h"
#include "engine/render/RenderSettings.h"
#include "engine/render/Template.h"
#include "engine/secrets/StoreKey.h"
#include "engine/sync/ExportSettings.h"

namespace creneau::bridge {

namespace {

struct KeyInfo {
  const char* key;
  bool isFlag;
  std::string (*get)(const engine::RenderSettings&);
  void (*put)(engine::RenderSettings&, const std::string&);
};

std::string boolText(bool b) {
  return b ? "true" : "false";
}

const std::vector<KeyInfo>& keys() {
  namespace k = engine::settingKeys;
  using S = engine::RenderSettings;
  static const std::vector<KeyInfo> all{
      {k::kAppointmentTitle, false, [](const S& s) { return s.appointmentTitle; },
       [](S& s, const std::string& v) { s.appointmentTitle = v; }},
      {k::kAppointmentDescription, false, [](const S& s) { return s.appointmentDescription; },
       [](S& s, const std::string& v) { s.appointmentDescription = v; }},
      {k::kEventTitle, false, [](const S& s) { return s.eventTitle; },
       [](S& s, const std::string& v) { s.eventTitle = v; }},
      {k::kEventDescription, false, [](const S& s) { return s.eventDescription; },
       [](S& s, const std::string& v) { s.eventDescription = v; }},
      {k::kLanguage, false, [](const S& s) { return s.language; },
       [](S& s, const std::string& v) { s.language = v; }},
      {k::kIncludeBuffers, true, [](const S& s) { return boolText(s.includeBuffers); },
       [](S& s, const std::string& v) { s.includeBuffers = v == "true"; }},
      {k::kAddAttendees, true, [](const S& s) { return boolText(s.addAttendees); },
       [](S& s, const std::string& v) { s.addAttendees = v == "true"; }},
      {k::kUidDomain, false, [](const S& s) { return s.uidDomain; },
       [](S& s, const std::string& v) { s.uidDomain = v; }},
  };
  return all;
}

const KeyInfo* findKey(const std::string& key) {
  for (const auto& k : keys())
    if (key == k.key) return &k;
  return nullptr;
}

// The export options (engine/sync/ExportSettings.h): flags, empty = default.
struct ExportKeyInfo {
  const char* key;
  bool engine::ExportSettings::*field;
};

const std::vector<ExportKeyInfo>& exportKeys() {
  namespace k = engine::exportKeys;
  using E = engine::ExportSettings;
  static const std::vector<ExportKeyInfo> all{
      {k::kAddMeet, &E::addMeet},
      {k::kAddTeams, &E::addTeams},
      {k::kInsertPending, &E::insertPending},
      {k::kCustomersSeeEachOther, &E::customersSeeEachOther},
      {k::kSendInvitations, &E::sendInvitations},
      {k::kRemoveBusySlots, &E::removeBusySlots},
  };
  return all;
}

const ExportKeyInfo* findExportKey(const std::string& key) {
  for (const auto& k : exportKeys())
    if (key == k.key) return &k;
  return nullptr;
}

std::string knownKeys() {
  std::string out;
  for (const auto& k : keys()) out += std::string("\n  ") + k.key;
  for (const auto& k : exportKeys()) out += std::string("\n  ") + k.key;
  for (const auto& k : engine::connections::providerKeyNames()) out += "\n  " + k;
  return out;
}

bool isKnownKey(const std::string& key) {
  return findKey(key) || findExportKey(key) || engine::connections::isProviderKey(key);
}

// true/false, also 1/0, yes/no, on/off (any case); nullopt otherwise.
std::optional<std::string> normalizeFlag(const std::string& raw) {
  const std::string v = Poco::toLower(raw);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return "true";
  if (v == "false" || v == "0" || v == "no" || v == "off") return "false";
  return std::nullopt;
}

// What `settings get` shows for a provider key: never a secret.
std::string providerValueShown(const engine::Store& store, const std::string& key) {
  const std::string v = store.setting(key).value_or("");
  if (engine::connections::isSecretProviderKey(key)) return v.empty() ? "(not set)" : "(set)";
  if (key == engine::connections::providerKeys::kMicrosoftTenant && v.empty())
    return engine::connections::kDefaultTenant;
  return v;
}

std::string valueShown(const engine::Store& store, const engine::RenderSettings& render,
                       const engine::ExportSettings& exportSettings, const std::string& key) {
  if (const KeyInfo* k = findKey(key)) return k->get(render);
  if (const ExportKeyInfo* e = findExportKey(key)) return boolText(exportSettings.*(e->field));
  return providerValueShown(store, key);
}

int refuse(CliStreams io, const std::vector<std::string>& lines) {
  for (const auto& l : lines) io.err << "creneau settings: " << l << "\n";
  io.err << "creneau settings: nothing saved\n";
  return kExitInvalidInput;
}

int setExportKey(engine::Store& store, const ExportKeyInfo& k, const std::string& raw,
                 const engine::RenderSettings& render, CliStreams io) {
  const engine::ExportSettings current = engine::loadExportSettings(store);
  engine::ExportSettings proposed = current;
  std::string value;
  if (raw.empty()) {
    proposed.*(k.field) = engine::ExportSettings{}.*(k.field);  // cleared: the default
  } else {
    auto flag = normalizeFlag(raw);
    if (!flag)
      return refuse(io, {std::string(k.key) +
                         " is true or false (also 1/0, yes/no, on/off), not '" + raw + "'"});
    value = *flag;
    proposed.*(k.field) = value == "true";
  }
  std::vector<std::string> problems;
  const auto before = engine::validate(current, render);  // not this change's fault
  for (const auto& p : engine::validate(proposed, render))
    if (std::find(before.begin(), before.end(), p) == before.end())
      problems.push_back(p.key + ": " + p.message);
  if (!problems.empty()) return refuse(io, problems);
  store.setSetting(k.key, value);
  io.out << k.key
         << (value.empty() ? " cleared (default " + boolText(proposed.*(k.field)) + ")"
                           : std::string(" saved"))
         << "\n";
  return kExitOk;
}

int setProviderKey(engine::Store& store, const std::string& dbPath, const std::string& key,
                   std::string value, CliStreams io) {
  const bool secret = engine::connections::isSecretProviderKey(key);
  if (secret && value == "-") {
    // Read from standard input, so the secret stays out of shell history and
    // the process list.
    std::getline(std::cin, value);
    if (!value.empty() && value.back() == '\r') value.pop_back();
    if (value.empty()) return refuse(io, {key + ": nothing was read from standard input"});
  }
  if (auto problem = engine::connections::checkProviderSetting(key, value))
    return refuse(io, {*problem});
  std::string stored = value;
  if (secret && !value.empty()) {
    auto box = engine::secrets::secretBoxFor(dbPath);
    if (!box)
      return refuse(io, {key + " cannot be sealed: the secret key is unusable (" +
                         box.error().message + ")"});
    auto sealed = box->seal(value);
    if (!sealed) return refuse(io, {key + " cannot be sealed (" + sealed.error().message + ")"});
    stored = sealed.value();
  }
  store.setSetting(key, stored);
  if (value.empty())
    io.out << key << " cleared\n";
  else
    io.out << key << (secret ? " saved (sealed)" : " saved") << "\n";
  return kExitOk;
}

// "\n" typed on a command line means a line break in a template.
std::string unescapeNewlines(const std::string& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

}  // namespace

int settingsCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {"db"}, {});
  const auto& pos = args.positionals();
  if (pos.empty()) throw UsageError("settings needs 'get [KEY]' or 'set KEY VALUE'");
  const std::string dbPath = resolveDbPath(args.value("db"));
  auto store = openStore(dbPath, OpenMode::CreateIfMissing);
  auto settings = engine::loadRenderSettings(*store);
  const auto exportSettings = engine::loadExportSettings(*store);

  if (pos[0] == "get") {
    if (pos.size() > 2) throw UsageError("settings get takes at most one KEY");
    if (pos.size() == 2) {
      if (!isKnownKey(pos[1]))
        throw UsageError("unknown setting '" + pos[1] + "'; the settings are:" + knownKeys());
      io.out << valueShown(*store, settings, exportSettings, pos[1]) << "\n";
      return kExitOk;
    }
    auto line = [&](const std::string& key) {
      std::string shown;
      for (char c : valueShown(*store, settings, exportSettings, key))
        shown += c == '\n' ? std::string("\\n") : std::string(1, c);
      io.out << key << " = " << shown << "\n";
    };
    for (const auto& k : keys()) line(k.key);
    for (const auto& k : exportKeys()) line(k.key);
    for (const auto& k : engine::connections::providerKeyNames()) line(k);
    return kExitOk;
  }
  if (pos[0] == "set") {
    if (pos.size() != 3) throw UsageError("settings set takes KEY VALUE");
    if (!isKnownKey(pos[1]))
      throw UsageError("unknown setting '" + pos[1] + "'; the settings are:" + knownKeys());
    if (const ExportKeyInfo* e = findExportKey(pos[1]))
      return setExportKey(*store, *e, pos[2], settings, io);
    if (engine::connections::isProviderKey(pos[1]))
      return setProviderKey(*store, dbPath, pos[1], pos[2], io);
    const KeyInfo* k = findKey(pos[1]);
    std::string value = unescapeNewlines(pos[2]);
    if (k->isFlag) {
      auto flag = normalizeFlag(value);
      if (!flag) {
        io.err << "creneau settings: " << k->key
               << " is true or false (also 1/0, yes/no, on/off), not '" << pos[2] << "'\n";
        return kExitInvalidInput;
      }
      value = *flag;
    }
    k->put(settings, value);
    bool bad = false;
    for (const auto& p : engine::validate(settings)) {
      if (p.key != k->key) continue;
      io.err << "creneau settings: " << p.key << ": " << p.message << "\n";
      bad = true;
    }
    // The export options must still agree with the new rendering settings
    // (export.send_invitations needs render.add_attendees); problems that
    // were there before this change are not this change's fault.
    const auto before = engine::validate(exportSettings, engine::loadRenderSettings(*store));
    for (const auto& p : engine::validate(exportSettings, settings)) {
      if (std::find(before.begin(), before.end(), p) != before.end()) continue;
      if (p.key == engine::exportKeys::kSendInvitations)
        io.err << "creneau settings: " << k->key << " cannot be " << value
               << " while export.send_invitations is true (invitations go to the attendees): "
                  "set export.send_invitations to false first\n";
      else
        io.err << "creneau settings: " << k->key << " conflicts with " << p.key << ": " << p.message
               << "\n";
      bad = true;
    }
    if (bad) {
      io.err << "creneau settings: nothing saved\n";
      return kExitInvalidInput;
    }
    store->setSetting(k->key, value);
    io.out << k->key << " saved\n";
    return kExitOk;
  }
  throw UsageError("settings needs 'get [KEY]' or 'set KEY VALUE', not '" + pos[0] + "'");
}

int placeholdersCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {}, {});
  for (const auto& p : engine::placeholderCatalog())
    io.out << "%" << p.name << "%\t" << p.help << "\n";
  return kExitOk;
}

}  // namespace creneau::bridge
