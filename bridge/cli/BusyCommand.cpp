// creneau busy: busy sources of employees (issue 5) and their refresh.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "bridge/oauth/OAuthSetup.h"
#include "engine/busy/BusyRefresher.h"
#include "engine/busy/BusyStore.h"
#include "engine/net/HttpClient.h"
#include "engine/secrets/SecretBox.h"
#include "engine/secrets/StoreKey.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

namespace busy = engine::busy;

constexpr const char* kBusyUsage = R"(usage: creneau busy COMMAND [--db PATH]

  source add --employee ID (--caldav URL [--user NAME --password-stdin]
                            | --ics URL | --google CONNECTION_ID
                            | --microsoft CONNECTION_ID)
             [--tentative-busy] [--all-day-busy] [--label TEXT]
                    add a busy source: its opaque events hide slots
  source list [--employee ID] [--json]
                    every source with its status (ok / error and why /
                    never read), periods cached and when they were fetched
  source remove ID  delete a source and its cached busy time
  refresh [--employee ID] [--budget 60s] [--json]
                    read every source now (employees in parallel, within the
                    time budget); prints periods, time taken and errors per
                    source; exit status 1 when a source failed
  policy [--employee ID] hide|mark|default
                    what slots do while a source cannot be read: hide them
                    (default) or offer them marked unverified; without
                    --employee, for everyone (busy.unverified_policy)

Rules: only opaque events count; cancelled events, declined invitations and
Créneau's own exported events never do; tentative and all-day events only with
--tentative-busy / --all-day-busy. The CalDAV password is read from stdin
(one line) and stored encrypted (key: $CRENEAU_SECRET_KEY, else the key file
<database>.key, shared with the Google / Microsoft connections).
)";

std::string formatTime(engine::UnixTime t) {
  if (t == 0) return "-";
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The same key as the connections (engine/secrets/StoreKey.h).
engine::secrets::SecretBox secretBox(const std::string& dbPath) {
  auto box = engine::secrets::secretBoxFor(dbPath);
  if (!box) throw std::runtime_error("no secret key: " + box.error().message);
  return *box;
}

std::optional<engine::secrets::SecretBox> secretBoxIfAny(const std::string& dbPath) {
  try {
    return secretBox(dbPath);
  } catch (const std::exception&) {
    return std::nullopt;  // sources with a password will say so
  }
}

busy::BusyStore busyStoreOf(engine::Store& store) {
  auto b = busy::BusyStore::of(store);
  if (!b) throw std::runtime_error("this store keeps no busy sources");
  return *b;
}

engine::Id employeeId(const engine::Store& store, const std::string& ext) {
  const auto e = store.employeeByExternalId(ext);
  if (!e) throw UsageError("no employee with id '" + ext + "'");
  return e->id;
}

engine::Id parseId(const std::string& text, const char* what) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): reported below
  }
  throw UsageError(std::string(what) + " must be a positive number, not '" + text + "'");
}

std::string checkedUrl(std::string url, bool webcalAllowed) {
  if (webcalAllowed && url.starts_with("webcal://")) url = "https://" + url.substr(9);
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    throw UsageError("'" + url + "' is not an http:// or https:// URL" +
                     (webcalAllowed ? " (webcal:// is read as https://)" : ""));
  return url;
}

int sourceAdd(const Args& a, CliStreams io) {
  const auto employee = a.value("employee");
  if (!employee) throw UsageError("busy source add needs --employee ID");
  const auto caldav = a.value("caldav");
  const auto ics = a.value("ics");
  const auto google = a.value("google");
  const auto microsoft = a.value("microsoft");
  if ((caldav ? 1 : 0) + (ics ? 1 : 0) + (google ? 1 : 0) + (microsoft ? 1 : 0) != 1)
    throw UsageError(
        "busy source add needs exactly one of --caldav URL, --ics URL, --google CONNECTION_ID, "
        "--microsoft CONNECTION_ID");
  if ((a.value("user") || a.flag("password-stdin")) && !caldav && !ics)
    throw UsageError("--user and --password-stdin go with --caldav or --ics");
  if (a.flag("password-stdin") && !a.value("user"))
    throw UsageError("--password-stdin needs --user NAME");

  busy::NewSource src;
  src.label = a.value("label").value_or("");
  src.rules.tentativeBusy = a.flag("tentative-busy");
  src.rules.allDayBusy = a.flag("all-day-busy");
  if (caldav) {
    src.kind = busy::SourceKind::CalDav;
    src.url = checkedUrl(*caldav, false);
  } else if (ics) {
    src.kind = busy::SourceKind::Ics;
    src.url = checkedUrl(*ics, true);
  } else {
    src.kind = google ? busy::SourceKind::Google : busy::SourceKind::Microsoft;
    src.connectionId = parseId(google ? *google : *microsoft, "the connection id");
  }
  src.username = a.value("user").value_or("");

  const std::string db = resolveDbPath(a.value("db"));
  auto store = openStore(db);
  src.employeeId = employeeId(*store, *employee);
  if (a.flag("password-stdin")) {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) throw UsageError("--password-stdin read an empty password");
    auto sealed = secretBox(db).seal(password);
    if (!sealed) throw std::runtime_error("cannot encrypt the password: " + sealed.error().message);
    src.sealedPassword = *sealed;
  }
  auto bs = busyStoreOf(*store);
  if (src.connectionId) {
    const auto c = bs.connection(src.connectionId);
    const std::string wanted(busy::kindName(src.kind));
    if (!c)
      throw UsageError("no connection " + std::to_string(src.connectionId) +
                       " (see 'creneau connections list')");
    if (c->provider != wanted)
      throw UsageError("connection " + std::to_string(src.connectionId) + " is a " + c->provider +
                       " connection, not " + wanted);
    if (c->owner != 0 && c->owner != src.employeeId)
      throw UsageError("connection " + std::to_string(src.connectionId) +
                       " belongs to another employee");
  }
  const engine::Id id = bs.add(src);
  io.out << "busy source " << id << " added: " << busy::kindName(src.kind) << " for employee "
         << *employee;
  if (!src.url.empty()) io.out << ", " << src.url;
  if (src.connectionId) io.out << ", connection " << src.connectionId;
  io.out << "\nread it now with 'creneau busy refresh --employee " << *employee
         << "' (until then its slots count as unverified)\n";
  return kExitOk;
}

