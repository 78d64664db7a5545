#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace creneau::engine {
class Store;
namespace connections {
class ConnectionService;
}
}  // namespace creneau::engine

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
// For `creneau serve` (BusyCommand.cpp): refreshes every busy source each
// CRENEAU_BUSY_REFRESH (default 5m, "0": off) on a background thread until
// the handle is released; nullptr when off. Google / Microsoft tokens come
// from `connections` (shared with the server; nullptr: those sources fail
// with the reason). The store must outlive it.
std::shared_ptr<void> startBusyRefresh(
    engine::Store& store, const std::string& dbPath,
    std::shared_ptr<engine::connections::ConnectionService> connections);

// --db PATH, else $CRENEAU_DB, else ./creneau.db
[[nodiscard]] std::string resolveDbPath(const std::optional<std::string>& flag);

}  // namespace creneau::bridge
