#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <ctime>
#include <map>
#include <ostream>
#include <sstream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "bridge/oauth/OAuthSetup.h"
#include "engine/busy/BusyStore.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

using engine::connections::Connection;
using engine::connections::ConnectionService;

constexpr const char* kConnectionsUsage =
    R"(usage: creneau connections list [--json] [--db PATH]
       creneau connections disconnect ID [--db PATH]
       creneau connections calendar ID CALENDAR_ID [--db PATH]
       creneau connections busy-calendars ID CAL[,CAL...] [--db PATH]

Google and Microsoft calendars connected through OAuth (each employee
connects at /oauth/{google|microsoft}/start?employee=ID, the admin-wide
calendar at /oauth/{google|microsoft}/start?admin=1).

  list             every connection: provider, employee, account, destination
                   calendar, busy calendars, health (and why not healthy),
                   when it was connected and last refreshed
  disconnect ID    revoke the grant at the provider (Google; Microsoft has no
                   such endpoint) and forget the connection and its tokens
  calendar ID CALENDAR_ID
                   the calendar that receives exported events ("primary" for
                   Google's main calendar, "" for Microsoft's default one)
  busy-calendars ID CAL[,CAL...]
                   the calendars whose busy time counts; "" for the
                   destination calendar only
  --json           list as JSON
  --db PATH        SQLite database (default: $CRENEAU_DB, else ./creneau.db)

Exit status: 0 ok, 1 no such connection, 2 bad command line, 3 store failure.
)";

std::string timeText(engine::UnixTime t) {
  if (t <= 0) return "never";
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%MZ", &tm);
  return buf;
}

std::string isoTime(engine::UnixTime t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

engine::Id parseId(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError("connection id \"" + text +
                     "\" is not a number: see 'creneau connections list'");
  return std::stoll(text);
}

std::string calendarText(const Connection& c) {
  return c.calendarId.empty() ? "(default)" : c.calendarId;
}

std::string busyText(const Connection& c) {
  if (c.busyCalendars.empty()) return "(destination)";
  std::string out;
  for (const auto& b : c.busyCalendars) out += (out.empty() ? "" : ",") + b;
  return out;
}

struct EmployeeNames {
  std::map<engine::Id, engine::Employee> byId;
  explicit EmployeeNames(const engine::Store& store) {
    for (const auto& e : store.employees()) byId[e.id] = e;
  }
  [[nodiscard]] std::string externalId(const Connection& c) const {
    if (!c.employeeId) return "admin";
    const auto it = byId.find(*c.employeeId);
    return it == byId.end() ? "#" + std::to_string(*c.employeeId) : it->second.externalId;
  }
};

// Busy time read through a connection that fails (issue 5, item 3): the
// connection shows it with the reason, though its grant may be fine (the
// export then goes on). connection id -> "busy time not read since ...: why".
using BusyProblems = std::map<engine::Id, std::string>;

BusyProblems busyProblems(const engine::Store& store) {
  BusyProblems out;
  auto busy = engine::busy::BusyStore::of(store);
  if (!busy) return out;
  for (const auto& s : busy->sources())
    if (s.connectionId != 0 && s.status == engine::busy::SourceStatus::Error &&
        !out.count(s.connectionId))
      out[s.connectionId] = "busy time not read since " + timeText(s.errorSince) +
                            " (busy source " + std::to_string(s.id) + "): " + s.message;
  return out;
}

void printTable(const std::vector<Connection>& list, const EmployeeNames& names,
                const BusyProblems& problems, std::ostream& out) {
  if (list.empty()) {
    out << "no connections: an employee connects at /oauth/google/start?employee=ID or "
           "/oauth/microsoft/start?employee=ID\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "PROVIDER", "EMPLOYEE", "ACCOUNT", "CALENDAR",
                                              "BUSY", "HEALTH", "CONNECTED", "LAST REFRESH"}};
  for (const auto& c : list)
    rows.push_back({std::to_string(c.id),
                    std::string(engine::connections::providerName(c.provider)), names.externalId(c),
                    c.account, calendarText(c), busyText(c),
                    c.healthy && !problems.count(c.id) ? "healthy" : "UNHEALTHY",
                    timeText(c.connectedAt), timeText(c.lastRefreshAt)});
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
  for (const auto& c : list) {
    if (!c.healthy) out << "connection " << c.id << ": " << c.healthReason << "\n";
    if (auto it = problems.find(c.id); it != problems.end())
      out << "connection " << c.id << ": " << it->second << "\n";
  }
}

