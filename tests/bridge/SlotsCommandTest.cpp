// `creneau slots` end to end: the built executable, the demo data, and a
// fixed "now" through CRENEAU_NOW.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <future>
#include <map>

#include "bridge/cli/Commands.h"
#include "engine/slots/StoreSlots.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

constexpr const char* kNow = "2026-11-24T08:00:00Z";

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

Outcome creneau(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env) {
  Poco::Pipe outPipe, errPipe;
  Poco::Process::Env processEnv;
  for (const auto& [k, v] : env) processEnv[k] = v;
  Poco::ProcessHandle ph = Poco::Process::launch(test::creneauBinary().string(), args, nullptr,
                                                 &outPipe, &errPipe, processEnv);
  // Read both pipes at once: a full one would block the child.
  auto out = std::async(std::launch::async, [&outPipe] {
    Poco::PipeInputStream in(outPipe);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    return text;
  });
  Poco::PipeInputStream errIn(errPipe);
  Outcome r;
  Poco::StreamCopier::copyToString(errIn, r.err);
  r.out = out.get();
  r.code = ph.wait();
  return r;
}

class SlotsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("slots-cli-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
    const auto demo = (test::fixturesDir() / "demo" / "demo.json").string();
    const Outcome r = creneau({"import", demo, "--db", db_}, {});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  Outcome slots(std::vector<std::string> args, const std::string& now = kNow) const {
    args.insert(args.begin(), "slots");
    args.push_back("--db");
    args.push_back(db_);
    return creneau(args, {{"CRENEAU_NOW", now}});
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(SlotsCommandTest, PrintsTheSlotsOfEachDayInTheEmployeesZone) {
  const Outcome r = slots({"--service", "svc-cut", "--employee", "emp-sophie", "--from",
                           "2026-12-04", "--to", "2026-12-05"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.err, "") << "no progress or noise";
  EXPECT_EQ(r.out.rfind("Coupe & brushing (svc-cut), 45 min; times in Europe/Paris\n", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("Fri 2026-12-04  09:00  09:15  09:30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Sat 2026-12-05  09:00  09:15  09:30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(Sophie Martin-Dubois)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("not offered"), std::string::npos) << "only with --explain";
  // Saturday, 1028 takes 14:25-15:40 with its buffers: a 45 min cut and its
  // 10 min buffer fit up to 13:30, then from 15:45.
  const std::string saturday = r.out.substr(r.out.find("Sat 2026-12-05"));
  EXPECT_NE(saturday.find("13:15  13:30  15:45  16:00"), std::string::npos) << r.out;
  EXPECT_EQ(saturday.find("14:30"), std::string::npos) << r.out;
}

TEST_F(SlotsCommandTest, JsonMatchesTheEngine) {
  const Outcome r = slots({"--service", "svc-cut", "--employee", "emp-sophie", "--from",
                           "2026-12-05", "--to", "2026-12-05", "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto doc = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(doc->getValue<std::string>("service"), "svc-cut");
  EXPECT_EQ(doc->getValue<std::string>("timeZone"), "Europe/Paris");

  engine::SqliteStore store(db_);
  engine::SlotRequest request;
  request.serviceExt = "svc-cut";
  request.employeeExts = {"emp-sophie"};
  request.from = request.to = engine::LocalDate{2026, 12, 5};
  request.timeZone = "Europe/Paris";
  request.now = 1795507200;  // kNow
  const auto expected = engine::findSlots(store, request);
  const auto slots = doc->getArray("slots");
  ASSERT_EQ(slots->size(), expected.result.slots.size());
  for (std::size_t i = 0; i < slots->size(); ++i) {
    const auto& e = expected.result.slots[i];
    EXPECT_EQ(slots->getObject(static_cast<unsigned>(i))->getValue<std::string>("start"),
              engine::formatLocal(e.start, e.startOffset));
  }
}

TEST_F(SlotsCommandTest, ExplainNamesTheReasons) {
  const Outcome r = slots({"--service", "svc-cut", "--employee", "emp-sophie", "--from",
                           "2026-12-05", "--to", "2026-12-05", "--explain"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("\nnot offered:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Sat 2026-12-05  14:30  (Sophie Martin-Dubois)  appointment 1028"),
            std::string::npos)
      << r.out;
}

TEST_F(SlotsCommandTest, CreneauNowMovesTheMinimumNotice) {
  // At 10:00 Paris time (09:00Z) with 120 min of notice, 12:00 is the first slot.
  const Outcome r = slots({"--service", "svc-cut", "--employee", "emp-sophie", "--from",
                           "2026-12-05", "--to", "2026-12-05", "--explain"},
                          "2026-12-05T09:00:00Z");
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("Sat 2026-12-05  12:00  12:15"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Sat 2026-12-05  09:00  (Sophie Martin-Dubois)  minimum notice"),
            std::string::npos)
      << r.out;
}

TEST_F(SlotsCommandTest, BadArgumentsExit2WithAMessage) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--service", "svc-cut", "--from", "2026-02-30", "--to", "2026-03-01"},
       "--from \"2026-02-30\" is not a date: use YYYY-MM-DD"},
      {{"--service", "svc-cut", "--from", "2026-12-05"}, "--to is required"},
      {{"--from", "2026-12-05", "--to", "2026-12-05"}, "--service is required"},
      {{"--service", "svc-cut", "--from", "2026-12-06", "--to", "2026-12-05"},
       "--from (2026-12-06) is after --to (2026-12-05)"},
      {{"--service", "svc-cut", "--from", "2026-01-01", "--to", "2027-06-01"}, "at most 366"},
      {{"--service", "svc-cut", "--from", "2026-12-05", "--to", "2026-12-05", "--tz", "Mars/Base"},
       "--tz \"Mars/Base\" is not a known time zone"},
      {{"--service", "svc-cut", "--from", "2026-12-05", "--to", "2026-12-05", "--colour"},
       "unknown option --colour"},
  };
  for (const auto& c : cases) {
    const Outcome r = slots(c.args);
    EXPECT_EQ(r.code, kExitUsage) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  const Outcome badNow =
      slots({"--service", "svc-cut", "--from", "2026-12-05", "--to", "2026-12-05"}, "yesterday");
  EXPECT_EQ(badNow.code, kExitUsage);
  EXPECT_NE(badNow.err.find("CRENEAU_NOW \"yesterday\""), std::string::npos) << badNow.err;
}

TEST_F(SlotsCommandTest, UnknownServiceOrEmployeeExit1) {
  Outcome r = slots({"--service", "svc-nope", "--from", "2026-12-05", "--to", "2026-12-05"});
  EXPECT_EQ(r.code, kExitInvalidInput);
  EXPECT_EQ(r.err, "creneau slots: no service with id \"svc-nope\"\n");
  r = slots({"--service", "svc-cut", "--employee", "emp-nobody", "--from", "2026-12-05", "--to",
             "2026-12-05"});
  EXPECT_EQ(r.code, kExitInvalidInput);
  EXPECT_EQ(r.err, "creneau slots: no employee with id \"emp-nobody\"\n");
}

TEST_F(SlotsCommandTest, SeveralEmployeesShareEachDay) {
  const Outcome r = slots({"--service", "svc-cut", "--employee", "emp-sophie", "--employee=emp-lea",
                           "--from", "2026-12-05", "--to", "2026-12-05", "--tz", "Europe/Paris"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("(Sophie Martin-Dubois)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(Léa Rousseau)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace creneau::bridge
