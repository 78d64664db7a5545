#include "engine/sync/SyncWorker.h"

#include <Poco/Environment.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "engine/render/RenderSettings.h"
#include "engine/render/Renderer.h"
#include "engine/sync/ExportSettings.h"

namespace creneau::engine::sync {

namespace {

using connections::Connection;
using connections::Provider;
using Poco::JSON::Object;

// Internal (not a user setting): what the templates and options were when
// the worker last looked.
constexpr const char* kSettingsFingerprintKey = "internal.sync.settings";

std::string defaultOwner() {
  return Poco::Environment::nodeName() + ":" + std::to_string(Poco::Process::id());
}

bool exportable(Status status, const ExportSettings& s) {
  return status == Status::Approved || (status == Status::Pending && s.insertPending);
}

std::string calendarOf(const Connection& c) {
  if (!c.calendarId.empty()) return c.calendarId;
  return c.provider == Provider::Google ? "primary" : "";
}

std::string periodIdOf(const ical::Event& ev) {
  for (const auto& p : ev.extra)
    if (p.name == "X-CRENEAU-PERIOD-ID") return p.value;
  return {};
}

}  // namespace

void RunStats::add(const RunStats& o) {
  records += o.records;
  completed += o.completed;
  retried += o.retried;
  failed += o.failed;
  created += o.created;
  updated += o.updated;
  deleted += o.deleted;
  unchanged += o.unchanged;
  requests += o.requests;
  calls += o.calls;
}

struct SyncWorker::Item {
  OutboxItem outbox;
  std::string externalId;
  std::vector<std::unique_ptr<CopyTask>> tasks;
  std::string error;  // the record cannot be worked on (permanent)
  std::optional<Id> employeeId;
};

SyncWorker::SyncWorker(Store& store, SyncStore& sync, net::HttpClient& http,
                       connections::TokenSource& tokens, ConnectionList connections,
                       connections::ProviderEndpoints endpoints, WorkerOptions options)
    : store_(store),
      sync_(sync),
      http_(http),
      tokens_(tokens),
      connections_(std::move(connections)),
      endpoints_(std::move(endpoints)),
      options_(std::move(options)) {
  if (options_.owner.empty()) options_.owner = defaultOwner();
  options_.graphBatchSize = std::clamp(options_.graphBatchSize, 1, 20);
  options_.googleBatchSize = std::clamp(options_.googleBatchSize, 1, 1000);
  options_.perAccountConcurrency = std::max(1, options_.perAccountConcurrency);
  options_.threads = std::max(1, options_.threads);
}

std::vector<SyncWorker::Item> SyncWorker::prepare(const std::vector<OutboxItem>& items) {
  const RenderSettings render = loadRenderSettings(store_);
  const ExportSettings exportSettings = loadExportSettings(store_);
  const Renderer renderer(render);
  const Directory dir = Directory::load(store_);
  const auto connections = connections_();
  MappingOptions mapping;
  mapping.google.addMeet = exportSettings.addMeet;
  mapping.google.addAttendees = render.addAttendees;
  mapping.google.guestsCanSeeOtherGuests = exportSettings.customersSeeEachOther;
  mapping.google.sendInvitations = exportSettings.sendInvitations;
  mapping.graph.addTeams = exportSettings.addTeams;
  mapping.graph.addAttendees = render.addAttendees;
  mapping.graph.customersSeeEachOther = exportSettings.customersSeeEachOther;
  mapping.graph.sendInvitations = exportSettings.sendInvitations;

  // Records and copies of the round in two queries, not two per record.
  std::vector<Id> appointmentIds, eventIds;
  for (const auto& oi : items)
    (oi.kind == RecordKind::Appointment ? appointmentIds : eventIds).push_back(oi.recordId);
  std::map<Id, Appointment> appointments;
  for (auto& a : store_.appointmentsByIds(appointmentIds)) appointments.emplace(a.id, std::move(a));
  auto appointmentCopies = sync_.copiesOf(RecordKind::Appointment, appointmentIds);
  auto eventCopies = sync_.copiesOf(RecordKind::Event, eventIds);

  std::vector<Item> out;
  for (const auto& oi : items) {
    Item item;
    item.outbox = oi;
    std::vector<DesiredCopy> desired;
    auto addFor = [&](const std::set<Id>& owners, const ical::Event& ev, const std::string& zone,
                      const std::string& period) {
      for (const auto& c : connections) {
        if (c.employeeId && !owners.count(*c.employeeId)) continue;
        DesiredCopy d;
        d.connection = c;
        d.calendarId = calendarOf(c);
        d.periodId = period;
        d.destination = destinationKey(c, d.calendarId, period);
        d.event = ev;
        (void)zone;
        desired.push_back(std::move(d));
      }
    };
    try {
      if (oi.kind == RecordKind::Appointment) {
        if (auto it = appointments.find(oi.recordId); it != appointments.end()) {
          const Appointment* a = &it->second;
          item.externalId = a->externalId;
          item.employeeId = a->employeeId;
          if (exportable(a->status, exportSettings)) {
            Appointment plain = *a;
            plain.conferenceUrl.clear();  // the provider makes its own link
            const auto ev = renderer.render(plain, dir);
            mapping.google.floatingZone = mapping.graph.floatingZone = Renderer::zoneOf(plain, dir);
            addFor({a->employeeId}, ev, mapping.google.floatingZone, "");
          }
        }
      } else if (auto e = store_.eventById(oi.recordId)) {
        item.externalId = e->externalId;
        item.employeeId = e->organizerId;
        if (exportable(e->status, exportSettings)) {
          GroupEvent plain = *e;
          plain.conferenceUrl.clear();
          std::set<Id> owners(plain.staffIds.begin(), plain.staffIds.end());
          if (plain.organizerId) owners.insert(*plain.organizerId);
          mapping.google.floatingZone = mapping.graph.floatingZone = Renderer::zoneOf(plain, dir);
          for (const auto& ev : renderer.render(plain, dir))
            addFor(owners, ev, mapping.google.floatingZone, periodIdOf(ev));
        }
      }
    } catch (const std::exception& ex) {
      item.error = std::string("cannot render the record: ") + ex.what();
      out.push_back(std::move(item));
      continue;
    }
    auto& copyMap = oi.kind == RecordKind::Appointment ? appointmentCopies : eventCopies;
    auto copies = std::move(copyMap[oi.recordId]);
    for (auto& d : desired) {
      std::optional<RemoteCopy> copy;
      for (auto it = copies.begin(); it != copies.end(); ++it)
        if (it->destination == d.destination) {
          copy = *it;
          copies.erase(it);
          break;
        }
      item.tasks.push_back(std::make_unique<CopyTask>(sync_, oi.kind, oi.recordId, item.externalId,
                                                      std::move(d), std::move(copy), mapping));
    }
    // Copies nobody wants any more: cancelled, rejected, removed, moved to
    // another employee or calendar, or the connection is gone.
    for (auto& c : copies)
      item.tasks.push_back(std::make_unique<CopyTask>(sync_, oi.kind, oi.recordId, item.externalId,
                                                      std::nullopt, std::move(c), mapping));
    out.push_back(std::move(item));
  }
  return out;
}

int SyncWorker::noticeConnections() {
  const auto current = connections_();
  const auto seen = sync_.seenConnections();
  int queued = 0;
  const UnixTime from = sync_.clock() - 86400LL * options_.exportPastDays;
  // Templates and export options shape every event: when they change, every
  // record is reconciled (only those whose body really changed are sent).
  {
    const RenderSettings r = loadRenderSettings(store_);
    const ExportSettings e = loadExportSettings(store_);
    std::ostringstream f;
    f << r.appointmentTitle << '\x1f' << r.appointmentDescription << '\x1f' << r.eventTitle
      << '\x1f' << r.eventDescription << '\x1f' << r.language << '\x1f' << r.includeBuffers
      << r.addAttendees << '\x1f' << r.uidDomain << '\x1f' << e.addMeet << e.addTeams
      << e.insertPending << e.customersSeeEachOther << e.sendInvitations;
    const std::string fingerprint = f.str();
    if (store_.setting(kSettingsFingerprintKey).value_or("") != fingerprint) {
      if (store_.setting(kSettingsFingerprintKey)) queued += sync_.enqueueAll(from);
      store_.setSetting(kSettingsFingerprintKey, fingerprint);
    }
  }
  for (const auto& c : current) {
    const std::string cal = calendarOf(c);
    auto it = std::find_if(seen.begin(), seen.end(),
                           [&](const auto& s) { return s.connectionId == c.id; });
    if (it != seen.end() && it->connectedAt == c.connectedAt && it->calendarId == cal) continue;
    queued += sync_.enqueueAll(from, c.employeeId);
    sync_.markSeen({c.id, c.connectedAt, cal});
  }
  for (const auto& s : seen)
    if (std::none_of(current.begin(), current.end(),
                     [&](const auto& c) { return c.id == s.connectionId; }))
      sync_.forgetConnection(s.connectionId);
  return queued;
}

RunStats SyncWorker::runOnce() {
  RunStats stats;
  noticeConnections();
  const auto leased = sync_.lease(options_.owner, options_.leaseRecords, options_.leaseSeconds);
  if (leased.empty()) return stats;
  auto items = prepare(leased);
  std::vector<CopyTask*> tasks;
  for (auto& item : items)
    for (auto& t : item.tasks) tasks.push_back(t.get());
  execute(tasks, stats);

  std::vector<SyncStore::Finish> finishes;
  for (auto& item : items) {
    stats.records++;
    if (!item.error.empty()) {
      finishes.push_back({item.outbox, SyncStore::Outcome::Fail, 0, item.error});
      stats.failed++;
      continue;
    }
    std::string permanent, transient;
    int retryAfter = 0;
    std::string link;
    for (auto& t : item.tasks) {
      switch (t->state()) {
        case TaskState::Done:
          switch (t->planned()) {
            case PlannedAction::Create:
              stats.created++;
              break;
            case PlannedAction::Update:
              stats.updated++;
              break;
            case PlannedAction::Delete:
              stats.deleted++;
              break;
            case PlannedAction::None:
              stats.unchanged++;
              break;
          }
          if (link.empty() && t->planned() != PlannedAction::Delete) link = t->conferenceUrl();
          break;
        case TaskState::Permanent:
          permanent += (permanent.empty() ? "" : "; ") + t->destination() + ": " + t->message();
          break;
        case TaskState::Transient:
        case TaskState::Running:
          transient += (transient.empty() ? "" : "; ") + t->destination() + ": " +
                       (t->message().empty() ? "not finished" : t->message());
          retryAfter = std::max(retryAfter, t->retryAfterSec());
          break;
      }
    }
    if (!link.empty()) store_.setConferenceUrl(item.outbox.kind, item.outbox.recordId, link);
    if (!permanent.empty()) {
      finishes.push_back({item.outbox, SyncStore::Outcome::Fail, 0, permanent});
      stats.failed++;
    } else if (!transient.empty()) {
      finishes.push_back({item.outbox, SyncStore::Outcome::RetryLater,
                          backoff(item.outbox.attempts, retryAfter), transient});
      stats.retried++;
    } else {
      finishes.push_back({item.outbox, SyncStore::Outcome::Complete, 0, {}});
      stats.completed++;
    }
  }
  sync_.finishAll(finishes);
  return stats;
}

UnixTime SyncWorker::backoff(int attempts, int retryAfterSec) const {
  static thread_local std::mt19937 rng{std::random_device{}()};
  double delay = options_.baseBackoffSec;
  for (int i = 0; i < attempts && delay < options_.maxBackoffSec; ++i) delay *= 2;
  delay = std::min<double>(delay, options_.maxBackoffSec);
  std::uniform_real_distribution<double> jitter(0.75, 1.25);  // spread retries of many records
  delay *= jitter(rng);
  delay = std::max<double>(delay, retryAfterSec);
  return sync_.clock() + static_cast<UnixTime>(delay + 0.5);
}

void SyncWorker::execute(std::vector<CopyTask*>& tasks, RunStats& stats) {
  // Units of work: one batch-sized chunk of one account's tasks. At most
  // perAccountConcurrency units of an account run at once.
  std::map<Id, std::vector<CopyTask*>> byConnection;
  for (auto* t : tasks)
    if (t->state() == TaskState::Running) byConnection[t->connectionId()].push_back(t);
  struct Unit {
    Id connection;
    std::vector<CopyTask*> tasks;
  };
  std::vector<Unit> units;
  for (auto& [conn, list] : byConnection) {
    const Provider p = list.front()->provider();
    const std::size_t size = !options_.batching ? 1
                             : p == Provider::Google
                                 ? static_cast<std::size_t>(options_.googleBatchSize)
                                 : static_cast<std::size_t>(options_.graphBatchSize);
    // Without batching a unit still holds several tasks (sent one by one),
    // so a slow account does not take every thread.
    const std::size_t chunk = options_.batching ? size : 25;
    for (std::size_t i = 0; i < list.size(); i += chunk)
      units.push_back(
          {conn, std::vector<CopyTask*>(list.begin() + static_cast<std::ptrdiff_t>(i),
                                        list.begin() + static_cast<std::ptrdiff_t>(
                                                           std::min(list.size(), i + chunk)))});
  }
  std::mutex m;
  std::condition_variable cv;
  std::map<Id, int> active;
  std::vector<bool> taken(units.size(), false);
  std::size_t remaining = units.size();
  auto worker = [&] {
    for (;;) {
      std::size_t pick = units.size();
      {
        std::unique_lock lock(m);
        for (;;) {
          if (remaining == 0) return;
          for (std::size_t i = 0; i < units.size(); ++i)
            if (!taken[i] && active[units[i].connection] < options_.perAccountConcurrency) {
              pick = i;
              break;
            }
          if (pick != units.size()) break;
          cv.wait(lock);
        }
        taken[pick] = true;
        --remaining;
        active[units[pick].connection]++;
      }
      RunStats local;
      runConnection(units[pick].connection, units[pick].tasks, local);
      {
        std::lock_guard lock(m);
        active[units[pick].connection]--;
        stats.add(local);
      }
      cv.notify_all();
    }
  };
  const int n = std::min<int>(options_.threads, static_cast<int>(units.size()));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back(worker);
  if (n > 0) worker();
  for (auto& t : threads) t.join();
}

void SyncWorker::runConnection(Id connectionId, std::vector<CopyTask*> tasks, RunStats& stats) {
  const Provider provider = tasks.front()->provider();
  auto token = tokens_.accessToken(connectionId);
  auto giveUp = [&](const std::string& why, int retryAfter) {
    for (auto* t : tasks)
      if (t->state() == TaskState::Running) t->transient(why, retryAfter);
  };
  if (!token) {
    const bool reconnect = token.failure == connections::TokenFailure::NeedsReconnect ||
                           token.failure == connections::TokenFailure::NotConnected ||
                           token.failure == connections::TokenFailure::NotConfigured;
    return giveUp(
        "no access token for connection " + std::to_string(connectionId) + ": " + token.message,
        reconnect ? 3600 : 0);
  }
  bool refreshed = false;
  // Copy rows are written in one transaction per step: the pending creates
  // before the request leaves, the outcomes after the answers.
  SyncStore::Batch writes(sync_);
  for (int round = 0; round < 8; ++round) {
    std::vector<std::pair<CopyTask*, ApiCall>> calls;
    for (auto* t : tasks)
      if (auto c = t->next()) calls.emplace_back(t, std::move(*c));
    writes.flush();
    if (calls.empty()) return;
    if (options_.batching && calls.size() > 1)
      sendBatch(token.token->value, calls, provider, stats);
    else
      sendSingle(token.token->value, calls, provider, stats);
    writes.flush();
    bool wants = false;
    for (auto* t : tasks)
      wants = wants || (t->state() == TaskState::Running && t->wantsFreshToken());
    if (wants) {
      if (refreshed) return giveUp("the provider keeps refusing the access token (401)", 0);
      token = tokens_.accessToken(connectionId, true);
      refreshed = true;
      if (!token) return giveUp("cannot refresh the access token: " + token.message, 0);
      for (auto* t : tasks) t->tokenRefreshed();
    }
  }
  giveUp("too many steps in one round", 0);
}

void SyncWorker::sendSingle(const std::string& token,
                            std::vector<std::pair<CopyTask*, ApiCall>>& calls, Provider provider,
                            RunStats& stats) {
  const std::string& root =
      provider == Provider::Google ? endpoints_.googleApiUrl : endpoints_.graphUrl;
  for (auto& [task, call] : calls) {
    net::HttpRequest req;
    req.method = call.method;
    req.url = root + call.path;
    req.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    if (!call.body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    req.body = call.body;
    req.timeout = options_.requestTimeout;
    stats.requests++;
    stats.calls++;
    auto res = http_.send(req);
    if (!res) {
      task->transient(res.failure().message);
      continue;
    }
    task->answer(ApiAnswer{res->status, res->headers, res->body, nullptr});
  }
}

void SyncWorker::sendBatch(const std::string& token,
                           std::vector<std::pair<CopyTask*, ApiCall>>& calls, Provider provider,
                           RunStats& stats) {
  net::HttpRequest req;
  req.method = "POST";
  req.timeout = options_.requestTimeout;
  req.headers = {{"Authorization", "Bearer " + token}};
  stats.requests++;
  stats.calls += static_cast<std::int64_t>(calls.size());
  auto failAll = [&](const ApiAnswer& a) {
    for (auto& [task, call] : calls) task->answer(a);
  };
  if (provider == Provider::Google) {
    // multipart/mixed (contracts/google/batch): each part one HTTP request
    // with a path only; the Authorization header of the outer request applies.
    const std::string boundary =
        "batch_creneau_" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    std::string body;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const auto& call = calls[i].second;
      body += "--" + boundary + "\r\nContent-Type: application/http\r\nContent-ID: <item" +
              std::to_string(i) + ">\r\n\r\n" + call.method + " " + call.path + " HTTP/1.1\r\n";
      if (!call.body.empty())
        body += "Content-Type: application/json\r\n\r\n" + call.body + "\r\n";
      else
        body += "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    req.url = endpoints_.googleApiUrl + "/batch/calendar/v3";
    req.headers.emplace_back("Content-Type", "multipart/mixed; boundary=" + boundary);
    req.body = std::move(body);
    auto res = http_.send(req);
    if (!res) {
      for (auto& [task, call] : calls) task->transient(res.failure().message);
      return;
    }
    if (res->status != 200) return failAll(ApiAnswer{res->status, res->headers, res->body, nullptr});
    // Parse the answer: one application/http part per request, in order,
    // Content-ID "<response-itemN>".
    std::string type = res->header("Content-Type").value_or("");
    std::string mediaType;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(type, mediaType, params);
    const std::string answerBoundary = params.get("boundary", "");
    std::vector<bool> answered(calls.size(), false);
    try {
      std::istringstream in(res->body);
      Poco::Net::MultipartReader reader(in, answerBoundary);
      std::size_t index = 0;
      while (reader.hasNextPart()) {
        Poco::Net::MessageHeader partHeader;
        reader.nextPart(partHeader);
        std::string id = partHeader.get("Content-ID", "");
        std::size_t which = index++;
        if (auto pos = id.find("item"); pos != std::string::npos) {
          try {
            which = std::stoul(id.substr(pos + 4));
          } catch (const std::exception&) {
          }
        }
        Poco::Net::HTTPResponse inner;
        inner.read(reader.stream());
        std::string innerBody;
        Poco::StreamCopier::copyToString(reader.stream(), innerBody);
        while (!innerBody.empty() && (innerBody.back() == '\n' || innerBody.back() == '\r'))
          innerBody.pop_back();
        if (which >= calls.size() || answered[which]) continue;
        ApiAnswer a;
        a.status = static_cast<int>(inner.getStatus());
        for (const auto& [k, v] : inner) a.headers.emplace_back(k, v);
        a.body = std::move(innerBody);
        answered[which] = true;
        calls[which].first->answer(a);
      }
    } catch (const Poco::Exception& e) {
      for (std::size_t i = 0; i < calls.size(); ++i)
        if (!answered[i]) calls[i].first->transient("unreadable batch answer: " + e.displayText());
      return;
    }
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (!answered[i]) calls[i].first->transient("the batch answer has no part for this call");
    return;
  }

  // Graph JSON batching (at most 20 requests), URLs relative to /v1.0. The
  // bodies are JSON text already: spliced in, not parsed and written again.
  // Methods and paths are ours (ASCII, percent-encoded): no escaping needed.
  std::string body = "{\"requests\":[";
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& call = calls[i].second;
    body += (i ? ",{\"id\":\"" : "{\"id\":\"") + std::to_string(i) + "\",\"method\":\"" +
            call.method + "\",\"url\":\"" +
            (call.path.starts_with("/v1.0") ? call.path.substr(5) : call.path) + "\"";
    if (!call.body.empty())
      body += ",\"headers\":{\"Content-Type\":\"application/json\"},\"body\":" + call.body;
    body += "}";
  }
  body += "]}";
  req.url = endpoints_.graphUrl + "/v1.0/$batch";
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Accept", "application/json");
  req.body = std::move(body);
  auto res = http_.send(req);
  if (!res) {
    for (auto& [task, call] : calls) task->transient(res.failure().message);
    return;
  }
  if (res->status != 200) return failAll(ApiAnswer{res->status, res->headers, res->body, nullptr});
  std::vector<bool> answered(calls.size(), false);
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(res->body).extract<Object::Ptr>();
    auto responses = root->getArray("responses");
    for (std::size_t i = 0; responses && i < responses->size(); ++i) {
      auto r = responses->getObject(i);
      if (!r) continue;
      const std::size_t which = std::stoul(r->optValue<std::string>("id", "999999"));
      if (which >= calls.size() || answered[which]) continue;
      ApiAnswer a;
      a.status = r->optValue<int>("status", 0);
      if (auto h = r->getObject("headers"))
        for (const auto& [k, v] : *h) a.headers.emplace_back(k, v.toString());
      if (r->isObject("body"))
        a.json = r->getObject("body");  // parsed once, with the whole answer
      else if (r->has("body") && !r->get("body").isEmpty())
        a.body = r->get("body").toString();
      answered[which] = true;
      calls[which].first->answer(a);
    }
  } catch (const Poco::Exception& e) {
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (!answered[i]) calls[i].first->transient("unreadable $batch answer: " + e.displayText());
    return;
  } catch (const std::exception& e) {
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (!answered[i])
        calls[i].first->transient(std::string("unreadable $batch answer: ") + e.what());
    return;
  }
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (!answered[i]) calls[i].first->transient("the $batch answer has no response for this call");
}

