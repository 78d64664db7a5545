#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "engine/export/IcsExport.h"
#include "engine/import/IsoDateTime.h"
#include "engine/render/Renderer.h"
#include "ical/TimeZones.h"

namespace creneau::bridge {

namespace {

// DATE (midnight in `zone`), or an ISO 8601 date-time with an offset, or
// without one (a wall-clock time in `zone`), as the import format reads them.
engine::UnixTime parseWhen(const std::string& option, const std::string& text,
                           const std::string& zone) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
    if (m < 1 || m > 12 || d < 1 || d > 31)
      throw UsageError("--" + option + " '" + text + "' is not a date (YYYY-MM-DD)");
    return ical::toUnix(ical::DateTime::local(y, m, d, 0, 0, 0, zone));
  }
  std::string why;
  const auto parsed = engine::parseIsoDateTime(text, &why);
  if (!parsed)
    throw UsageError("--" + option + " '" + text + "': " + why +
                     " (write YYYY-MM-DD or an ISO 8601 date-time such as 2026-11-24T09:00:00Z)");
  if (parsed->offsetSeconds) return engine::instantOf(*parsed);
  ical::DateTime wall = parsed->wall;
  wall.tzid = zone;
  return ical::toUnix(wall);
}

class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool tty) : err_(err), tty_(tty) {}
  void operator()(std::size_t done, std::size_t total) {
    if (total < 5000) return;  // short exports finish before anyone looks
    const int pct = total ? static_cast<int>(done * 100 / total) : 100;
    if (tty_) {
      err_ << "\rexporting: " << done << "/" << total << " appointments (" << pct << "%)"
           << std::flush;
      dirty_ = true;
    } else if (pct >= nextPct_) {
      err_ << "exporting: " << done << "/" << total << " appointments (" << pct << "%)\n";
      nextPct_ = pct + 10;
    }
  }
  ~ProgressLine() {
    if (dirty_) err_ << "\n";
  }

 private:
  std::ostream& err_;
  bool tty_;
  bool dirty_ = false;
  int nextPct_ = 10;
};

}  // namespace

int exportCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {"db", "out", "employee", "service", "location", "from", "to"},
                  {"include-pending", "include-canceled", "no-events"});
  if (!args.positionals().empty())
    throw UsageError("unexpected argument '" + args.positionals()[0] + "'");
  const auto outPath = args.value("out");
  if (!outPath) throw UsageError("--out FILE.ics is required ('-' writes to stdout)");

  auto store = openStore(resolveDbPath(args.value("db")));
  engine::ExportOptions opt;
  opt.employeeExt = args.value("employee");
  opt.serviceExt = args.value("service");
  opt.locationExt = args.value("location");
  opt.includePending = args.flag("include-pending");
  opt.includeCanceled = args.flag("include-canceled");
  opt.includeEvents = !args.flag("no-events");

  // Dates without a time are days in the employee's zone when one is chosen.
  std::string zone = "UTC";
  if (opt.employeeExt)
    if (auto e = store->employeeByExternalId(*opt.employeeExt)) zone = e->timeZone;
  if (auto v = args.value("from")) opt.from = parseWhen("from", *v, zone);
  if (auto v = args.value("to")) opt.to = parseWhen("to", *v, zone);
  if (opt.from && opt.to && *opt.to <= *opt.from) throw UsageError("--to must be after --from");

  const auto settings = engine::loadRenderSettings(*store);
  if (auto problems = engine::validate(settings); !problems.empty()) {
    for (const auto& p : problems)
      io.err << "creneau export: setting " << p.key << ": " << p.message << "\n";
    io.err << "creneau export: fix the settings with 'creneau settings set KEY VALUE'\n";
    return kExitInvalidInput;
  }
  const engine::Renderer renderer(settings);
  ProgressLine progress(io.err, ::isatty(STDERR_FILENO) != 0);

  engine::ExportStats stats;
  try {
    if (*outPath == "-") {
      stats = engine::exportIcs(*store, renderer, opt, io.out, std::ref(progress));
    } else {
      // Write next to the target and rename: a failed export never leaves a
      // truncated file where the integrator expects a calendar.
      const std::filesystem::path target(*outPath);
      const std::filesystem::path tmp = target.string() + ".tmp";
      {
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        if (!file) {
          io.err << "creneau export: cannot write " << tmp.string() << "\n";
          return kExitFailure;
        }
        try {
          stats = engine::exportIcs(*store, renderer, opt, file, std::ref(progress));
        } catch (...) {
          file.close();
          std::filesystem::remove(tmp);
          throw;
        }
        file.flush();
        if (!file) {
          std::filesystem::remove(tmp);
          io.err << "creneau export: writing " << tmp.string() << " failed (disk full?)\n";
          return kExitFailure;
        }
      }
      std::filesystem::rename(tmp, target);
    }
  } catch (const engine::ExportError& e) {
    io.err << "creneau export: " << e.what() << "\n";
    return kExitInvalidInput;
  }
  io.err << "exported " << stats.appointments << " appointment"
         << (stats.appointments == 1 ? "" : "s") << " and " << stats.eventPeriods << " event period"
         << (stats.eventPeriods == 1 ? "" : "s")
         << (*outPath == "-" ? std::string() : " to " + *outPath) << "\n";
  return kExitOk;
}

}  // namespace creneau::bridge