int sourceList(const Args& a, CliStreams io) {
  auto store = openStore(resolveDbPath(a.value("db")));
  std::optional<engine::Id> emp;
  if (auto e = a.value("employee")) emp = employeeId(*store, *e);
  auto bs = busyStoreOf(*store);
  const auto sources = bs.sources(emp);
  if (a.flag("json")) {
    Poco::JSON::Array arr;
    for (const auto& s : sources) {
      Poco::JSON::Object o;
      o.set("id", s.id);
      o.set("employee", s.employeeExternalId);
      o.set("kind", std::string(busy::kindName(s.kind)));
      o.set("label", s.label);
      if (!s.url.empty()) o.set("url", s.url);
      if (!s.username.empty()) o.set("user", s.username);
      if (s.connectionId) o.set("connection", s.connectionId);
      o.set("tentativeBusy", s.rules.tentativeBusy);
      o.set("allDayBusy", s.rules.allDayBusy);
      o.set("status", std::string(busy::statusName(s.status)));
      if (!s.message.empty()) o.set("reason", s.message);
      if (s.errorSince) o.set("errorSince", formatTime(s.errorSince));
      if (s.fetchedAt) o.set("fetchedAt", formatTime(s.fetchedAt));
      o.set("periods", s.periodCount);
      if (!s.mode.empty()) o.set("mode", s.mode);
      arr.add(o);
    }
    Poco::JSON::Object root;
    root.set("sources", arr);
    root.stringify(io.out, 2);
    io.out << "\n";
    return kExitOk;
  }
  if (sources.empty()) {
    io.out << "no busy sources (add one with 'creneau busy source add')\n";
    return kExitOk;
  }
  for (const auto& s : sources) {
    io.out << s.id << "  " << s.employeeExternalId << "  " << busy::kindName(s.kind) << "  ";
    if (!s.url.empty()) io.out << s.url;
    if (s.connectionId) io.out << "connection " << s.connectionId;
    if (!s.label.empty()) io.out << "  \"" << s.label << "\"";
    io.out << "\n    status " << busy::statusName(s.status);
    if (s.status == busy::SourceStatus::Error)
      io.out << " since " << formatTime(s.errorSince) << ": " << s.message;
    io.out << "; " << s.periodCount << " periods fetched at " << formatTime(s.fetchedAt);
    if (!s.mode.empty()) io.out << " (" << s.mode << ")";
    io.out << "; rules: opaque";
    if (s.rules.tentativeBusy) io.out << ", tentative";
    if (s.rules.allDayBusy) io.out << ", all-day";
    io.out << "\n";
  }
  return kExitOk;
}

int sourceRemove(const Args& a, CliStreams io) {
  if (a.positionals().size() != 3) throw UsageError("busy source remove needs one ID");
  const engine::Id id = parseId(a.positionals()[2], "the source id");
  auto store = openStore(resolveDbPath(a.value("db")));
  if (!busyStoreOf(*store).remove(id)) {
    io.err << "creneau busy: no busy source " << id << "\n";
    return kExitInvalidInput;
  }
  io.out << "busy source " << id << " removed\n";
  return kExitOk;
}

