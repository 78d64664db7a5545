#include "bridge/api/SlotsQuery.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <stdexcept>

#include "engine/import/IsoDateTime.h"
#include "engine/slots/SlotFinder.h"
#include "engine/slots/ZoneOffsets.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

SlotsOutcome problem(SlotsProblem kind, std::string message) {
  SlotsOutcome out;
  out.problem = kind;
  out.message = std::move(message);
  return out;
}

std::optional<engine::LocalDate> parseDay(const std::string& text) {
  return engine::LocalDate::parse(text);
}

std::string dayProblem(std::string_view prefix, std::string_view name, const std::string& text) {
  std::string s(prefix);
  s += name;
  if (text.empty()) return s + " is required: a day as YYYY-MM-DD (e.g. 2026-11-30)";
  return s + " \"" + text + "\" is not a date: use YYYY-MM-DD (e.g. 2026-11-30)";
}

// "2026-11-30T08:00:00Z"
std::string utcText(engine::UnixTime t) {
  std::string s = engine::formatLocal(t, 0);
  return s.substr(0, s.size() - 6) + "Z";
}

std::string_view sideName(engine::BufferSide side) {
  return side == engine::BufferSide::Before ? "before" : "after";
}

Object::Ptr newObject() {
  return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

}  // namespace

std::optional<std::string> checkSlotsParams(const SlotsParams& params, std::string_view prefix) {
  const std::string p(prefix);
  if (params.service.empty())
    return p + "service is required: the booking system's id of the service to book";
  const auto from = parseDay(params.from);
  if (!from) return dayProblem(prefix, "from", params.from);
  const auto to = parseDay(params.to);
  if (!to) return dayProblem(prefix, "to", params.to);
  if (*to < *from)
    return p + "from (" + params.from + ") is after " + p + "to (" + params.to +
           "): the first day comes first";
  const auto days = to->dayNumber() - from->dayNumber() + 1;
  if (days > engine::SlotFinder::kMaxQueryDays)
    return p + "from " + params.from + " " + p + "to " + params.to + " covers " +
           std::to_string(days) + " days: ask for at most " +
           std::to_string(engine::SlotFinder::kMaxQueryDays) + " at a time";
  if (params.timeZone) {
    engine::SlotQuery check;
    check.from = check.to = *from;
    check.timeZone = *params.timeZone;
    if (engine::SlotFinder::validate(check))
      return p + "tz \"" + *params.timeZone +
             "\" is not a known time zone: use an IANA name such as Europe/Paris, "
             "America/New_York or UTC";
  }
  return std::nullopt;
}

SlotsOutcome runSlotsQuery(const engine::Store& store, const SlotsParams& params,
                           engine::UnixTime now, std::string_view prefix) {
  if (auto why = checkSlotsParams(params, prefix))
    return problem(SlotsProblem::BadParameter, std::move(*why));
  const auto from = parseDay(params.from);
  const auto to = parseDay(params.to);

  std::vector<std::string> employees;
  for (const auto& e : params.employees)
    if (std::find(employees.begin(), employees.end(), e) == employees.end()) employees.push_back(e);

  std::string zone = "UTC";
  if (params.timeZone) {
    zone = *params.timeZone;
  } else if (employees.size() == 1) {
    const auto e = store.employeeByExternalId(employees.front());
    if (!e) return problem(SlotsProblem::NotFound, "no employee with id \"" + employees[0] + "\"");
    zone = e->timeZone;
  }
  engine::SlotQuery check;
  check.from = *from;
  check.to = *to;
  check.timeZone = zone;
  if (auto error = engine::SlotFinder::validate(check))  // the employee's own zone
    return problem(SlotsProblem::BadParameter, *error);

  SlotsOutcome out;
  out.request.serviceExt = params.service;
  out.request.employeeExts = std::move(employees);
  out.request.from = *from;
  out.request.to = *to;
  out.request.timeZone = zone;
  out.request.explain = params.explain;
  out.request.now = now;
  out.answer = engine::findSlots(store, out.request);
  if (!out.answer.ok()) {
    out.problem = SlotsProblem::NotFound;
    out.message = out.answer.error;
  }
  return out;
}

