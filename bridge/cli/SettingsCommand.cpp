#include <ostream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "engine/render/RenderSettings.h"
#include "engine/render/Template.h"

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

std::string knownKeys() {
  std::string out;
  for (const auto& k : keys()) out += std::string("\n  ") + k.key;
  return out;
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
  auto store = openStore(resolveDbPath(args.value("db")), OpenMode::CreateIfMissing);
  auto settings = engine::loadRenderSettings(*store);

  if (pos[0] == "get") {
    if (pos.size() > 2) throw UsageError("settings get takes at most one KEY");
    if (pos.size() == 2) {
      const KeyInfo* k = findKey(pos[1]);
      if (!k) throw UsageError("unknown setting '" + pos[1] + "'; the settings are:" + knownKeys());
      io.out << k->get(settings) << "\n";
      return kExitOk;
    }
    for (const auto& k : keys()) {
      std::string v = k.get(settings);
      std::string shown;
      for (char c : v) shown += c == '\n' ? std::string("\\n") : std::string(1, c);
      io.out << k.key << " = " << shown << "\n";
    }
    return kExitOk;
  }
  if (pos[0] == "set") {
    if (pos.size() != 3) throw UsageError("settings set takes KEY VALUE");
    const KeyInfo* k = findKey(pos[1]);
    if (!k) throw UsageError("unknown setting '" + pos[1] + "'; the settings are:" + knownKeys());
    std::string value = unescapeNewlines(pos[2]);
    if (k->isFlag) {
      if (value == "1" || value == "yes" || value == "on") value = "true";
      if (value == "0" || value == "no" || value == "off") value = "false";
      if (value != "true" && value != "false") {
        io.err << "creneau settings: " << k->key << " is true or false, not '" << pos[2] << "'\n";
        return kExitInvalidInput;
      }
    }
    k->put(settings, value);
    bool bad = false;
    for (const auto& p : engine::validate(settings)) {
      if (p.key != k->key) continue;
      io.err << "creneau settings: " << p.key << ": " << p.message << "\n";
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
