#pragma once

#include <string>
#include <vector>

#include "bridge/cli/Commands.h"

namespace creneau::bridge {

// `creneau serve [OPTIONS]`: opens the store, serves HTTP(S) until SIGTERM
// or SIGINT, then stops gracefully and returns kExitOk. Prints the URLs to
// io.out once listening. Options and settings: see ServerConfig.h.
int serveCommand(const std::vector<std::string>& args, CliStreams io);

// The usage text of `creneau serve --help`.
[[nodiscard]] const char* serveUsage();

}  // namespace creneau::bridge
