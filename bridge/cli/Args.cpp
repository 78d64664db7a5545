#include "bridge/cli/Args.h"

namespace creneau::bridge {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags) {
  bool onlyPositionals = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (onlyPositionals || a.size() < 3 || a.rfind("--", 0) != 0) {
      if (a == "--") {
        onlyPositionals = true;
        continue;
      }
      positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inlineValue;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (valued.count(name)) {
      if (inlineValue) {
        values_[name] = *inlineValue;
      } else {
        if (i + 1 >= argv.size()) throw UsageError("option --" + name + " needs a value");
        values_[name] = argv[++i];
      }
    } else if (flags.count(name)) {
      if (inlineValue) throw UsageError("option --" + name + " takes no value");
      flags_.insert(name);
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace creneau::bridge
