// creneau busy: source add / list / remove, refresh, policy (issue 5, item 1).

#include <gtest/gtest.h>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include "bridge/cli/Commands.h"
#include "tests/engine/BusyTestSupport.h"

namespace creneau::bridge {
namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = runCli(args, {out, err});
  return {code, out.str(), err.str()};
}

class BusyCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("busy-cli-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
    const auto json = dir_ / "import.json";
    std::ofstream(json) << R"({"version": 1, "employees": [{"id": "e1", "firstName": "Eve",
      "timeZone": "Europe/Paris", "schedule": {"weekly": {"tue": [["09:00", "11:00"]]}}}], "services": [{"id": "s1", "name": "Cut", "duration": 60}]})";
    ASSERT_EQ(cli({"import", json.string(), "--db", db_}).code, 0);
  }

  CliRun runBusy(std::vector<std::string> args) {
    args.insert(args.begin(), "busy");
    args.push_back("--db");
    args.push_back(db_);
    return cli(args);
  }

  std::filesystem::path dir_;
  std::string db_;
  int status_ = 200;
  test::FakeHttpServer server_{[this](const test::FakeHttpServer::Request&) {
    return test::FakeHttpServer::Reply{
        status_,
        test::vcalendar(test::vevent("x", ":20261201T090000Z", ":20261201T100000Z", "Dentist")),
        {{"ETag", "\"1\""}}};
  }};
};

