#include <fstream>
#include <iostream>
#include <ostream>
#include <sstream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "ical/Validator.h"

namespace creneau::bridge {

int validateCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {}, {"quiet"});
  if (args.positionals().size() != 1)
    throw UsageError("validate takes one FILE.ics ('-' for stdin)");
  const std::string& path = args.positionals()[0];

  std::string text;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      io.err << "creneau validate: cannot read " << path << "\n";
      return kExitFailure;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }

  const auto diagnostics = ical::validate(text);
  int errors = 0, warnings = 0;
  for (const auto& d : diagnostics) {
    (d.severity == ical::Diagnostic::Severity::Error ? errors : warnings)++;
    if (!args.flag("quiet") || d.severity == ical::Diagnostic::Severity::Error)
      io.out << path << ":" << d.line << ": "
             << (d.severity == ical::Diagnostic::Severity::Error ? "error" : "warning") << ": "
             << d.message << "\n";
  }
  io.out << path << ": " << (errors ? "invalid" : "valid") << " (" << errors << " error"
         << (errors == 1 ? "" : "s") << ", " << warnings << " warning" << (warnings == 1 ? "" : "s")
         << ")\n";
  return errors ? kExitInvalidInput : kExitOk;
}

}  // namespace creneau::bridge
