#pragma once

#include <optional>
#include <string>

#include "engine/connections/Connection.h"
#include "engine/export/google/GoogleEventMapping.h"
#include "engine/export/graph/GraphEventMapping.h"
#include "engine/net/HttpClient.h"
#include "engine/sync/SyncStore.h"
#include "ical/Event.h"

namespace creneau::engine::sync {

// One provider call, relative to the provider's API root
// (CRENEAU_GOOGLE_API_URL / CRENEAU_GRAPH_URL): "/calendar/v3/..." or "/v1.0/...".
struct ApiCall {
  std::string method;
  std::string path;  // with the query string, already encoded
  std::string body;  // JSON; empty: none
};

struct ApiAnswer {
  int status = 0;
  net::Headers headers;
  std::string body;
  // The body already parsed (a Graph $batch answer holds JSON bodies), or null.
  Poco::JSON::Object::Ptr json;
  [[nodiscard]] std::optional<std::string> header(const std::string& name) const;
};

// Where a record should be, and as what.
struct DesiredCopy {
  std::string destination;  // destinationKey(...)
  connections::Connection connection;
  std::string calendarId;
  std::string periodId;  // group events: the period's key
  ical::Event event;     // rendered without the provider's own conference link
};

// "google:3:primary", "microsoft:4:" (+ "#<period>" for a group event's period).
[[nodiscard]] std::string destinationKey(const connections::Connection& c,
                                         const std::string& calendarId,
                                         const std::string& periodId);

struct MappingOptions {
  google::GoogleMappingOptions google;
  graph::GraphMappingOptions graph;
};

enum class TaskState { Running, Done, Transient, Permanent };
enum class PlannedAction { None, Create, Update, Delete };
[[nodiscard]] const char* actionName(PlannedAction a);

// Brings one destination's copy of one record to the desired state, one
// provider call at a time: the worker asks next() for the call, sends it
// (alone or in a batch) and hands the answer to answer(). The remote copy
// row is saved as soon as something is known, so a crash between two calls
// never forgets a remote event (issue 4, item 7):
// - Google: the event id is chosen by us; an insert answered 409 already
//   exists (an earlier attempt whose answer was lost): it is patched.
// - Graph: before a create, the copy is saved as pendingCreate; a task that
//   finds pendingCreate looks the event up by its extended property before
//   creating, and the create carries a transactionId (the same on a retry).
// A deleted remote event (404/410 on a patch) is created again.
class CopyTask {
 public:
  CopyTask(SyncStore& store, RecordKind kind, Id recordId, std::string recordExternalId,
           std::optional<DesiredCopy> desired, std::optional<RemoteCopy> copy,
           const MappingOptions& options);

  [[nodiscard]] Id connectionId() const { return connectionId_; }
  [[nodiscard]] connections::Provider provider() const { return provider_; }
  [[nodiscard]] const std::string& destination() const { return destination_; }
  [[nodiscard]] PlannedAction planned() const { return planned_; }

  // The call to send now, or nullopt when the task is not Running. Records a
  // pending create first when needed (so call it only when about to send).
  [[nodiscard]] std::optional<ApiCall> next();
  void answer(const ApiAnswer& a);
  // The call could not be made (network, token): try again later.
  void transient(const std::string& message, int retryAfterSec = 0);
  // The token was refused (401): the worker refreshes it once and asks
  // next() again, which repeats the call; a second 401 is a failure.
  [[nodiscard]] bool wantsFreshToken() const { return wantsToken_; }
  void tokenRefreshed() { wantsToken_ = false; }

  [[nodiscard]] TaskState state() const { return state_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] int retryAfterSec() const { return retryAfter_; }
  // Meet / Teams link of the copy, once known.
  [[nodiscard]] const std::string& conferenceUrl() const { return copy_.conferenceUrl; }
  [[nodiscard]] bool hasCopy() const { return hasCopy_; }

 private:
  enum class Step { Start, Insert, Lookup, Patch, Delete, Finished };
  void plan();
  std::optional<ApiCall> googleCall();
  std::optional<ApiCall> graphCall();
  void googleAnswer(const ApiAnswer& a);
  void graphAnswer(const ApiAnswer& a);
  void errorAnswer(const ApiAnswer& a);
  void stored(const std::string& remoteId, const ApiAnswer& answer);
  void fail(const std::string& message);
  [[nodiscard]] std::string eventsPath() const;

  SyncStore& store_;
  RecordKind kind_;
  Id recordId_;
  std::string recordExt_;
  std::optional<DesiredCopy> desired_;
  RemoteCopy copy_;
  bool hasCopy_ = false;
  MappingOptions options_;
  Id connectionId_ = 0;
  connections::Provider provider_ = connections::Provider::Google;
  std::string destination_;
  std::string calendarId_;
  std::string desiredBody_;  // full create body, JSON
  std::string insertPath_;   // the create call made in plan(), for its generation
  int insertGeneration_ = -1;
  std::string desiredHash_;
  PlannedAction planned_ = PlannedAction::None;
  Step step_ = Step::Start;
  TaskState state_ = TaskState::Running;
  bool wantsToken_ = false;
  int unauthorized_ = 0;
  int recreations_ = 0;
  std::string message_;
  int retryAfter_ = 0;
};

}  // namespace creneau::engine::sync
