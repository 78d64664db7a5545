#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace creneau::bridge {

// Exit statuses of the creneau command.
enum ExitCode : int {
  kExitOk = 0,
  kExitInvalidInput = 1,  // the file or settings given are invalid; nothing written
  kExitUsage = 2,         // the command line is wrong
  kExitFailure = 3,       // the store or the file system failed
};

struct CliStreams {
  std::ostream& out;
  std::ostream& err;
};

// Entry point of `creneau SUBCOMMAND ...`; args exclude the program name.
int runCli(const std::vector<std::string>& args, CliStreams io);

// One function per subcommand, args after the subcommand name.
int importCommand(const std::vector<std::string>& args, CliStreams io);
int exportCommand(const std::vector<std::string>& args, CliStreams io);
int validateCommand(const std::vector<std::string>& args, CliStreams io);
int settingsCommand(const std::vector<std::string>& args, CliStreams io);
int placeholdersCommand(const std::vector<std::string>& args, CliStreams io);
int connectionsCommand(const std::vector<std::string>& args, CliStreams io);  // ConnectionsCommand.cpp
int syncCommand(const std::vector<std::string>& args, CliStreams io);         // SyncCommand.cpp
int busyCommand(const std::vector<std::string>& args, CliStreams io);         // BusyCommand.cpp

// --db PATH, else $CRENEAU_DB, else ./creneau.db
[[nodiscard]] std::string resolveDbPath(const std::optional<std::string>& flag);

}  // namespace creneau::bridge
