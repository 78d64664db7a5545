#include <cstdlib>
#include <exception>
#include <iostream>
#include <ostream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/FeedCommand.h"
#include "bridge/cli/SlotsCommand.h"
#include "bridge/cli/UserCommand.h"
#include "bridge/server/ServeCommand.h"

namespace creneau::bridge {

namespace {

constexpr const char* kUsage = R"(usage: creneau COMMAND [OPTIONS]

Commands:
  import FILE.json [--dry-run] upsert employees, customers, services, locations,
                              appointments and events in one transaction
  export --out FILE.ics       write appointments and events as one iCalendar file
         [--employee ID] [--service ID] [--location ID] [--from DATE] [--to DATE]
         [--include-pending] [--include-canceled] [--no-events]
  validate FILE.ics           list the problems of an iCalendar file by line;
                              exit status 1 when it is invalid
  settings get [KEY]          show the settings (rendering, export, OAuth clients)
  settings set KEY VALUE      change one (validated before it is saved)
  placeholders                list the %placeholders% usable in templates
  serve [--listen HOST:PORT]  run the HTTP server (see 'creneau serve --help')
  user add LOGIN (--admin | --employee ID)
                              add a CalDAV login; the password is read from stdin
  user passwd LOGIN | remove LOGIN | list
                              change a password, delete a login, list logins
  feed create (--employee ID | --service ID | --location ID | --all)
         [--label TEXT] [--include-pending] [--no-canceled]
                              make an ICS/webcal subscription URL (shown once)
  feed list | revoke ID       list feeds, disable one (see 'creneau feed --help')
  slots --service ID --from DATE --to DATE
         [--employee ID ...] [--tz ZONE] [--json] [--explain]
                              bookable slots by day (see 'creneau slots --help')
  connections list | disconnect ID | calendar ID CALENDAR | busy-calendars ID CAL,...
                              connected Google/Outlook accounts (see --help)
  sync run | status | retry [ID] | --dry-run
                              export to Google Calendar and Outlook (see --help)
  busy source add|list|remove, busy refresh [--employee ID]
                              busy time from other calendars (see --help)

Every command that touches the database takes --db PATH
(default: $CRENEAU_DB, else ./creneau.db).
IDs are the booking system's ids, as in the import file.
)";

}  // namespace

std::string resolveDbPath(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return *flag;
  if (const char* env = std::getenv("CRENEAU_DB"); env && *env) return env;
  return "creneau.db";
}

int runCli(const std::vector<std::string>& args, CliStreams io) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? io.err : io.out) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string& cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (cmd == "import") return importCommand(rest, io);
    if (cmd == "export") return exportCommand(rest, io);
    if (cmd == "validate") return validateCommand(rest, io);
    if (cmd == "settings") return settingsCommand(rest, io);
    if (cmd == "placeholders") return placeholdersCommand(rest, io);
    if (cmd == "serve") return serveCommand(rest, io);
    if (cmd == "user") return userCommand(rest, io, std::cin);
    if (cmd == "feed") return feedCommand(rest, io);
    if (cmd == "slots") return slotsCommand(rest, io);
    if (cmd == "connections") return connectionsCommand(rest, io);
    if (cmd == "sync") return syncCommand(rest, io);
    if (cmd == "busy") return busyCommand(rest, io);
    io.err << "creneau: unknown command '" << cmd << "'\n\n" << kUsage;
    return kExitUsage;
  } catch (const UsageError& e) {
    io.err << "creneau " << cmd << ": " << e.what() << "\n(see 'creneau help')\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    io.err << "creneau " << cmd << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace creneau::bridge
