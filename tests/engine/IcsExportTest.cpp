#include "engine/export/IcsExport.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "IcalPrinters.h"
#include "TestSupport.h"
#include "engine/import/JsonImporter.h"
#include "engine/render/Renderer.h"
#include "engine/store/SqliteStore.h"
#include "ical/IcalCodec.h"

namespace creneau::engine {
namespace {

class IcsExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("export-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    // A fixed "now" so DTSTAMP and LAST-MODIFIED are the same on every run.
    SqliteStoreOptions options;
    options.clock = [] { return UnixTime{1795507200}; };  // 2026-11-24T08:00:00Z
    store_ = std::make_unique<SqliteStore>((dir_ / "creneau.db").string(), options);
  }
  void load(const std::string& fixture) {
    const std::string text = test::readFixture(fixture);
    (void)store_->apply(JsonImporter().parse(text, *store_));
  }
  std::string exportText(const ExportOptions& o, const RenderSettings& s = {}) {
    std::ostringstream out;
    exportIcs(*store_, Renderer(s), o, out);
    return out.str();
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

// Golden file: the exact bytes we write for the edge-case fixture. A change
// here must be deliberate: regenerate with CRENEAU_UPDATE_GOLDEN=1.
TEST_F(IcsExportTest, EdgeCases_MatchGoldenFile) {
  load("interop/edge-cases.json");
  ExportOptions o;
  o.includePending = o.includeCanceled = true;
  const std::string got = exportText(o, RenderSettings::defaultsFor(Language::French));
  const auto golden = test::fixturesDir() / "golden" / "edge-cases.fr.ics";
  if (std::getenv("CRENEAU_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << got;
    GTEST_SKIP() << "golden file rewritten";
  }
  EXPECT_EQ(got, test::readFile(golden));
}

TEST_F(IcsExportTest, Export_ParsesBackToTheRenderedEvents) {
  load("interop/edge-cases.json");
  ExportOptions o;
  o.includePending = o.includeCanceled = true;
  const std::string text = exportText(o);
  const auto parsed = ical::parse(text);
  ASSERT_TRUE(parsed.ok()) << (parsed.diagnostics.empty() ? ""
                                                          : ical::format(parsed.diagnostics[0]));
  const Directory dir = Directory::load(*store_);
  const Renderer r{RenderSettings{}};
  std::size_t appointments = 0;
  store_->forEachAppointment({}, [&](const Appointment& a) {
    const ical::Event want = r.render(a, dir);
    bool found = false;
    for (const auto& ev : parsed.calendar.events)
      if (ev.uid == want.uid) {
        EXPECT_EQ(ev, want) << want.uid;
        found = true;
      }
    EXPECT_TRUE(found) << want.uid;
    ++appointments;
    return true;
  });
  EXPECT_EQ(appointments, 6u);
  EXPECT_EQ(parsed.calendar.events.size(), 6u + 3u);  // + three event periods
}

TEST_F(IcsExportTest, Export_DefaultStatusesLeaveOutPendingAndCancelled) {
  load("interop/edge-cases.json");
  const std::string text = exportText({});
  EXPECT_NE(text.find("UID:appointment-edge-a1@creneau"), std::string::npos);
  EXPECT_EQ(text.find("UID:appointment-edge-a2@creneau"), std::string::npos);  // pending
  EXPECT_EQ(text.find("UID:appointment-edge-a4@creneau"), std::string::npos);  // canceled
  EXPECT_EQ(text.find("UID:appointment-edge-a5@creneau"), std::string::npos);  // rejected
  EXPECT_NE(text.find("UID:appointment-edge-a6@creneau"), std::string::npos);  // no-show
}

TEST_F(IcsExportTest, Export_EmployeeFilterWritesOnlyTheirZone) {
  load("interop/edge-cases.json");
  ExportOptions o;
  o.employeeExt = "edge-kolkata";
  o.includeCanceled = true;
  const std::string text = exportText(o);
  EXPECT_NE(text.find("TZID:Asia/Kolkata"), std::string::npos);
  EXPECT_EQ(text.find("TZID:Europe/Paris"), std::string::npos);
  EXPECT_NE(text.find("X-WR-TIMEZONE:Asia/Kolkata"), std::string::npos);
  EXPECT_EQ(text.find("event-edge-e1"), std::string::npos);
}

TEST_F(IcsExportTest, Export_EventPeriodsOutsideTheWindowAreLeftOut) {
  load("interop/edge-cases.json");
  ExportOptions o;
  o.from = 1793404800;  // 2026-10-31T00:00:00Z
  o.to = 1793491200;    // 2026-11-01T00:00:00Z
  const std::string text = exportText(o);
  EXPECT_EQ(text.find("UID:event-edge-e1-p1@"), std::string::npos);
  EXPECT_EQ(text.find("UID:event-edge-e1-p2@"), std::string::npos);
  EXPECT_NE(text.find("UID:event-edge-e1-3@"), std::string::npos);
}

TEST_F(IcsExportTest, Export_UnknownFilterIdIsAnError) {
  load("interop/edge-cases.json");
  ExportOptions o;
  o.serviceExt = "nope";
  std::ostringstream out;
  EXPECT_THROW(exportIcs(*store_, Renderer(RenderSettings{}), o, out), ExportError);
}

TEST_F(IcsExportTest, Export_ReportsProgress) {
  load("interop/edge-cases.json");
  ExportOptions o;
  o.includePending = o.includeCanceled = true;
  std::ostringstream out;
  std::size_t lastDone = 0, lastTotal = 0;
  exportIcs(*store_, Renderer(RenderSettings{}), o, out, [&](std::size_t d, std::size_t t) {
    lastDone = d;
    lastTotal = t;
  });
  EXPECT_EQ(lastDone, 6u);
  EXPECT_EQ(lastTotal, 6u);
}

}  // namespace
}  // namespace creneau::engine
