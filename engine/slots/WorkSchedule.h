#pragma once

// Working hours and per-service slot rules: what the store keeps for the
// slot engine (imported with the employees and services).

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creneau::engine {

// A calendar day in some zone (no time, no zone attached).
struct LocalDate {
  int year = 1970;
  int month = 1;
  int day = 1;
  auto operator<=>(const LocalDate&) const = default;
  bool operator==(const LocalDate&) const = default;

  // Days since 1970-01-01 and back.
  [[nodiscard]] std::int64_t dayNumber() const;
  [[nodiscard]] static LocalDate fromDayNumber(std::int64_t days);
  // 0 = Monday ... 6 = Sunday (ISO 8601 order).
  [[nodiscard]] int weekday() const;
  // "YYYY-MM-DD"; parse() accepts exactly that form of a real date.
  [[nodiscard]] std::string toString() const;
  [[nodiscard]] static std::optional<LocalDate> parse(std::string_view text);
};

// Working time of one day: [startMin, endMin) in minutes since local
// midnight, 0 <= startMin < endMin <= 1440 (24:00 closes the day). Overnight
// ranges are written as two ranges on two days.
struct TimeRange {
  int startMin = 0;
  int endMin = 0;
  bool operator==(const TimeRange&) const = default;
};

// An employee's working hours, all in local wall time of `timeZone`.
struct WorkSchedule {
  std::string timeZone = "UTC";                         // IANA name
  std::array<std::vector<TimeRange>, 7> weekly;         // [0] = Monday ... [6] = Sunday
  std::vector<LocalDate> daysOff;                       // no work at all; wins over `special`
  std::map<LocalDate, std::vector<TimeRange>> special;  // replaces weekly; empty: closed
  bool operator==(const WorkSchedule&) const = default;
};

// Per-service slot rules, in minutes and days as the import format has them.
struct ServiceSlotSettings {
  int slotStepMin = 0;    // 0: step by the service's duration
  int minNoticeMin = 0;   // earliest start: now + minNoticeMin
  int horizonDays = 365;  // last bookable local day: today + horizonDays
  bool operator==(const ServiceSlotSettings&) const = default;
};

}  // namespace creneau::engine
