#include "bridge/cli/SlotsCommand.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>
#include <stdexcept>
#include <utility>

#include "bridge/api/SlotsQuery.h"
#include "bridge/cli/Args.h"
#include "bridge/cli/OpenStore.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

constexpr const char* kSlotsUsage =
    R"(usage: creneau slots --service ID [--employee ID ...] --from DATE --to DATE
                     [--tz ZONE] [--json] [--explain] [--db PATH]

Bookable slots of a service: working hours minus appointments (with their
buffers), group events and busy time, after the service's minimum notice and
within its booking horizon.

  --service ID     the service to book (the booking system's id)
  --employee ID    only this employee; repeat it or give a comma list
                   (default: every employee)
  --from DATE      first day, YYYY-MM-DD
  --to DATE        last day, YYYY-MM-DD (included; at most 366 days in all)
  --tz ZONE        IANA zone of the days and times shown (default: the
                   employee's zone when there is one employee, else UTC)
  --json           the JSON document of GET /api/v1/slots
  --explain        also list the times not offered, with the reasons
  --db PATH        SQLite database (default: $CRENEAU_DB, else ./creneau.db)

Exit status: 0 ok, 1 unknown service or employee, 2 bad command line,
3 store failure.
)";

constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::size_t kLineWidth = 100;  // day and times; the name follows
constexpr std::int64_t kDay = 86400;

// Takes every --employee out of argv (Args keeps one value per option):
// repeated options and comma lists alike.
std::vector<std::string> takeEmployees(const std::vector<std::string>& argv,
                                       std::vector<std::string>& rest) {
  std::vector<std::string> values;
  bool onlyPositionals = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (onlyPositionals || a == "--") {
      onlyPositionals = true;
      rest.push_back(a);
      continue;
    }
    std::string value;
    if (a == "--employee") {
      if (i + 1 >= argv.size()) throw UsageError("option --employee needs a value");
      value = argv[++i];
    } else if (a.rfind("--employee=", 0) == 0) {
      value = a.substr(11);
    } else {
      rest.push_back(a);
      continue;
    }
    std::size_t start = 0;
    while (start <= value.size()) {
      const auto comma = value.find(',', start);
      const std::string item =
          value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (item.empty()) throw UsageError("--employee needs ids, e.g. --employee emp-1,emp-2");
      values.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return values;
}

// The hidden --now, else CRENEAU_NOW, else the system clock.
engine::UnixTime nowOf(const Args& args) {
  if (const auto flag = args.value("now")) {
    std::string why;
    const auto t = parseFixedNow(*flag, &why);
    if (!t) throw UsageError("--now \"" + *flag + "\" is not a date-time: " + why);
    return *t;
  }
  std::optional<std::string> env;
  if (const char* v = std::getenv(kFixedNowVariable); v && *v) env = v;
  try {
    return makeSlotClock(env)();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

// Seconds since local midnight and the local day of an instant read with
// a UTC offset.
struct Wall {
  std::int64_t day;
  int minutes;
};
Wall wallOf(engine::UnixTime t, int offset) {
  const std::int64_t w = t + offset;
  std::int64_t day = w / kDay;
  if (w % kDay < 0) --day;
  return {day, static_cast<int>((w - day * kDay) / 60)};
}

std::string hhmm(int minutes) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

// "+01:00"
std::string offsetText(int offset) {
  const std::string s = engine::formatLocal(0, offset);
  return s.substr(s.size() - 6);
}

std::string dayLabel(std::int64_t day) {
  const auto date = engine::LocalDate::fromDayNumber(day);
  return std::string(kWeekdays[date.weekday()]) + " " + date.toString();
}

std::string nameOf(const engine::SlotAnswer& answer, engine::Id id) {
  const engine::Employee* e = answer.employee(id);
  if (!e) return "#" + std::to_string(id);
  const std::string name = e->fullName();
  return name.empty() ? e->externalId : name;
}

// Position of an employee in the answer (the order they were asked in).
std::size_t rankOf(const engine::SlotAnswer& answer, engine::Id id) {
  for (std::size_t i = 0; i < answer.employees.size(); ++i)
    if (answer.employees[i].id == id) return i;
  return answer.employees.size();
}

void printSlots(const SlotsOutcome& o, std::ostream& out) {
  const auto& answer = o.answer;
  const auto& service = answer.service;
  out << service.name << " (" << service.externalId << "), " << service.durationMin
      << " min; times in " << o.request.timeZone << "\n";

  // (local day, employee) -> that day's slots, days in order.
  std::map<std::pair<std::int64_t, std::size_t>, std::vector<const engine::Slot*>> lines;
  for (const auto& s : answer.result.slots)
    lines[{wallOf(s.start, s.startOffset).day, rankOf(answer, s.employeeId)}].push_back(&s);
  if (lines.empty()) {
    out << "no bookable slots from " << o.request.from.toString() << " to "
        << o.request.to.toString() << (o.request.explain ? "\n" : " (--explain says why)\n");
  }

  bool anyUnverified = false;
  for (const auto& [key, slots] : lines) {
    bool mixedOffsets = false;  // a day when clocks change: show each offset
    for (const auto* s : slots) mixedOffsets |= s->startOffset != slots.front()->startOffset;
    std::vector<std::string> tokens;
    for (const auto* s : slots) {
      std::string t = hhmm(wallOf(s->start, s->startOffset).minutes);
      if (mixedOffsets) t += offsetText(s->startOffset);
      if (service.capacity > 1) t += " (" + std::to_string(s->remaining) + " left)";
      if (s->unverified) t += "?";
      anyUnverified |= s->unverified;
      tokens.push_back(std::move(t));
    }
    // "Sat 2026-12-05  09:00  09:15 ...  (Name)", wrapped under the times.
    const std::string label = dayLabel(key.first);
    std::string line = label;
    bool first = true;
    for (const auto& t : tokens) {
      if (line.size() > label.size() && line.size() + 2 + t.size() > kLineWidth) {
        out << line;
        if (first) out << "  (" << nameOf(answer, slots.front()->employeeId) << ")";
        out << "\n";
        first = false;
        line.assign(label.size(), ' ');
      }
      line += "  " + t;
    }
    out << line;
    if (first) out << "  (" << nameOf(answer, slots.front()->employeeId) << ")";
    out << "\n";
  }
  if (anyUnverified)
    out << "? a busy calendar of this employee could not be read: the time may be taken\n";

  if (!o.request.explain) return;
  out << "\nnot offered:\n";
  if (answer.result.rejected.empty()) out << "  nothing\n";
  for (const auto& r : answer.result.rejected) {
    const Wall w = wallOf(r.start, r.startOffset);
    out << dayLabel(w.day) << "  " << hhmm(w.minutes) << "  (" << nameOf(answer, r.employeeId)
        << ")  ";
    for (std::size_t i = 0; i < r.reasons.size(); ++i)
      out << (i ? "; " : "") << r.reasons[i].text();
    out << "\n";
  }
}

}  // namespace

const char* slotsUsage() {
  return kSlotsUsage;
}

int slotsCommand(const std::vector<std::string>& argv, CliStreams io) {
  std::vector<std::string> rest;
  SlotsParams params;
  params.employees = takeEmployees(argv, rest);
  const Args args(rest, {"service", "from", "to", "tz", "db", "now"}, {"json", "explain", "help"});
  if (args.flag("help")) {
    io.out << kSlotsUsage;
    return kExitOk;
  }
  if (!args.positionals().empty())
    throw UsageError("unexpected argument '" + args.positionals().front() + "'");
  params.service = args.value("service").value_or("");
  params.from = args.value("from").value_or("");
  params.to = args.value("to").value_or("");
  params.timeZone = args.value("tz");
  params.explain = args.flag("explain");
  if (argv.empty()) {
    io.err << kSlotsUsage;
    return kExitUsage;
  }
  if (auto why = checkSlotsParams(params, "--")) throw UsageError(*why);
  const engine::UnixTime now = nowOf(args);

  auto store = openStore(resolveDbPath(args.value("db")));
  const SlotsOutcome out = runSlotsQuery(*store, params, now, "--");
  if (out.problem == SlotsProblem::BadParameter) throw UsageError(out.message);
  if (out.problem == SlotsProblem::NotFound) {
    io.err << "creneau slots: " << out.message << "\n";
    return kExitInvalidInput;
  }
  if (args.flag("json"))
    io.out << slotsJson(out.request, out.answer);
  else
    printSlots(out, io.out);
  return kExitOk;
}

}  // namespace creneau::bridge