TEST_F(BusyCommandTest, AddListRefreshRemove) {
  auto r = runBusy({"source", "add", "--employee", "e1", "--ics", server_.url("/a.ics"), "--label",
                    "Family", "--tentative-busy"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("busy source 1 added"), std::string::npos) << r.out;

  r = runBusy({"source", "list"});
  EXPECT_NE(r.out.find("status never"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tentative"), std::string::npos) << r.out;

  r = runBusy({"refresh", "--employee", "e1", "--budget", "10s"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Family (ICS): 1 periods"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 sources, 0 failed"), std::string::npos) << r.out;

  r = runBusy({"source", "list", "--json"});
  auto root = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
  auto src = root->getArray("sources")->getObject(0);
  EXPECT_EQ(src->getValue<std::string>("status"), "ok");
  EXPECT_EQ(src->getValue<int>("periods"), 1);
  EXPECT_TRUE(src->has("fetchedAt"));
  EXPECT_EQ(src->getValue<std::string>("label"), "Family");

  r = runBusy({"source", "remove", "1"});
  EXPECT_EQ(r.code, 0);
  r = runBusy({"source", "remove", "1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no busy source 1"), std::string::npos);
}

TEST_F(BusyCommandTest, FailedRefreshPrintsTheErrorAndExits1) {
  status_ = 500;
  ASSERT_EQ(runBusy({"source", "add", "--employee", "e1", "--ics", server_.url("/a.ics")}).code, 0);
  auto r = runBusy({"refresh"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("ERROR: the ICS URL answered HTTP 500"), std::string::npos) << r.out;
  r = runBusy({"source", "list", "--json"});
  auto src = Poco::JSON::Parser()
                 .parse(r.out)
                 .extract<Poco::JSON::Object::Ptr>()
                 ->getArray("sources")
                 ->getObject(0);
  EXPECT_EQ(src->getValue<std::string>("status"), "error");
  EXPECT_NE(src->getValue<std::string>("reason").find("500"), std::string::npos);
  EXPECT_TRUE(src->has("errorSince"));
}

TEST_F(BusyCommandTest, CalDavPasswordFromStdinIsStoredSealed) {
  std::istringstream in("s3cr3t-pa55\n");
  auto* old = std::cin.rdbuf(in.rdbuf());
  auto r = runBusy({"source", "add", "--employee", "e1", "--caldav", "http://127.0.0.1:1/cal/",
                    "--user", "alice", "--password-stdin"});
  std::cin.rdbuf(old);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(test::readFile(db_).find("s3cr3t-pa55"), std::string::npos);
  r = runBusy({"source", "list"});
  EXPECT_EQ(r.out.find("s3cr3t"), std::string::npos);
  // The server is not there: a connect error, never the password.
  r = runBusy({"refresh"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out.find("s3cr3t"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("cannot be opened"), std::string::npos) << r.out;
}

TEST_F(BusyCommandTest, BadCommandLinesSayWhatToFix) {
  auto r = runBusy({"source", "add", "--employee", "e1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("exactly one of --caldav URL, --ics URL"), std::string::npos) << r.err;
  r = runBusy({"source", "add", "--employee", "nobody", "--ics", "http://x/"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no employee with id 'nobody'"), std::string::npos) << r.err;
  r = runBusy({"source", "add", "--employee", "e1", "--ics", "ftp://x/"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not an http:// or https:// URL"), std::string::npos) << r.err;
  r = runBusy({"source", "add", "--employee", "e1", "--google", "abc"});
  EXPECT_EQ(r.code, 2);
  r = runBusy({"source", "add", "--employee", "e1", "--microsoft", "42"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no connection 42"), std::string::npos) << r.err;
  r = runBusy({"refresh", "--budget", "soon"});
  EXPECT_EQ(r.code, 2);
  r = runBusy({"policy", "maybe"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(cli({"busy", "--help"}).out.find("source add"), std::string::npos);
}

TEST_F(BusyCommandTest, PolicyGlobalAndPerEmployee) {
  ASSERT_EQ(runBusy({"source", "add", "--employee", "e1", "--ics", server_.url("/a.ics")}).code, 0);
  // Never refreshed: unverified. Hidden by default, marked with the policy.
  auto slots = [&] {
    return cli({"slots", "--service", "s1", "--from", "2026-12-01", "--to", "2026-12-01", "--tz",
                "Europe/Paris", "--now", "2026-11-30T08:00:00Z", "--db", db_, "--json"})
        .out;
  };
  EXPECT_NE(slots().find(R"("slots":[])"), std::string::npos) << slots();
  auto r = runBusy({"policy", "mark"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("busy.unverified_policy = mark"), std::string::npos);
  EXPECT_NE(slots().find(R"("unverified":true)"), std::string::npos) << slots();
  r = runBusy({"policy", "--employee", "e1", "hide"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(slots().find(R"("slots":[])"), std::string::npos) << slots();
  r = runBusy({"policy", "--employee", "e1", "default"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(slots().find(R"("unverified":true)"), std::string::npos) << slots();
}

TEST_F(BusyCommandTest, ServeRefreshesOnAScheduleAndStopsOnSigterm) {
  ASSERT_EQ(runBusy({"source", "add", "--employee", "e1", "--ics", server_.url("/a.ics")}).code, 0);
  Poco::Pipe outPipe, errPipe;
  Poco::Process::Env env{{"CRENEAU_BUSY_REFRESH", "1s"}};
  Poco::ProcessHandle ph = Poco::Process::launch(test::creneauBinary().string(),
                                                 {"serve", "--listen", "127.0.0.1:0", "--db", db_},
                                                 ".", nullptr, &outPipe, &errPipe, env);
  Poco::PipeInputStream outStream(outPipe);
  std::string firstLine;
  std::getline(outStream, firstLine);
  ASSERT_NE(firstLine.find("listening"), std::string::npos) << firstLine;
  // Every second: the fake server sees one GET after another.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (server_.requests() < 3 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(server_.requests(), 3);
  EXPECT_NE(runBusy({"source", "list"}).out.find("status ok"), std::string::npos);
  const auto stopping = std::chrono::steady_clock::now();
  ::kill(ph.id(), SIGTERM);
  EXPECT_EQ(ph.wait(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(5));
}

}  // namespace
}  // namespace creneau::bridge
