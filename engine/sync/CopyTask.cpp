#include "engine/sync/CopyTask.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/DigestEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/SHA2Engine.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <sstream>

namespace creneau::engine::sync {

namespace {

using connections::Provider;
using Poco::JSON::Object;

std::string stringify(const Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(o, out);
  return out.str();
}

std::string sha256(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

Object::Ptr parseObject(const std::string& text) {
  if (text.empty()) return nullptr;
  try {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Retry-After: seconds, or an HTTP date (RFC 9110 10.2.3).
int retryAfterOf(const ApiAnswer& a) {
  const auto v = a.header("Retry-After");
  if (!v || v->empty()) return 0;
  try {
    std::size_t used = 0;
    const long n = std::stol(*v, &used);
    if (used == v->size()) return n < 0 ? 0 : static_cast<int>(std::min<long>(n, 86400));
  } catch (const std::exception&) {
  }
  try {
    int tz = 0;
    const auto when = Poco::DateTimeParser::parse(Poco::DateTimeFormat::HTTP_FORMAT, *v, tz);
    const auto secs = (when.timestamp() - Poco::Timestamp()) / Poco::Timestamp::resolution();
    return secs > 0 ? static_cast<int>(std::min<Poco::Timestamp::TimeDiff>(secs, 86400)) : 0;
  } catch (const Poco::Exception&) {
    return 0;
  }
}

// The provider's own words: Google {"error": {"message", "errors": [{reason}]}},
// Graph {"error": {"code", "message"}}.
std::string providerMessage(const ApiAnswer& a, std::string* reason = nullptr) {
  auto o = a.json ? a.json : parseObject(a.body);
  if (o && o->isObject("error")) {
    auto e = o->getObject("error");
    std::string msg = e->optValue<std::string>("message", "");
    std::string code = e->optValue<std::string>("code", "");
    if (auto errs = e->getArray("errors"); errs && errs->size() > 0 && errs->isObject(0)) {
      auto first = errs->getObject(0);
      code = first->optValue<std::string>("reason", code);
    }
    if (reason) *reason = code;
    if (!code.empty() && code != msg) msg = code + ": " + msg;
    if (!msg.empty()) return msg;
  }
  std::string body = a.body.substr(0, 200);
  for (auto& c : body)
    if (c == '\n' || c == '\r') c = ' ';
  return body.empty() ? "(no body)" : body;
}

Object::Ptr answerJson(const ApiAnswer& a) {
  return a.json ? a.json : parseObject(a.body);
}

std::string googleConference(const Object::Ptr& ev) {
  if (!ev) return {};
  if (ev->isObject("conferenceData")) {
    auto cd = ev->getObject("conferenceData");
    if (auto eps = cd->getArray("entryPoints"))
      for (std::size_t i = 0; i < eps->size(); ++i)
        if (eps->isObject(i)) {
          auto ep = eps->getObject(i);
          if (ep->optValue<std::string>("entryPointType", "") == "video")
            return ep->optValue<std::string>("uri", "");
        }
  }
  return ev->optValue<std::string>("hangoutLink", "");
}

std::string graphConference(const Object::Ptr& ev) {
  if (!ev || !ev->isObject("onlineMeeting")) return {};
  return ev->getObject("onlineMeeting")->optValue<std::string>("joinUrl", "");
}

google::RecordKind googleKind(RecordKind k) {
  return k == RecordKind::Event ? google::RecordKind::Event : google::RecordKind::Appointment;
}
graph::RecordKind graphKind(RecordKind k) {
  return k == RecordKind::Event ? graph::RecordKind::Event : graph::RecordKind::Appointment;
}

std::string withQuery(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& query) {
  if (query.empty()) return path;
  return path + "?" + net::formEncode(query);
}

}  // namespace

std::optional<std::string> ApiAnswer::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (Poco::icompare(k, name) == 0) return v;
  return std::nullopt;
}

std::string destinationKey(const connections::Connection& c, const std::string& calendarId,
                           const std::string& periodId) {
  std::string key = std::string(connections::providerName(c.provider)) + ":" +
                    std::to_string(c.id) + ":" + calendarId;
  if (!periodId.empty()) key += "#" + periodId;
  return key;
}

const char* actionName(PlannedAction a) {
  switch (a) {
    case PlannedAction::None:
      return "unchanged";
    case PlannedAction::Create:
      return "create";
    case PlannedAction::Update:
      return "update";
    case PlannedAction::Delete:
      return "delete";
  }
  return "?";
}

CopyTask::CopyTask(SyncStore& store, RecordKind kind, Id recordId, std::string recordExternalId,
                   std::optional<DesiredCopy> desired, std::optional<RemoteCopy> copy,
                   const MappingOptions& options)
    : store_(store),
      kind_(kind),
      recordId_(recordId),
      recordExt_(std::move(recordExternalId)),
      desired_(std::move(desired)),
      options_(options) {
  if (copy) {
    copy_ = *copy;
    hasCopy_ = true;
  }
  if (desired_) {
    connectionId_ = desired_->connection.id;
    provider_ = desired_->connection.provider;
    destination_ = desired_->destination;
    calendarId_ = desired_->calendarId;
  } else {
    connectionId_ = copy_.connectionId;
    destination_ = copy_.destination;
    const auto colon = destination_.find(':');
    provider_ = connections::parseProvider(destination_.substr(0, colon))
                    .value_or(connections::Provider::Google);
    // google:<id>:<calendar>[#period]
    const auto second = destination_.find(':', colon + 1);
    std::string rest = second == std::string::npos ? "" : destination_.substr(second + 1);
    calendarId_ = rest.substr(0, rest.find('#'));
  }
  if (!hasCopy_) {
    copy_.kind = kind_;
    copy_.recordId = recordId_;
    copy_.destination = destination_;
    copy_.connectionId = connectionId_;
  }
  plan();
}

void CopyTask::fail(const std::string& message) {
  state_ = TaskState::Permanent;
  message_ = message;
  step_ = Step::Finished;
}

void CopyTask::transient(const std::string& message, int retryAfterSec) {
  state_ = TaskState::Transient;
  message_ = message;
  retryAfter_ = retryAfterSec;
}

void CopyTask::plan() {
  if (!desired_) {
    if (!hasCopy_) {
      step_ = Step::Finished;
      state_ = TaskState::Done;
      return;
    }
    planned_ = PlannedAction::Delete;
    // A Graph create whose answer was lost has no id yet: find it first.
    step_ = copy_.remoteId.empty() ? Step::Lookup : Step::Delete;
    if (copy_.remoteId.empty() && provider_ == Provider::Google) step_ = Step::Finished;
    if (step_ == Step::Finished) {
      store_.removeCopy(kind_, recordId_, destination_);
      state_ = TaskState::Done;
    }
    return;
  }
  // The full create body: its hash says whether the copy is current.
  if (provider_ == Provider::Google) {
    google::GoogleTarget t{googleKind(kind_),  recordExt_,
                           desired_->periodId, desired_->connection.account,
                           calendarId_,        copy_.generation};
    auto r = google::insertRequest(desired_->event, t, options_.google);
    if (!r) return fail("cannot map the event for Google: " + r.error);
    desiredBody_ = stringify(r->body);
    insertPath_ = withQuery(eventsPath(), r->query);
    insertGeneration_ = copy_.generation;
    copy_.remoteId = hasCopy_ ? copy_.remoteId : r->eventId;
  } else {
    graph::GraphTarget t{graphKind(kind_),   recordExt_,
                         desired_->periodId, desired_->connection.account,
                         calendarId_,        copy_.generation};
    auto r = graph::createBody(desired_->event, t, options_.graph);
    if (!r) return fail("cannot map the event for Microsoft Graph: " + r.error);
    desiredBody_ = stringify(r.body);
    insertPath_ = eventsPath();
    insertGeneration_ = copy_.generation;
  }
  desiredHash_ = sha256(desiredBody_);
  if (!hasCopy_) {
    planned_ = PlannedAction::Create;
    step_ = Step::Insert;
  } else if (copy_.pendingCreate) {
    planned_ = PlannedAction::Create;
    step_ = provider_ == Provider::Google ? Step::Insert : Step::Lookup;
  } else if (copy_.bodyHash == desiredHash_) {
    planned_ = PlannedAction::None;
    step_ = Step::Finished;
    state_ = TaskState::Done;
  } else {
    planned_ = PlannedAction::Update;
    step_ = Step::Patch;
  }
}

std::string CopyTask::eventsPath() const {
  if (provider_ == Provider::Google)
    return "/calendar/v3/calendars/" +
           net::urlEncode(calendarId_.empty() ? "primary" : calendarId_) + "/events";
  if (calendarId_.empty()) return "/v1.0/me/events";
  return "/v1.0/me/calendars/" + net::urlEncode(calendarId_) + "/events";
}

std::optional<ApiCall> CopyTask::next() {
  if (state_ != TaskState::Running || step_ == Step::Finished) return std::nullopt;
  return provider_ == Provider::Google ? googleCall() : graphCall();
}

std::optional<ApiCall> CopyTask::googleCall() {
  google::GoogleTarget t;
  if (desired_)
    t = {googleKind(kind_), recordExt_,      desired_->periodId, desired_->connection.account,
         calendarId_,       copy_.generation};
  switch (step_) {
    case Step::Insert: {
      if (insertGeneration_ != copy_.generation) plan();  // mapped again for a new generation
      if (state_ != TaskState::Running) return std::nullopt;
      copy_.remoteId = google::eventId(t);
      copy_.pendingCreate = true;
      store_.saveCopy(copy_);
      hasCopy_ = true;
      return ApiCall{"POST", insertPath_, desiredBody_};
    }
    case Step::Patch: {
      google::GoogleRemoteState remote;
      // After a 409 (or a lost answer) nothing is known of the remote copy:
      // send everything; the Meet request id is the same, so is the Meet.
      remote.hasConference = !copy_.pendingCreate && !copy_.conferenceUrl.empty();
      if (!copy_.pendingCreate) remote.lastSentBody = parseObject(copy_.lastBody);
      auto r = google::patchRequest(desired_->event, t, options_.google, remote);
      if (!r) {
        fail("cannot map the event for Google: " + r.error);
        return std::nullopt;
      }
      return ApiCall{"PATCH",
                     withQuery(eventsPath() + "/" + net::urlEncode(copy_.remoteId), r->query),
                     stringify(r->body)};
    }
    case Step::Delete:
      return ApiCall{"DELETE",
                     withQuery(eventsPath() + "/" + net::urlEncode(copy_.remoteId),
                               google::deleteQuery(options_.google)),
                     ""};
    default:
      return std::nullopt;
  }
}

std::optional<ApiCall> CopyTask::graphCall() {
  graph::GraphTarget t{graphKind(kind_),
                       recordExt_,
                       desired_ ? desired_->periodId : std::string(),
                       desired_ ? desired_->connection.account : std::string(),
                       calendarId_,
                       copy_.generation};
  switch (step_) {
    case Step::Lookup: {
      if (!desired_) {
        // Deleting a copy whose create was never answered: its period id is
        // after '#' in the destination.
        const auto hash = destination_.find('#');
        if (hash != std::string::npos) t.periodId = destination_.substr(hash + 1);
      }
      std::vector<std::pair<std::string, std::string>> q{{"$filter", graph::lookupFilter(t)},
                                                         {"$select", "id,onlineMeeting"}};
      return ApiCall{"GET", withQuery("/v1.0/me/events", q), ""};
    }
    case Step::Insert: {
      if (insertGeneration_ != copy_.generation) plan();
      if (state_ != TaskState::Running) return std::nullopt;
      copy_.pendingCreate = true;
      store_.saveCopy(copy_);
      hasCopy_ = true;
      return ApiCall{"POST", insertPath_, desiredBody_};
    }
    case Step::Patch: {
      graph::GraphRemoteState remote;
      remote.hasOnlineMeeting = !copy_.conferenceUrl.empty();
      auto r = graph::patchBody(desired_->event, t, options_.graph, remote);
      if (!r) {
        fail("cannot map the event for Microsoft Graph: " + r.error);
        return std::nullopt;
      }
      return ApiCall{"PATCH", "/v1.0/me/events/" + net::urlEncode(copy_.remoteId),
                     stringify(r.body)};
    }
    case Step::Delete:
      return ApiCall{"DELETE", "/v1.0/me/events/" + net::urlEncode(copy_.remoteId), ""};
    default:
      return std::nullopt;
  }
}

void CopyTask::stored(const std::string& remoteId, const ApiAnswer& answer) {
  auto ev = answerJson(answer);
  const std::string link =
      provider_ == Provider::Google ? googleConference(ev) : graphConference(ev);
  copy_.remoteId = remoteId;
  copy_.pendingCreate = false;
  copy_.bodyHash = desiredHash_;
  copy_.lastBody = desiredBody_;
  if (!link.empty()) copy_.conferenceUrl = link;
  store_.saveCopy(copy_);
  hasCopy_ = true;
  step_ = Step::Finished;
  state_ = TaskState::Done;
}

void CopyTask::answer(const ApiAnswer& a) {
  if (state_ != TaskState::Running) return;
  if (a.status == 401) {
    if (unauthorized_++ == 0) {
      wantsToken_ = true;  // same step: next() repeats the call
      return;
    }
    return transient("the provider refused a freshly refreshed access token (401): " +
                     providerMessage(a));
  }
  if (provider_ == Provider::Google)
    googleAnswer(a);
  else
    graphAnswer(a);
}

void CopyTask::googleAnswer(const ApiAnswer& a) {
  const bool ok = a.status >= 200 && a.status < 300;
  switch (step_) {
    case Step::Insert:
      if (ok) return stored(copy_.remoteId, a);
      if (a.status == 409) {
        // It exists: an earlier insert whose answer was lost, or a deleted
        // event keeping its id. Patch it to the full content.
        step_ = Step::Patch;
        return;
      }
      return errorAnswer(a);
    case Step::Patch:
      if (ok) return stored(copy_.remoteId, a);
      if ((a.status == 404 || a.status == 410) && recreations_++ < 2) {
        // Deleted in the calendar while the appointment still stands.
        copy_.generation++;
        copy_.pendingCreate = true;
        copy_.conferenceUrl.clear();
        plan();
        step_ = Step::Insert;
        return;
      }
      return errorAnswer(a);
    case Step::Delete:
      if (ok || a.status == 404 || a.status == 410) {
        store_.removeCopy(kind_, recordId_, destination_);
        step_ = Step::Finished;
        state_ = TaskState::Done;
        return;
      }
      return errorAnswer(a);
    default:
      return;
  }
}

void CopyTask::graphAnswer(const ApiAnswer& a) {
  const bool ok = a.status >= 200 && a.status < 300;
  switch (step_) {
    case Step::Lookup: {
      if (!ok) return errorAnswer(a);
      auto o = answerJson(a);
      auto values = o ? o->getArray("value") : nullptr;
      if (values && values->size() > 0 && values->isObject(0)) {
        auto found = values->getObject(0);
        copy_.remoteId = found->optValue<std::string>("id", "");
        const auto link = graphConference(found);
        if (!link.empty()) copy_.conferenceUrl = link;
        copy_.pendingCreate = false;
        copy_.bodyHash.clear();
        store_.saveCopy(copy_);
        step_ = desired_ ? Step::Patch : Step::Delete;
        return;
      }
      if (desired_) {
        step_ = Step::Insert;
        return;
      }
      store_.removeCopy(kind_, recordId_, destination_);
      step_ = Step::Finished;
      state_ = TaskState::Done;
      return;
    }
    case Step::Insert:
      if (ok) {
        auto o = answerJson(a);
        const std::string id = o ? o->optValue<std::string>("id", "") : "";
        if (id.empty()) return fail("Microsoft Graph created the event but sent no id");
        return stored(id, a);
      }
      return errorAnswer(a);
    case Step::Patch:
      if (ok) return stored(copy_.remoteId, a);
      if (a.status == 404 && recreations_++ < 2) {
        copy_.generation++;  // a new transactionId: the old one named the deleted event
        copy_.remoteId.clear();
        copy_.conferenceUrl.clear();
        copy_.pendingCreate = false;
        plan();
        step_ = Step::Insert;
        return;
      }
      return errorAnswer(a);
    case Step::Delete:
      if (ok || a.status == 404) {
        store_.removeCopy(kind_, recordId_, destination_);
        step_ = Step::Finished;
        state_ = TaskState::Done;
        return;
      }
      return errorAnswer(a);
    default:
      return;
  }
}

void CopyTask::errorAnswer(const ApiAnswer& a) {
  std::string reason;
  const std::string msg = providerMessage(a, &reason);
  const std::string who = provider_ == Provider::Google ? "Google" : "Microsoft Graph";
  const bool rateLimited =
      a.status == 429 ||
      (a.status == 403 && (reason == "rateLimitExceeded" || reason == "userRateLimitExceeded"));
  if (rateLimited || a.status >= 500 || a.status == 408)
    return transient(who + " answered " + std::to_string(a.status) + " (" + msg + ")",
                     retryAfterOf(a));
  fail(who + " answered " + std::to_string(a.status) + ": " + msg);
}

}  // namespace creneau::engine::sync
