#include "bridge/cli/Commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "TestSupport.h"

namespace creneau::bridge {
namespace {

namespace fs = std::filesystem;

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = runCli(args, {out, err});
  return {code, out.str(), err.str()};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("cli-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
  }
  std::string demo() const { return (test::fixturesDir() / "demo" / "demo.json").string(); }
  std::string edge() const {
    return (test::fixturesDir() / "interop" / "edge-cases.json").string();
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(CliTest, Import_DemoThenExport_WritesEveryApprovedAppointment) {
  auto r = cli({"import", demo(), "--db", db_});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ics = (dir_ / "out.ics").string();
  r = cli({"export", "--out", ics, "--db", db_});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = test::readFile(ics);
  EXPECT_EQ(text.rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  EXPECT_NE(text.find("END:VCALENDAR\r\n"), std::string::npos);
  EXPECT_NE(text.find("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"), std::string::npos);
  EXPECT_EQ(text.find("STATUS:TENTATIVE"), std::string::npos) << "pending needs --include-pending";
  EXPECT_EQ(text.find("STATUS:CANCELLED"), std::string::npos)
      << "canceled needs --include-canceled";
  EXPECT_FALSE(fs::exists(ics + ".tmp"));
  EXPECT_NE(r.err.find("exported "), std::string::npos);
  // What we write, our own validator accepts.
  r = cli({"validate", ics});
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(CliTest, Export_IncludeFlagsAddPendingAndCancelled) {
  ASSERT_EQ(cli({"import", demo(), "--db", db_}).code, 0);
  const auto ics = (dir_ / "all.ics").string();
  auto r = cli({"export", "--out", ics, "--db", db_, "--include-pending", "--include-canceled"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = test::readFile(ics);
  EXPECT_NE(text.find("STATUS:TENTATIVE"), std::string::npos);
  EXPECT_NE(text.find("STATUS:CANCELLED"), std::string::npos);
}

TEST_F(CliTest, Export_UnknownEmployee_FailsAndWritesNothing) {
  ASSERT_EQ(cli({"import", demo(), "--db", db_}).code, 0);
  const auto ics = (dir_ / "x.ics").string();
  auto r = cli({"export", "--out", ics, "--employee", "nobody", "--db", db_});
  EXPECT_EQ(r.code, kExitInvalidInput);
  EXPECT_NE(r.err.find("no employee with id 'nobody'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(ics));
  EXPECT_FALSE(fs::exists(ics + ".tmp"));
}

TEST_F(CliTest, Export_MissingDatabase_SaysHowToCreateOne) {
  auto r = cli({"export", "--out", (dir_ / "x.ics").string(), "--db", (dir_ / "none.db").string()});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("creneau import"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));
}

TEST_F(CliTest, Export_BadDatesAndOptions_AreUsageErrors) {
  ASSERT_EQ(cli({"import", demo(), "--db", db_}).code, 0);
  const auto ics = (dir_ / "x.ics").string();
  EXPECT_EQ(cli({"export", "--out", ics, "--db", db_, "--from", "24/11/2026"}).code, kExitUsage);
  EXPECT_EQ(
      cli({"export", "--out", ics, "--db", db_, "--from", "2026-12-01", "--to", "2026-11-01"}).code,
      kExitUsage);
  EXPECT_EQ(cli({"export", "--out", ics, "--db", db_, "--include-pendng"}).code, kExitUsage);
  EXPECT_EQ(cli({"export", "--db", db_}).code, kExitUsage);
  EXPECT_FALSE(fs::exists(ics));
}

TEST_F(CliTest, Export_WindowKeepsOnlyOverlappingRecords) {
  ASSERT_EQ(cli({"import", edge(), "--db", db_}).code, 0);
  // edge-a3 runs 2026-11-01 05:30Z..06:30Z: a window ending at its start excludes it,
  // one ending a second after includes it.
  auto r = cli({"export", "--out", "-", "--db", db_, "--to", "2026-11-01T05:30:00Z", "--from",
                "2026-10-31T00:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("appointment-edge-a3@"), std::string::npos);
  r = cli({"export", "--out", "-", "--db", db_, "--to", "2026-11-01T05:30:01Z", "--from",
           "2026-10-31T00:00:00Z"});
  EXPECT_NE(r.out.find("appointment-edge-a3@"), std::string::npos);
}

TEST_F(CliTest, Import_MalformedFile_NamesLineAndWritesNothing) {
  const auto bad = dir_ / "bad.json";
  {
    std::ofstream f(bad);
    f << "{\n  \"version\": 1,\n  \"employees\": [\n    {\"id\": \"e1\", \"firstName\": \"A\", "
         "\"timeZone\": \"Mars/Olympus\"}\n  ]\n}\n";
  }
  auto r = cli({"import", bad.string(), "--db", db_});
  EXPECT_EQ(r.code, kExitInvalidInput);
  EXPECT_NE(r.err.find(":4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("employees[0].timeZone"), std::string::npos) << r.err;
  // Nothing imported: exporting finds no employee.
  r = cli({"export", "--out", "-", "--employee", "e1", "--db", db_});
  EXPECT_NE(r.code, 0);
}

TEST_F(CliTest, Validate_ExitStatusFollowsErrors) {
  const auto good = (test::corpusDir() / "apple-tentative.ics").string();
  const auto bad = (test::corpusDir() / "malformed-end-before-start.ics").string();
  auto r = cli({"validate", good});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find(": valid"), std::string::npos);
  r = cli({"validate", bad});
  EXPECT_EQ(r.code, kExitInvalidInput);
  EXPECT_NE(r.out.find(": error: "), std::string::npos) << r.out;
  EXPECT_EQ(cli({"validate", (dir_ / "missing.ics").string()}).code, kExitFailure);
}

TEST_F(CliTest, Settings_UnknownPlaceholderIsRefusedAndNothingSaved) {
  auto r = cli(
      {"settings", "set", "template.appointment.title", "%service_name% %custmer%", "--db", db_});
  EXPECT_EQ(r.code, kExitInvalidInput);
  EXPECT_NE(r.err.find("%custmer%"), std::string::npos) << r.err;
  r = cli({"settings", "get", "template.appointment.title", "--db", db_});
  EXPECT_EQ(r.out, "%service_name% – %customer_full_name%\n");
  r = cli({"settings", "set", "template.appointment.title", "%customer_full_name% (%service_name%)",
           "--db", db_});
  EXPECT_EQ(r.code, 0) << r.err;
  r = cli({"settings", "get", "template.appointment.title", "--db", db_});
  EXPECT_EQ(r.out, "%customer_full_name% (%service_name%)\n");
  EXPECT_EQ(cli({"settings", "set", "render.include_buffers", "maybe", "--db", db_}).code,
            kExitInvalidInput);
  EXPECT_EQ(cli({"settings", "set", "render.colour", "x", "--db", db_}).code, kExitUsage);
}

TEST_F(CliTest, Settings_TemplateChangeShowsInExport) {
  ASSERT_EQ(cli({"import", demo(), "--db", db_}).code, 0);
  ASSERT_EQ(cli({"settings", "set", "template.appointment.title", "RDV %customer_full_name%",
                 "--db", db_})
                .code,
            0);
  auto r = cli({"export", "--out", "-", "--db", db_});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("SUMMARY:RDV "), std::string::npos);
}

TEST_F(CliTest, UnknownCommand_PrintsUsage) {
  auto r = cli({"exprot"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("usage: creneau"), std::string::npos);
}

}  // namespace
}  // namespace creneau::bridge
