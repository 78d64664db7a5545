#include "bridge/api/SlotsHandler.h"

#include <Poco/JSON/Object.h>

#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "bridge/server/HttpError.h"
#include "bridge/server/RequestPath.h"

namespace creneau::bridge {

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The query string as SlotsParams; unknown names and repeated single values
// are refused (a typo is never ignored silently).
SlotsParams paramsOf(const Request& req) {
  SlotsParams p;
  std::set<std::string> seen;
  for (const auto& [name, value] : parseQuery(req.rawQuery())) {
    if (name == "employee") {
      std::string_view rest = value;
      while (!rest.empty()) {  // "a,b" and repeated employee=... alike; empty items ignored
        const auto comma = rest.find(',');
        const auto item = trim(rest.substr(0, comma));
        if (!item.empty()) p.employees.emplace_back(item);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      continue;
    }
    if (name != "service" && name != "from" && name != "to" && name != "tz" && name != "explain")
      throw HttpError(400, "unknown parameter \"" + name +
                               "\": use service, employee, from, to, tz and explain");
    if (!seen.insert(name).second)
      throw HttpError(400, "parameter " + name + " given twice: give it once");
    if (name == "service") p.service = value;
    if (name == "from") p.from = value;
    if (name == "to") p.to = value;
    if (name == "tz" && !value.empty()) p.timeZone = value;
    if (name == "explain") {
      if (value == "1" || value == "true" || value.empty()) {
        p.explain = true;
      } else if (value != "0" && value != "false") {
        throw HttpError(400, "explain=" + value + ": use explain=1 or leave it out");
      }
    }
  }
  return p;
}

void answerJson(Response& res, int status, std::string body) {
  res.setStatus(status);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setBody(std::move(body), kJson);
}

// Errors of this API are JSON, whatever the router's renderer does.
void answerError(Response& res, const HttpError& e) {
  res.reset();
  for (const auto& [name, value] : e.headers()) res.addHeader(name, value);
  Poco::JSON::Object o;
  o.set("error", std::string(e.what()));
  std::ostringstream out;
  o.stringify(out);
  out << '\n';
  answerJson(res, e.status(), out.str());
}

}  // namespace

Handler makeSlotsHandler(const engine::Store& store, BasicAuth& auth, SlotClock clock) {
  return [&store, &auth, clock = std::move(clock)](Request& req, Response& res) {
    try {
      const engine::Principal who = auth.authenticate(req);
      SlotsParams params = paramsOf(req);
      if (!who.isAdmin) {
        // Someone else's slots answer as an unknown employee would.
        for (const auto& e : params.employees)
          if (e != who.employeeExternalId)
            throw HttpError(404, "no employee with id \"" + e + "\"");
        if (params.employees.empty()) {
          if (who.employeeExternalId.empty()) throw HttpError(404, "no employee for this login");
          params.employees.push_back(who.employeeExternalId);
        }
      }
      const SlotsOutcome out = runSlotsQuery(store, params, clock(), "");
      if (out.problem == SlotsProblem::BadParameter) throw HttpError(400, out.message);
      if (out.problem == SlotsProblem::NotFound) throw HttpError(404, out.message);
      answerJson(res, 200, slotsJson(out.request, out.answer));
    } catch (const HttpError& e) {
      answerError(res, e);
    }
  };
}

}  // namespace creneau::bridge