int refresh(const Args& a, CliStreams io) {
  busy::RefreshOptions options;
  if (auto b = a.value("budget")) {
    const auto d = busy::parseDuration(*b);
    if (!d || d->count() <= 0) throw UsageError("--budget must be a duration such as 10s or 2m");
    options.budget = *d;
  }
  const std::string db = resolveDbPath(a.value("db"));
  auto store = openStore(db);
  std::optional<engine::Id> emp;
  if (auto e = a.value("employee")) emp = employeeId(*store, *e);
  auto http = engine::net::makeHttpClient(engine::net::httpOptionsFromEnvironment());
  // Google / Microsoft tokens come from the connections module; without it
  // (no key), those sources report why.
  const auto connections = makeConnectionService(*store, db);
  busy::BusyRefresher refresher(
      *store, *http, connections.service ? &connections.service->tokens() : nullptr,
      engine::connections::endpointsFromEnvironment(), secretBoxIfAny(db));
  const auto started = std::chrono::steady_clock::now();
  const auto reports = refresher.refresh(emp, options);
  const auto total = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started)
                         .count();
  int failed = 0;
  for (const auto& r : reports) failed += r.ok ? 0 : 1;
  if (a.flag("json")) {
    Poco::JSON::Array arr;
    for (const auto& r : reports) {
      Poco::JSON::Object o;
      o.set("source", r.sourceId);
      o.set("employee", r.employeeExternalId);
      o.set("name", r.name);
      o.set("ok", r.ok);
      o.set("notModified", r.notModified);
      o.set("skipped", r.skipped);
      o.set("periods", static_cast<std::int64_t>(r.periods));
      o.set("ms", r.ms);
      o.set("requests", r.requests);
      if (!r.mode.empty()) o.set("mode", r.mode);
      if (!r.error.empty()) o.set("error", r.error);
      arr.add(o);
    }
    Poco::JSON::Object root;
    root.set("sources", arr);
    root.set("failed", failed);
    root.set("ms", static_cast<std::int64_t>(total));
    root.stringify(io.out, 2);
    io.out << "\n";
    return failed ? kExitInvalidInput : kExitOk;
  }
  if (reports.empty()) io.out << "no busy sources to refresh\n";
  for (const auto& r : reports) {
    io.out << r.sourceId << "  " << r.employeeExternalId << "  " << r.name << ": ";
    if (r.ok)
      io.out << r.periods << " periods" << (r.notModified ? " (not modified)" : "")
             << (r.mode.empty() ? "" : " via " + r.mode);
    else
      io.out << (r.skipped ? "skipped: " : "ERROR: ") << r.error;
    io.out << ", " << r.ms << " ms\n";
  }
  io.out << reports.size() << " sources, " << failed << " failed, " << total << " ms\n";
  return failed ? kExitInvalidInput : kExitOk;
}

int policy(const Args& a, CliStreams io) {
  if (a.positionals().size() != 2) throw UsageError("busy policy needs one of hide, mark, default");
  const std::string& value = a.positionals()[1];
  std::optional<busy::Policy> p;
  if (value != "default") {
    p = busy::parsePolicy(value);
    if (!p) throw UsageError("the policy is hide, mark or default, not '" + value + "'");
  }
  auto store = openStore(resolveDbPath(a.value("db")));
  if (auto e = a.value("employee")) {
    busyStoreOf(*store).setEmployeePolicy(employeeId(*store, *e), p);
    io.out << "employee " << *e << ": "
           << (p ? std::string(busy::policyName(*p)) : std::string("the global policy")) << "\n";
  } else {
    store->setSetting(busy::keys::kUnverifiedPolicy, p ? std::string(busy::policyName(*p)) : "");
    io.out << busy::keys::kUnverifiedPolicy << " = " << (p ? busy::policyName(*p) : "hide") << "\n";
  }
  return kExitOk;
}

}  // namespace

std::shared_ptr<void> startBusyRefresh(
    engine::Store& store, const std::string& dbPath,
    std::shared_ptr<engine::connections::ConnectionService> connections) {
  struct Running {
    std::shared_ptr<engine::connections::ConnectionService> connections;
    std::unique_ptr<busy::BusySchedule> schedule;  // after connections: stops first
  };
  auto r = std::make_shared<Running>();
  r->connections = std::move(connections);
  r->schedule = busy::startBusySchedule(store, r->connections ? &r->connections->tokens() : nullptr,
                                        engine::secrets::keyFileFor(dbPath).string());
  if (!r->schedule) return nullptr;
  return r;
}

int busyCommand(const std::vector<std::string>& args, CliStreams io) {
  const Args a(
      args, {"db", "employee", "caldav", "ics", "google", "microsoft", "user", "label", "budget"},
      {"help", "password-stdin", "tentative-busy", "all-day-busy", "json"});
  const auto& pos = a.positionals();
  if (a.flag("help") || pos.empty()) {
    (pos.empty() && !a.flag("help") ? io.err : io.out) << kBusyUsage;
    return a.flag("help") ? kExitOk : kExitUsage;
  }
  if (pos[0] == "source" && pos.size() >= 2) {
    if (pos[1] == "add" && pos.size() == 2) return sourceAdd(a, io);
    if (pos[1] == "list" && pos.size() == 2) return sourceList(a, io);
    if (pos[1] == "remove") return sourceRemove(a, io);
  }
  if (pos[0] == "refresh" && pos.size() == 1) return refresh(a, io);
  if (pos[0] == "policy") return policy(a, io);
  throw UsageError("unknown busy command '" + pos[0] +
                   "': use source add|list|remove, refresh or policy");
}

}  // namespace creneau::bridge
