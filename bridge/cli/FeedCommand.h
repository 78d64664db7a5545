#pragma once

#include <string>
#include <vector>

#include "bridge/cli/Commands.h"

namespace creneau::bridge {

// `creneau feed create (--employee ID | --service ID | --location ID | --all)
// [--label TEXT] [--include-pending] [--no-canceled]`, `feed list`,
// `feed revoke ID`. The token is printed once, inside the URLs, at creation.
int feedCommand(const std::vector<std::string>& args, CliStreams io);

[[nodiscard]] const char* feedUsage();

}  // namespace creneau::bridge
