// forEachAppointment over 100 000 appointments (1-3 bookings each): the time
// it takes and that memory stays flat while streaming. Numbers are printed;
// the limits asserted are generous so the test is not flaky on slow machines.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

#include "TestSupport.h"
#include "engine/store/SqliteStore.h"

namespace creneau::engine {
namespace {

constexpr int kAppointments = 100000;
constexpr UnixTime kStart = 1795478400;  // 2026-11-24T00:00:00Z

long residentKiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

ImportBatch bigBatch() {
  ImportBatch b;
  for (int i = 0; i < 20; ++i) {
    Employee e;
    e.externalId = "e" + std::to_string(i);
    e.firstName = "Employee";
    e.lastName = std::to_string(i);
    e.timeZone = i % 2 ? "Europe/Paris" : "America/New_York";
    b.employees.push_back(e);
  }
  for (int i = 0; i < 5; ++i) {
    Service s;
    s.externalId = "s" + std::to_string(i);
    s.name = "Service " + std::to_string(i);
    b.services.push_back(s);
  }
  for (int i = 0; i < 5000; ++i) {
    Customer c;
    c.externalId = "c" + std::to_string(i);
    c.firstName = "Customer";
    c.lastName = std::to_string(i);
    c.email = "c" + std::to_string(i) + "@example.com";
    b.customers.push_back(c);
  }
  Location l;
  l.externalId = "l0";
  l.name = "Salon";
  b.locations.push_back(l);
  b.appointments.reserve(kAppointments);
  for (int i = 0; i < kAppointments; ++i) {
    AppointmentInput in;
    auto& a = in.appointment;
    a.externalId = "a" + std::to_string(i);
    a.start = kStart + static_cast<UnixTime>(i / 20) * 1800;
    a.end = a.start + 1800;
    a.status = static_cast<Status>(i % 5);
    a.notes = "Notes for appointment " + std::to_string(i);
    in.employeeExt = "e" + std::to_string(i % 20);
    in.serviceExt = "s" + std::to_string(i % 5);
    if (i % 3 == 0) in.locationExt = "l0";
    for (int k = 0; k <= i % 3; ++k) {
      BookingInput bk;
      bk.booking.externalId = a.externalId + "-" + std::to_string(k);
      bk.booking.status = a.status;
      bk.booking.price = "45.00";
      bk.customerExt = "c" + std::to_string((i * 7 + k) % 5000);
      in.bookings.push_back(std::move(bk));
    }
    b.appointments.push_back(std::move(in));
  }
  return b;
}

TEST(StoreStreamingTest, Store_ForEachAppointment_Streams100kWithFlatMemory) {
  const auto dir = test::scratchDir("store-streaming");
  SqliteStore store((dir / "creneau.db").string());
  {
    auto batch = bigBatch();
    const auto t0 = std::chrono::steady_clock::now();
    const auto s = store.apply(batch);
    const double applySeconds = secondsSince(t0);
    EXPECT_EQ(s.inserted, kAppointments + 20 + 5 + 5000 + 1);
    std::cout << "[ bench    ] apply: " << kAppointments << " appointments in " << applySeconds
              << " s\n";
    ::testing::Test::RecordProperty("apply_seconds", std::to_string(applySeconds));
  }

  for (int run = 0; run < 2; ++run) {  // the second run reads a warm page cache
    long rssAt10k = 0, rssMax = 0;
    std::int64_t n = 0, bookings = 0;
    UnixTime last = 0;
    const auto t0 = std::chrono::steady_clock::now();
    store.forEachAppointment({}, [&](const Appointment& a) {
      EXPECT_GE(a.start, last);
      last = a.start;
      bookings += static_cast<std::int64_t>(a.bookings.size());
      if (++n % 1000 == 0) {
        const long rss = residentKiB();
        if (n == 10000) rssAt10k = rss;
        rssMax = std::max(rssMax, rss);
      }
      return true;
    });
    const double seconds = secondsSince(t0);
    EXPECT_EQ(n, kAppointments);
    EXPECT_EQ(bookings, kAppointments / 3 * 6 + 1);  // 1, 2, 3, 1, 2, 3, ... bookings
    std::cout << "[ bench    ] stream run " << run + 1 << ": " << n << " appointments, " << bookings
              << " bookings in " << seconds << " s ("
              << static_cast<long>(static_cast<double>(n) / seconds) << "/s); RSS at 10k "
              << rssAt10k / 1024 << " MiB, max " << rssMax / 1024 << " MiB\n";
    ::testing::Test::RecordProperty("stream_seconds_run" + std::to_string(run + 1),
                                    std::to_string(seconds));
    // Flat: after the first 10 000 rows, the remaining 90 000 add (almost) nothing.
    EXPECT_LT(rssMax - rssAt10k, 16 * 1024) << "memory grows while streaming";
  }

  // Filters run in SQL with the indexes: one employee's week.
  RecordFilter f;
  f.employeeId = store.employeeByExternalId("e3")->id;
  f.from = kStart + 86400;
  f.to = kStart + 8 * 86400;
  const auto t0 = std::chrono::steady_clock::now();
  const auto count = store.countAppointments(f);
  std::int64_t streamed = 0;
  store.forEachAppointment(f, [&](const Appointment& a) {
    EXPECT_EQ(a.employeeId, *f.employeeId);
    ++streamed;
    return true;
  });
  EXPECT_EQ(streamed, count);
  EXPECT_GT(count, 0);
  std::cout << "[ bench    ] one employee's week: " << count << " appointments in "
            << secondsSince(t0) << " s\n";

  // Re-importing the same 100 000: nothing changes, nothing is logged.
  const auto seq = store.latestChange("all");
  const auto batch = bigBatch();
  const auto t1 = std::chrono::steady_clock::now();
  const auto again = store.apply(batch);
  EXPECT_EQ(again.unchanged, kAppointments + 20 + 5 + 5000 + 1);
  EXPECT_EQ(again.updated + again.inserted + again.cascaded, 0);
  EXPECT_EQ(store.latestChange("all"), seq);
  std::cout << "[ bench    ] re-apply unchanged: " << secondsSince(t1) << " s\n";
}

}  // namespace
}  // namespace creneau::engine