RunStats SyncWorker::drain(const std::function<void(const RunStats&, std::int64_t)>& progress) {
  RunStats total;
  while (!stopping_) {
    auto round = runOnce();
    if (round.records == 0) break;
    total.add(round);
    if (progress) progress(total, sync_.status().due);
  }
  return total;
}

std::vector<PlanLine> SyncWorker::plan() {
  std::vector<PlanLine> out;
  auto items = prepare(sync_.pending());
  for (auto& item : items) {
    if (!item.error.empty() || item.tasks.empty()) {
      PlanLine l;
      l.kind = item.outbox.kind;
      l.recordExternalId = item.externalId;
      l.note = item.error.empty() ? "no destination" : item.error;
      out.push_back(std::move(l));
      continue;
    }
    for (auto& t : item.tasks) {
      PlanLine l;
      l.kind = item.outbox.kind;
      l.recordExternalId = item.externalId;
      l.destination = t->destination();
      l.action = t->planned();
      if (t->state() == TaskState::Permanent) l.note = t->message();
      out.push_back(std::move(l));
    }
  }
  return out;
}

int SyncWorker::releaseDeadLeases() {
  auto* db = store_.sqlAccess();
  if (!db) return 0;
  using namespace Poco::Data::Keywords;
  auto s = db->sqlSession();
  std::vector<std::string> owners;
  Poco::Int64 t = db->sqlNow();
  s << "SELECT DISTINCT lease_owner FROM sync_outbox WHERE lease_until > ?", into(owners), bind(t),
      now;
  const std::string host = Poco::Environment::nodeName() + ":";
  int released = 0;
  for (const auto& o : owners) {
    if (!o.starts_with(host) || o == options_.owner) continue;
    long pid = 0;
    try {
      pid = std::stol(o.substr(host.size()));
    } catch (const std::exception&) {
      continue;
    }
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::string owner = o;
    s << "UPDATE sync_outbox SET lease_owner = '', lease_until = 0 WHERE lease_owner = ?",
        bind(owner), now;
    ++released;
  }
  return released;
}

}  // namespace creneau::engine::sync
