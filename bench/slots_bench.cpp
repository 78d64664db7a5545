// Slot engine at scale: 50 employees over 90 days, 20 000 busy periods and
// 5 000 appointments; every slot of every employee for one service.
// Target (issue 5): under 20 ms for the whole query.

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "engine/slots/SlotFinder.h"
#include "ical/TimeZones.h"

namespace {

using namespace creneau::engine;

constexpr int kEmployees = 50;
constexpr int kDays = 90;
constexpr int kBusy = 20000;
constexpr int kAppointments = 5000;
constexpr UnixTime kDay = 86400;

const LocalDate kFirstDay{2026, 12, 1};

SlotInput makeInput() {
  const char* zones[] = {"Europe/Paris", "America/New_York", "Asia/Kolkata", "America/Los_Angeles",
                         "UTC"};
  std::mt19937 rng(42);
  SlotInput in;
  in.service.id = 1;
  in.service.externalId = "s1";
  in.service.durationSec = 30 * 60;
  in.service.bufferBeforeSec = 5 * 60;
  in.service.bufferAfterSec = 10 * 60;
  in.service.stepSec = 15 * 60;
  in.service.capacity = 2;
  in.rules.now =
      creneau::ical::toUnix(creneau::ical::DateTime::local(2026, 11, 30, 12, 0, 0, "UTC"));
  in.rules.minNoticeSec = 4 * 3600;
  in.rules.horizonDays = 120;
  in.rules.unverified = UnverifiedPolicy::MarkUnverified;

  for (int i = 0; i < kEmployees; ++i) {
    SlotEmployee e;
    e.id = i + 1;
    e.externalId = "e" + std::to_string(i + 1);
    e.schedule.timeZone = zones[i % 5];
    for (int wd = 0; wd < 5; ++wd) e.schedule.weekly[wd] = {{9 * 60, 12 * 60}, {13 * 60, 18 * 60}};
    e.schedule.weekly[5] = {{10 * 60, 14 * 60}};
    e.schedule.daysOff = {LocalDate{2026, 12, 25}, LocalDate{2027, 1, 1}};
    e.schedule.special[LocalDate{2026, 12, 24}] = {{9 * 60, 12 * 60}};
    in.employees.push_back(e);
    in.sources.push_back(
        BusySource{"google-" + std::to_string(i + 1), "Google", e.id, i % 17 == 0});
  }

  // Spread over the 90 days (UTC), during the day, random lengths.
  const UnixTime first = kFirstDay.dayNumber() * kDay;
  std::uniform_int_distribution<int> employee(1, kEmployees);
  std::uniform_int_distribution<int> dayDist(0, kDays - 1);
  std::uniform_int_distribution<int> quarter(0, 24 * 4 - 1);
  std::uniform_int_distribution<int> length(1, 8);  // quarters of an hour
  for (int i = 0; i < kBusy; ++i) {
    SlotBusyPeriod b;
    b.employeeId = employee(rng);
    b.start = first + dayDist(rng) * kDay + quarter(rng) * 900;
    b.end = b.start + length(rng) * 900;
    b.sourceId = "google-" + std::to_string(b.employeeId);
    b.summary = "busy";
    in.busy.push_back(std::move(b));
  }
  for (int i = 0; i < kAppointments; ++i) {
    SlotAppointment a;
    a.id = i + 1;
    a.externalId = "a" + std::to_string(i + 1);
    a.serviceId = i % 3 == 0 ? 1 : 2;
    a.employeeId = employee(rng);
    a.start = first + dayDist(rng) * kDay + quarter(rng) * 900;
    a.end = a.start + (a.serviceId == 1 ? 1800 : length(rng) * 900);
    a.bufferBeforeSec = a.serviceId == 1 ? 300 : 0;
    a.bufferAfterSec = a.serviceId == 1 ? 600 : 900;
    a.status = i % 20 == 0 ? Status::Canceled : Status::Approved;
    in.appointments.push_back(std::move(a));
  }
  return in;
}

SlotQuery allSlots(bool explain) {
  SlotQuery q;
  q.from = kFirstDay;
  q.to = LocalDate::fromDayNumber(kFirstDay.dayNumber() + kDays - 1);
  q.timeZone = "Europe/Paris";
  q.explain = explain;
  return q;
}

// The query alone, on a finder built once (what a server keeps between requests
// only if nothing changed; see BM_SlotsBuildAndFind for the cold path).
void BM_SlotsFind(benchmark::State& state) {
  const SlotFinder finder(makeInput());
  const SlotQuery q = allSlots(false);
  std::size_t slots = 0;
  for (auto _ : state) {
    auto r = finder.find(q);
    slots = r.slots.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["slots"] = static_cast<double>(slots);
}
BENCHMARK(BM_SlotsFind)->Unit(benchmark::kMillisecond);

// Building the finder (sorting 25 000 records) and querying, from an input
// already in memory.
void BM_SlotsBuildAndFind(benchmark::State& state) {
  const SlotInput input = makeInput();
  const SlotQuery q = allSlots(false);
  std::size_t slots = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SlotInput copy = input;
    state.ResumeTiming();
    const SlotFinder finder(std::move(copy));
    auto r = finder.find(q);
    slots = r.slots.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["slots"] = static_cast<double>(slots);
}
BENCHMARK(BM_SlotsBuildAndFind)->Unit(benchmark::kMillisecond);

// With every candidate not offered explained.
void BM_SlotsFindExplain(benchmark::State& state) {
  const SlotFinder finder(makeInput());
  const SlotQuery q = allSlots(true);
  std::size_t rejected = 0;
  for (auto _ : state) {
    auto r = finder.find(q);
    rejected = r.rejected.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["rejected"] = static_cast<double>(rejected);
}
BENCHMARK(BM_SlotsFindExplain)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