std::string slotsJson(const engine::SlotRequest& request, const engine::SlotAnswer& answer) {
  auto extOf = [&](engine::Id id) {
    const engine::Employee* e = answer.employee(id);
    return e ? e->externalId : std::string();
  };

  Object::Ptr doc = newObject();
  doc->set("service", answer.service.externalId);
  doc->set("timeZone", request.timeZone);
  doc->set("from", request.from.toString());
  doc->set("to", request.to.toString());

  Array::Ptr employees = new Array;
  for (const auto& e : answer.employees) {
    Object::Ptr o = newObject();
    o->set("id", e.externalId);
    o->set("name", e.fullName());
    o->set("timeZone", e.timeZone);
    employees->add(o);
  }
  doc->set("employees", employees);

  Array::Ptr slots = new Array;
  for (const auto& s : answer.result.slots) {
    Object::Ptr o = newObject();
    o->set("employee", extOf(s.employeeId));
    o->set("start", engine::formatLocal(s.start, s.startOffset));
    o->set("end", engine::formatLocal(s.end, s.endOffset));
    o->set("startUtc", utcText(s.start));
    o->set("remaining", s.remaining);
    o->set("unverified", s.unverified);
    slots->add(o);
  }
  doc->set("slots", slots);

  if (request.explain) {
    // The conflicting spans of the reasons, in the asked zone too.
    engine::UnixTime lo = 0, hi = 0;
    bool any = false;
    for (const auto& r : answer.result.rejected)
      for (const auto& why : r.reasons)
        if (why.start < why.end) {
          lo = any ? std::min(lo, why.start) : why.start;
          hi = any ? std::max(hi, why.end) : why.end;
          any = true;
        }
    std::optional<engine::ZoneOffsets> zone;
    if (any) zone.emplace(request.timeZone, lo, hi);
    auto local = [&](engine::UnixTime t) { return engine::formatLocal(t, zone->offsetAt(t)); };

    Array::Ptr rejected = new Array;
    for (const auto& r : answer.result.rejected) {
      Object::Ptr o = newObject();
      o->set("employee", extOf(r.employeeId));
      o->set("start", engine::formatLocal(r.start, r.startOffset));
      o->set("end", engine::formatLocal(r.end, r.endOffset));
      o->set("startUtc", utcText(r.start));
      Array::Ptr reasons = new Array;
      for (const auto& why : r.reasons) {
        Object::Ptr w = newObject();
        w->set("kind", std::string(engine::toString(why.kind)));
        w->set("text", why.text());
        if (!why.appointmentId.empty()) w->set("appointment", why.appointmentId);
        if (!why.sourceId.empty()) w->set("source", why.sourceId);
        if (!why.sourceName.empty()) w->set("sourceName", why.sourceName);
        if (!why.summary.empty()) w->set("summary", why.summary);
        if (why.theirBuffer != engine::BufferSide::None)
          w->set("theirBuffer", std::string(sideName(why.theirBuffer)));
        if (why.ownBuffer != engine::BufferSide::None)
          w->set("ownBuffer", std::string(sideName(why.ownBuffer)));
        if (why.start < why.end) {
          w->set("conflictStart", local(why.start));
          w->set("conflictEnd", local(why.end));
        }
        reasons->add(w);
      }
      o->set("reasons", reasons);
      rejected->add(o);
    }
    doc->set("rejected", rejected);
  }

  std::ostringstream out;
  doc->stringify(out);
  out << '\n';
  return out.str();
}

std::optional<engine::UnixTime> parseFixedNow(std::string_view text, std::string* why) {
  const auto t = engine::parseIsoDateTime(text, why);
  if (!t) return std::nullopt;
  if (!t->offsetSeconds) {
    if (why) *why = "give Z or an offset, e.g. 2026-11-24T08:00:00Z";
    return std::nullopt;
  }
  return engine::instantOf(*t);
}

SlotClock makeSlotClock(const std::optional<std::string>& fixedNow) {
  if (!fixedNow) {
    return [] {
      return static_cast<engine::UnixTime>(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
    };
  }
  std::string why;
  const auto t = parseFixedNow(*fixedNow, &why);
  if (!t)
    throw std::invalid_argument(std::string(kFixedNowVariable) + " \"" + *fixedNow +
                                "\" is not a date-time: " + why);
  return [now = *t] { return now; };
}

}  // namespace creneau::bridge
