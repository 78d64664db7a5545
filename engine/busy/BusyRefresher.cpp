#include "engine/busy/BusyRefresher.h"

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Tuple.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>

#include "engine/busy/BusyFetch.h"
#include "engine/busy/BusyStore.h"
#include "engine/net/HttpClient.h"
#include "engine/render/RenderSettings.h"
#include "engine/store/SqlAccess.h"
#include "engine/store/Store.h"

namespace creneau::engine::busy {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("creneau.engine.busy");
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// connections.busy_calendars: a JSON array, or a comma / newline separated list.
std::vector<std::string> calendarList(const std::string& text) {
  std::vector<std::string> out;
  if (text.starts_with("[")) {
    try {
      auto arr = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
      for (std::size_t i = 0; i < arr->size(); ++i) out.push_back(arr->getElement<std::string>(i));
      return out;
    } catch (const Poco::Exception&) {
      out.clear();
    }
  }
  std::string cur;
  for (char c : text + ",") {
    if (c == ',' || c == '\n') {
      while (!cur.empty() && std::isspace(static_cast<unsigned char>(cur.back()))) cur.pop_back();
      const auto b = cur.find_first_not_of(" \t");
      if (b != std::string::npos) out.push_back(cur.substr(b));
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

struct ConnectionInfo {
  bool found = false;
  std::string account;
  std::string calendarId;
  std::vector<std::string> busyCalendars;
};

ConnectionInfo connectionInfo(const SqlAccess& sql, Id id) {
  ConnectionInfo info;
  try {
    auto s = sql.sqlSession();
    std::vector<Poco::Tuple<std::string, std::string, std::string>> rows;
    Poco::Int64 i = id;
    s << "SELECT account, calendar_id, busy_calendars FROM connections WHERE id = ?", into(rows),
        bind(i), now;
    if (!rows.empty()) {
      info.found = true;
      info.account = rows.front().get<0>();
      info.calendarId = rows.front().get<1>();
      info.busyCalendars = calendarList(rows.front().get<2>());
    }
  } catch (const Poco::Exception& e) {
    logger().warning("cannot read connection %Ld: %s", static_cast<long long>(id), e.displayText());
  }
  return info;
}

std::set<std::string> exportedRemoteIds(const SqlAccess& sql) {
  std::set<std::string> out;
  try {
    auto s = sql.sqlSession();
    std::vector<std::string> ids;
    s << "SELECT remote_id FROM sync_remote", into(ids), now;
    out.insert(ids.begin(), ids.end());
  } catch (const Poco::Exception&) {  // NOLINT(bugprone-empty-catch): no export table yet
  }
  return out;
}

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t i = 0;
  long long n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    n = n * 10 + (text[i] - '0');
    if (n > 100'000'000) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  const auto unit = text.substr(i);
  if (unit.empty() || unit == "s") return std::chrono::seconds(n);
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "m" || unit == "min") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  return std::nullopt;
}

BusyRefresher::BusyRefresher(Store& store, net::HttpClient& http, connections::TokenSource* tokens,
                             connections::ProviderEndpoints endpoints,
                             std::optional<secrets::SecretBox> box)
    : store_(store),
      http_(http),
      tokens_(tokens),
      endpoints_(std::move(endpoints)),
      box_(std::move(box)) {}

std::vector<SourceReport> BusyRefresher::refresh(std::optional<Id> employeeId,
                                                 const RefreshOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + options.budget;
  const SqlAccess* sql = store_.sqlAccess();
  if (!sql) throw StoreError("this store keeps no busy sources");
  BusyStore busy(*sql);

  // Sources grouped by employee: one employee's sources run one after the
  // other, employees in parallel.
  std::map<Id, std::vector<SourceRecord>> byEmployee;
  for (auto& s : busy.sources(employeeId)) byEmployee[s.employeeId].push_back(std::move(s));
  std::vector<Id> order;
  for (const auto& [id, list] : byEmployee) order.push_back(id);
  if (order.empty()) return {};

  int daysAhead = options.daysAhead;
  if (auto v = store_.setting(keys::kDaysAhead); v && !v->empty()) {
    try {
      daysAhead = std::clamp(std::stoi(*v), 1, 730);
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): keep the default
    }
  }
  const UnixTime nowT = sql->sqlNow();
  const UnixTime from = (nowT - std::int64_t{options.daysBack} * 86400) / 3600 * 3600;
  const UnixTime to = (nowT + std::int64_t{daysAhead} * 86400) / 3600 * 3600;

  std::map<Id, Employee> employees;
  for (auto& e : store_.employees()) employees.emplace(e.id, std::move(e));
  std::map<Id, Service> services;
  for (auto& s : store_.services()) services.emplace(s.id, std::move(s));
  const RenderSettings render = loadRenderSettings(store_);
  OwnEvents own;
  own.uidDomain = render.uidDomain;
  own.remoteIds = exportedRemoteIds(*sql);

  std::vector<std::vector<SourceReport>> reports(order.size());
  std::atomic<std::size_t> next{0};
  std::mutex storeMutex;  // StoreError from a worker is rethrown once
  std::exception_ptr failure;

  auto work = [&] {
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= order.size()) return;
      const Id emp = order[k];
      try {
        FetchContext ctx;
        ctx.http = &http_;
        ctx.tokens = tokens_;
        ctx.endpoints = endpoints_;
        ctx.from = from;
        ctx.to = to;
        ctx.deadline = deadline;
        ctx.requestTimeout = options.requestTimeout;
        ctx.own = own;
        if (auto it = employees.find(emp); it != employees.end()) {
          ctx.timeZone = it->second.timeZone;
          if (!it->second.email.empty()) ctx.selfEmails.insert(lower(it->second.email));
        }
        // Our appointments' time, for answers without ids (see BusyRules.h).
        RecordFilter filter;
        filter.employeeId = emp;
        filter.from = from;
        filter.to = to;
        store_.forEachAppointment(filter, [&](const Appointment& a) {
          if (a.status == Status::Canceled || a.status == Status::Rejected) return true;
          Span sp{a.start, a.end};
          if (render.includeBuffers) {
            if (auto it = services.find(a.serviceId); it != services.end()) {
              sp.start -= std::int64_t{it->second.bufferBeforeMin} * 60;
              sp.end += std::int64_t{it->second.bufferAfterMin} * 60;
            }
          }
          ctx.ownSpans.push_back(sp);
          return true;
        });
        // Group events are exported too (one event per period); without this
        // a group with places left would look busy through its own copy.
        store_.forEachEvent(filter, [&](const GroupEvent& ev) {
          if (ev.status == Status::Canceled || ev.status == Status::Rejected) return true;
          for (const auto& p : ev.periods) ctx.ownSpans.push_back({p.start, p.end});
          return true;
        });

        for (const auto& src : byEmployee.at(emp)) {
          SourceReport rep;
          rep.sourceId = src.id;
          rep.employeeExternalId = src.employeeExternalId;
          rep.name = src.displayName();
          rep.kind = src.kind;
          const bool cancelled = options.cancel && options.cancel->load();
          if (cancelled || std::chrono::steady_clock::now() >= deadline) {
            rep.skipped = true;
            rep.error = cancelled ? "not refreshed: stopping"
                                  : "not refreshed: the time budget ran out first";
            reports[k].push_back(std::move(rep));
            continue;
          }
          FetchContext c = ctx;
          std::string setupError;
          if (!src.sealedPassword.empty()) {
            if (!box_) {
              setupError = "the source's password cannot be opened: no secret key available";
            } else if (auto opened = box_->open(src.sealedPassword); opened) {
              c.password = *opened;
            } else {
              setupError = "the source's password cannot be opened: " + opened.error().message;
            }
          }
          if (src.kind == SourceKind::Google || src.kind == SourceKind::Microsoft) {
            const auto info = connectionInfo(*sql, src.connectionId);
            if (!info.found) {
              setupError = "connection " + std::to_string(src.connectionId) + " does not exist";
            } else {
              c.account = info.account;
              c.calendars = info.busyCalendars;
              if (c.calendars.empty() && src.kind == SourceKind::Google)
                c.calendars.push_back(info.calendarId.empty() ? "primary" : info.calendarId);
              if (!info.account.empty()) c.selfEmails.insert(lower(info.account));
            }
          }
          const auto t0 = std::chrono::steady_clock::now();
          FetchOutcome out;
          if (setupError.empty())
            out = fetchSource(src, c);
          else
            out.error = setupError;
          rep.ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - t0)
                       .count();
          rep.requests = out.requests;
          rep.mode = out.mode;
          if (out.ok) {
            BusyStore::Success ok;
            ok.windowStart = out.windowStart;
            ok.windowEnd = out.windowEnd;
            ok.notModified = out.notModified;
            ok.periods = std::move(out.periods);
            ok.etag = out.etag;
            ok.lastModified = out.lastModified;
            ok.mode = out.mode;
            ok.fetchMs = rep.ms;
            rep.ok = true;
            rep.notModified = out.notModified;
            rep.periods =
                out.notModified ? static_cast<std::size_t>(src.periodCount) : ok.periods.size();
            busy.recordSuccess(src.id, ok);
          } else {
            rep.error = out.error;
            busy.recordFailure(src.id, out.error, rep.ms);
            logger().warning("busy source %Ld (%s) of employee %s: %s",
                             static_cast<long long>(src.id), src.displayName(),
                             src.employeeExternalId, out.error);
          }
          reports[k].push_back(std::move(rep));
        }
      } catch (...) {
        std::lock_guard lock(storeMutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };

  const int n = std::clamp<int>(options.threads, 1, static_cast<int>(order.size()));
  std::vector<std::thread> pool;
  for (int i = 1; i < n; ++i) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  std::vector<SourceReport> all;
  for (auto& list : reports)
    for (auto& r : list) all.push_back(std::move(r));
  return all;
}

}  // namespace creneau::engine::busy
