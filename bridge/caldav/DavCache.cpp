#include "bridge/caldav/DavCache.h"

#include "engine/store/Store.h"
#include "ical/IcalCodec.h"

#include <algorithm>

namespace creneau::bridge::dav {

namespace {
// More changes than this since the snapshot: read the calendar again whole.
constexpr std::size_t kIncrementalLimit = 2000;
}  // namespace

std::vector<std::shared_ptr<const engine::PersonalObject>> PersonalSnapshot::overlapping(
    engine::UnixTime from, engine::UnixTime to) const {
  std::call_once(indexed_, [this] {
    for (const auto& [name, o] : objects) {
      if (o->bounds.recurring) {
        index_.recurring.push_back(o);
      } else if (o->bounds.last > o->bounds.first) {  // {0, 0}: no instance at all
        index_.single.push_back({o->bounds.first, o});
        index_.longest = std::max(index_.longest, o->bounds.last - o->bounds.first);
      }
    }
    std::sort(index_.single.begin(), index_.single.end(),
              [](const Indexed& a, const Indexed& b) { return a.first < b.first; });
  });
  std::vector<std::shared_ptr<const engine::PersonalObject>> out;
  auto it = std::lower_bound(index_.single.begin(), index_.single.end(), from - index_.longest,
                             [](const Indexed& e, engine::UnixTime t) { return e.first < t; });
  for (; it != index_.single.end() && it->first < to; ++it)
    if (it->object->bounds.last > from) out.push_back(it->object);
  for (const auto& o : index_.recurring)
    if (o->bounds.first < to && o->bounds.last > from) out.push_back(o);
  return out;
}

std::shared_ptr<const PersonalSnapshot> DavCache::personal(const engine::Store& store,
                                                           engine::Id calendarId) {
  const std::string collection = engine::personalCollection(calendarId);
  // One reader brings a snapshot up to date at a time; the others wait for
  // it instead of reading the same rows.
  const std::lock_guard lock(personalMutex_);
  const std::int64_t latest = store.latestChange(collection);
  auto& slot = personal_[calendarId];
  if (slot && slot->seq == latest) return slot;

  auto next = std::make_shared<PersonalSnapshot>();
  next->seq = latest;
  std::vector<engine::Change> changes;
  const bool incremental =
      slot && slot->seq < latest &&
      (changes = store.changesSince(collection, slot->seq)).size() <= kIncrementalLimit;
  if (incremental) {
    next->objects = slot->objects;
    std::map<std::string, bool> touched;  // name -> deleted (newest change wins)
    for (const auto& c : changes) touched[c.uid] = c.deleted;
    for (const auto& [name, deleted] : touched) {
      next->objects.erase(name);
      if (deleted) continue;
      if (auto o = store.personalObject(calendarId, name))
        next->objects.emplace(name, std::make_shared<const engine::PersonalObject>(std::move(*o)));
    }
  } else {
    for (auto& o : store.personalObjects(calendarId)) {
      auto name = o.name;
      next->objects.emplace(std::move(name),
                            std::make_shared<const engine::PersonalObject>(std::move(o)));
    }
  }
  slot = std::move(next);
  return slot;
}

std::shared_ptr<const RenderedAppointment> DavCache::rendered(
    const engine::Appointment& a, const std::string& settingsTag,
    const std::function<ical::Event()>& render) {
  {
    const std::lock_guard lock(renderedMutex_);
    if (auto it = rendered_.find(a.id); it != rendered_.end() &&
                                        it->second->revision == a.revision &&
                                        it->second->settingsTag == settingsTag)
      return it->second;
  }
  auto r = std::make_shared<RenderedAppointment>();
  r->revision = a.revision;
  r->settingsTag = settingsTag;
  r->event = render();
  ical::Calendar calendar;
  calendar.events.push_back(r->event);
  r->text = ical::serialize(calendar);
  const std::lock_guard lock(renderedMutex_);
  if (rendered_.size() >= maxRendered_) rendered_.clear();
  rendered_[a.id] = r;
  return r;
}

namespace {

using Compute = std::function<std::vector<BusyInstance>(engine::UnixTime, engine::UnixTime)>;

std::shared_ptr<const ObjectBusy> memo(
    std::mutex& mutex, std::unordered_map<engine::Id, std::shared_ptr<const ObjectBusy>>& map,
    std::size_t maxEntries, const engine::PersonalObject& o, engine::UnixTime from,
    engine::UnixTime to, engine::UnixTime now, const Compute& compute) {
  {
    const std::lock_guard lock(mutex);
    if (auto it = map.find(o.id); it != map.end() && it->second->revision == o.revision &&
                                  it->second->from <= from && to <= it->second->to)
      return it->second;
  }
  constexpr engine::UnixTime kYear = 366LL * 24 * 3600;
  auto b = std::make_shared<ObjectBusy>();
  b->revision = o.revision;
  b->from = std::min(from, now - 3 * kYear);
  b->to = std::max(to, now + 5 * kYear);
  b->instances = compute(b->from, b->to);
  std::sort(b->instances.begin(), b->instances.end(),
            [](const BusyInstance& x, const BusyInstance& y) { return x.start < y.start; });
  const std::lock_guard lock(mutex);
  if (map.size() >= maxEntries) map.clear();
  map[o.id] = b;
  return b;
}

}  // namespace

std::shared_ptr<const ObjectBusy> DavCache::objectBusy(const engine::PersonalObject& o,
                                                       engine::UnixTime from, engine::UnixTime to,
                                                       engine::UnixTime now,
                                                       const Compute& compute) {
  return memo(busyMutex_, busy_, maxRendered_, o, from, to, now, compute);
}

std::shared_ptr<const ObjectBusy> DavCache::objectInstances(const engine::PersonalObject& o,
                                                            engine::UnixTime from,
                                                            engine::UnixTime to,
                                                            engine::UnixTime now,
                                                            const Compute& compute) {
  return memo(busyMutex_, instances_, maxRendered_, o, from, to, now, compute);
}

std::shared_ptr<const std::string> DavCache::response(const std::string& key, std::int64_t revision,
                                                      const std::function<std::string()>& build) {
  {
    const std::lock_guard lock(responseMutex_);
    if (auto it = responses_.find(key); it != responses_.end() && it->second.first == revision)
      return it->second.second;
  }
  auto xml = std::make_shared<const std::string>(build());
  constexpr std::size_t kMaxBytes = 64u * 1024u * 1024u;
  const std::lock_guard lock(responseMutex_);
  if (responseBytes_ + xml->size() > kMaxBytes) {
    responses_.clear();
    responseBytes_ = 0;
  }
  auto& slot = responses_[key];
  if (slot.second) responseBytes_ -= slot.second->size();
  slot = {revision, xml};
  responseBytes_ += xml->size();
  return xml;
}

std::shared_ptr<const CollectionBody> DavCache::collection(
    const std::string& key, std::int64_t seq, const std::function<CollectionBody()>& build) {
  const std::lock_guard lock(collectionMutex_);
  auto& slot = collections_[key];
  if (slot.second && slot.first == seq) return slot.second;
  slot = {seq, std::make_shared<const CollectionBody>(build())};
  return slot.second;
}

}  // namespace creneau::bridge::dav
