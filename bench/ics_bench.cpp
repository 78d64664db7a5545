// Render + serialize N appointments, and parse the result back.
// Run through bench/run.sh, which also runs python3-icalendar on the same file.
#include <benchmark/benchmark.h>

#include <sstream>
#include <string>

#include "engine/render/Renderer.h"
#include "ical/IcalCodec.h"

namespace {

using namespace creneau;

struct Data {
  engine::Directory dir;
  std::vector<engine::Appointment> appointments;
};

// The same shape as bench/gen_import.py: 20 employees in 5 zones, N/5
// customers, 10 services, 1-3 bookings, notes and meeting links on some.
Data makeData(int n) {
  static const char* zones[] = {"Europe/Paris", "America/New_York", "Asia/Kolkata", "Europe/London",
                                "America/Los_Angeles"};
  Data d;
  for (int i = 0; i < 20; ++i)
    d.dir.add(engine::Employee{i + 1, "e" + std::to_string(i), "Zoë", "Ångström",
                               "staff" + std::to_string(i) + "@salon.example", "+33 1 00 00 00 00",
                               zones[i % 5]});
  const int customers = std::max(50, n / 5);
  for (int i = 0; i < customers; ++i)
    d.dir.add(engine::Customer{i + 1, "c" + std::to_string(i), "François", "Dupont",
                               "customer" + std::to_string(i) + "@example.com", "+33 6 00000000",
                               i % 7 == 0 ? "Prefers the window seat; allergic to latex" : ""});
  for (int i = 0; i < 10; ++i) {
    engine::Service s;
    s.id = i + 1;
    s.externalId = "s" + std::to_string(i);
    s.name = "Service " + std::to_string(i) + " – soin & coupe";
    s.description = "Shampoo, cut, blow-dry; includes a consultation, and a coffee.";
    s.durationMin = 30 + 15 * (i % 5);
    s.bufferAfterMin = 10;
    s.price = std::to_string(20 + 5 * i) + ".00";
    s.currency = "EUR";
    d.dir.add(s);
  }
  d.dir.add(engine::Location{1, "l0", "Salon 0", "1 rue de la Paix, Paris"});
  const engine::UnixTime base = 1767225600;
  for (int i = 0; i < n; ++i) {
    engine::Appointment a;
    a.id = i + 1;
    a.externalId = "a" + std::to_string(i);
    a.serviceId = i % 10 + 1;
    a.employeeId = i % 20 + 1;
    a.locationId = 1;
    a.start = base + (i / 20) * 3600 + (i % 20) * 60;
    a.end = a.start + (30 + 15 * (i % 5)) * 60;
    a.status = i % 10 == 6 ? engine::Status::Pending : engine::Status::Approved;
    const int nb = (i % 10) % 4 ? 1 : 1 + i % 3;
    for (int k = 0; k < nb; ++k)
      a.bookings.push_back(engine::Booking{"b", (i * 7 + k * 13) % customers + 1, 1 + k % 2,
                                           engine::Status::Approved, ""});
    if (i % 3 == 0) a.notes = "Customer asked for Sophie; bring photos, please.";
    if (i % 5 == 0) a.meetingUrl = "https://meet.example.com/a" + std::to_string(i);
    a.revision = 1;
    a.createdAt = a.updatedAt = base - 86400;
    d.appointments.push_back(std::move(a));
  }
  return d;
}

std::string renderAll(const Data& d, const engine::Renderer& r) {
  std::ostringstream out;
  ical::Calendar header;
  header.name = "bench";
  ical::CalendarWriter w(
      out, header,
      {"Europe/Paris", "America/New_York", "Asia/Kolkata", "Europe/London", "America/Los_Angeles"});
  for (const auto& a : d.appointments) w.add(r.render(a, d.dir));
  w.finish();
  return out.str();
}

void BM_RenderSerialize(benchmark::State& state) {
  const Data d = makeData(static_cast<int>(state.range(0)));
  const engine::Renderer r(engine::RenderSettings{});
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto s = renderAll(d, r);
    bytes = s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["bytes"] = static_cast<double>(bytes);
}

void BM_SerializeOnly(benchmark::State& state) {
  const Data d = makeData(static_cast<int>(state.range(0)));
  const engine::Renderer r(engine::RenderSettings{});
  ical::Calendar cal;
  for (const auto& a : d.appointments) cal.events.push_back(r.render(a, d.dir));
  for (auto _ : state) {
    auto s = ical::serialize(cal);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_Parse(benchmark::State& state) {
  const Data d = makeData(static_cast<int>(state.range(0)));
  const std::string text = renderAll(d, engine::Renderer(engine::RenderSettings{}));
  for (auto _ : state) {
    auto result = ical::parse(text);
    if (result.calendar.events.size() != d.appointments.size()) state.SkipWithError("lost events");
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_RenderSerialize)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SerializeOnly)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parse)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