void printJson(const std::vector<Connection>& list, const EmployeeNames& names,
               const BusyProblems& problems, std::ostream& out) {
  Poco::JSON::Array a;
  for (const auto& c : list) {
    Poco::JSON::Object o;
    o.set("id", static_cast<Poco::Int64>(c.id));
    o.set("provider", std::string(engine::connections::providerName(c.provider)));
    if (c.employeeId) {
      o.set("employee", names.externalId(c));
      o.set("employeeRowId", static_cast<Poco::Int64>(*c.employeeId));
    } else {
      o.set("employee", Poco::Dynamic::Var());
    }
    o.set("adminWide", !c.employeeId.has_value());
    o.set("account", c.account);
    o.set("calendar", c.calendarId);
    Poco::JSON::Array busy;
    for (const auto& b : c.busyCalendars) busy.add(b);
    o.set("busyCalendars", busy);
    o.set("healthy", c.healthy);
    o.set("reason", c.healthReason);
    if (auto it = problems.find(c.id); it != problems.end())
      o.set("busyError", it->second);
    else
      o.set("busyError", Poco::Dynamic::Var());
    o.set("connectedAt", isoTime(c.connectedAt));
    if (c.lastRefreshAt > 0)
      o.set("lastRefreshAt", isoTime(c.lastRefreshAt));
    else
      o.set("lastRefreshAt", Poco::Dynamic::Var());
    a.add(o);
  }
  a.stringify(out, 2);
  out << "\n";
}

std::vector<std::string> splitCalendars(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  if (text.empty()) return out;
  while (true) {
    const auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) throw UsageError("empty calendar id in \"" + text + "\": use CAL1,CAL2");
    out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

int connectionsCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {"db"}, {"json", "help"});
  if (args.flag("help")) {
    io.out << kConnectionsUsage;
    return kExitOk;
  }
  const auto& pos = args.positionals();
  if (pos.empty()) {
    io.err << kConnectionsUsage;
    return kExitUsage;
  }
  const std::string& action = pos[0];
  auto need = [&](std::size_t n, const char* shape) {
    if (pos.size() != n) throw UsageError(std::string("usage: creneau connections ") + shape);
  };
  if (action == "list") {
    need(1, "list [--json]");
  } else if (action == "disconnect") {
    need(2, "disconnect ID");
  } else if (action == "calendar") {
    need(3, "calendar ID CALENDAR_ID");
  } else if (action == "busy-calendars") {
    need(3, "busy-calendars ID CAL[,CAL...]");
  } else {
    throw UsageError("unknown action '" + action +
                     "': use list, disconnect, calendar or busy-calendars");
  }
  if (args.flag("json") && action != "list") throw UsageError("--json goes with list only");
  const engine::Id id = action == "list" ? 0 : parseId(pos[1]);

  const std::string dbPath = resolveDbPath(args.value("db"));
  auto store = openStore(dbPath);
  auto setup = makeConnectionService(*store, dbPath);
  if (!setup.service) {
    io.err << "creneau connections: " << setup.problem << "\n";
    return kExitFailure;
  }
  ConnectionService& service = *setup.service;
  auto& connections = service.store();

  if (action == "list") {
    const EmployeeNames names(*store);
    const auto list = connections.list();
    const auto problems = busyProblems(*store);
    if (args.flag("json"))
      printJson(list, names, problems, io.out);
    else
      printTable(list, names, problems, io.out);
    return kExitOk;
  }
  const auto existing = connections.byId(id);
  if (!existing) {
    io.err << "creneau connections: there is no connection " << id
           << " (see 'creneau connections list')\n";
    return kExitInvalidInput;
  }
  if (action == "disconnect") {
    const auto out = service.disconnect(id);
    io.out << out.message << "\n";
    return kExitOk;
  }
  if (action == "calendar") {
    (void)connections.setCalendar(id, pos[2]);
    io.out << "connection " << id << " (" << existing->account << "): events now go to calendar "
           << (pos[2].empty() ? "(default)" : pos[2]) << "\n";
    return kExitOk;
  }
  const auto calendars = splitCalendars(pos[2]);
  (void)connections.setBusyCalendars(id, calendars);
  Connection shown = *existing;
  shown.busyCalendars = calendars;
  io.out << "connection " << id << " (" << existing->account << "): busy time is read from "
         << busyText(shown) << "\n";
  return kExitOk;
}

}  // namespace creneau::bridge
