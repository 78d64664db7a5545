#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/model/Domain.h"
#include "engine/store/PersonalCalendar.h"
#include "ical/Event.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge::dav {

// The members of one personal calendar at one change-log position. Shared
// read-only by every request that reads the calendar at that position.
struct PersonalSnapshot {
  std::int64_t seq = 0;
  std::map<std::string, std::shared_ptr<const engine::PersonalObject>> objects;  // by name

  // The objects whose instances may overlap [from, to), through a time index
  // built on first use: single-instance objects sorted by start (an object
  // starting before from - the longest one's length cannot reach from), and
  // the recurring ones, each with the bounds of all its instances.
  [[nodiscard]] std::vector<std::shared_ptr<const engine::PersonalObject>> overlapping(
      engine::UnixTime from, engine::UnixTime to) const;

 private:
  struct Indexed {
    engine::UnixTime first = 0;
    std::shared_ptr<const engine::PersonalObject> object;
  };
  struct TimeIndex {
    std::vector<Indexed> single;  // by first
    engine::UnixTime longest = 0;
    std::vector<std::shared_ptr<const engine::PersonalObject>> recurring;
  };
  mutable std::once_flag indexed_;
  mutable TimeIndex index_;
};

// One appointment rendered with one set of settings.
struct RenderedAppointment {
  std::int64_t revision = 0;
  std::string settingsTag;
  ical::Event event;
  std::string text;  // the single-event VCALENDAR
};

// The busy instances of one personal object inside a window (RFC 4791
// 7.10: opaque, not cancelled; tentative flagged), kept per revision.
struct BusyInstance {
  engine::UnixTime start = 0;
  engine::UnixTime end = 0;
  bool tentative = false;
};
struct ObjectBusy {
  std::int64_t revision = 0;
  engine::UnixTime from = 0;
  engine::UnixTime to = 0;
  std::vector<BusyInstance> instances;
};

// A whole collection as one iCalendar body (GET on a calendar), plain and
// gzipped, with its strong ETag.
struct CollectionBody {
  std::string etag;
  engine::UnixTime lastModified = 0;
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const std::string> gzipped;
};

// What CalDAV keeps between requests so that nothing is re-read, re-parsed
// or re-rendered while the change log has not moved (issue 3, item 5):
//  - personal calendars: their objects, brought up to date from the change
//    log (only changed objects are read again);
//  - appointments: each rendered object, valid for its revision and the
//    settings it was rendered with (a revision moves with every change that
//    alters the output, see Store);
//  - whole-collection bodies by key and change-log position.
// Thread-safe. Bounded: rendered appointments beyond `maxRendered` are
// dropped all at once (they are rebuilt on demand).
class DavCache {
 public:
  explicit DavCache(std::size_t maxRendered = 200'000) : maxRendered_(maxRendered) {}

  [[nodiscard]] std::shared_ptr<const PersonalSnapshot> personal(const engine::Store& store,
                                                                 engine::Id calendarId);

  [[nodiscard]] std::shared_ptr<const RenderedAppointment> rendered(
      const engine::Appointment& a, const std::string& settingsTag,
      const std::function<ical::Event()>& render);

  // The busy instances of `o` in [from, to), computed by `compute` over a
  // wide window around now and kept until the object changes.
  [[nodiscard]] std::shared_ptr<const ObjectBusy> objectBusy(
      const engine::PersonalObject& o, engine::UnixTime from, engine::UnixTime to,
      engine::UnixTime now,
      const std::function<std::vector<BusyInstance>(engine::UnixTime, engine::UnixTime)>& compute);

  // Every instance of `o` (whatever its status), kept the same way: the
  // time-range test of calendar-query for recurring objects.
  [[nodiscard]] std::shared_ptr<const ObjectBusy> objectInstances(
      const engine::PersonalObject& o, engine::UnixTime from, engine::UnixTime to,
      engine::UnixTime now,
      const std::function<std::vector<BusyInstance>(engine::UnixTime, engine::UnixTime)>& compute);

  // The <D:response> XML of a personal object for one set of requested
  // properties (key: href and the names), valid for the object's revision.
  [[nodiscard]] std::shared_ptr<const std::string> response(
      const std::string& key, std::int64_t revision, const std::function<std::string()>& build);

  [[nodiscard]] std::shared_ptr<const CollectionBody> collection(
      const std::string& key, std::int64_t seq, const std::function<CollectionBody()>& build);

 private:
  std::size_t maxRendered_;
  std::mutex personalMutex_;
  std::unordered_map<engine::Id, std::shared_ptr<const PersonalSnapshot>> personal_;
  std::mutex renderedMutex_;
  std::unordered_map<engine::Id, std::shared_ptr<const RenderedAppointment>> rendered_;
  std::mutex busyMutex_;
  std::unordered_map<engine::Id, std::shared_ptr<const ObjectBusy>> busy_;
  std::unordered_map<engine::Id, std::shared_ptr<const ObjectBusy>> instances_;
  std::mutex responseMutex_;
  std::unordered_map<std::string, std::pair<std::int64_t, std::shared_ptr<const std::string>>>
      responses_;
  std::size_t responseBytes_ = 0;
  std::mutex collectionMutex_;
  std::unordered_map<std::string, std::pair<std::int64_t, std::shared_ptr<const CollectionBody>>>
      collections_;
};

}  // namespace creneau::bridge::dav
