#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <future>
#include <mutex>
#include <regex>
#include <sstream>
#include <streambuf>
#include <thread>

#include "bridge/cli/Args.h"
#include "bridge/server/ServeCommand.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;

// An output buffer one thread writes and another polls.
class SharedBuf : public std::streambuf {
 public:
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      std::lock_guard lock(mutex_);
      text_.push_back(static_cast<char>(c));
    }
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard lock(mutex_);
    text_.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

int portIn(const std::string& out) {
  std::smatch m;
  static const std::regex re("listening on https?://[^:]+:([0-9]+)");
  if (!std::regex_search(out, m, re)) return 0;
  return std::stoi(m[1]);
}

std::pair<int, std::string> httpGet(int port, const std::string& path) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  s.setTimeout(Poco::Timespan(5, 0));
  Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse res;
  std::ostringstream body;
  Poco::StreamCopier::copyStream(s.receiveResponse(res), body);
  return {static_cast<int>(res.getStatus()), body.str()};
}

class ServerServeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("serve-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
  }
  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(ServerServeCommandTest, Help_PrintsUsage) {
  std::ostringstream out, err;
  EXPECT_EQ(serveCommand({"--help"}, {out, err}), kExitOk);
  EXPECT_NE(out.str().find("usage: creneau serve"), std::string::npos);
  EXPECT_NE(out.str().find("--tls-cert"), std::string::npos);
}

TEST_F(ServerServeCommandTest, BadOptions_AreUsageErrorsNamingTheSetting) {
  std::ostringstream out, err;
  EXPECT_THROW(serveCommand({"--bogus"}, {out, err}), UsageError);
  EXPECT_THROW(serveCommand({"extra"}, {out, err}), UsageError);
  try {
    serveCommand({"--threads", "lots", "--db", db_}, {out, err});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("server.threads (from command line)"), std::string::npos)
        << e.what();
  }
  try {
    serveCommand({"--tls-cert", "/nope.crt", "--db", db_}, {out, err});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("tls.cert and tls.key go together"), std::string::npos);
  }
}

TEST_F(ServerServeCommandTest, MissingTlsFiles_FailWithClearMessage) {
  std::ostringstream out, err;
  const int code =
      serveCommand({"--listen", "127.0.0.1:0", "--db", db_, "--tls-cert", (dir_ / "x.crt").string(),
                    "--tls-key", (dir_ / "x.key").string(), "--log-level", "none"},
                   {out, err});
  EXPECT_EQ(code, kExitFailure);
  EXPECT_NE(err.str().find("TLS certificate file not found"), std::string::npos) << err.str();
}

// In-process: serve in a thread, talk to it, then deliver SIGTERM to that
// thread only (it blocks the signal and waits for it with sigwait).
TEST_F(ServerServeCommandTest, Serve_PrintsUrlsAnswersAndStopsOnSigterm) {
  SharedBuf outBuf, errBuf;
  std::ostream out(&outBuf), err(&errBuf);
  int code = -1;
  pthread_t servingThread{};
  std::promise<void> threadKnown;
  std::thread serving([&] {
    servingThread = pthread_self();
    threadKnown.set_value();
    code = serveCommand({"--listen", "127.0.0.1:0", "--db", db_, "--log-level", "warning"},
                        {out, err});
  });
  threadKnown.get_future().wait();
  int port = 0;
  for (int i = 0; i < 200 && port == 0; ++i) {
    std::this_thread::sleep_for(25ms);
    port = portIn(outBuf.text());
  }
  ASSERT_NE(port, 0) << outBuf.text() << errBuf.text();
  EXPECT_NE(
      outBuf.text().find("health:       http://127.0.0.1:" + std::to_string(port) + "/healthz"),
      std::string::npos)
      << outBuf.text();
  auto [status, body] = httpGet(port, "/healthz");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "{\"status\":\"ok\"}\n");

  pthread_kill(servingThread, SIGTERM);
  serving.join();
  EXPECT_EQ(code, kExitOk) << errBuf.text();
  EXPECT_NE(errBuf.text().find("SIGTERM received, stopping"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(db_)) << "the store is created when missing";
}

// End to end through the real executable, once `serve` is dispatched by the CLI.
TEST_F(ServerServeCommandTest, Binary_ServeListensOnPortZeroAndExitsCleanlyOnSigterm) {
  Poco::Pipe outPipe, errPipe;
  Poco::Process::Args args = {"serve", "--listen", "127.0.0.1:0", "--db", db_};
  Poco::ProcessHandle ph =
      Poco::Process::launch(test::creneauBinary().string(), args, nullptr, &outPipe, &errPipe);
  Poco::PipeInputStream outStream(outPipe);
  std::string firstLine;
  std::getline(outStream, firstLine);
  if (firstLine.empty()) {
    Poco::PipeInputStream errStream(errPipe);
    std::string errText;
    Poco::StreamCopier::copyToString(errStream, errText);
    const int code = ph.wait();
    if (errText.find("unknown command 'serve'") != std::string::npos)
      GTEST_SKIP() << "creneau does not dispatch 'serve' yet (bridge/cli/Cli.cpp)";
    FAIL() << "exit " << code << ": " << errText;
  }
  const int port = portIn(firstLine);
  ASSERT_NE(port, 0) << firstLine;
  EXPECT_EQ(httpGet(port, "/healthz").first, 200);
  EXPECT_EQ(httpGet(port, "/nope").first, 404);
  ::kill(ph.id(), SIGTERM);
  EXPECT_EQ(ph.wait(), 0);
}

}  // namespace
}  // namespace creneau::bridge
