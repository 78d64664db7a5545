#include <ostream>

#include "bridge/cli/Commands.h"

namespace creneau::bridge {

int busyCommand(const std::vector<std::string>& args, CliStreams io) {
  (void)args;
  io.err << "creneau: this command is not built yet\n";
  return kExitUsage;
}

}  // namespace creneau::bridge
