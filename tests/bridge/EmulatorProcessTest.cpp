#include "tests/common/EmulatorProcess.h"

#include <gtest/gtest.h>

#include "tests/common/TestSupport.h"

namespace creneau::test {
namespace {

TEST(EmulatorProcess, StartsBothEmulatorsAndReadsTheirState) {
  EmulatorProcess google("google_emulator.py");
  EmulatorProcess graph("graph_emulator.py");
  EXPECT_GT(google.port(), 0);
  EXPECT_NE(google.port(), graph.port());
  EXPECT_EQ(google.baseUrl(), "http://127.0.0.1:" + std::to_string(google.port()));

  auto gs = google.state();
  EXPECT_EQ(gs.status, 200) << gs.body;
  EXPECT_NE(gs.body.find("\"calendars\""), std::string::npos) << gs.body;
  auto ms = graph.state();
  EXPECT_EQ(ms.status, 200) << ms.body;
  EXPECT_NE(ms.body.find("\"users\""), std::string::npos) << ms.body;

  // A request without a token is refused in the provider's format and is not a violation.
  auto unauthorized = google.get("/calendar/v3/users/me/calendarList");
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_NE(unauthorized.body.find("authError"), std::string::npos) << unauthorized.body;
  EXPECT_EQ(google.reset().status, 200);
  EXPECT_EQ(graph.violationCount(), 0) << graph.violations().body;

  // An invalid seed is refused (seeds are validated like client requests) and a fault fires.
  auto bad = graph.post("/_emulator/seed", R"({"events": [{"subjekt": "typo"}]})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(graph.violationCount(), 0);  // seeding is not a client request
  auto faults = google.faults(R"([{"path": "^/token$", "action": "500"}])");
  EXPECT_EQ(faults.status, 200) << faults.body;
  EXPECT_EQ(google.post("/token", "").status, 500);
}

TEST(EmulatorProcess, FailsClearlyForAMissingScript) {
  EXPECT_THROW(EmulatorProcess("no_such_emulator.py", {}, std::chrono::seconds(5)),
               std::runtime_error);
}

}  // namespace
}  // namespace creneau::test
