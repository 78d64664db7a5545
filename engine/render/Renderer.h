#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/model/Domain.h"
#include "engine/render/RenderSettings.h"
#include "engine/render/Template.h"
#include "ical/Event.h"

namespace creneau::engine {

class Store;

// The records an appointment or event refers to, looked up by id. Loaded once
// per export or per collection, then shared by every render call.
class Directory {
 public:
  static Directory load(const Store& store);

  void add(Employee e) { employees_[e.id] = std::move(e); }
  void add(Customer c) { customers_[c.id] = std::move(c); }
  void add(Service s) { services_[s.id] = std::move(s); }
  void add(Location l) { locations_[l.id] = std::move(l); }

  [[nodiscard]] const Employee* employee(Id id) const { return find(employees_, id); }
  [[nodiscard]] const Customer* customer(Id id) const { return find(customers_, id); }
  [[nodiscard]] const Service* service(Id id) const { return find(services_, id); }
  [[nodiscard]] const Location* location(Id id) const { return find(locations_, id); }

 private:
  template <typename T>
  static const T* find(const std::unordered_map<Id, T>& m, Id id) {
    auto it = m.find(id);
    return it == m.end() ? nullptr : &it->second;
  }
  std::unordered_map<Id, Employee> employees_;
  std::unordered_map<Id, Customer> customers_;
  std::unordered_map<Id, Service> services_;
  std::unordered_map<Id, Location> locations_;
};

// Appointment or group event + settings -> ical::Event (DESIGN.md decision 2).
// Pure: the same inputs always give the same Event, so feeds, CalDAV, .ics
// export and the Google/Graph mappings all agree, and ETags are stable.
class Renderer {
 public:
  explicit Renderer(RenderSettings settings);

  [[nodiscard]] ical::Event render(const Appointment& a, const Directory& dir) const;
  // One VEVENT per period of the event.
  [[nodiscard]] std::vector<ical::Event> render(const GroupEvent& e, const Directory& dir) const;

  [[nodiscard]] const RenderSettings& settings() const { return settings_; }

  // Stable iCalendar UIDs from the booking system's ids.
  [[nodiscard]] std::string appointmentUid(const std::string& externalId) const;
  [[nodiscard]] std::string eventUid(const std::string& externalId,
                                     const std::string& periodKey) const;

  // Time zone an appointment or event is rendered in (the employee's).
  [[nodiscard]] static std::string zoneOf(const Appointment& a, const Directory& dir);
  [[nodiscard]] static std::string zoneOf(const GroupEvent& e, const Directory& dir);

 private:
  RenderSettings settings_;
  Language lang_;
  Template appointmentTitle_;
  Template appointmentDescription_;
  Template eventTitle_;
  Template eventDescription_;
  PlaceholderMask used_;  // placeholders any template shows: only those are computed
};

}  // namespace creneau::engine
