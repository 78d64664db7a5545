#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bridge/caldav/DavCache.h"
#include "bridge/caldav/DavXml.h"
#include "engine/accounts/Account.h"
#include "engine/model/Domain.h"
#include "engine/render/RenderSettings.h"
#include "engine/store/PersonalCalendar.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge::dav {

// The CalDAV namespace (see DESIGN.md, "CalDAV and feed layout"):
//
//   /dav/                                      root (current-user-principal)
//   /dav/principals/                           lists the caller's principal
//   /dav/principals/<login>/                   the caller's principal (RFC 5397)
//   /dav/calendars/                            lists the caller's home
//   /dav/calendars/<login>/                    the caller's calendar home
//   employee:  /dav/calendars/<login>/appointments/
//   admin:     /dav/calendars/<login>/appointments-<employee external id>/  (one per employee)
//   objects:   <calendar>/appointment-<appointment external id>.ics
//   employee:  /dav/calendars/<login>/blocked/            (read-write, personal)
//   admin:     /dav/calendars/<login>/blocked-<employee external id>/
//   objects:   <personal calendar>/<any name>.ics         (as the client PUT them)
//
// Only the caller's own principal and home exist for them: anybody else's,
// and an appointment of another employee, answer 404 exactly like a missing
// resource. Object names are the change log's uids, so sync-collection can
// name deletions.
//   plain:     <personal calendar>/<folder>/.../<file>   (MKCOL, any content)
enum class ResourceKind {
  Root,
  PrincipalsRoot,
  Principal,
  CalendarsRoot,
  Home,
  Calendar,
  Object,
  Folder,  // a plain WebDAV collection inside a personal calendar
  File     // any file inside such a folder
};

struct DavResource {
  ResourceKind kind = ResourceKind::Root;
  std::string href;                                // canonical, encoded, collections end in '/'
  std::optional<engine::Employee> employee;        // Calendar, Object
  std::optional<engine::Appointment> appointment;  // Object
  // Set on a personal (read-write) Calendar and on its Objects, which carry
  // personalObject instead of appointment.
  std::optional<engine::PersonalCalendar> personal;
  std::optional<engine::PersonalObject> personalObject;  // Object of a personal calendar
  std::optional<engine::DavFile> file;                   // Folder, File
  [[nodiscard]] bool isCollection() const {
    return kind != ResourceKind::Object && kind != ResourceKind::File;
  }
  [[nodiscard]] bool isPersonal() const { return personal.has_value(); }
};

// Everything one request needs: who asks, the store, the render settings.
struct DavContext {
  const engine::Store& store;
  engine::Principal principal;
  engine::RenderSettings settings;
  DavCache& cache;
  std::string settingsTag;  // settingsTag(settings)
  // The employee the principal is (an employee login), read once per request.
  mutable std::optional<std::optional<engine::Employee>> ownEmployee;
};

// A digest of everything in the settings that changes rendered output.
[[nodiscard]] std::string settingsTag(const engine::RenderSettings& s);

// The members of a personal calendar (none before its first write), from
// the cache.
[[nodiscard]] std::shared_ptr<const PersonalSnapshot> personalSnapshot(const DavContext& ctx,
                                                                       const DavResource& calendar);
// An appointment's rendered object, from the cache (rendered on a miss).
[[nodiscard]] std::shared_ptr<const RenderedAppointment> renderedAppointment(
    const DavContext& ctx, const engine::Appointment& a);

// The largest calendar object resource a PUT may store (RFC 4791 5.2.5);
// larger ones get 403 CALDAV:max-resource-size.
inline constexpr std::size_t kMaxResourceSize = 1024 * 1024;

// A personal calendar a segment of the caller's home names (existing or
// not): the employee it belongs to and its slug. nullopt when the segment
// cannot name one for this caller (another employee, a reserved name).
struct PersonalTarget {
  engine::Employee employee;
  std::string slug;
};
[[nodiscard]] std::optional<PersonalTarget> personalTarget(const DavContext& ctx,
                                                           const std::string& segment);
// Slugs clients may choose: 1-128 of [A-Za-z0-9._@+-] (UUIDs fit).
[[nodiscard]] bool validSlug(const std::string& slug);

// Whether `path` lies below a personal calendar the caller sees
// (/dav/calendars/<login>/<personal calendar>/...), existing or not.
[[nodiscard]] bool insidePersonalCalendar(const DavContext& ctx, const std::string& path);

// Where the store keeps the resource's dead properties (Store::deadProperties);
// nullopt for resources that keep none (principals, appointment objects).
[[nodiscard]] std::optional<std::string> deadPropertyKey(const DavContext& ctx,
                                                         const DavResource& r);

// Resolves a decoded request path below /dav/; nullopt when it does not
// exist for this caller (the caller then answers 404).
[[nodiscard]] std::optional<DavResource> resolve(const DavContext& ctx, const std::string& path);

// The calendar collection a (possibly missing) object path would live in:
// "/dav/calendars/sophie/appointments/new.ics" -> that calendar, if visible.
[[nodiscard]] std::optional<DavResource> parentCalendar(const DavContext& ctx,
                                                        const std::string& path);

// The members of a collection (Depth 1).
[[nodiscard]] std::vector<DavResource> children(const DavContext& ctx, const DavResource& r);
// The same, one at a time (a calendar of 10k objects is never copied whole).
void forEachChild(const DavContext& ctx, const DavResource& r,
                  const std::function<void(const DavResource&)>& fn);

// Every property of the resource, as PROPFIND writes it: the live ones and
// the dead ones clients set.
[[nodiscard]] PropValues properties(const DavContext& ctx, const DavResource& r);
// Only the live ones (no store read for dead properties), and the dead ones
// added to them: reports and PROPFIND read dead properties only when the
// client asks for something the live ones lack.
[[nodiscard]] PropValues liveProperties(const DavContext& ctx, const DavResource& r);
void addDeadProperties(const DavContext& ctx, const DavResource& r, PropValues& p);
// Whether `wanted` (Clark names) needs more than `live` holds.
[[nodiscard]] bool needsDeadProperties(const PropValues& live,
                                       const std::vector<std::string>& wanted);

// Strong ETag of an object: revision and the settings it was rendered with.
[[nodiscard]] std::string objectEtag(const DavContext& ctx, const engine::Appointment& a);

// The single-event VCALENDAR of an object (with its VTIMEZONE).
[[nodiscard]] std::string renderObject(const DavContext& ctx, const engine::Appointment& a);

// "Tue, 24 Nov 2026 19:00:00 GMT".
[[nodiscard]] std::string httpDate(engine::UnixTime t);

// The object resource of appointment `a` inside the appointments calendar
// `calendar` (for reports that list members without resolving each path).
[[nodiscard]] DavResource objectIn(const DavResource& calendar, const engine::Appointment& a);

}  // namespace creneau::bridge::dav
