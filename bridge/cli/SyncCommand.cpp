#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "bridge/sync/ExportSetup.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

constexpr const char* kSyncUsage =
    R"(usage: creneau sync run [--no-batch] [--dry-run] [--db PATH]
       creneau sync status [--json] [--db PATH]
       creneau sync retry [--appointment ID | --event ID] [--db PATH]
       creneau sync queue [--employee ID] [--db PATH]
       creneau sync --dry-run [--db PATH]

Export of appointments and group events to the connected Google and Outlook
calendars (see 'creneau connections'). Every change to a record queues it in
the same transaction; `creneau serve` works the queue in the background, and
these commands let an admin see and drive it.

  run           work the queue until nothing is due (a progress bar on a
                terminal); records that hit a transient error (429, 5xx,
                timeout) are due again later, with backoff
  --no-batch    one HTTP request per call instead of Google batch / Graph $batch
  --dry-run     list what would be created, updated and deleted; send nothing
  status        what is queued, waiting for a retry, and failed (with the
                provider's message)
  retry         failed records (and those waiting for a backoff) are due now
  queue         queue every record ending after 30 days ago again (all, or
                one employee's), e.g. after changing a template by hand

Exit status: 0 ok, 1 some records failed, 2 bad command line, 3 store or
set-up failure.
)";

std::string kindWord(engine::RecordKind k) {
  return k == engine::RecordKind::Event ? "event" : "appointment";
}

// The booking system's id of a record, for messages.
std::string externalIdOf(const engine::Store& store, engine::RecordKind kind, engine::Id id) {
  if (kind == engine::RecordKind::Appointment) {
    if (auto a = store.appointmentById(id)) return a->externalId;
  } else if (auto e = store.eventById(id)) {
    return e->externalId;
  }
  return "#" + std::to_string(id) + " (removed)";
}

std::string when(engine::UnixTime t) {
  char buf[32];
  const time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

void progressBar(std::ostream& out, std::int64_t done, std::int64_t total) {
  const int width = 30;
  const std::int64_t all = std::max<std::int64_t>(total, done);
  const int filled = all > 0 ? static_cast<int>(width * done / all) : width;
  out << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
      << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << done << "/" << all
      << std::flush;
}

int runPlan(engine::sync::SyncWorker& worker, CliStreams io) {
  const auto plan = worker.plan();
  int creates = 0, updates = 0, deletes = 0;
  for (const auto& l : plan) {
    io.out << std::left << std::setw(10) << engine::sync::actionName(l.action) << " "
           << kindWord(l.kind) << " " << l.recordExternalId;
    if (!l.destination.empty()) io.out << " -> " << l.destination;
    if (!l.note.empty()) io.out << "  (" << l.note << ")";
    io.out << "\n";
    creates += l.action == engine::sync::PlannedAction::Create;
    updates += l.action == engine::sync::PlannedAction::Update;
    deletes += l.action == engine::sync::PlannedAction::Delete;
  }
  io.out << creates << " to create, " << updates << " to update, " << deletes
         << " to delete; nothing was sent\n";
  return kExitOk;
}

}  // namespace

int syncCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {"db", "appointment", "event", "employee"},
                  {"help", "no-batch", "dry-run", "json"});
  if (args.flag("help")) {
    io.out << kSyncUsage;
    return kExitOk;
  }
  const auto& pos = args.positionals();
  if (pos.empty() && !args.flag("dry-run"))
    throw UsageError("sync needs run, status, retry, queue or --dry-run");
  const std::string sub = pos.empty() ? "run" : pos[0];
  if (pos.size() > 1) throw UsageError("unexpected argument '" + pos[1] + "'");
  if (sub != "run" && sub != "status" && sub != "retry" && sub != "queue")
    throw UsageError("unknown sync command '" + sub + "'; see 'creneau sync --help'");

  const std::string dbPath = resolveDbPath(args.value("db"));
  auto store = openStore(dbPath, OpenMode::MustExist);
  auto options = workerOptionsFromEnvironment();
  if (args.flag("no-batch")) options.batching = false;
  auto setup = makeExportSetup(*store, dbPath, options);
  if (!setup.worker) {
    io.err << "creneau sync: " << setup.problem << "\n";
    return kExitFailure;
  }
  auto& sync = *setup.sync;
  auto& worker = *setup.worker;

  if (sub == "status") {
    const auto st = sync.status();
    const auto connections = setup.connections->store().list();
    if (args.flag("json")) {
      Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
      o->set("pending", st.pending);
      o->set("due", st.due);
      o->set("inProgress", st.leased);
      o->set("failed", st.failed);
      o->set("remoteEvents", sync.copyCount());
      auto list = [&](const std::vector<engine::sync::OutboxItem>& items) {
        Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
        for (const auto& i : items) {
          Poco::JSON::Object::Ptr x = new Poco::JSON::Object;
          x->set("kind", kindWord(i.kind));
          x->set("id", externalIdOf(*store, i.kind, i.recordId));
          x->set("attempts", i.attempts);
          x->set("due", when(i.dueAt));
          x->set("error", i.lastError);
          a->add(x);
        }
        return a;
      };
      o->set("failures", list(st.failures));
      o->set("waiting", list(st.waiting));
      Poco::JSON::Array::Ptr unhealthy = new Poco::JSON::Array;
      for (const auto& c : connections)
        if (!c.healthy) {
          Poco::JSON::Object::Ptr x = new Poco::JSON::Object;
          x->set("connection", c.id);
          x->set("account", c.account);
          x->set("reason", c.healthReason);
          unhealthy->add(x);
        }
      o->set("unhealthyConnections", unhealthy);
      Poco::JSON::Stringifier::stringify(o, io.out, 2);
      io.out << "\n";
      return st.failed > 0 ? kExitInvalidInput : kExitOk;
    }
    io.out << "queued:        " << st.pending << " (" << st.due << " due now, " << st.leased
           << " in progress)\n"
           << "failed:        " << st.failed
           << (st.failed ? " (see below; 'creneau sync retry' after fixing the cause)" : "") << "\n"
           << "remote events: " << sync.copyCount() << " in " << connections.size()
           << " connected calendar(s)\n";
    for (const auto& c : connections)
      if (!c.healthy)
        io.out << "connection " << c.id << " (" << c.account << ") is unhealthy: " << c.healthReason
               << "\n";
    for (const auto& i : st.failures)
      io.out << "FAILED  " << kindWord(i.kind) << " " << externalIdOf(*store, i.kind, i.recordId)
             << " after " << i.attempts << " attempt(s): " << i.lastError << "\n";
    for (const auto& i : st.waiting)
      io.out << "RETRY   " << kindWord(i.kind) << " " << externalIdOf(*store, i.kind, i.recordId)
             << " at " << when(i.dueAt) << " (attempt " << i.attempts + 1 << "): " << i.lastError
             << "\n";
    return st.failed > 0 ? kExitInvalidInput : kExitOk;
  }

  if (sub == "retry") {
    std::optional<engine::Id> id;
    if (auto ext = args.value("appointment")) {
      auto a = store->appointmentByExternalId(*ext);
      if (!a) {
        io.err << "creneau sync: no appointment '" << *ext << "'\n";
        return kExitInvalidInput;
      }
      id = a->id;
    } else if (auto ext = args.value("event")) {
      auto e = store->eventByExternalId(*ext);
      if (!e) {
        io.err << "creneau sync: no event '" << *ext << "'\n";
        return kExitInvalidInput;
      }
      id = e->id;
    }
    const int n = sync.retry(id);
    io.out << n << " record(s) due now; run 'creneau sync run' or let 'creneau serve' do it\n";
    return kExitOk;
  }

  if (sub == "queue") {
    std::optional<engine::Id> employee;
    if (auto ext = args.value("employee")) {
      auto e = store->employeeByExternalId(*ext);
      if (!e) {
        io.err << "creneau sync: no employee '" << *ext << "'\n";
        return kExitInvalidInput;
      }
      employee = e->id;
    }
    const int n = sync.enqueueAll(sync.clock() - 86400LL * worker.options().exportPastDays,
                                  employee);
    io.out << n << " record(s) queued\n";
    return kExitOk;
  }

  // run
  if (args.flag("dry-run")) return runPlan(worker, io);
  worker.releaseDeadLeases();
  const bool tty = &io.out == &std::cout && ::isatty(STDOUT_FILENO);
  const std::int64_t total = sync.status().due;
  auto stats = worker.drain([&](const engine::sync::RunStats& s, std::int64_t) {
    if (tty) progressBar(io.out, s.records, total);
  });
  if (tty) io.out << "\n";
  io.out << stats.completed << " record(s) exported (" << stats.created << " created, "
         << stats.updated << " updated, " << stats.deleted << " deleted, " << stats.unchanged
         << " unchanged) in " << stats.requests << " request(s)";
  if (stats.retried) io.out << "; " << stats.retried << " will be retried later";
  if (stats.failed) io.out << "; " << stats.failed << " failed (see 'creneau sync status')";
  io.out << "\n";
  return stats.failed > 0 ? kExitInvalidInput : kExitOk;
}

}  // namespace creneau::bridge
