#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "bridge/cli/Commands.h"

namespace creneau::bridge {

// `creneau user add LOGIN (--admin | --employee ID)`, `user passwd LOGIN`,
// `user remove LOGIN`, `user list`. Passwords are read from `in`, one line
// (from a terminal without echo); they never appear on the command line.
int userCommand(const std::vector<std::string>& args, CliStreams io, std::istream& in);

[[nodiscard]] const char* userUsage();

}  // namespace creneau::bridge
